import { useEffect, useState } from 'react';
import type { Stores } from '../stores';
import { Money } from '../components/common';

export interface AccountInfo {
  id: string;
  number: string;
  currency: string;
  productId: string;
  status: string;
  holder: string;
  posted: string;
  available: string;
}

/** Finds an account by its 14-digit number (or id) and shows whose it is, its currency and balance. */
export async function lookUpAccount(stores: Stores, reference: string): Promise<AccountInfo | string> {
  const trimmed = reference.replaceAll(' ', '').trim();
  if (trimmed === '') return 'Type the account number.';
  const found = await stores.run('account.get', { accountId: trimmed });
  if (!found.ok) return found.code === 'account_not_found' || found.code === 'not_found' ? `No account ${trimmed} at this branch.` : found.message;
  const value = found.value as { account: { id: string; number: string; currency: string; productId: string; status: string; customerId: string }; balances: { posted: string; available: string } };
  const customer = await stores.run('customer.get', { customerId: value.account.customerId });
  const holder = customer.ok ? (customer.value as { customer: { fullName: string } }).customer.fullName : '';
  return { ...value.account, holder, posted: value.balances.posted, available: value.balances.available };
}

export function AccountField({ stores, id, label, value, onChange, onFound, autoFocus }: { stores: Stores; id: string; label: string; value: string; onChange(value: string): void; onFound(account: AccountInfo | null): void; autoFocus?: boolean }) {
  const [found, setFound] = useState<AccountInfo | string | null>(null);
  useEffect(() => {
    if (value.replaceAll(' ', '').length < 14 && !/^[0-9a-f]{32}$/.test(value)) {
      setFound(null);
      onFound(null);
      return;
    }
    let live = true;
    void lookUpAccount(stores, value).then((result) => {
      if (!live) return;
      setFound(result);
      onFound(typeof result === 'string' ? null : result);
    });
    return () => {
      live = false;
    };
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} inputMode="numeric" autoComplete="off" placeholder="14-digit account number" value={value} onChange={(e) => onChange(e.target.value)} autoFocus={autoFocus} aria-describedby={`${id}-found`} spellCheck={false} />
      <div id={`${id}-found`} className="found" aria-live="polite">
        {typeof found === 'string' && <span className="error-text">{found}</span>}
        {found !== null && typeof found !== 'string' && (
          <span>
            <strong>{found.holder}</strong> · {found.productId} · {found.currency} · balance <Money minor={found.posted} currency={found.currency} /> {found.status !== 'open' && <em>({found.status})</em>}
          </span>
        )}
      </div>
    </div>
  );
}

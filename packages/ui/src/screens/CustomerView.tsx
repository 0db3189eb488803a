import { useEffect, useState } from 'react';
import type { Stores } from '../stores';
import { BusyLine, Money, Panel, time, type Busy, TableHead } from '../components/common';
import { formatMoney } from '../money';
import { useNav } from '../nav';

interface AccountRow {
  id: string;
  number: string;
  currency: string;
  productId: string;
  status: string;
  posted: string;
  available: string;
}

interface StatementLine {
  transferId: string;
  /** The ledger's timestamp (nanoseconds since the epoch). */
  timestamp: string;
  code: number;
  /** Signed: a credit is positive. */
  amount: string;
  pending: boolean;
  balance: string;
  available: string;
}

function atMsOf(line: StatementLine): number {
  return Number(BigInt(line.timestamp) / 1_000_000n);
}

/** A customer: their accounts with balances, and a paged statement with running balance. */
export function CustomerView({ stores, customerId, onBack }: { stores: Stores; customerId: string; onBack(): void }) {
  const go = useNav((state) => state.go);
  const [customer, setCustomer] = useState<{ fullName: string; nationalId: string; kycStatus: string; riskRating: string; phone: string } | null>(null);
  const [accounts, setAccounts] = useState<AccountRow[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>({ kind: 'working', what: 'Loading the customer' });
  useEffect(() => {
    void (async () => {
      const found = await stores.run('customer.get', { customerId });
      if (!found.ok) return setBusy({ kind: 'failed', code: found.code, message: found.message });
      const value = found.value as { customer: NonNullable<typeof customer>; accounts: Array<{ id: string; number: string; currency: string; productId: string; status: string }> };
      setCustomer(value.customer);
      const rows: AccountRow[] = [];
      for (const account of value.accounts) {
        const balance = await stores.run('account.get', { accountId: account.id });
        const balances = balance.ok ? (balance.value as { balances: { posted: string; available: string } }).balances : { posted: '0', available: '0' };
        rows.push({ ...account, ...balances });
      }
      setAccounts(rows);
      setSelected(rows[0]?.id ?? null);
      setBusy({ kind: 'idle' });
    })();
  }, [stores, customerId]);
  return (
    <Panel title={customer?.fullName ?? 'Customer'} actions={<button onClick={onBack}>Back to the list</button>}>
      <BusyLine busy={busy} />
      {customer !== null && (
        <dl className="facts">
          <div>
            <dt>National id</dt>
            <dd>{customer.nationalId}</dd>
          </div>
          <div>
            <dt>KYC</dt>
            <dd>{customer.kycStatus}</dd>
          </div>
          <div>
            <dt>Risk</dt>
            <dd>{customer.riskRating}</dd>
          </div>
          <div>
            <dt>Phone</dt>
            <dd>{customer.phone}</dd>
          </div>
        </dl>
      )}
      <table className="table" aria-label="Accounts">
        <TableHead columns={['Account', 'Product', { label: 'Balance', numeric: true }, { label: 'Available', numeric: true }, 'Status']} />
        <tbody>
          {accounts.map((account) => (
            <tr key={account.id} aria-selected={selected === account.id}>
              <td>
                <button type="button" className="link" onClick={() => setSelected(account.id)} aria-pressed={selected === account.id}>
                  {account.number}
                </button>
              </td>
              <td>{account.productId}</td>
              <td className="num">
                <Money minor={account.posted} currency={account.currency} />
              </td>
              <td className="num">
                <Money minor={account.available} currency={account.currency} />
              </td>
              <td>{account.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions left">
        <button type="button" onClick={() => go('deposit')}>
          Deposit
        </button>
        <button type="button" onClick={() => go('withdraw')}>
          Withdraw
        </button>
        <button type="button" onClick={() => go('transfer')}>
          Transfer
        </button>
      </div>
      {selected !== null && <Statement stores={stores} account={accounts.find((account) => account.id === selected)!} />}
    </Panel>
  );
}

const statementPage = 20;

function Statement({ stores, account }: { stores: Stores; account: AccountRow }) {
  const [lines, setLines] = useState<StatementLine[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const load = async (after: string | null) => {
    setBusy({ kind: 'working', what: 'Loading the statement' });
    const found = await stores.run('account.statement', after === null ? { accountId: account.id, limit: statementPage } : { accountId: account.id, limit: statementPage, after });
    if (!found.ok) return setBusy({ kind: 'failed', code: found.code, message: found.message });
    const value = found.value as { lines: StatementLine[]; next: string | null };
    setLines((current) => (after === null ? value.lines : [...current, ...value.lines]));
    setNext(value.next);
    setBusy({ kind: 'idle' });
  };
  useEffect(() => {
    void load(null);
  }, [account.id]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <section aria-labelledby="statement-title">
      <h3 id="statement-title">Statement {account.number}</h3>
      <table className="table" aria-label={`Statement of ${account.number}`}>
        <TableHead columns={['When', 'Reference', { label: 'Amount', numeric: true }, { label: 'Balance', numeric: true }]} />
        <tbody>
          {lines.map((line) => (
            <tr key={line.transferId}>
              <td>
                {new Date(atMsOf(line)).toLocaleDateString('en-US')} {time(atMsOf(line))}
              </td>
              <td>
                <code>{line.transferId.slice(-10)}</code>
              </td>
              <td className={`num ${line.amount.startsWith('-') ? 'debit' : 'credit'}`}>
                {line.amount.startsWith('-') ? '' : '+'}
                {formatMoney(line.amount, account.currency)}
                {line.pending ? ' (held)' : ''}
              </td>
              <td className="num">{formatMoney(line.balance, account.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <BusyLine busy={busy} />
      {next !== null && (
        <button type="button" onClick={() => void load(next)}>
          Older lines
        </button>
      )}
      {lines.length === 0 && busy.kind === 'idle' && <p className="muted">No movements yet.</p>}
    </section>
  );
}

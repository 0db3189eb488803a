import { useEffect, useRef, type ReactNode } from 'react';
import { formatMoney } from '../money';

export function Money({ minor, currency, className }: { minor: string | bigint; currency: string; className?: string }) {
  return <span className={`money ${className ?? ''}`}>{formatMoney(minor, currency)}</span>;
}

/** A state every async action shows: working (with what), done, or failed with what to do next. */
export type Busy = { kind: 'idle' } | { kind: 'working'; what: string } | { kind: 'failed'; code: string; message: string } | { kind: 'done'; message: string };

export function BusyLine({ busy }: { busy: Busy }) {
  if (busy.kind === 'idle') return null;
  if (busy.kind === 'working')
    return (
      <p className="busy" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> {busy.what}…
      </p>
    );
  if (busy.kind === 'done')
    return (
      <p className="notice ok" role="status" aria-live="polite">
        {busy.message}
      </p>
    );
  return (
    <div className="notice error" role="alert">
      <strong>{busy.message}</strong>
      <span className="code">{busy.code}</span>
    </div>
  );
}

export function Panel({ title, children, actions, id }: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  return (
    <section className="panel" aria-labelledby={id ?? slug(title)}>
      <header className="panel-head">
        <h2 id={id ?? slug(title)}>{title}</h2>
        {actions}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Keyboard hint beside an action. */
export function Key({ children }: { children: ReactNode }) {
  return <kbd>{children}</kbd>;
}

/** Focus the first field of a screen when it appears. */
export function useAutoFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

export function time(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const commandLabels: Record<string, string> = {
  'cash.deposit': 'Cash deposit',
  'cash.withdraw': 'Cash withdrawal',
  'transfer.internal': 'Transfer',
  'fx.exchange': 'Currency exchange',
  'till.open_session': 'Till open',
  'till.close_session': 'Till close',
  'customer.review_kyc': 'KYC review',
  'vault.to_till': 'Vault to till',
};

export function statusLabel(status: string): string {
  return (
    {
      pending: 'Waiting to sync',
      pending_sync: 'Made offline, waiting to sync',
      completed: 'Booked at the bank',
      accepted: 'Confirmed by the bank',
      held: 'Held for a supervisor',
      rejected: 'Refused by the bank',
      compensated: 'Reversed by the bank',
    }[status] ?? status
  );
}

/** A table's header row: each column's label, numeric ones aligned right (their cells use className="num"). */
export function TableHead({ columns }: { columns: ReadonlyArray<string | { label: string; numeric: true }> }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className="num">
              {column.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import type { Stores } from '../stores';
import type { PaymentDetail, PaymentDraft, PaymentRow } from '../stores/payments';
import { BusyLine, Money, Panel, time, type Busy } from '../components/common';
import { formatMoney, parseAmount } from '../money';
import { newId } from '../ids';
import { AccountField, type AccountInfo } from './AccountField';
import { gridTheme } from './Customers';

/** Where a payment stands, in words a teller can say to the customer. */
export const paymentStatusWords: Readonly<Record<string, string>> = {
  queued: 'Held on the account; going to the correspondent',
  sent: 'With the correspondent',
  in_progress: 'Being processed by the correspondent',
  settled: 'Paid',
  rejected: 'Rejected: the money is back on the account',
  returned: 'Returned: the money came back',
  credited: 'Received and credited',
  blocked: 'Received and blocked for compliance',
  returning: 'Received; being sent back',
};

const columns: ColDef<PaymentRow>[] = [
  { field: 'createdAtMs', headerName: 'When', width: 150, valueFormatter: (p) => (p.value === undefined ? '' : time(p.value as number)) },
  { field: 'direction', headerName: 'Way', width: 100, valueFormatter: (p) => (p.value === 'outgoing' ? 'Out' : 'In') },
  { headerName: 'Counterparty', flex: 2, minWidth: 170, valueGetter: (p) => (p.data === undefined ? '' : p.data.direction === 'outgoing' ? p.data.creditor.name : p.data.debtor.name) },
  { headerName: 'Amount', width: 150, type: 'rightAligned', valueGetter: (p) => (p.data === undefined ? '' : formatMoney(p.data.amountMinor, p.data.currency)) },
  { field: 'status', headerName: 'Status', flex: 2, minWidth: 200, cellRenderer: (p: ICellRendererParams<PaymentRow>) => <span className={`status status-${p.data?.status ?? ''}`}>{paymentStatusWords[p.data?.status ?? ''] ?? p.data?.status}</span> },
  { headerName: 'Reason', flex: 2, minWidth: 160, valueGetter: (p) => capitalised(p.data?.reason?.words ?? ''), tooltipValueGetter: (p) => capitalised(p.data?.reason?.words ?? '') },
];

/** Cross-border payments: send one, follow each (status, messages exchanged, the reason for any reject), recall one. */
export function Payments({ stores }: { stores: Stores }) {
  const { rows, loading, error, selected } = stores.payments((state) => state);
  const canSend = stores.session((state) => state.can('payment.send'));
  useEffect(() => {
    void stores.payments.getState().load();
  }, [stores]);
  if (selected !== null) return <PaymentView stores={stores} payment={selected} />;
  return (
    <>
      {canSend && <SendPayment stores={stores} />}
      <Panel title="Payments" actions={<button type="button" onClick={() => void stores.payments.getState().load()}>Refresh</button>}>
        {loading && <p className="busy" role="status">Loading payments…</p>}
        {error !== null && <p className="notice error" role="alert">{error.message}</p>}
        {!loading && rows.length === 0 && <p className="muted">No payments yet.</p>}
        <div className="payment-grid" role="region" aria-label="Payments list">
          <AgGridReact<PaymentRow>
            theme={gridTheme}
            rowData={rows}
            columnDefs={columns}
            domLayout="autoHeight"
            getRowId={(params) => params.data.id}
            onRowDoubleClicked={(event) => event.data !== undefined && void stores.payments.getState().open(event.data.id)}
            onCellKeyDown={(event) => {
              const key = (event.event as KeyboardEvent | null)?.key;
              if (key === 'Enter' && event.data !== undefined) void stores.payments.getState().open(event.data.id);
            }}
            rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          />
        </div>
        <p className="muted hint">Arrows to move, Enter to open a payment.</p>
      </Panel>
    </>
  );
}

const emptyDraft: { account: string; amount: string; creditorName: string; creditorKind: 'person' | 'company'; creditorAccount: string; creditorAgentBic: string; creditorTown: string; creditorCountry: string; debtorTown: string; debtorCountry: string; remittance: string } = { account: '', amount: '', creditorName: '', creditorKind: 'person', creditorAccount: '', creditorAgentBic: '', creditorTown: '', creditorCountry: '', debtorTown: '', debtorCountry: '', remittance: '' };

function SendPayment({ stores }: { stores: Stores }) {
  const [draft, setDraft] = useState(emptyDraft);
  const [from, setFrom] = useState<AccountInfo | null>(null);
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  // The payment's id is made once per draft: sending again after a dropped link is the same payment.
  const paymentId = useRef(newId());
  const field = (key: Exclude<keyof typeof emptyDraft, 'creditorKind'>) => ({ value: draft[key], onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }) });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (from === null) return setBusy({ kind: 'failed', code: 'account_required', message: 'Find the customer’s account first.' });
    const amount = parseAmount(draft.amount, from.currency);
    if (!amount.ok) return setBusy({ kind: 'failed', code: 'amount_invalid', message: amount.error });
    setBusy({ kind: 'working', what: 'Checking and sending the payment' });
    const payment: PaymentDraft = { ...draft, fromAccountId: from.id, amountMinor: amount.minor, currency: from.currency };
    const outcome = await stores.payments.getState().send(payment, paymentId.current);
    if (outcome.ok) {
      setBusy({ kind: 'done', message: `${formatMoney(amount.minor, from.currency)} to ${draft.creditorName} is held on the account and goes to the correspondent. Follow it in the list below.` });
      setDraft(emptyDraft);
      paymentId.current = newId();
      return;
    }
    const held = outcome.details?.approvalId;
    if (typeof held === 'string') return setBusy({ kind: 'done', message: `Waiting for a supervisor: ${outcome.message}` });
    setBusy({ kind: 'failed', code: outcome.code, message: outcome.message });
  };
  return (
    <Panel title="Send a payment abroad">
      <form className="form payment-form" onSubmit={(event) => void submit(event)} aria-describedby="payment-help">
        <p id="payment-help" className="muted">The payment goes as a SWIFT pacs.008 through the bank’s correspondent. The money is held on the account until the correspondent answers.</p>
        <AccountField stores={stores} id="payment-from" label="From account" value={draft.account} onChange={(value) => setDraft({ ...draft, account: value })} onFound={setFrom} />
        <div className="field">
          <label htmlFor="payment-amount">Amount {from !== null ? `(${from.currency})` : ''}</label>
          <input id="payment-amount" inputMode="decimal" autoComplete="off" required {...field('amount')} />
        </div>
        <fieldset className="field-group">
          <legend>Beneficiary</legend>
          <div className="field">
            <label htmlFor="payment-creditor">Name</label>
            <input id="payment-creditor" required maxLength={140} {...field('creditorName')} />
          </div>
          <div className="field">
            <label htmlFor="payment-creditor-kind">Is a</label>
            <select id="payment-creditor-kind" value={draft.creditorKind} onChange={(event) => setDraft({ ...draft, creditorKind: event.target.value as 'person' | 'company' })}>
              <option value="person">Person</option>
              <option value="company">Company</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="payment-iban">IBAN or account number</label>
            <input id="payment-iban" required spellCheck={false} autoComplete="off" {...field('creditorAccount')} />
          </div>
          <div className="field">
            <label htmlFor="payment-bic">Bank’s BIC</label>
            <input id="payment-bic" required spellCheck={false} autoComplete="off" maxLength={11} {...field('creditorAgentBic')} />
          </div>
          <div className="field">
            <label htmlFor="payment-creditor-town">Town</label>
            <input id="payment-creditor-town" required maxLength={35} {...field('creditorTown')} />
          </div>
          <div className="field">
            <label htmlFor="payment-creditor-country">Country (2 letters)</label>
            <input id="payment-creditor-country" required maxLength={2} {...field('creditorCountry')} />
          </div>
        </fieldset>
        <fieldset className="field-group">
          <legend>Customer’s address, as on their identity document</legend>
          <div className="field">
            <label htmlFor="payment-debtor-town">Town</label>
            <input id="payment-debtor-town" required maxLength={35} {...field('debtorTown')} />
          </div>
          <div className="field">
            <label htmlFor="payment-debtor-country">Country (2 letters)</label>
            <input id="payment-debtor-country" required maxLength={2} {...field('debtorCountry')} />
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="payment-remittance">Message to the beneficiary</label>
          <input id="payment-remittance" maxLength={140} {...field('remittance')} />
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Send payment
          </button>
        </div>
        <BusyLine busy={busy} />
      </form>
    </Panel>
  );
}

const recallReasons: ReadonlyArray<{ code: string; label: string }> = [
  { code: 'CUST', label: 'The customer asked for it back' },
  { code: 'DUPL', label: 'It was sent twice' },
  { code: 'TECH', label: 'A technical problem' },
  { code: 'FRAD', label: 'Suspected fraud' },
];

function PaymentView({ stores, payment }: { stores: Stores; payment: PaymentDetail }) {
  const canRecall = stores.session((state) => state.can('payment.recall'));
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const [reason, setReason] = useState('CUST');
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => back.current?.focus(), []);
  const recall = async () => {
    setBusy({ kind: 'working', what: 'Asking the correspondent for it back' });
    const outcome = await stores.payments.getState().recall(payment.id, reason);
    setBusy(outcome.ok ? { kind: 'done', message: 'Recall asked for: a camt.056 goes to the correspondent. The money comes back if they return it.' } : { kind: 'failed', code: outcome.code, message: outcome.message });
  };
  const recallable = payment.direction === 'outgoing' && payment.recall === null && ['sent', 'in_progress', 'settled'].includes(payment.status);
  const counterparty = payment.direction === 'outgoing' ? payment.creditor : payment.debtor;
  return (
    <Panel title={`Payment ${payment.direction === 'outgoing' ? 'to' : 'from'} ${counterparty.name}`} actions={<button ref={back} type="button" onClick={() => stores.payments.getState().close()}>Back to payments</button>}>
      <dl className="facts payment-facts">
        <div>
          <dt>Amount</dt>
          <dd>
            <Money minor={payment.amountMinor} currency={payment.currency} className="big" />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <strong className={`status status-${payment.status}`}>{paymentStatusWords[payment.status] ?? payment.status}</strong>
          </dd>
        </div>
        {payment.reason !== null && (
          <div className="wide-fact">
            <dt>Why</dt>
            <dd>
              <span className="reason" role="note">
                {capitalised(payment.reason.words)} <span className="code">{payment.reason.code}</span>
                {payment.reason.additionalInformation !== undefined && <span className="muted"> · {payment.reason.additionalInformation}</span>}
              </span>
            </dd>
          </div>
        )}
        <div>
          <dt>{payment.direction === 'outgoing' ? 'Beneficiary’s bank' : 'Sender’s bank'}</dt>
          <dd>{payment.direction === 'outgoing' ? payment.creditorAgentBic : payment.debtorAgentBic}</dd>
        </div>
        <div>
          <dt>UETR</dt>
          <dd className="mono">{payment.uetr}</dd>
        </div>
        <div>
          <dt>Reference</dt>
          <dd className="mono">{payment.endToEndId}</dd>
        </div>
        {payment.recall !== null && (
          <div>
            <dt>Recall</dt>
            <dd>
              {payment.recall.reasonCode}: {payment.recall.status}
            </dd>
          </div>
        )}
      </dl>
      {payment.exceptions.length > 0 && (
        <div className="notice warning" role="note">
          <strong>Messages that contradicted the payment (nothing moved):</strong>
          <ul>
            {payment.exceptions.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </div>
      )}
      <h3>Messages exchanged</h3>
      <ol className="timeline" aria-label="Messages exchanged">
        {payment.messages.map((message) => (
          <li key={message.id}>
            <span className="muted">{time(message.atMs)}</span> <strong>{message.type}</strong> {message.direction === 'sent' ? 'sent to the correspondent' : 'received from the correspondent'} · {message.effect}
            {message.xml !== null && (
              <details>
                <summary>Show the message ({message.messageId})</summary>
                {/* Scrolls when long: focusable, so the keyboard can scroll it too. */}
                <pre className="xml" tabIndex={0} aria-label={`${message.type} ${message.messageId} as sent on the wire`}>
                  {indentXml(message.xml)}
                </pre>
              </details>
            )}
          </li>
        ))}
      </ol>
      {canRecall && recallable && (
        <div className="actions">
          <label htmlFor="recall-reason">Recall because</label>
          <select id="recall-reason" value={reason} onChange={(event) => setReason(event.target.value)}>
            {recallReasons.map((option) => (
              <option key={option.code} value={option.code}>
                {option.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => void recall()}>
            Recall payment
          </button>
        </div>
      )}
      <BusyLine busy={busy} />
    </Panel>
  );
}

function capitalised(text: string): string {
  return text.length === 0 ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

/** The wire's compact XML, one element per line, indented by depth: for reading, never for sending. */
export function indentXml(xml: string): string {
  const lines: string[] = [];
  let depth = 0;
  for (const token of xml.replace(/>\s*</g, '>\n<').split('\n')) {
    const closing = token.startsWith('</');
    const selfContained = /^<[^!?/][^>]*>.*<\/[^>]+>$/.test(token) || token.endsWith('/>') || token.startsWith('<?');
    if (closing) depth = Math.max(0, depth - 1);
    lines.push(`${'  '.repeat(depth)}${token}`);
    if (!closing && !selfContained && token.startsWith('<')) depth += 1;
  }
  return lines.join('\n');
}

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { BridgeOutcome, PreviewInfo, UiCommand } from '../bridge';
import type { Stores } from '../stores';
import { BusyLine, Money, Panel, type Busy } from '../components/common';
import { formatMoney, parseAmount } from '../money';
import { newId } from '../ids';
import { AccountField, lookUpAccount, type AccountInfo } from './AccountField';
import { SupervisorApproval } from './SupervisorApproval';
import { ReceiptView } from './ReceiptView';

export type MoneyKind = 'deposit' | 'withdraw' | 'transfer' | 'exchange';

const kinds: Record<MoneyKind, { title: string; command: UiCommand; verb: string; two: boolean }> = {
  deposit: { title: 'Cash deposit', command: 'cash.deposit', verb: 'Deposit', two: false },
  withdraw: { title: 'Cash withdrawal', command: 'cash.withdraw', verb: 'Pay out', two: false },
  transfer: { title: 'Transfer between accounts', command: 'transfer.internal', verb: 'Transfer', two: true },
  exchange: { title: 'Currency exchange', command: 'fx.exchange', verb: 'Exchange', two: true },
};

interface Draft {
  first: string;
  second: string;
  amount: string;
  /** The ids of the command being confirmed: kept, so confirming again after a dropped link is the same command. */
  ids: { transferId: string; buyTransferId: string } | null;
}

const emptyDraft: Draft = { first: '', second: '', amount: '', ids: null };

type Step = { kind: 'enter' } | { kind: 'review'; preview: PreviewInfo; input: Record<string, unknown> } | { kind: 'held'; approvalId: string; message: string; input: Record<string, unknown> } | { kind: 'done'; reference: string; outcome: BridgeOutcome & { ok: true }; offline: boolean };

export function MoneyForm({ stores, kind }: { stores: Stores; kind: MoneyKind }) {
  const spec = kinds[kind];
  const till = stores.till((state) => state.current);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [loaded, setLoaded] = useState(false);
  const [first, setFirst] = useState<AccountInfo | null>(null);
  const [second, setSecond] = useState<AccountInfo | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'enter' });
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const confirmRef = useRef<HTMLButtonElement>(null);
  const draftKey = `money:${kind}`;

  useEffect(() => {
    void stores.till.getState().load();
    void stores.api['draft.load']({ key: draftKey }).then(({ value }) => {
      if (value !== null) setDraft({ ...emptyDraft, ...(JSON.parse(value) as Partial<Draft>) });
      setLoaded(true);
    });
  }, [stores, draftKey]);
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(() => void stores.api['draft.save']({ key: draftKey, value: draft === emptyDraft ? '' : JSON.stringify(draft) }), 150);
    return () => clearTimeout(timer);
  }, [draft, loaded, stores, draftKey]);
  useEffect(() => {
    if (step.kind === 'review') confirmRef.current?.focus();
  }, [step.kind]);

  /** Whether a command just made ran on this workstation (offline, or signed in offline) rather than at the bank. */
  const madeHere = () => stores.sync.getState().status.link !== 'online' || stores.session.getState().session?.verifiedBy === 'cached_credential';
  const update = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch, ids: null }));
  const currency = first?.currency ?? till?.till.currency ?? 'USD';
  const amount = draft.amount === '' ? null : parseAmount(draft.amount, currency);

  const buildInput = (ids: { transferId: string; buyTransferId: string }): Record<string, unknown> | string => {
    if (first === null) return spec.two ? 'Find the account the money comes from.' : 'Find the customer’s account.';
    if (spec.two && second === null) return 'Find the account the money goes to.';
    if (amount === null || !amount.ok) return amount?.ok === false ? amount.error : 'Enter the amount.';
    const money = { amount: amount.minor, currency: first.currency };
    switch (kind) {
      case 'deposit':
      case 'withdraw':
        if (till === null) return 'Open your till first (Alt 8).';
        return { transferId: ids.transferId, sessionId: till.session.id, accountId: first.id, money };
      case 'transfer':
        return { transferId: ids.transferId, fromAccountId: first.id, toAccountId: second!.id, money };
      case 'exchange':
        return { sellTransferId: ids.transferId, buyTransferId: ids.buyTransferId, fromAccountId: first.id, toAccountId: second!.id, money };
    }
  };

  const review = async (event: FormEvent) => {
    event.preventDefault();
    const ids = draft.ids ?? { transferId: newId(), buyTransferId: newId() };
    const input = buildInput(ids);
    if (typeof input === 'string') return setBusy({ kind: 'failed', code: 'incomplete', message: input });
    setDraft((current) => ({ ...current, ids }));
    setBusy({ kind: 'working', what: 'Checking limits and rates' });
    // The balance as it is now, not as it was when the number was typed: the review shows what will be.
    const fresh = await lookUpAccount(stores, first!.number);
    if (typeof fresh === 'string') return setBusy({ kind: 'failed', code: 'account_not_found', message: fresh });
    setFirst(fresh);
    const answer = await stores.api['engine.preview']({ command: spec.command, input });
    if (!answer.ok) return setBusy({ kind: 'failed', code: answer.code, message: answer.message });
    setBusy({ kind: 'idle' });
    setStep({ kind: 'review', preview: answer.preview, input });
  };

  const confirm = async () => {
    if (step.kind !== 'review') return;
    setBusy({ kind: 'working', what: kind === 'withdraw' ? 'Booking the payout' : 'Booking' });
    const outcome = await stores.run(spec.command, step.input);
    if (outcome.ok) {
      setBusy({ kind: 'idle' });
      setStep({ kind: 'done', reference: String(step.input.transferId ?? step.input.sellTransferId), outcome, offline: madeHere() });
      setDraft(emptyDraft);
      void stores.till.getState().load();
      return;
    }
    if (outcome.code === 'approval_required') {
      setBusy({ kind: 'idle' });
      setStep({ kind: 'held', approvalId: String(outcome.details?.approvalId ?? ''), message: outcome.message, input: step.input });
      setDraft(emptyDraft);
      return;
    }
    setBusy({ kind: 'failed', code: outcome.code, message: outcome.message });
    if (outcome.code !== 'link_lost') setStep({ kind: 'enter' });
  };

  const restart = () => {
    setStep({ kind: 'enter' });
    setBusy({ kind: 'idle' });
    setDraft(emptyDraft);
  };

  return (
    <Panel title={spec.title}>
      {step.kind === 'enter' && (
        <form className="money-form" onSubmit={review} aria-label={spec.title}>
          {(kind === 'deposit' || kind === 'withdraw') && till === null && <p className="notice warn">You have no open till: open one first (Alt 8).</p>}
          <AccountField stores={stores} id="first-account" label={spec.two ? 'From account' : 'Account'} value={draft.first} onChange={(first) => update({ first })} onFound={setFirst} autoFocus />
          {spec.two && <AccountField stores={stores} id="second-account" label="To account" value={draft.second} onChange={(second) => update({ second })} onFound={setSecond} />}
          <div className="field">
            <label htmlFor="amount">Amount ({currency})</label>
            <input id="amount" inputMode="decimal" autoComplete="off" value={draft.amount} onChange={(e) => update({ amount: e.target.value })} aria-invalid={amount?.ok === false} aria-describedby="amount-help" />
            <div id="amount-help" className="found" aria-live="polite">
              {amount?.ok === false ? <span className="error-text">{amount.error}</span> : amount?.ok ? formatMoney(amount.minor, currency) : `In ${currency}, e.g. 125.50`}
            </div>
          </div>
          <BusyLine busy={busy} />
          <div className="actions">
            <button type="submit" className="primary">
              Review <kbd aria-hidden="true">Enter</kbd>
            </button>
          </div>
        </form>
      )}
      {step.kind === 'review' && (
        <Review
          spec={spec}
          step={step}
          first={first!}
          second={second}
          busy={busy}
          confirmRef={confirmRef}
          onConfirm={() => void confirm()}
          onBack={() => {
            setStep({ kind: 'enter' });
            setBusy({ kind: 'idle' });
          }}
        />
      )}
      {step.kind === 'held' && <SupervisorApproval stores={stores} approvalId={step.approvalId} message={step.message} summary={summaryOf(spec.title, step.input, first, second)} onDone={(outcome) => (outcome.ok ? setStep({ kind: 'done', reference: String(step.input.transferId ?? step.input.sellTransferId), outcome, offline: madeHere() }) : undefined)} onLeave={restart} />}
      {step.kind === 'done' && (
        <div className="done" role="status">
          {step.offline ? (
            <p className="notice warn">
              <strong>{spec.title} made offline.</strong> It is recorded here and waits to reach the bank, which confirms it when the link is back (Home shows its status). Reference <code>{step.reference}</code>
            </p>
          ) : (
            <p className="notice ok">
              <strong>{spec.title} booked.</strong> Reference <code>{step.reference}</code>
            </p>
          )}
          <ReceiptView stores={stores} reference={step.reference} />
          <div className="actions">
            <button type="button" onClick={restart} autoFocus>
              New {spec.title.toLowerCase()}
            </button>
          </div>
        </div>
      )}
    </Panel>
  );
}

/** What the supervisor is asked to approve, in words: kind, amount and accounts. */
function summaryOf(title: string, input: Record<string, unknown>, first: AccountInfo | null, second: AccountInfo | null): string {
  const money = input.money as { amount: string; currency: string };
  const from = first === null ? '' : ` ${second === null ? 'for' : 'from'} ${first.number} (${first.holder})`;
  const to = second === null ? '' : ` to ${second.number} (${second.holder})`;
  return `${title} of ${formatMoney(money.amount, money.currency)}${from}${to}`;
}

function Review({ spec, step, first, second, busy, confirmRef, onConfirm, onBack }: { spec: (typeof kinds)[MoneyKind]; step: Extract<Step, { kind: 'review' }>; first: AccountInfo; second: AccountInfo | null; busy: Busy; confirmRef: React.RefObject<HTMLButtonElement | null>; onConfirm(): void; onBack(): void }) {
  const { preview, input } = step;
  const money = input.money as { amount: string; currency: string };
  const after = spec.command === 'cash.deposit' ? BigInt(first.posted) + BigInt(money.amount) : BigInt(first.posted) - BigInt(money.amount);
  return (
    <div className="review" onKeyDown={(event) => (event.key === 'Escape' ? onBack() : undefined)}>
      <h3>Check with the customer</h3>
      <dl className="facts wide">
        <div>
          <dt>{second === null ? 'Account' : 'From'}</dt>
          <dd>
            {first.number} · {first.holder}
          </dd>
        </div>
        {second !== null && (
          <div>
            <dt>To</dt>
            <dd>
              {second.number} · {second.holder} ({second.currency})
            </dd>
          </div>
        )}
        <div>
          <dt>Amount</dt>
          <dd>
            <Money minor={money.amount} currency={money.currency} className="big" />
          </dd>
        </div>
        {preview.rate !== null && (
          <div>
            <dt>Bank’s rate (from the rate sheet)</dt>
            <dd>
              1 {first.currency} = {preview.rate} {second?.currency ?? ''}
            </dd>
          </div>
        )}
        {preview.counterAmount !== null && second !== null && (
          <div>
            <dt>Customer receives</dt>
            <dd>
              <Money minor={preview.counterAmount} currency={second.currency} className="big" />
            </dd>
          </div>
        )}
        <div>
          <dt>Balance after</dt>
          <dd>
            <Money minor={after} currency={first.currency} />
          </dd>
        </div>
      </dl>
      {preview.decision === 'allow' && <p className="notice ok">Within your limits: it books at once.</p>}
      {preview.decision === 'hold' && (
        <p className="notice warn" role="alert">
          <strong>A supervisor must approve this.</strong> {preview.reason}
        </p>
      )}
      {preview.decision === 'refuse' && (
        <p className="notice error" role="alert">
          <strong>This cannot be done:</strong> {preview.reason} <span className="code">{preview.code}</span>
        </p>
      )}
      <BusyLine busy={busy} />
      <div className="actions">
        <button type="button" onClick={onBack}>
          Back <kbd aria-hidden="true">Esc</kbd>
        </button>
        <button type="button" className="primary" ref={confirmRef} onClick={onConfirm} disabled={preview.decision === 'refuse' || busy.kind === 'working'}>
          {preview.decision === 'hold' ? 'Ask for approval' : `Confirm ${spec.verb.toLowerCase()}`} <kbd aria-hidden="true">Enter</kbd>
        </button>
      </div>
    </div>
  );
}

import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { Checkbox, CheckboxGroup, Label, Radio, RadioGroup, TextArea, TextField } from 'react-aria-components';
import type { CaseAlert } from '@qenex/engine';
import type { Stores } from '../stores';
import type { CaseDetail, SarCategory, Wire } from '../stores/compliance';
import { BusyLine, Money, TableHead, commandLabels } from '../components/common';
import { HitReview } from './HitReview';
import { dateTime, decisionLabels, dueClock, eventLabels, evidenceFigure, outcomeLabels, shortId, statusLabels, useAltKeys, useNow, words } from './compliance-format';

/** A note's longest text (the engine's caseNoteLengthMax), a reason's, and a SAR narrative's (FinCEN's Part V). */
const noteLengthMax = 4_000;
const narrativeLengthMax = 17_000;

const sarCategories: ReadonlyArray<{ value: SarCategory; label: string }> = [
  { value: 'structuring', label: 'Structuring' },
  { value: 'money_laundering', label: 'Money laundering' },
  { value: 'terrorist_financing', label: 'Terrorist financing' },
  { value: 'fraud', label: 'Fraud' },
  { value: 'identity', label: 'Identity' },
  { value: 'other', label: 'Other' },
];

type Form = 'none' | 'close' | 'propose';

/**
 * One case: who has it and its filing clock, the actions on it, the held payment or waiting report
 * a second officer decides, the timeline of notes (appended, never edited), and the evidence: every
 * monitoring decision with its rules and figures, every screening hit beside the list entry.
 */
export function CaseView({ stores }: { stores: Stores }) {
  const { detail, detailState, action } = stores.compliance((state) => state);
  const me = stores.session((state) => state.session?.username ?? null);
  const canDecide = stores.session((state) => state.can('approval.decide'));
  const offline = stores.sync((state) => state.status.link === 'offline');
  const compliance = stores.compliance.getState();
  const [form, setForm] = useState<Form>('none');
  const heading = useRef<HTMLHeadingElement>(null);
  const noteField = useRef<HTMLTextAreaElement>(null);
  const evidence = useRef<HTMLHeadingElement>(null);
  const nowMs = useNow();
  const found = detail?.case ?? null;
  useEffect(() => {
    heading.current?.focus();
  }, [found?.id]);

  const working = action.kind === 'working';
  const mine = found !== null && found.assignee === me && found.status !== 'closed';
  const heldPayment = detail?.approval !== null && detail?.approval !== undefined && detail.approval.status === 'pending' && detail.approval.basis === 'monitoring' ? detail.approval : null;
  const proposal = found?.proposal ?? null;
  const reportWaiting = proposal !== null && proposal.status === 'proposed' && proposal.approvalId !== null;
  const can = {
    take: found !== null && found.status !== 'closed' && found.assignee !== me && !working,
    investigate: mine && found?.status === 'open' && !working,
    close: mine && !reportWaiting && !working,
    propose: mine && !reportWaiting && !working,
    decideHold: heldPayment !== null && canDecide && !working,
    file: reportWaiting && proposal?.proposedBy !== me && canDecide && !working,
  };

  const keys = useMemo(
    () => ({
      b: () => compliance.backToList(),
      r: () => void compliance.reloadCase(),
      t: can.take ? () => void compliance.take() : null,
      i: can.investigate ? () => void compliance.investigate() : null,
      c: can.close ? () => setForm('close') : null,
      p: can.propose ? () => setForm('propose') : null,
      n: mine ? () => noteField.current?.focus() : null,
      v: () => evidence.current?.focus(),
      y: can.decideHold ? () => void compliance.decideHeldPayment('approve') : null,
      x: can.decideHold ? () => void compliance.decideHeldPayment('reject') : null,
      a: can.file ? () => void compliance.fileReport() : null,
    }),
    [compliance, can.take, can.investigate, can.close, can.propose, mine, can.decideHold, can.file],
  );
  useAltKeys(keys);

  if (found === null || detail === null) {
    return (
      <section className="panel" aria-labelledby="case-loading">
        <header className="panel-head">
          <h2 id="case-loading">Case</h2>
          <button type="button" onClick={() => compliance.backToList()} aria-keyshortcuts="Alt+B">
            Back to the list <kbd aria-hidden="true">Alt B</kbd>
          </button>
        </header>
        <div className="panel-body">
          <BusyLine busy={detailState} />
        </div>
      </section>
    );
  }

  const clock = dueClock(found.dueAtMs, nowMs);
  return (
    <section className="panel case-view" aria-labelledby="case-title">
      <header className="panel-head">
        <h2 id="case-title" ref={heading} tabIndex={-1}>
          Case {found.number}
        </h2>
        <div className="actions tight">
          <button type="button" onClick={() => void compliance.reloadCase()} aria-keyshortcuts="Alt+R">
            Refresh <kbd aria-hidden="true">Alt R</kbd>
          </button>
          <button type="button" onClick={() => compliance.backToList()} aria-keyshortcuts="Alt+B">
            Back to the list <kbd aria-hidden="true">Alt B</kbd>
          </button>
        </div>
      </header>
      <div className="panel-body">
        <p className="case-heading">{found.title}</p>
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`tag case-${found.status}`}>{statusLabels[found.status] ?? found.status}</span>
              {found.outcome !== null && <span className="tag"> {outcomeLabels[found.outcome] ?? words(found.outcome)}</span>}
            </dd>
          </div>
          <div>
            <dt>Assignee</dt>
            <dd>{found.assignee === null ? `Waiting in the ${found.queue} queue` : found.assignee === me ? `${found.assignee} (you)` : found.assignee}</dd>
          </div>
          <div>
            <dt>Filing due</dt>
            <dd className={found.status !== 'closed' && clock.overdue ? 'due overdue' : found.status !== 'closed' && clock.soon ? 'due soon' : 'due'}>
              <time dateTime={new Date(found.dueAtMs).toISOString()}>{dateTime(found.dueAtMs)}</time>
              {found.status !== 'closed' && <span className="due-clock">{clock.text}</span>}
            </dd>
          </div>
          <div>
            <dt>Opened</dt>
            <dd>{dateTime(found.openedAtMs)}</dd>
          </div>
          <div>
            <dt>Last change</dt>
            <dd>{dateTime(found.updatedAtMs)}</dd>
          </div>
        </dl>

        <div className="actions left" role="group" aria-label="Case actions">
          {found.status !== 'closed' && found.assignee !== me && (
            <button type="button" className="primary" onClick={() => void compliance.take()} disabled={!can.take} aria-keyshortcuts="Alt+T">
              Take case <kbd aria-hidden="true">Alt T</kbd>
            </button>
          )}
          <button type="button" onClick={() => void compliance.investigate()} disabled={!can.investigate} aria-keyshortcuts="Alt+I">
            Start investigation <kbd aria-hidden="true">Alt I</kbd>
          </button>
          <button type="button" onClick={() => setForm('close')} disabled={!can.close} aria-expanded={form === 'close'} aria-controls="case-form" aria-keyshortcuts="Alt+C">
            Close case… <kbd aria-hidden="true">Alt C</kbd>
          </button>
          <button type="button" onClick={() => setForm('propose')} disabled={!can.propose} aria-expanded={form === 'propose'} aria-controls="case-form" aria-keyshortcuts="Alt+P">
            Propose report… <kbd aria-hidden="true">Alt P</kbd>
          </button>
        </div>
        {found.status !== 'closed' && found.assignee !== me && (
          <p className="muted">
            Take the case to work on it: notes, investigation, closing and reports are the assignee’s.
            {offline && <strong className="warn-text"> Taking a case needs the bank’s server, and the link is down now.</strong>}
          </p>
        )}
        {reportWaiting && mine && <p className="muted">A report is waiting for a second officer: the case closes when it is filed.</p>}
        <BusyLine busy={action} />
        {detailState.kind === 'failed' && <BusyLine busy={detailState} />}

        <div id="case-form">
          {form === 'close' && <CloseForm stores={stores} onDone={() => setForm('none')} />}
          {form === 'propose' && <ProposeForm stores={stores} onDone={() => setForm('none')} />}
        </div>

        {heldPayment !== null && <HeldPayment detail={detail} canDecide={can.decideHold} onDecide={(decision) => void compliance.decideHeldPayment(decision)} />}
        {proposal !== null && <Proposal detail={detail} me={me} canFile={can.file} onFile={() => void compliance.fileReport()} />}

        <div className="case-columns">
          <div>
            <Timeline detail={detail} />
            {mine && <NoteForm stores={stores} field={noteField} />}
          </div>
          <div>
            <h3 id="case-evidence" ref={evidence} tabIndex={-1}>
              Evidence <kbd aria-hidden="true">Alt V</kbd>
            </h3>
            <Evidence detail={detail} />
            <Customers detail={detail} />
            {detail.reports.length > 0 && <Reports detail={detail} />}
          </div>
        </div>
      </div>
    </section>
  );
}

function Timeline({ detail }: { detail: CaseDetail }) {
  const notes = [...detail.notes].sort((a, b) => a.seq - b.seq);
  return (
    <section aria-labelledby="case-timeline">
      <h3 id="case-timeline">Timeline</h3>
      <p className="muted small">Notes are kept as written: they are never edited or removed.</p>
      <ol className="timeline" aria-label={`${notes.length} entries, oldest first`}>
        {notes.map((note) => (
          <li key={note.id} className={note.event === null ? 'note' : `note event-${note.event}`}>
            <div className="note-head">
              <strong>{note.author}</strong>
              <time dateTime={new Date(note.atMs).toISOString()}>{dateTime(note.atMs)}</time>
              {note.event !== null && <span className="tag">{eventLabels[note.event] ?? words(note.event)}</span>}
            </div>
            <p className="note-text">{note.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function NoteForm({ stores, field }: { stores: Stores; field: React.RefObject<HTMLTextAreaElement | null> }) {
  const [text, setText] = useState('');
  const working = stores.compliance((state) => state.action.kind === 'working');
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (text.trim() === '') return;
    if (await stores.compliance.getState().addNote(text.trim())) setText('');
  };
  return (
    <form className="note-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-note-title">
      <h3 id="add-note-title">Add a note</h3>
      <TextField value={text} onChange={setText} maxLength={noteLengthMax} isRequired className="field">
        <Label>
          Note <kbd aria-hidden="true">Alt N</kbd>
        </Label>
        <TextArea
          ref={field}
          rows={3}
          aria-keyshortcuts="Alt+N"
          onKeyDown={(event: ReactKeyboardEvent) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
          }}
        />
      </TextField>
      <div className="actions">
        <span className="muted small">
          {text.length.toLocaleString('en-US')} / {noteLengthMax.toLocaleString('en-US')}
        </span>
        <button type="submit" className="primary" disabled={working || text.trim() === ''} aria-keyshortcuts="Control+Enter">
          Add note <kbd aria-hidden="true">Ctrl Enter</kbd>
        </button>
      </div>
    </form>
  );
}

function CloseForm({ stores, onDone }: { stores: Stores; onDone(): void }) {
  const [outcome, setOutcome] = useState<'false_positive' | 'confirmed'>('false_positive');
  const [reason, setReason] = useState('');
  const working = stores.compliance((state) => state.action.kind === 'working');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') return;
    if (await stores.compliance.getState().close(outcome, reason.trim())) onDone();
  };
  return (
    <form className="case-form" onSubmit={(event) => void submit(event)} onKeyDown={(event) => (event.key === 'Escape' ? onDone() : undefined)} aria-labelledby="close-title">
      <h3 id="close-title">Close the case</h3>
      <RadioGroup value={outcome} onChange={(value) => setOutcome(value as typeof outcome)} className="choice" orientation="horizontal">
        <Label>Outcome</Label>
        <div className="choice-items">
          <Radio value="false_positive" autoFocus>
            False positive
          </Radio>
          <Radio value="confirmed">Confirmed (suspicion stands, no report)</Radio>
        </div>
      </RadioGroup>
      <TextField value={reason} onChange={setReason} maxLength={noteLengthMax} isRequired className="field">
        <Label>Reason (goes on the timeline)</Label>
        <TextArea rows={2} />
      </TextField>
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel <kbd aria-hidden="true">Esc</kbd>
        </button>
        <button type="submit" className="primary" disabled={working || reason.trim() === ''}>
          Close as {outcome === 'false_positive' ? 'false positive' : 'confirmed'}
        </button>
      </div>
    </form>
  );
}

function ProposeForm({ stores, onDone }: { stores: Stores; onDone(): void }) {
  const [form, setForm] = useState<'CTRX' | 'SARX'>('CTRX');
  const [narrative, setNarrative] = useState('');
  const [categories, setCategories] = useState<SarCategory[]>([]);
  const working = stores.compliance((state) => state.action.kind === 'working');
  const sarIncomplete = form === 'SARX' && (narrative.trim() === '' || categories.length === 0);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sarIncomplete) return;
    if (await stores.compliance.getState().proposeReport({ form, narrative: form === 'SARX' ? narrative : '', categories: form === 'SARX' ? categories : [] })) onDone();
  };
  return (
    <form className="case-form" onSubmit={(event) => void submit(event)} onKeyDown={(event) => (event.key === 'Escape' ? onDone() : undefined)} aria-labelledby="propose-title">
      <h3 id="propose-title">Propose a report</h3>
      <p className="muted small">A second compliance officer approves it; it is filed then, and the case closes as reported.</p>
      <RadioGroup value={form} onChange={(value) => setForm(value as typeof form)} className="choice" orientation="horizontal">
        <Label>Report</Label>
        <div className="choice-items">
          <Radio value="CTRX" autoFocus>
            Currency transaction report (CTR)
          </Radio>
          <Radio value="SARX">Suspicious activity report (SAR)</Radio>
        </div>
      </RadioGroup>
      {form === 'SARX' && (
        <>
          <TextField value={narrative} onChange={setNarrative} maxLength={narrativeLengthMax} isRequired className="field">
            <Label>Narrative: who, what, when, where and why it is suspicious</Label>
            <TextArea rows={5} />
          </TextField>
          <CheckboxGroup value={categories} onChange={(value) => setCategories(value as SarCategory[])} isRequired className="choice">
            <Label>Kind of activity (at least one)</Label>
            <div className="choice-items">
              {sarCategories.map((category) => (
                <Checkbox key={category.value} value={category.value}>
                  <span className="box" aria-hidden="true" />
                  {category.label}
                </Checkbox>
              ))}
            </div>
          </CheckboxGroup>
        </>
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel <kbd aria-hidden="true">Esc</kbd>
        </button>
        <button type="submit" className="primary" disabled={working || sarIncomplete}>
          Propose {form === 'CTRX' ? 'CTR' : 'SAR'}
        </button>
      </div>
    </form>
  );
}

function HeldPayment({ detail, canDecide, onDecide }: { detail: CaseDetail; canDecide: boolean; onDecide(decision: 'approve' | 'reject'): void }) {
  const approval = detail.approval!;
  const money = approval.input.money as { amount?: string; currency?: string } | undefined;
  return (
    <section className="held-payment" aria-labelledby="held-title">
      <h3 id="held-title">A payment waits for compliance</h3>
      <p>
        <strong>{commandLabels[approval.command] ?? words(approval.command)}</strong>
        {money?.amount !== undefined && money.currency !== undefined && (
          <>
            {' '}
            of <Money minor={money.amount} currency={money.currency} className="big" />
          </>
        )}{' '}
        asked by {approval.requestedBy} at {dateTime(approval.requestedAtMs)}.
      </p>
      <p className="muted">{approval.reason}</p>
      {canDecide ? (
        <div className="actions left">
          <button type="button" className="primary" onClick={() => onDecide('approve')} aria-keyshortcuts="Alt+Y">
            Release payment <kbd aria-hidden="true">Alt Y</kbd>
          </button>
          <button type="button" onClick={() => onDecide('reject')} aria-keyshortcuts="Alt+X">
            Refuse payment <kbd aria-hidden="true">Alt X</kbd>
          </button>
        </div>
      ) : (
        <p className="muted">A compliance officer releases or refuses it.</p>
      )}
    </section>
  );
}

function Proposal({ detail, me, canFile, onFile }: { detail: CaseDetail; me: string | null; canFile: boolean; onFile(): void }) {
  const proposal = detail.case.proposal!;
  const form = proposal.form === 'CTRX' ? 'Currency transaction report' : 'Suspicious activity report';
  return (
    <section className="proposal" aria-labelledby="proposal-title">
      <h3 id="proposal-title">
        {form}: {proposal.status === 'proposed' ? 'waiting for a second officer' : words(proposal.status)}
      </h3>
      <p>
        Proposed by {proposal.proposedBy === me ? 'you' : proposal.proposedBy} at {dateTime(proposal.proposedAtMs)}
        {proposal.categories.length > 0 && <> · {proposal.categories.map(words).join(', ')}</>}
      </p>
      {proposal.narrative !== null && <blockquote className="narrative">{proposal.narrative}</blockquote>}
      {proposal.status === 'proposed' && proposal.approvalId === null && <p className="muted">Proposed on this workstation offline: the bank holds it for a second officer once it syncs.</p>}
      {proposal.status === 'proposed' && proposal.approvalId !== null && proposal.proposedBy === me && <p className="muted">Another compliance officer approves and files it: you proposed it.</p>}
      {canFile && (
        <div className="actions left">
          <button type="button" className="primary" onClick={onFile} aria-keyshortcuts="Alt+A">
            Approve and file report <kbd aria-hidden="true">Alt A</kbd>
          </button>
        </div>
      )}
    </section>
  );
}

function Evidence({ detail }: { detail: CaseDetail }) {
  const screening = detail.case.alerts.filter((alert): alert is Extract<Wire<CaseAlert>, { kind: 'screening' }> => alert.kind === 'screening');
  const fraud = detail.fraudDecisions ?? [];
  const doubleSpends = detail.case.alerts.filter((alert): alert is Extract<Wire<CaseAlert>, { kind: 'double_spend' }> => alert.kind === 'double_spend');
  if (detail.decisions.length === 0 && screening.length === 0 && fraud.length === 0 && doubleSpends.length === 0) return <p className="muted">No decision or hit is attached to this case.</p>;
  const byName = new Map(detail.customers.map((customer) => [customer.name.toLowerCase(), customer]));
  return (
    <>
      {doubleSpends.map((alert) => (
        <DoubleSpendEvidence key={alert.paymentId} alert={alert} />
      ))}
      {fraud.map((record) => (
        <FraudEvidence key={record.id} record={record} />
      ))}
      {detail.decisions.map((record) => (
        <DecisionEvidence key={record.id} record={record} />
      ))}
      {screening.map((alert, index) => (
        <HitReview key={`${alert.listId}-${alert.entryId}-${alert.atMs}`} alert={alert} index={index} customer={byName.get(alert.partyName.toLowerCase()) ?? (detail.case.partyName === null && detail.customers.length === 1 ? detail.customers[0] : undefined)} />
      ))}
    </>
  );
}

/** An offline CBDC voucher refused at sync: the value it spent had been spent already, by another payment at another counter. */
function DoubleSpendEvidence({ alert }: { alert: Extract<Wire<CaseAlert>, { kind: 'double_spend' }> }) {
  const headingId = `double-spend-${alert.paymentId}`;
  return (
    <section className="decision" aria-labelledby={headingId}>
      <h4 id={headingId}>
        <span className="tag decision-block">Refused</span> Offline CBDC double spend of <Money minor={alert.valueMinor} currency={alert.currency} />
      </h4>
      <p>
        Payment <code title={alert.paymentId}>{shortId(alert.paymentId)}</code>, taken offline at {alert.deviceId ?? 'an unknown counter'} at {dateTime(alert.atMs)}, spent value that payment{' '}
        <code title={alert.firstPaymentId}>{shortId(alert.firstPaymentId)}</code> had already spent at {alert.firstDeviceId ?? 'an unknown counter'}. The first payment settled; this one moved nothing.
      </p>
    </section>
  );
}

/** The fraud model's decision: its score against its thresholds, and each reason in words with what it added. */
function FraudEvidence({ record }: { record: NonNullable<CaseDetail['fraudDecisions']>[number] }) {
  const headingId = `fraud-${record.id.replace(/[^a-zA-Z0-9]/g, '-')}`;
  return (
    <section className="decision" aria-labelledby={headingId}>
      <h4 id={headingId}>
        <span className={`tag decision-${record.outcome === 'block' ? 'block' : 'hold'}`}>{record.outcome === 'block' ? 'Blocked' : 'Held for review'}</span>{' '}
        {record.probability === null ? 'not scored' : `fraud score ${record.probability >= 0.01 ? record.probability.toFixed(2) : record.probability.toPrecision(2)}`} · model {record.modelVersion}
      </h4>
      <p className="muted small">
        {commandLabels[record.command] ?? words(record.command)} <code title={record.eventId}>{shortId(record.eventId)}</code> decided at {dateTime(record.decidedAtMs)}
      </p>
      {record.unavailable !== undefined ? (
        <p role="note">The model could not score this payment ({record.unavailable}), so it was sent to review rather than approved.</p>
      ) : (
        <table className="table compact evidence" aria-label={`Why the model scored ${shortId(record.eventId)} as it did`}>
          <TableHead columns={['Reason', { label: 'Value', numeric: true }, { label: 'Added to the score (log-odds)', numeric: true }]} />
          <tbody>
            {record.reasons.map((reason) => (
              <tr key={reason.feature}>
                <th scope="row">
                  {reason.words}
                  <span className="muted small"> ({reason.feature})</span>
                </th>
                <td className="num">{reason.value === null ? 'unknown' : Number(reason.value.toPrecision(4))}</td>
                <td className="num">{`${reason.contribution >= 0 ? '+' : '−'}${Math.abs(reason.contribution).toFixed(3)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DecisionEvidence({ record }: { record: CaseDetail['decisions'][number] }) {
  const { decision } = record;
  const hit = new Set(decision.hits.map((entry) => entry.ruleId));
  const headingId = `decision-${record.id.replace(/[^a-zA-Z0-9]/g, '-')}`;
  return (
    <section className="decision" aria-labelledby={headingId}>
      <h4 id={headingId}>
        <span className={`tag decision-${decision.outcome}`}>{decisionLabels[decision.outcome] ?? decision.outcome}</span> score {decision.score} · scenario {decision.scenarioId} v{decision.scenarioVersion}
      </h4>
      <p className="muted small">
        {commandLabels[record.command] ?? words(record.command)} <code title={decision.transactionId}>{shortId(decision.transactionId)}</code> decided at {dateTime(record.decidedAtMs)}
      </p>
      <p className="rules-evaluated">
        <span className="muted small">Rules evaluated: </span>
        {decision.rulesEvaluated.map((ruleId) => (
          <span key={ruleId} className={hit.has(ruleId) ? 'rule fired' : 'rule'}>
            {ruleId}
            {hit.has(ruleId) ? ' (fired)' : ''}
          </span>
        ))}
      </p>
      <table className="table compact evidence" aria-label={`Rules that fired on ${shortId(decision.transactionId)}`}>
        <TableHead columns={['Rule', { label: 'Score', numeric: true }, 'Figures', 'Transactions']} />
        <tbody>
          {decision.hits.map((entry) => (
            <tr key={entry.ruleId}>
              <th scope="row">
                <code>{entry.ruleId}</code>
              </th>
              <td className="num">{entry.score}</td>
              <td>
                <dl className="figures">
                  {Object.entries(entry.evidence.values).map(([key, value]) => {
                    const figure = evidenceFigure(key, value);
                    return (
                      <div key={key}>
                        <dt>{figure.label}</dt>
                        <dd>{figure.text}</dd>
                      </div>
                    );
                  })}
                </dl>
              </td>
              <td>
                <ul className="plain ids">
                  {entry.evidence.transactionIds.map((id) => (
                    <li key={id}>
                      <code title={id}>{shortId(id)}</code>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Customers({ detail }: { detail: CaseDetail }) {
  return (
    <section aria-labelledby="case-customers">
      <h3 id="case-customers">Linked customers</h3>
      {detail.customers.length === 0 ? (
        <p className="muted">{detail.case.partyName === null ? 'No customer is linked.' : `${detail.case.partyName} is not a customer of the bank.`}</p>
      ) : (
        <table className="table compact" aria-labelledby="case-customers">
          <TableHead columns={['Name', 'Born', 'Risk', 'KYC', 'Customer id']} />
          <tbody>
            {detail.customers.map((customer) => (
              <tr key={customer.id}>
                <th scope="row">{customer.name}</th>
                <td>{customer.dateOfBirth}</td>
                <td>{words(customer.riskRating)}</td>
                <td>{words(customer.kycStatus)}</td>
                <td>
                  <code title={customer.id}>{shortId(customer.id)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Reports({ detail }: { detail: CaseDetail }) {
  return (
    <section aria-labelledby="case-reports">
      <h3 id="case-reports">Reports filed</h3>
      <table className="table compact" aria-labelledby="case-reports">
        <TableHead columns={['Form', 'Filed', 'Proposed · approved', { label: 'Total (USD)', numeric: true }, 'SHA-256']} />
        <tbody>
          {detail.reports.map((report) => (
            <tr key={report.id}>
              <th scope="row">{report.form === 'CTRX' ? 'CTR' : 'SAR'}</th>
              <td>{dateTime(report.filedAtMs)}</td>
              <td>
                {report.proposedBy} · {report.approvedBy}
              </td>
              {/* FinCEN records whole dollars: shown as money, the cents it rounded up already in it. */}
              <td className="num"><Money minor={BigInt(report.totalAmountDollars) * 100n} currency="USD" /></td>
              <td>
                <code title={report.sha256}>{report.sha256.slice(0, 12)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

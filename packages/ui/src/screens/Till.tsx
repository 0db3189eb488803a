import { useEffect, useState, type FormEvent } from 'react';
import type { Stores } from '../stores';
import { BusyLine, Money, Panel, commandLabels, type Busy, TableHead } from '../components/common';
import { formatMoney } from '../money';
import { newId } from '../ids';

type Count = Record<string, string>;

function countTotal(count: Count): bigint {
  return Object.entries(count).reduce((sum, [denomination, pieces]) => sum + BigInt(denomination) * BigInt(/^\d+$/.test(pieces) ? pieces : '0'), 0n);
}

function countInput(count: Count): Record<string, number> {
  return Object.fromEntries(Object.entries(count).filter(([, pieces]) => /^\d+$/.test(pieces) && pieces !== '0').map(([denomination, pieces]) => [denomination, Number(pieces)]));
}

/** Opening and closing the till with a count by denomination; the difference from the book is over/short, which needs a supervisor beyond the teller's tolerance. */
export function Till({ stores }: { stores: Stores }) {
  const { current, tills } = stores.till((state) => state);
  const [count, setCount] = useState<Count>({});
  const [tillId, setTillId] = useState('');
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const [summary, setSummary] = useState<{ book: string; counted: string; variance: string; currency: string } | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  // The open request's session id, kept until the bank answers it: sent again after a dropped link it is the same request.
  const [openingId, setOpeningId] = useState<string | null>(null);
  useEffect(() => {
    void stores.till.getState().load();
  }, [stores]);
  const free = tills.filter((entry) => entry.openSession === null);
  const chosen = current?.till ?? tills.find((entry) => entry.till.id === tillId)?.till ?? free[0]?.till;
  const denominations = current?.denominations ?? tills.find((entry) => entry.till.id === chosen?.id)?.denominations ?? [];
  const currency = chosen?.currency ?? 'USD';
  // Only the notes and coins of this till count, whatever an older draft held.
  const shown = Object.fromEntries(Object.entries(count).filter(([denomination]) => denominations.includes(Number(denomination))));
  const counted = countTotal(shown);
  // A count half typed survives a dropped link or a restart: one draft per till, and per opening or closing.
  const draftKey = chosen === undefined ? null : `till:${chosen.id}:${current === null ? 'open' : `close:${current.session.id}`}`;
  useEffect(() => {
    if (draftKey === null || loaded === draftKey) return;
    void stores.api['draft.load']({ key: draftKey }).then(({ value }) => {
      setCount(value === null ? {} : (JSON.parse(value) as Count));
      setLoaded(draftKey);
    });
  }, [stores, draftKey, loaded]);
  useEffect(() => {
    if (draftKey === null || loaded !== draftKey) return;
    const timer = setTimeout(() => void stores.api['draft.save']({ key: draftKey, value: Object.keys(count).length === 0 ? '' : JSON.stringify(count) }), 150);
    return () => clearTimeout(timer);
  }, [count, loaded, draftKey, stores]);

  const refused = (outcome: { code: string; message: string }) => setBusy({ kind: 'failed', code: outcome.code, message: outcome.code === 'approval_required' ? `${outcome.message} It waits in the approvals queue.` : outcome.message });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (current === null) {
      if (chosen === undefined) return setBusy({ kind: 'failed', code: 'no_till', message: 'Every till of the branch is open; ask the head teller.' });
      setBusy({ kind: 'working', what: 'Opening the till' });
      const sessionId = openingId ?? newId();
      setOpeningId(sessionId);
      const outcome = await stores.run('till.open_session', { sessionId, tillId: chosen.id, count: countInput(shown) });
      if (!outcome.ok) {
        if (outcome.code === 'till_already_open' || outcome.code === 'session_already_open') await stores.till.getState().load();
        return refused(outcome);
      }
      setOpeningId(null);
      setBusy({ kind: 'done', message: 'Till open.' });
    } else {
      setBusy({ kind: 'working', what: 'Closing the till' });
      const book = current.cash.posted;
      const outcome = await stores.run('till.close_session', { sessionId: current.session.id, count: countInput(shown) });
      if (!outcome.ok) return refused(outcome);
      setSummary({ book, counted: counted.toString(), variance: (counted - BigInt(book)).toString(), currency });
      setBusy({ kind: 'done', message: 'Till closed.' });
    }
    setCount({});
    if (draftKey !== null) void stores.api['draft.save']({ key: draftKey, value: '' });
    await stores.till.getState().load();
  };

  if (summary !== null) return <EndOfDay stores={stores} summary={summary} onDone={() => setSummary(null)} />;
  return (
    <Panel title={current === null ? 'Open the till' : 'Close the till'}>
      <form onSubmit={(event) => void submit(event)} className="till-form" aria-label={current === null ? 'Open the till' : 'Close the till'}>
        {current === null && free.length > 1 && (
          <div className="field">
            <label htmlFor="till-choice">Till</label>
            <select id="till-choice" value={chosen?.id ?? ''} onChange={(e) => setTillId(e.target.value)}>
              {free.map((entry) => (
                <option key={entry.till.id} value={entry.till.id}>
                  {entry.till.code} ({entry.till.currency}) · book {formatMoney(entry.cash.posted, entry.till.currency)}
                </option>
              ))}
            </select>
          </div>
        )}
        {current === null && chosen !== undefined && (
          <p>
            Till <strong>{chosen.code}</strong>: count the float handed to you.
          </p>
        )}
        {current !== null && (
          <p>
            Book cash <Money minor={current.cash.posted} currency={currency} className="big" /> — count what is in the drawer.
          </p>
        )}
        <table className="table count" aria-label="Count by denomination">
          <TableHead columns={['Denomination', 'Pieces', { label: 'Value', numeric: true }]} />
          <tbody>
            {denominations.map((denomination) => {
              const key = String(denomination);
              const pieces = shown[key] ?? '';
              return (
                <tr key={key}>
                  <th scope="row">
                    <label htmlFor={`count-${key}`}>{formatMoney(key, currency)}</label>
                  </th>
                  <td>
                    <input id={`count-${key}`} className="pieces" inputMode="numeric" value={pieces} onChange={(e) => setCount({ ...count, [key]: e.target.value.replace(/\D/g, '') })} />
                  </td>
                  <td className="num">{formatMoney(BigInt(denomination) * BigInt(pieces === '' ? '0' : pieces), currency)}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Counted</th>
              <td />
              <td className="num">
                <strong>{formatMoney(counted, currency)}</strong>
              </td>
            </tr>
            {current !== null && (
              <tr>
                <th scope="row">Over / short</th>
                <td />
                <td className={`num ${counted - BigInt(current.cash.posted) === 0n ? 'balanced' : 'variance'}`}>{formatMoney(counted - BigInt(current.cash.posted), currency)}</td>
              </tr>
            )}
          </tfoot>
        </table>
        <BusyLine busy={busy} />
        <div className="actions">
          <button type="submit" className="primary">
            {current === null ? 'Open till' : 'Close till'}
          </button>
        </div>
      </form>
    </Panel>
  );
}

/** The till's day once closed: book against count, and the day's work at this workstation by kind. */
function EndOfDay({ stores, summary, onDone }: { stores: Stores; summary: { book: string; counted: string; variance: string; currency: string }; onDone(): void }) {
  const work = stores.work((state) => state.items);
  useEffect(() => {
    void stores.work.getState().load();
  }, [stores]);
  const inCurrency = work.filter((item) => item.currency === summary.currency);
  const mine = inCurrency.filter((item) => item.status === 'completed' || item.status === 'pending_sync');
  const notAccepted = inCurrency.length - mine.length;
  const byKind = new Map<string, { count: number; total: bigint }>();
  for (const item of mine) {
    const entry = byKind.get(item.kind) ?? { count: 0, total: 0n };
    byKind.set(item.kind, { count: entry.count + 1, total: entry.total + BigInt(item.amount) });
  }
  return (
    <Panel title="End of day" actions={<button onClick={onDone}>Done</button>}>
      <section className="summary" aria-label="Till balance">
        <dl className="facts">
          <div>
            <dt>Book</dt>
            <dd>{formatMoney(summary.book, summary.currency)}</dd>
          </div>
          <div>
            <dt>Counted</dt>
            <dd>{formatMoney(summary.counted, summary.currency)}</dd>
          </div>
          <div>
            <dt>Over / short</dt>
            <dd className={summary.variance === '0' ? 'balanced' : 'variance'}>{summary.variance === '0' ? 'Balanced' : formatMoney(summary.variance, summary.currency)}</dd>
          </div>
        </dl>
      </section>
      <table className="table" aria-label="The day's work by kind">
        <TableHead columns={['What', { label: 'Count', numeric: true }, { label: 'Total', numeric: true }]} />
        <tbody>
          {[...byKind.entries()].map(([kind, entry]) => (
            <tr key={kind}>
              <td>{commandLabels[kind] ?? kind}</td>
              <td className="num">{entry.count}</td>
              <td className="num">{formatMoney(entry.total, summary.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Booked and awaiting the bank only.{' '}
        {notAccepted > 0 ? `${notAccepted} command${notAccepted === 1 ? '' : 's'} the bank did not accept (held, refused or reversed) are not counted: Home says why.` : 'The bank accepted everything sent.'}
      </p>
    </Panel>
  );
}

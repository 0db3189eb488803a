import { useEffect, useState } from 'react';
import type { Stores } from '../stores';
import { BusyLine, Panel, commandLabels, time, type Busy } from '../components/common';
import { formatMoney } from '../money';

/** The held commands a supervisor decides; laid out to work on a phone (390 px) away from the counter. */
export function Approvals({ stores }: { stores: Stores }) {
  const { items, loading, error } = stores.approvals((state) => state);
  const me = stores.session((state) => state.session?.username);
  const canDecide = stores.session((state) => state.can('approval.decide'));
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  useEffect(() => {
    void stores.approvals.getState().load();
  }, [stores]);
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    setBusy({ kind: 'working', what: decision === 'approve' ? 'Approving' : 'Rejecting' });
    const outcome = await stores.approvals.getState().decide(id, decision);
    setBusy(outcome.ok ? { kind: 'done', message: decision === 'approve' ? 'Approved: it is booked.' : 'Rejected: nothing was booked.' } : { kind: 'failed', code: outcome.code, message: outcome.message });
  };
  return (
    <Panel title="Approvals" actions={<button onClick={() => void stores.approvals.getState().load()}>Refresh</button>}>
      {loading && <p className="busy" role="status">Loading held commands…</p>}
      {error !== null && <p className="notice error">{error}</p>}
      <BusyLine busy={busy} />
      {!loading && items.length === 0 && <p className="muted">Nothing waits for a decision.</p>}
      <ul className="cards" aria-label="Held commands">
        {items.map((item) => {
          const money = item.input.money as { amount?: string; currency?: string } | undefined;
          const own = item.requestedBy === me;
          return (
            <li key={item.id} className="card">
              <div className="card-head">
                <strong>{commandLabels[item.command] ?? item.command}</strong>
                {money?.amount !== undefined && money.currency !== undefined && <span className="money big">{formatMoney(money.amount, money.currency)}</span>}
              </div>
              <p className="muted">
                Asked by {item.requestedBy} at {time(item.requestedAtMs)}
              </p>
              <p>{item.reason}</p>
              {canDecide && !own && (
                <div className="actions">
                  <button type="button" onClick={() => void decide(item.id, 'reject')} aria-label={`Reject ${commandLabels[item.command] ?? item.command} asked by ${item.requestedBy}`}>
                    Reject
                  </button>
                  <button type="button" className="primary" onClick={() => void decide(item.id, 'approve')} aria-label={`Approve ${commandLabels[item.command] ?? item.command} asked by ${item.requestedBy}`}>
                    Approve
                  </button>
                </div>
              )}
              {own && <p className="muted">You asked for this: another person decides it.</p>}
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

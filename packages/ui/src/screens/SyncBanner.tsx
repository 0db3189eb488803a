import type { Stores } from '../stores';
import { time } from '../components/common';

export function LinkPill({ stores }: { stores: Stores }) {
  const status = stores.sync((state) => state.status);
  const label = status.link === 'online' ? 'Online' : status.link === 'offline' ? 'Offline' : 'Connecting';
  return (
    <div className={`link-pill ${status.link}`} role="status" aria-live="polite" aria-label={`Link to the bank: ${label}${status.waiting > 0 ? `, ${status.waiting} waiting` : ''}`}>
      <span className="dot" aria-hidden="true" />
      {label}
      {status.waiting > 0 && <span className="count">{status.waiting} waiting</span>}
      {status.syncing && <span className="muted"> · syncing</span>}
    </div>
  );
}

export function SyncBanner({ stores }: { stores: Stores }) {
  const status = stores.sync((state) => state.status);
  if (status.link !== 'offline') return null;
  return (
    <div className="offline-banner" role="alert">
      <strong>Offline: the bank's server cannot be reached.</strong> Deposits, withdrawals and transfers keep working here within the branch's offline limits, and compliance officers' notes, investigations and report proposals on their own cases; all are sent when the link is back
      {status.waiting > 0 ? ` (${status.waiting} waiting)` : ''}. Exchanges, till open/close and taking a case need the bank.
      {status.lastContactMs !== null && <span className="muted"> Last contact {time(status.lastContactMs)}.</span>}
      <button type="button" onClick={() => void stores.sync.getState().syncNow()}>
        Try now
      </button>
    </div>
  );
}

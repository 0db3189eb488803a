import { useState, type FormEvent } from 'react';
import type { BridgeOutcome } from '../bridge';
import type { Stores } from '../stores';
import { BusyLine, useAutoFocus, type Busy } from '../components/common';

/** A held command: the supervisor approves it here and now with their own name and password, or it waits in the approvals queue. */
export function SupervisorApproval({ stores, approvalId, message, summary, onDone, onLeave }: { stores: Stores; approvalId: string; message: string; summary: string; onDone(outcome: BridgeOutcome & { ok: true }): void; onLeave(): void }) {
  const offline = stores.sync((state) => state.status.link === 'offline');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const first = useAutoFocus<HTMLInputElement>();
  const decide = async (event: FormEvent, decision: 'approve' | 'reject') => {
    event.preventDefault();
    setBusy({ kind: 'working', what: decision === 'approve' ? 'The supervisor is approving' : 'Rejecting' });
    const outcome = await stores.api['approval.onTheSpot']({ approvalId, username, password, decision });
    setPassword('');
    if (!outcome.ok) return setBusy({ kind: 'failed', code: outcome.code, message: outcome.message });
    if (decision === 'reject') {
      setBusy({ kind: 'done', message: 'Rejected by the supervisor: nothing was booked.' });
      return;
    }
    onDone(outcome);
  };
  return (
    <form className="supervisor" onSubmit={(event) => void decide(event, 'approve')} aria-labelledby="held-title">
      <h3 id="held-title">Held for a supervisor</h3>
      <p className="held-summary">
        <strong>{summary}</strong>
      </p>
      <p className="notice warn">{message}</p>
      {offline && (
        <p className="notice error" role="alert">
          Offline: the bank cannot check this approval now. When the link is back it decides the command again; if it does not accept it, cash paid out is recorded as an exception for the branch to investigate.
        </p>
      )}
      <p>
        A supervisor signs in here to approve it now, or it waits in the approvals queue (reference <code>{approvalId}</code>).
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="supervisor-username">Supervisor username</label>
          <input id="supervisor-username" ref={first} autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="supervisor-password">Supervisor password</label>
          <input id="supervisor-password" type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
      </div>
      <BusyLine busy={busy} />
      <div className="actions">
        <button type="button" onClick={onLeave}>
          Leave in the queue
        </button>
        <button type="button" onClick={(event) => void decide(event, 'reject')} disabled={username === '' || password === '' || busy.kind === 'working'}>
          Reject
        </button>
        <button type="submit" className="primary" disabled={busy.kind === 'working'}>
          Approve as supervisor
        </button>
      </div>
    </form>
  );
}

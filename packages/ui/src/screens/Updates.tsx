import { useEffect } from 'react';
import type { RepositorySummary, UpdateStatusRow } from '@qenex/engine';
import type { Stores } from '../stores';
import { BusyLine, Panel, TableHead, type Busy } from '../components/common';
import { dateTime, deviceStanding, isStale, loadFailureMessage, orderRows, relativeTime, shortSha, standingSentence, type DeviceStanding } from './update-status';

/** Refresh is Alt+R: a letter, as the digits are the menu's. */
const refreshKey = 'r';

/**
 * Which branch runs which version of everything, from the version reports the workstations sign
 * and send, and which update a workstation refused and why. A plain table (not the grid): one row
 * per workstation, with lists in its cells, and a bank has tens of workstations, not a million.
 */
export function Updates({ stores }: { stores: Stores }) {
  const { status, loading, loadedAtMs, error } = stores.updates((state) => state);
  useEffect(() => {
    void stores.updates.getState().load();
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      // event.code too: with Alt held some layouts turn the letter into another character.
      if (event.key.toLowerCase() !== refreshKey && event.code !== 'KeyR') return;
      event.preventDefault();
      void stores.updates.getState().load();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stores]);
  const busy: Busy = loading
    ? { kind: 'working', what: status === null ? 'Reading the workstations’ version reports' : 'Refreshing' }
    : error !== null
      ? { kind: 'failed', code: error.code, message: loadFailureMessage(error) }
      : { kind: 'idle' };
  const refresh = (
    <button type="button" onClick={() => void stores.updates.getState().load()} aria-keyshortcuts="Alt+R">
      Refresh <kbd aria-hidden="true">Alt R</kbd>
    </button>
  );
  return (
    <Panel title="Updates" actions={refresh}>
      <BusyLine busy={busy} />
      {status !== null && loadedAtMs !== null && (
        <>
          {!loading && (
            <p className="muted" role="status">
              Read at {dateTime(loadedAtMs)}: {status.devices.length} workstation{status.devices.length === 1 ? '' : 's'} reported.
            </p>
          )}
          <Repository repository={status.repository} />
          <Workstations rows={status.devices} repository={status.repository} nowMs={loadedAtMs} />
        </>
      )}
    </Panel>
  );
}

function Repository({ repository }: { repository: RepositorySummary | null }) {
  if (repository === null)
    return (
      <section aria-labelledby="updates-repository">
        <h3 id="updates-repository">Repository</h3>
        <p className="notice warn">No update repository is configured on the server, so there is nothing to compare the workstations with: an administrator publishes one there first.</p>
      </section>
    );
  const delegated = Object.entries(repository.delegated).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="updates-repository">
      <h3 id="updates-repository">Repository</h3>
      <dl className="facts">
        <Fact term="Root" value={`v${repository.root}`} />
        <Fact term="Timestamp" value={`v${repository.timestamp}`} />
        <Fact term="Snapshot" value={`v${repository.snapshot}`} />
        <Fact term="Targets" value={`v${repository.targets}`} />
        <Fact term="Delegated roles" value={delegated.length === 0 ? 'none' : delegated.map(([role, version]) => `${role} v${version}`).join(', ')} />
      </dl>
      {repository.files.length === 0 ? (
        <p className="muted">The repository publishes no files.</p>
      ) : (
        <table className="table compact" aria-label="Published files">
          <TableHead columns={['File', 'Signed by', { label: 'Bytes', numeric: true }, 'SHA-256']} />
          <tbody>
            {repository.files.map((file) => (
              <tr key={file.path}>
                <td>
                  <code>{file.path}</code>
                </td>
                <td>{file.role}</td>
                <td className="num">{file.length.toLocaleString('en-US')}</td>
                <td>
                  <Sha sha256={file.sha256} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Workstations({ rows, repository, nowMs }: { rows: readonly UpdateStatusRow[]; repository: RepositorySummary | null; nowMs: number }) {
  const ordered = orderRows(rows, repository);
  const refused = ordered.filter((row) => row.refusal !== null).length;
  return (
    <section aria-labelledby="updates-workstations">
      <h3 id="updates-workstations">Workstations</h3>
      {rows.length === 0 ? (
        <p className="muted">No workstation has reported yet: each one reports after its next update check.</p>
      ) : (
        <>
          {refused > 0 && (
            <p className="notice error">
              {refused} workstation{refused === 1 ? '' : 's'} refused an update and kept the version {refused === 1 ? 'it' : 'they'} had: listed first.
            </p>
          )}
          {/* Focusable so the keyboard can scroll it sideways on a narrow screen. */}
          <div className="table-scroll" role="region" aria-label="Workstations, scrolls sideways" tabIndex={0}>
            <table className="table updates" aria-labelledby="updates-workstations">
              <TableHead columns={['Branch', 'Device', 'Last report', 'App running / staged', 'Metadata versions', 'Installed content', 'Status']} />
              <tbody>
                {ordered.map((row) => (
                  <WorkstationRow key={row.deviceId} row={row} repository={repository} nowMs={nowMs} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function WorkstationRow({ row, repository, nowMs }: { row: UpdateStatusRow; repository: RepositorySummary | null; nowMs: number }) {
  const standing = deviceStanding(row, repository);
  const published = new Map((repository?.files ?? []).map((file) => [file.path, file.sha256]));
  return (
    <tr className={`standing-${standing.kind}`}>
      <th scope="row">{row.branchName}</th>
      <td>
        <code className="device">{row.deviceId}</code>
      </td>
      <td>
        <time dateTime={new Date(row.receivedAtMs).toISOString()}>{dateTime(row.receivedAtMs)}</time>
        <div className="muted">
          {relativeTime(row.receivedAtMs, nowMs)} {isStale(row.receivedAtMs, nowMs) && <span className="tag stale">stale</span>}
        </div>
        <div className="muted">{row.lastCheckedAtMs === null ? 'never checked for updates' : `checked ${relativeTime(row.lastCheckedAtMs, nowMs)}`}</div>
      </td>
      <td>
        <div>{row.app.running}</div>
        <div className="muted">{row.app.staged === null ? 'nothing staged' : `staged ${row.app.staged}`}</div>
      </td>
      <td>
        <ul className="plain versions">
          <li>root v{row.metadata.root}</li>
          <Version role="timestamp" version={row.metadata.timestamp} />
          <Version role="snapshot" version={row.metadata.snapshot} />
          <Version role="targets" version={row.metadata.targets} />
          {Object.entries(row.metadata.delegated)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([role, version]) => (
              <Version key={role} role={role} version={version} />
            ))}
        </ul>
      </td>
      <td>
        {row.content.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="plain">
            {row.content.map((item) => {
              const publishedSha = published.get(item.path);
              return (
                <li key={item.path}>
                  <strong>{item.kind}</strong> {item.version} <Sha sha256={item.sha256} /> <span className="muted">by {item.role}</span>
                  {publishedSha !== undefined && publishedSha !== item.sha256 && (
                    <div className="muted">
                      published now: <Sha sha256={publishedSha} />
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </td>
      <td>
        <Standing standing={standing} />
      </td>
    </tr>
  );
}

function Standing({ standing }: { standing: DeviceStanding }) {
  const sentence = standingSentence(standing);
  // A refusal is what an administrator must act on: an alert, so a screen reader announces it.
  if (standing.kind === 'refused')
    return (
      <div className="update-refusal" role="alert">
        {sentence}
      </div>
    );
  return <span className={`standing ${standing.kind}`}>{sentence}</span>;
}

function Version({ role, version }: { role: string; version: number | null }) {
  return <li>{version === null ? `${role} not loaded` : `${role} v${version}`}</li>;
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** A digest shortened on screen; the whole one shows on hover. */
function Sha({ sha256 }: { sha256: string }) {
  return (
    <code className="sha" title={sha256}>
      {shortSha(sha256)}
    </code>
  );
}

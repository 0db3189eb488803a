import { useEffect } from 'react';
import type { Stores } from '../stores';
import { Money, Panel, commandLabels, statusLabel, time, TableHead } from '../components/common';
import { formatMoney } from '../money';
import { useNav } from '../nav';

export function Home({ stores }: { stores: Stores }) {
  const till = stores.till((state) => state);
  const status = stores.sync((state) => state.status);
  const work = stores.work((state) => state.items);
  const go = useNav((state) => state.go);
  useEffect(() => {
    void stores.till.getState().load();
    void stores.work.getState().load();
  }, [stores, status.lastContactMs, status.waiting]);
  const current = till.current;
  return (
    <div className="grid-2">
      <Panel title="Till" actions={<button onClick={() => go('till')}>{current === null ? 'Open till' : 'Close till'}</button>}>
        {till.loading && current === null && <p className="busy">Loading the till…</p>}
        {!till.loading && current === null && <p>No open till. Open one with a counted float to take cash.</p>}
        {current !== null && (
          <>
            <dl className="facts">
              <div>
                <dt>Till</dt>
                <dd>
                  {current.till.code} · {current.till.currency}
                </dd>
              </div>
              <div>
                <dt>Opened</dt>
                <dd>{time(current.session.openedAtMs)}</dd>
              </div>
              <div>
                <dt>Cash in till (book)</dt>
                <dd>
                  <Money minor={current.cash.posted} currency={current.till.currency} className="big" />
                </dd>
              </div>
            </dl>
            <table className="table compact" aria-label="Opening count by denomination">
              <TableHead columns={['Denomination', { label: 'Pieces at open', numeric: true }, { label: 'Value', numeric: true }]} />
              <tbody>
                {Object.entries(current.session.openingCount).map(([denomination, pieces]) => (
                  <tr key={denomination}>
                    <td>{formatMoney(denomination, current.till.currency)}</td>
                    <td className="num">{pieces}</td>
                    <td className="num">{formatMoney(BigInt(denomination) * BigInt(pieces), current.till.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Panel>
      <Panel title="Sync with the bank" actions={<button onClick={() => void stores.sync.getState().syncNow()}>Sync now</button>}>
        <dl className="facts">
          <div>
            <dt>Link</dt>
            <dd className={`link-text ${status.link}`}>{status.link}</dd>
          </div>
          <div>
            <dt>Waiting to send</dt>
            <dd>{status.waiting}</dd>
          </div>
          <div>
            <dt>Last contact</dt>
            <dd>{status.lastContactMs === null ? 'never' : time(status.lastContactMs)}</dd>
          </div>
        </dl>
        {status.lastError !== null && <p className="notice warn">{status.lastError}</p>}
        <h3>Not accepted as made</h3>
        {status.unsettled.length === 0 ? (
          <p className="muted">Nothing: every command sent was accepted.</p>
        ) : (
          <ul className="unsettled" aria-label="Commands the bank did not accept as made">
            {status.unsettled.map((item) => (
              <li key={item.seq} className={`unsettled-${item.status}`}>
                <strong>
                  {commandLabels[item.name] ?? item.name} {item.amount !== null && item.currency !== null ? formatMoney(item.amount, item.currency) : ''}
                </strong>{' '}
                — {statusLabel(item.status)} <span className="code">{item.code}</span>
                <p>{item.message}</p>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <Panel title="Today's work at this workstation">
        {work.length === 0 ? (
          <p className="muted">No cash or transfers yet today.</p>
        ) : (
          <table className="table" aria-label="Today's work">
            <TableHead columns={['Time', 'What', 'Teller', { label: 'Amount', numeric: true }, 'Status']} />
            <tbody>
              {work.map((item) => (
                <tr key={item.reference}>
                  <td>{time(item.atMs)}</td>
                  <td>{commandLabels[item.kind] ?? item.kind}</td>
                  <td>{item.teller}</td>
                  <td className="num">{formatMoney(item.amount, item.currency)}</td>
                  <td>
                    <span className={`tag ${item.status}`}>{statusLabel(item.status)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}

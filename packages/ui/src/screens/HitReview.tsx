import type { CaseAlert } from '@qenex/engine';
import type { CaseCustomer, Wire } from '../stores/compliance';
import { TableHead } from '../components/common';
import { commandLabels } from '../components/common';
import { dateTime, scorePercent, words } from './compliance-format';

type ScreeningAlert = Extract<Wire<CaseAlert>, { kind: 'screening' }>;

/**
 * A sanctions screening hit, side by side: the party as the bank holds them and the list entry
 * they matched, the score, and every part of the score with what it weighed (the parts add up to it).
 */
export function HitReview({ alert, customer, index }: { alert: ScreeningAlert; customer: CaseCustomer | undefined; index: number }) {
  const headingId = `hit-${index}`;
  return (
    <section className="hit-review" aria-labelledby={headingId}>
      <h4 id={headingId}>
        Screening hit: {alert.partyName} matches {alert.matchedName}
      </h4>
      <p className="muted">
        On {commandLabels[alert.command] ?? words(alert.command)} at {dateTime(alert.atMs)}: nothing ran, and the case was opened.
      </p>
      <div className="side-by-side">
        <div className="side">
          <h5>As the bank holds the party</h5>
          <dl className="facts compact">
            <div>
              <dt>Name</dt>
              <dd>{customer?.name ?? alert.partyName}</dd>
            </div>
            <div>
              <dt>Date of birth</dt>
              <dd>{customer?.dateOfBirth ?? 'not held (not a customer)'}</dd>
            </div>
            {customer !== undefined && (
              <div>
                <dt>Risk · KYC</dt>
                <dd>
                  {words(customer.riskRating)} · {words(customer.kycStatus)}
                </dd>
              </div>
            )}
            {customer === undefined && (
              <div>
                <dt>Party screened</dt>
                <dd>{alert.partyName}</dd>
              </div>
            )}
          </dl>
        </div>
        <div className="side-score" aria-label={`Score ${scorePercent(alert.score)}`}>
          <span className="score-value">{scorePercent(alert.score)}</span>
          <span className="muted">match score</span>
        </div>
        <div className="side">
          <h5>The list entry</h5>
          <dl className="facts compact">
            <div>
              <dt>List</dt>
              <dd>{alert.listId}</dd>
            </div>
            <div>
              <dt>Entry</dt>
              <dd>
                <code>{alert.entryId}</code>
              </dd>
            </div>
            <div>
              <dt>Matched name</dt>
              <dd>{alert.matchedName}</dd>
            </div>
          </dl>
        </div>
      </div>
      <table className="table compact" aria-label={`How the score of ${alert.partyName} against ${alert.matchedName} is made`}>
        <TableHead columns={['Part', { label: 'Value', numeric: true }, 'Detail']} />
        <tbody>
          {alert.explanation.map((part, row) => (
            <tr key={`${part.part}-${row}`}>
              <th scope="row">{words(part.part)}</th>
              <td className="num">{part.value.toFixed(3)}</td>
              <td>{part.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

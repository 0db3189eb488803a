import { useEffect, useMemo } from 'react';
import type { Decision, MonitoringConfig } from '@qenex/engine';
import type { Stores } from '../stores';
import type { Wire } from '../stores/compliance';
import { BusyLine, TableHead, commandLabels } from '../components/common';
import { formatMoney } from '../money';
import { dateOnly, dateTime, decisionLabels, parametersText, shortId, useAltKeys, words } from './compliance-format';

/**
 * Transaction monitoring's scenarios: the live one that decides every payment and the draft that
 * runs beside it in shadow (rules, weights, holds, thresholds, who published which version when);
 * what the draft decided in shadow against what the live one did; and the draft replayed over the
 * stored history, page by page, with what it would have flagged.
 */
export function Scenarios({ stores }: { stores: Stores }) {
  const { settings, settingsState, shadow, shadowState, replay, customerNames } = stores.compliance((state) => state);
  const canReplay = stores.session((state) => state.can('monitoring.replay'));
  const link = stores.sync((state) => state.status.link);
  const compliance = stores.compliance.getState();
  // Read again when the link changes: online the server answers, offline this workstation's copy.
  useEffect(() => {
    if (link !== 'connecting') void stores.compliance.getState().loadScenarios();
  }, [stores, link]);
  const replaying = replay.state.kind === 'working';
  const draft = settings?.draft ?? null;
  const keys = useMemo(
    () => ({
      r: () => void compliance.loadScenarios(),
      h: canReplay && draft !== null ? () => (replaying ? compliance.stopReplay() : void compliance.replayDraft()) : null,
    }),
    [compliance, canReplay, draft, replaying],
  );
  useAltKeys(keys);
  return (
    <section className="panel" aria-labelledby="scenarios-title">
      <header className="panel-head">
        <h2 id="scenarios-title">Monitoring scenarios</h2>
        <button type="button" onClick={() => void compliance.loadScenarios()} aria-keyshortcuts="Alt+R">
          Refresh <kbd aria-hidden="true">Alt R</kbd>
        </button>
      </header>
      <div className="panel-body">
        <BusyLine busy={settingsState} />
        {settings !== null && (
          <div className="scenario-pair">
            <ScenarioCard title="Live" config={settings.live} empty="No live scenario: nothing is monitored. Compliance publishes one (a second officer agrees)." />
            <ScenarioCard title="Draft (in shadow)" config={draft} against={settings.live} empty="No draft: set one to see, in shadow, what it would decide beside the live scenario." />
          </div>
        )}

        <section aria-labelledby="shadow-title">
          <h3 id="shadow-title">Shadow decisions{shadow?.draft != null ? ` of draft ${shadow.draft.scenarioId} v${shadow.draft.version}` : ''}</h3>
          <BusyLine busy={shadowState} />
          {shadow !== null && shadow.draft === null && <p className="muted">No draft runs in shadow.</p>}
          {shadow !== null && shadow.draft !== null && shadow.results.length === 0 && <p className="muted">The draft has flagged nothing yet: each payment is decided by both, and the draft’s flags are listed here.</p>}
          {shadow !== null && shadow.results.length > 0 && (
            <table className="table compact" aria-labelledby="shadow-title">
              <TableHead columns={['Transaction', 'Command', 'Customer', 'Live', 'Draft', { label: 'Draft score', numeric: true }, 'Draft rules']} />
              <tbody>
                {shadow.results.map((result) => (
                  <tr key={result.transactionId} className={result.live?.outcome !== result.shadow.outcome ? 'differs' : undefined}>
                    <th scope="row">
                      <code title={result.transactionId}>{shortId(result.transactionId)}</code>
                    </th>
                    <td>{commandLabels[result.command] ?? words(result.command)}</td>
                    <td>{customerNames[result.customerId] ?? <code title={result.customerId}>{shortId(result.customerId)}</code>}</td>
                    <td>
                      <Outcome decision={result.live} />
                    </td>
                    <td>
                      <Outcome decision={result.shadow} />
                    </td>
                    <td className="num">{result.shadow.score}</td>
                    <td>{result.shadow.hits.map((hit) => hit.ruleId).join(', ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        {canReplay && (
          <section aria-labelledby="replay-title">
            <h3 id="replay-title">Replay the draft over the history</h3>
            <p className="muted small">Each stored transaction decided again as the draft would have decided it then, with the rule versions in force at the time.</p>
            <div className="actions left">
              {replaying ? (
                <button type="button" onClick={() => compliance.stopReplay()} aria-keyshortcuts="Alt+H">
                  Stop replay <kbd aria-hidden="true">Alt H</kbd>
                </button>
              ) : (
                <button type="button" className="primary" onClick={() => void compliance.replayDraft()} disabled={draft === null} aria-keyshortcuts="Alt+H">
                  Replay draft over history <kbd aria-hidden="true">Alt H</kbd>
                </button>
              )}
            </div>
            {draft === null && <p className="muted">There is no draft to replay.</p>}
            <BusyLine busy={replay.state} />
            {replay.scenario !== null && (
              <>
                <dl className="facts replay-counts" aria-label="Replay counts">
                  <Fact term="Scenario" value={`${replay.scenario.id} v${replay.scenario.version}`} />
                  <Fact term="Decided" value={replay.decided.toLocaleString('en-US')} />
                  <Fact term="Allow" value={replay.counts.allow.toLocaleString('en-US')} />
                  <Fact term="Alert" value={replay.counts.alert.toLocaleString('en-US')} />
                  <Fact term="Hold" value={replay.counts.hold.toLocaleString('en-US')} />
                  <Fact term="Block" value={replay.counts.block.toLocaleString('en-US')} />
                </dl>
                {replay.flagged.length > 0 && (
                  <table className="table compact" aria-label="Transactions the draft would have flagged">
                    <TableHead columns={['When', 'Transaction', 'Kind', { label: 'Amount', numeric: true }, 'Live', 'Draft', 'Draft rules']} />
                    <tbody>
                      {replay.flagged.map((flag) => (
                        <tr key={flag.transaction.id} className={flag.live?.outcome !== flag.decision.outcome ? 'differs' : undefined}>
                          <td>{dateTime(flag.transaction.atMs)}</td>
                          <th scope="row">
                            <code title={flag.transaction.id}>{shortId(flag.transaction.id)}</code>
                          </th>
                          <td>{words(flag.transaction.kind)}</td>
                          <td className="num">{formatMoney(flag.transaction.amountMinor, flag.transaction.currency)}</td>
                          <td>
                            <Outcome decision={flag.live} />
                          </td>
                          <td>
                            <Outcome decision={flag.decision} />
                          </td>
                          <td>{flag.decision.hits.map((hit) => hit.ruleId).join(', ')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            )}
          </section>
        )}
      </div>
    </section>
  );
}

function Outcome({ decision }: { decision: Wire<Decision> | null }) {
  if (decision === null) return <span className="muted">allow (not kept)</span>;
  return (
    <span className={`tag decision-${decision.outcome}`}>
      {decisionLabels[decision.outcome] ?? decision.outcome} {decision.score}
    </span>
  );
}

/** What a draft changes about a live rule, in words; null when nothing. */
function changeOf(rule: Wire<MonitoringConfig>['scenario']['rules'][number], definition: Wire<MonitoringConfig>['rules'][number] | undefined, live: Wire<MonitoringConfig> | null): string | null {
  if (live === null) return null;
  const before = live.scenario.rules.find((candidate) => candidate.ruleId === rule.ruleId);
  if (before === undefined) return 'new in the draft';
  const changes: string[] = [];
  if (before.weight !== rule.weight) changes.push(`weight was ${before.weight}`);
  if ((before.holdForReview === true) !== (rule.holdForReview === true)) changes.push(before.holdForReview === true ? 'held for review live' : 'not held live');
  const liveDefinition = live.rules.find((candidate) => candidate.id === rule.ruleId);
  if (definition !== undefined && liveDefinition !== undefined && JSON.stringify(definition.parameters) !== JSON.stringify(liveDefinition.parameters)) changes.push('parameters changed');
  return changes.length === 0 ? null : changes.join(', ');
}

function ScenarioCard({ title, config, against = null, empty }: { title: string; config: Wire<MonitoringConfig> | null; against?: Wire<MonitoringConfig> | null; empty: string }) {
  const headingId = `scenario-${title.split(' ')[0]!.toLowerCase()}`;
  if (config === null)
    return (
      <section className="card scenario" aria-labelledby={headingId}>
        <h3 id={headingId}>{title}</h3>
        <p className="muted">{empty}</p>
      </section>
    );
  const { scenario } = config;
  const definitions = new Map(config.rules.map((rule) => [rule.id, rule]));
  return (
    <section className="card scenario" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {title}: {scenario.id} v{scenario.version}
      </h3>
      <dl className="facts compact">
        <Fact term="Alert at" value={`score ${scenario.alertThreshold}`} />
        <Fact term="Block at" value={`score ${scenario.blockThreshold}`} />
        <Fact term="Published by" value={config.publishedBy} />
        <Fact term="Published" value={dateTime(config.publishedAtMs)} />
      </dl>
      <table className="table compact" aria-label={`Rules of the ${title.toLowerCase()} scenario`}>
        <TableHead columns={['Rule', { label: 'Weight', numeric: true }, 'Holds', 'Parameters', 'In force']} />
        <tbody>
          {scenario.rules.map((rule) => {
            const definition = definitions.get(rule.ruleId);
            const change = changeOf(rule, definition, against);
            return (
              <tr key={rule.ruleId} className={change === null ? undefined : 'differs'}>
                <th scope="row">
                  <code>{rule.ruleId}</code>
                  {change !== null && <div className="change">{change}</div>}
                </th>
                <td className="num">{rule.weight}</td>
                <td>{rule.holdForReview === true ? <span className="tag held">holds for review</span> : '—'}</td>
                <td className="small">{definition === undefined ? 'not defined' : parametersText(definition.parameters as Readonly<Record<string, unknown>>)}</td>
                <td className="small nowrap">
                  {definition === undefined ? '' : `from ${dateOnly(definition.effectiveFromMs)}${definition.effectiveUntilMs === undefined ? '' : ` until ${dateOnly(definition.effectiveUntilMs)}`}`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/**
 * The fraud models as compliance operates them: the drift monitor (population stability of the
 * champion's score and of each feature, the last days against the evaluation days it was deployed
 * with), the alert it raises, and the challenger's shadow results beside the champion's.
 */
import { z } from 'zod';
import type { FraudDriftTally } from '../../core/banking/types';
import { parseFraudModelText, type BinnedReference, type DeployedModel } from '../../core/ai/deployment';
import { featureNames } from '../../core/ai/features';
import { stabilityIndexOfShares } from '../../core/ai/metrics';
import { businessDay } from '../../core/sync/stand-in';
import { modelPath } from '../../core/update/content';
import { command, ok, refuse, type CommandEnv, type Refusal } from '../command';
import { bodyIntact } from '../content';
import { openOrJoinCase, sarDueAtMs } from '../cases';
import { fraudQueue } from '../fraud';

/** Above this a distribution has shifted enough to look at (the usual reading of the index). */
export const driftAlertPsi = 0.25;
/** Below this it is read as stable. */
export const driftStablePsi = 0.1;
/** Days of tallies one drift report reads at most. */
export const driftDaysMax = 90;
/** Shadow decisions one report reads at most (the first of them, in decision-id order). */
export const shadowReportMax = 10_000;

const dayMs = 86_400_000;

function psi(reference: BinnedReference, counts: readonly number[]): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0 || counts.length !== reference.shares.length) return null;
  return Math.round(stabilityIndexOfShares(reference.shares, counts.map((count) => count / total)) * 1e6) / 1e6;
}

async function championOf(env: CommandEnv): Promise<DeployedModel | Refusal | null> {
  const installed = await env.tx.banking.get('installedContent', modelPath('champion'));
  if (installed === undefined || installed.status !== 'in_force') return null;
  if (!bodyIntact(installed)) return refuse('fraud_model_damaged', 'The installed fraud model no longer matches its signed hash; payments go to review until the update channel installs it again.');
  const parsed = parseFraudModelText(installed.body);
  if (!parsed.ok) return refuse('fraud_model_damaged', `The installed fraud model does not load: ${parsed.message}.`);
  return parsed.value;
}

export interface DriftReport {
  /** Null when no model is deployed here (the update channel installs one an administrator signed). */
  readonly modelVersion: string | null;
  readonly onnxSha256: string | null;
  readonly fromDay: string;
  readonly toDay: string;
  readonly scored: number;
  readonly scorePsi: number | null;
  /** Each feature's index, largest first; null where nothing was scored. */
  readonly features: ReadonlyArray<{ readonly feature: string; readonly psi: number | null }>;
  readonly drifting: boolean;
  readonly reading: 'stable' | 'watch' | 'drifting' | 'no_data' | 'no_model';
}

async function driftReport(env: CommandEnv, days: number): Promise<DriftReport | Refusal> {
  const champion = await championOf(env);
  const toDay = businessDay(env.nowMs);
  const fromDay = businessDay(env.nowMs - (days - 1) * dayMs);
  if (champion === null) return { modelVersion: null, onnxSha256: null, fromDay, toDay, scored: 0, scorePsi: null, features: [], drifting: false, reading: 'no_model' };
  if ('ok' in champion) return champion;
  // One tally per day and model file: read by key, the last `days` of them.
  const dayIds = Array.from({ length: days }, (_unused, back) => `${businessDay(env.nowMs - back * dayMs)}:${champion.onnxSha256}`);
  const tallies = (await Promise.all(dayIds.map((id) => env.tx.banking.get('fraudDriftTally', id)))).filter((tally): tally is FraudDriftTally => tally !== undefined);
  const reference = champion.document.reference;
  const sum = (pick: (tally: FraudDriftTally) => readonly number[], width: number): number[] => {
    const counts = new Array<number>(width).fill(0);
    for (const tally of tallies) pick(tally).forEach((count, bin) => (counts[bin]! += count));
    return counts;
  };
  const scorePsi = psi(reference.score, sum((tally) => tally.score, reference.score.shares.length));
  const features = featureNames
    .map((feature) => ({ feature, psi: psi(reference.features[feature]!, sum((tally) => tally.features[feature] ?? [], reference.features[feature]!.shares.length)) }))
    .sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
  const worst = Math.max(scorePsi ?? 0, ...features.map((item) => item.psi ?? 0));
  const scored = tallies.reduce((total, tally) => total + tally.count, 0);
  const reading = scored === 0 ? 'no_data' : worst > driftAlertPsi ? 'drifting' : worst > driftStablePsi ? 'watch' : 'stable';
  return { modelVersion: champion.model.metadata.version, onnxSha256: champion.onnxSha256, fromDay, toDay, scored, scorePsi, features, drifting: reading === 'drifting', reading };
}

const daysSchema = z.number().int().min(1).max(driftDaysMax).default(7);

/** The champion's drift over the last days: the score's and every feature's population stability index against its reference. */
export const fraudDrift = command({
  kind: 'read',
  input: z.object({ days: daysSchema }).strict(),
  async run(env, input) {
    const report = await driftReport(env, input.days);
    return 'ok' in report ? report : ok(report);
  },
});

/**
 * The drift monitor's check (the server runs it daily; an officer may run it): when the score or a
 * feature has drifted past the alert level, compliance gets a case in the fraud queue, once per
 * model and day, naming what moved.
 */
export const checkFraudDrift = command({
  kind: 'write',
  input: z.object({ days: daysSchema }).strict(),
  async run(env, input) {
    const report = await driftReport(env, input.days);
    if ('ok' in report) return report;
    if (!report.drifting) return ok<{ report: DriftReport; caseNumber: string | null }>({ report, caseNumber: null });
    const alertId = `${report.toDay}:${report.onnxSha256}`;
    const raised = await env.tx.banking.get('fraudDriftAlert', alertId);
    if (raised !== undefined) return ok({ report, caseNumber: raised.caseNumber });
    const moved = [
      ...(report.scorePsi !== null && report.scorePsi > driftAlertPsi ? [`the score (PSI ${report.scorePsi.toFixed(2)})`] : []),
      ...report.features.filter((item) => item.psi !== null && item.psi > driftAlertPsi).slice(0, 5).map((item) => `${item.feature.replaceAll('_', ' ')} (PSI ${item.psi!.toFixed(2)})`),
    ];
    const opened = await openOrJoinCase(env.tx, env.ids, {
      queue: fraudQueue,
      title: `Fraud model ${report.modelVersion} is drifting over ${report.fromDay}…${report.toDay}: ${moved.join(', ')}. Its scores may no longer mean what they did when it was trained; consider retraining.`,
      branchId: null,
      customerId: null,
      partyName: null,
      alerts: [],
      transactionIds: [],
      dueAtMs: sarDueAtMs(env.nowMs),
      nowMs: env.nowMs,
      actor: env.ctx.actor,
    });
    await env.tx.banking.put('fraudDriftAlert', { id: alertId, caseId: opened.id, caseNumber: opened.number, raisedAtMs: env.nowMs });
    return ok({ report, caseNumber: opened.number });
  },
});

/**
 * The challenger beside the champion on the payments it scored in shadow: how often they agree,
 * what each would have sent to review or block, and on payments an investigator labelled, how
 * many frauds each caught and how many good payments each stopped.
 */
export const fraudShadowReport = command({
  kind: 'read',
  input: z.object({ limit: z.number().int().min(1).max(shadowReportMax).default(1_000) }).strict(),
  async run(env, input) {
    const challenger = await env.tx.banking.get('installedContent', modelPath('challenger'));
    const tally = { scored: 0, agree: 0, challengerReview: 0, challengerBlock: 0, championReview: 0, championBlock: 0, labelled: 0, frauds: 0, challengerCaught: 0, championCaught: 0, challengerStoppedGood: 0, championStoppedGood: 0 };
    // No challenger deployed: nothing scores in shadow (publish one to content/models/challenger.json).
    if (challenger === undefined || challenger.status !== 'in_force') return ok({ challengerVersion: null as string | null, agreement: null as number | null, ...tally });
    const deployed = parseFraudModelText(challenger.body);
    if (!deployed.ok) return refuse('fraud_model_damaged', `The installed challenger does not load: ${deployed.message}.`);
    // This challenger's own shadow decisions (by its file's hash), up to the limit.
    const shadows = await env.tx.banking.findBy('fraudDecision', 'shadow', deployed.value.onnxSha256, input.limit);
    for (const shadow of shadows) {
      const live = await env.tx.banking.get('fraudDecision', `${shadow.eventId}:live`);
      // The champion keeps only what it did not approve: no live record is an approval.
      const championOutcome = live?.outcome ?? 'approve';
      tally.scored += 1;
      if (championOutcome === shadow.outcome) tally.agree += 1;
      if (shadow.outcome === 'review') tally.challengerReview += 1;
      if (shadow.outcome === 'block') tally.challengerBlock += 1;
      if (championOutcome === 'review') tally.championReview += 1;
      if (championOutcome === 'block') tally.championBlock += 1;
      const label = await env.tx.banking.get('fraudLabel', shadow.eventId);
      if (label === undefined) continue;
      tally.labelled += 1;
      const challengerStops = shadow.outcome !== 'approve';
      const championStops = championOutcome !== 'approve';
      if (label.label === 1) {
        tally.frauds += 1;
        if (challengerStops) tally.challengerCaught += 1;
        if (championStops) tally.championCaught += 1;
      } else {
        if (challengerStops) tally.challengerStoppedGood += 1;
        if (championStops) tally.championStoppedGood += 1;
      }
    }
    return ok({ challengerVersion: challenger.version as string | null, agreement: tally.scored === 0 ? null : tally.agree / tally.scored, ...tally });
  },
});

/**
 * The fraud engine end to end, on a real signed update repository and a real SQLite engine with
 * the demo bank: a champion trained on the simulator reaches the branch as a signed artifact
 * (tampered, unsigned and schema-mismatched files refused); a customer's normal online habits
 * build their feature state; an account takeover (a new device abroad at 03:00, a new payee, most
 * of the balance) is held before it posts, with the model's reasons in the hold message and the
 * case; the investigator's outcome becomes a label; a challenger retrained with it scores in shadow.
 */
import {
  Engine,
  featureNames,
  type FraudRuntimeFactory,
  type ContentKind,
  type FetchResult,
  type LabelledPayment,
  type UpdateFetcher,
  storedPayments,
  encodeContentDocument,
  driftReference,
  fraudModelDocument,
  limitRuleId,
  modelPath,
  simulate,
  trainFraudModels,
  type FraudTrainingRun,
  type ModelThresholds,
} from '@qenex/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { onnxRuntimeFactory } from '../../apps/server/src/ai/onnx-runtime';
import { DirectoryFetcher } from '../../apps/server/src/update/service';
import { makeFixture, type Fixture } from '../updates/review/fixture';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const simulationStartMs = Date.UTC(2026, 8, 1);
const training = { seed: 7, version: 'fraud-gbdt-e2e.1', treeCount: 80, split: { trainDays: 24, delayDays: 4, testDays: 12, startMs: simulationStartMs } } as const;

const web = { actor: 'webbank', roles: ['digital_channel'], deviceId: 'web-gateway' };
const carol = { actor: 'carol', roles: ['compliance_officer'], deviceId: 'demo-workstation' };

let f: Fixture;
let run: FraudTrainingRun;
let thresholds: ModelThresholds;
let simulated: ReturnType<typeof simulate>['events'];

/** The review threshold at 1% false positives on the evaluation days; block far above it. */
function thresholdsOf(trained: FraudTrainingRun): ModelThresholds {
  const negatives = Array.from(trained.evaluationScores).filter((_score, row) => trained.evaluation.labels[row] === 0).sort((a, b) => b - a);
  const review = Math.max(negatives[Math.floor(negatives.length * 0.01)]!, 0.05);
  return { review, block: 0.9999 };
}

async function publishModel(slot: 'champion' | 'challenger', trained: FraudTrainingRun, options: { thresholds?: ModelThresholds; featureSchemaDigest?: string } = {}): Promise<void> {
  const document = fraudModelDocument(trained.champion, slot, options.thresholds ?? thresholds, driftReference(trained.evaluationScores, trained.evaluation.matrix));
  const body = options.featureSchemaDigest === undefined ? document : { ...document, featureSchemaDigest: options.featureSchemaDigest };
  await f.repository.addTarget('targets', modelPath(slot), encodeContentDocument(body as never), f.books.clock.nowMs());
  await f.sign('targets', 'ada');
  await f.repository.publish(f.books.clock.nowMs());
}

/** The repository as a hostile mirror serves it: `alter` may change any file's bytes. */
class AlteringFetcher implements UpdateFetcher {
  constructor(private readonly alter: (name: string, bytes: Uint8Array) => Uint8Array | undefined) {}
  async fetch(name: string, maxBytes: number): Promise<FetchResult> {
    const fetched = await new DirectoryFetcher(f.repository).fetch(name, maxBytes);
    if (!fetched.ok) return fetched;
    return { ok: true, bytes: this.alter(name, fetched.bytes) ?? fetched.bytes };
  }
}

const wantsModels = (_path: string, kind: ContentKind) => kind === 'fraud_model' || kind === 'sanctions_list';
const client = (fetcher?: UpdateFetcher) => f.client({ wants: wantsModels, ...(fetcher === undefined ? {} : { fetcher }) });
const installed = (slot: 'champion' | 'challenger') => f.storage.read((tx) => tx.banking.get('installedContent', modelPath(slot)));

function retrain(version: string, seed: number, extra: readonly LabelledPayment[] = []): FraudTrainingRun {
  const trained = trainFraudModels([...simulated, ...extra], { ...training, seed, version });
  if (!trained.ok) throw new Error(trained.message);
  return trained.value;
}

async function transfer(fromAccountId: string, toAccountId: string, amount: bigint, origin: { channel: 'online' | 'mobile'; deviceId: string; country?: string }) {
  return f.books.engine.execute('transfer.internal', { transferId: f.books.ids.next(), fromAccountId, toAccountId, money: { amount: String(amount), currency: 'USD' }, origin } as never, web);
}

async function balanceOf(accountId: string): Promise<bigint> {
  const [account] = await f.storage.read((tx) => tx.ledger.accounts([accountId as never]));
  return account!.creditsPosted - account!.debitsPosted;
}

beforeAll(async () => {
  f = await makeFixture('fraud');
  simulated = simulate({ seed: 11, customers: 600, days: 40, startMs: simulationStartMs }).events;
  run = retrain(training.version, training.seed);
  thresholds = thresholdsOf(run);
  // The bank's online banking front end: a user of its own, with transfer limits of its own.
  await f.storage.transaction(async (tx) => {
    await tx.banking.put('user', { id: web.actor, displayName: 'Online banking', roles: ['digital_channel'], passwordHash: 'x', status: 'active', createdAtMs: 0, branchId: null });
    const holder = { role: 'digital_channel' };
    await tx.banking.put('limitRule', { id: limitRuleId(holder, 'transfer', 'USD'), holder, kind: 'transfer', currency: 'USD', perTransactionMinor: 100_000_000n, perDayMinor: 1_000_000_000n });
  });
}, 240_000);

afterAll(async () => f?.close());

describe('a fraud model reaches the branch as a signed artifact', () => {
  it('is installed when the targets role signed it, and a tampered, an unsigned or a schema-mismatched file is refused with the one in force kept', async () => {
    // Before any model: the drift and shadow reports say so, and payments are decided by the rules alone.
    expect(await f.books.engine.execute('fraud.drift', { days: 7 }, carol)).toMatchObject({ ok: true, value: { reading: 'no_model', modelVersion: null } });
    expect(await f.books.engine.execute('fraud.shadow_report', { limit: 10 }, { ...carol, deviceId: 'hq' })).toMatchObject({ ok: true, value: { challengerVersion: null, scored: 0 } });
    await publishModel('champion', run);
    expect(await client().check()).toMatchObject({ kind: 'up_to_date' });
    const first = await installed('champion');
    expect(first).toMatchObject({ kind: 'fraud_model', status: 'in_force', version: training.version });

    await publishModel('champion', retrain('fraud-gbdt-e2e.2', 9));
    // A mirror flips one byte of the model document: it no longer hashes to what the targets role signed.
    const tampered = await client(new AlteringFetcher((name, bytes) => (/models\/[0-9a-f]{64}\.champion\.json$/.test(name) ? Uint8Array.from(bytes, (byte, index) => (index === 100 ? byte ^ 1 : byte)) : undefined))).check();
    expect(tampered).toMatchObject({ kind: 'refused' });
    expect((await installed('champion'))?.sha256).toBe(first!.sha256);
    // A mirror strips the signatures from the targets metadata that lists the next model.
    await publishModel('champion', retrain('fraud-gbdt-e2e.3', 10));
    const unsigned = await client(
      new AlteringFetcher((name, bytes) => {
        if (!/targets\.json$/.test(name)) return undefined;
        const file = JSON.parse(new TextDecoder().decode(bytes)) as { signatures: unknown[] };
        return new TextEncoder().encode(JSON.stringify({ ...file, signatures: [] }));
      }),
    ).check();
    expect(unsigned).toMatchObject({ kind: 'refused', refusal: { role: 'targets' } });
    expect((await installed('champion'))?.sha256).toBe(first!.sha256);
    // Signed, but built for other features: refused as invalid content, with the reason.
    await publishModel('champion', run, { featureSchemaDigest: '0'.repeat(64) });
    const mismatched = await client().check();
    expect(mismatched).toMatchObject({ kind: 'refused', refusal: { code: 'content_invalid' } });
    expect((await installed('champion'))?.sha256).toBe(first!.sha256);
    // Put the champion back for the next tests.
    await publishModel('champion', run);
    expect(await client().check()).toMatchObject({ kind: 'up_to_date' });
    expect((await installed('champion'))?.sha256).toBe(first!.sha256);
  });
});

describe('an account takeover', () => {
  let caseId: string;
  let heldTransferId: string;

  it('is held before it posts, the hold message giving the model’s reasons in words; habits like the customer’s own pass', async () => {
    const [victim, friend, mule] = f.books.bank.customers;
    const from = victim!.accountIds[0]!;
    // A month of the customer's own habits: a small payment to a friend around noon, from their phone, at home.
    f.books.clock.set(Date.UTC(2026, 11, 1, 12, 0, 0));
    for (let day = 0; day < 20; day += 1) {
      f.books.clock.advance(dayMs + (day % 3) * 600_000);
      const paid = await transfer(from, friend!.accountIds[0]!, 2_500n + BigInt(day * 37), { channel: 'mobile', deviceId: 'phone-of-victim', country: 'US' });
      expect(paid, `day ${day}`).toMatchObject({ ok: true });
    }
    const balanceBefore = await balanceOf(from);
    const muleBefore = await balanceOf(mule!.accountIds[0]!);
    // The takeover: 03:00 UTC, a device never seen, abroad, a payee never paid, most of the balance.
    f.books.clock.set(Math.floor(f.books.clock.nowMs() / dayMs) * dayMs + dayMs + 3 * hourMs);
    const transferId = f.books.ids.next();
    heldTransferId = transferId;
    const held = await f.books.engine.execute('transfer.internal', { transferId, fromAccountId: from, toAccountId: mule!.accountIds[0]!, money: { amount: String((balanceBefore * 9n) / 10n), currency: 'USD' }, origin: { channel: 'online', deviceId: 'unknown-laptop', country: 'RO' } } as never, web);
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'monitoring', checker: 'compliance.review' } });
    if (held.ok) return;
    expect(held.message).toMatch(/Held for compliance review before it posts: fraud score 0\.\d\d \(model fraud-gbdt-e2e\.1\)/);
    expect(held.message).toMatch(/never seen|never paid|of the balance|hour/);
    // Nothing moved.
    expect(await balanceOf(from)).toBe(balanceBefore);
    expect(await balanceOf(mule!.accountIds[0]!)).toBe(muleBefore);
    const found = await f.storage.read((tx) => tx.banking.findBy('complianceCase', 'number', String(held.details!.caseNumber), 1));
    caseId = found[0]!.id;
  });

  it('has a case that shows the model, the score and each reason with its value and contribution', async () => {
    const detail = await f.books.engine.execute('case.get', { caseId }, carol);
    expect(detail, JSON.stringify(detail).slice(0, 300)).toMatchObject({ ok: true });
    if (!detail.ok) return;
    const alert = detail.value.case.alerts.find((item) => item.kind === 'fraud');
    expect(alert).toMatchObject({ kind: 'fraud', outcome: 'review', modelVersion: training.version, transactionId: heldTransferId });
    const decision = detail.value.fraudDecisions[0]!;
    expect(decision.probability).toBeGreaterThanOrEqual(thresholds.review);
    expect(decision.reasons.length).toBeGreaterThan(0);
    for (const reason of decision.reasons) {
      expect(reason.words.length).toBeGreaterThan(5);
      expect(Number.isFinite(reason.contribution)).toBe(true);
    }
    expect(detail.value.approval).toMatchObject({ status: 'pending', basis: 'monitoring' });
  });

  it('is closed by the investigator as confirmed fraud, and the outcome becomes a label for the payment', async () => {
    const assigned = await f.books.engine.execute('case.assign', { caseId, assignee: 'carol' } as never, carol);
    expect(assigned, JSON.stringify(assigned).slice(0, 300)).toMatchObject({ ok: true });
    const approvalId = (await f.storage.read((tx) => tx.banking.get('complianceCase', caseId)))!.approvalId!;
    expect(await f.books.engine.execute('approval.decide', { approvalId, decision: 'reject', note: 'account takeover' }, carol)).toMatchObject({ ok: true });
    expect(await f.books.engine.execute('case.close', { caseId, outcome: 'confirmed', reason: 'The customer confirmed by phone they did not make this payment.' }, carol)).toMatchObject({ ok: true });
    const label = await f.storage.read((tx) => tx.banking.get('fraudLabel', heldTransferId));
    expect(label).toMatchObject({ label: 1, caseId });
  });

  it('trains a challenger on the bank’s stored payments with that label, which scores in shadow beside the champion', async () => {
    const stored = await f.storage.read((tx) => storedPayments(tx, 100_000));
    const labelled = stored.filter((payment) => payment.label !== null);
    expect(labelled.map((payment) => payment.event.id)).toContain(heldTransferId);
    // The bank's payments join the simulated history, labelled by investigators (unlabelled ones as not fraud), moved into the training days.
    const shiftMs = simulationStartMs + 10 * dayMs - stored[0]!.event.atMs;
    const extra: LabelledPayment[] = stored.map((payment) => ({ event: { ...payment.event, atMs: payment.event.atMs + shiftMs }, fraud: payment.label === 1 }));
    const challenger = retrain('fraud-gbdt-e2e.challenger', 21, extra);
    await publishModel('challenger', challenger);
    expect(await client().check()).toMatchObject({ kind: 'up_to_date' });
    expect(await installed('challenger')).toMatchObject({ status: 'in_force', version: 'fraud-gbdt-e2e.challenger' });
    const [victim, friend] = f.books.bank.customers;
    f.books.clock.advance(dayMs + 9 * hourMs);
    const paid = await transfer(victim!.accountIds[0]!, friend!.accountIds[0]!, 2_000n, { channel: 'mobile', deviceId: 'phone-of-victim', country: 'US' });
    expect(paid).toMatchObject({ ok: true });
    const decisions = await f.storage.read((tx) => tx.banking.list('fraudDecision', '', 1_000));
    const shadowed = decisions.filter((decision) => decision.role === 'shadow' && decision.modelVersion === 'fraud-gbdt-e2e.challenger');
    expect(shadowed.length).toBeGreaterThan(0);
    expect(shadowed[0]!.probability).toBeGreaterThanOrEqual(0);
  });
});

describe('when the model cannot decide', () => {
  const [victim, friend] = [0, 1];
  const habitual = () => ({
    transferId: f.books.ids.next(),
    fromAccountId: f.books.bank.customers[victim]!.accountIds[0]!,
    toAccountId: f.books.bank.customers[friend]!.accountIds[0]!,
    money: { amount: '2600', currency: 'USD' },
    origin: { channel: 'mobile' as const, deviceId: 'phone-of-victim', country: 'US' },
  });
  const engineWith = (runtime: FraudRuntimeFactory, budgetMs = 30) => new Engine({ storage: f.storage, clock: f.books.clock, ids: f.books.ids, fraud: { runtime, budgetMs } });

  it('refuses an origin from a teller and a digital channel payment without one, before anything is scored or kept', async () => {
    const alice = { actor: 'alice', roles: ['teller'], deviceId: 'demo-workstation' };
    const casesBefore = (await f.storage.read((tx) => tx.banking.list('complianceCase', '', 10_000))).length;
    expect(await f.books.engine.execute('transfer.internal', habitual() as never, alice)).toMatchObject({ ok: false, code: 'origin_not_allowed' });
    const { origin: _origin, ...bare } = habitual();
    expect(await f.books.engine.execute('transfer.internal', bare as never, web)).toMatchObject({ ok: false, code: 'origin_required' });
    expect((await f.storage.read((tx) => tx.banking.list('complianceCase', '', 10_000))).length).toBe(casesBefore);
  });

  it('the champion approves the customer’s habitual payment', async () => {
    f.books.clock.advance(hourMs);
    expect(await f.books.engine.preview('transfer.internal', habitual(), web)).toMatchObject({ decision: 'allow' });
  });

  it('a model slower than its budget, one that fails and one that answers nonsense send the same payment to review, never to approve', async () => {
    const slow: FraudRuntimeFactory = async () => ({ score: () => new Promise<number>((resolve) => setTimeout(() => resolve(0.001), 500)) });
    const failing: FraudRuntimeFactory = async () => ({ score: async () => { throw new Error('onnxruntime session lost'); } });
    const unloadable: FraudRuntimeFactory = async () => { throw new Error('the model file does not load'); };
    const nonsense: FraudRuntimeFactory = async () => ({ score: async () => Number.NaN });
    for (const [runtime, why] of [[slow, /no score within 30 ms/], [failing, /session lost/], [unloadable, /does not load/], [nonsense, /not a probability/]] as const) {
      const preview = await engineWith(runtime).preview('transfer.internal', habitual(), web);
      expect(preview, String(why)).toMatchObject({ decision: 'hold', details: { basis: 'monitoring', checker: 'compliance.review' } });
      if (preview.decision === 'hold') expect(preview.message).toMatch(why);
    }
  });

  it('the server’s runtime (onnxruntime) decides as the engine’s scorer does, on the habitual payment and on another takeover attempt', async () => {
    const server = engineWith(onnxRuntimeFactory(), 1_000);
    expect(await server.preview('transfer.internal', habitual(), web)).toMatchObject({ decision: 'allow' });
    const mule = f.books.bank.customers[2]!;
    f.books.clock.set(Math.floor(f.books.clock.nowMs() / dayMs) * dayMs + dayMs + 3 * hourMs);
    const balance = await balanceOf(f.books.bank.customers[victim]!.accountIds[0]!);
    const takeover = { ...habitual(), toAccountId: mule.accountIds[0]!, money: { amount: String((balance * 9n) / 10n), currency: 'USD' }, origin: { channel: 'online' as const, deviceId: 'another-unknown-laptop', country: 'RO' } };
    const [onServer, onWorkstation] = [await server.preview('transfer.internal', takeover, web), await f.books.engine.preview('transfer.internal', takeover, web)];
    // Both decide alike, with the same score and reasons when they hold it.
    expect(onServer.decision).toBe(onWorkstation.decision);
    expect(onServer.decision === 'hold' ? onServer.message : '').toBe(onWorkstation.decision === 'hold' ? onWorkstation.message : '');
  });
});

describe('the drift monitor and the shadow report', () => {
  it('reads the champion’s scores and features against its reference, stable on the payments it has seen', async () => {
    const drift = await f.books.engine.execute('fraud.drift', { days: 90 }, carol);
    expect(drift).toMatchObject({ ok: true, value: { modelVersion: training.version } });
    if (!drift.ok) return;
    expect(drift.value.scored).toBeGreaterThan(20);
    expect(drift.value.features).toHaveLength(featureNames.length);
    expect(drift.value.scorePsi).not.toBeNull();
  });

  it('raises one case when the score has drifted past the alert level, naming what moved', async () => {
    const champion = (await installed('champion'))!;
    const document = JSON.parse(champion.body) as { reference: { score: { shares: number[] }; features: Record<string, { shares: number[] }> } };
    const day = new Date(f.books.clock.nowMs()).toISOString().slice(0, 10);
    const onnxSha256 = (await f.books.engine.execute('fraud.drift', { days: 1 }, carol) as { value: { onnxSha256: string } }).value.onnxSha256;
    // A day on which every payment scored in the top bin: the population has moved.
    const top = document.reference.score.shares.map((_share, bin, all) => (bin === all.length - 1 ? 500 : 0));
    await f.storage.transaction((tx) =>
      tx.banking.put('fraudDriftTally', {
        id: `${day}:${onnxSha256}`,
        day,
        onnxSha256,
        modelVersion: training.version,
        count: 500,
        score: top,
        features: Object.fromEntries(Object.entries(document.reference.features).map(([name, reference]) => [name, reference.shares.map((share) => Math.round(share * 500))])),
      }),
    );
    const olivia = { actor: 'carol', roles: ['compliance_officer'], deviceId: 'hq' };
    const checked = await f.books.engine.execute('fraud.check_drift', { days: 1 }, olivia);
    expect(checked).toMatchObject({ ok: true, value: { report: { drifting: true, reading: 'drifting' } } });
    if (!checked.ok) return;
    expect(checked.value.report.scorePsi!).toBeGreaterThan(0.25);
    const caseNumber = checked.value.caseNumber!;
    const [opened] = await f.storage.read((tx) => tx.banking.findBy('complianceCase', 'number', caseNumber, 1));
    expect(opened!.title).toMatch(/is drifting .*the score \(PSI \d+\.\d\d\)/);
    expect(opened!.queue).toBe('fraud');
    // Once per model and day.
    expect(await f.books.engine.execute('fraud.check_drift', { days: 1 }, olivia)).toMatchObject({ ok: true, value: { caseNumber } });
  });

  it('shows the challenger beside the champion on the payments it scored in shadow', async () => {
    const report = await f.books.engine.execute('fraud.shadow_report', { limit: 100 }, { ...carol, deviceId: 'hq' });
    expect(report).toMatchObject({ ok: true, value: { challengerVersion: 'fraud-gbdt-e2e.challenger' } });
    if (!report.ok) return;
    expect(report.value.scored).toBeGreaterThan(0);
    expect(report.value.agreement).not.toBeNull();
  });
});

describe('a fraud block a workstation met offline', () => {
  it('is reported to the bank as the teller who met it, opening a case in the fraud queue with the model and its reasons', async () => {
    const alice = { actor: 'alice', roles: ['teller'], deviceId: 'demo-workstation' };
    const customer = f.books.bank.customers[2]!;
    const reported = await f.books.engine.execute(
      'compliance.report_refusal',
      { reportId: f.books.ids.next(), command: 'transfer.internal', code: 'fraud_block', message: 'Blocked as likely fraud at the counter.', customerId: customer.id, details: { probability: 0.9991, modelVersion: training.version, reasons: ['to a payee never paid before', 'it takes 95% of the balance'] } },
      alice,
    );
    expect(reported).toMatchObject({ ok: true });
    if (!reported.ok) return;
    const opened = await f.storage.read((tx) => tx.banking.get('complianceCase', reported.value.caseId));
    expect(opened).toMatchObject({ queue: 'fraud' });
    expect(opened!.alerts.at(-1)).toMatchObject({ kind: 'fraud', outcome: 'block', probability: 0.9991, modelVersion: training.version });
    // Evidence that is not a fraud block's is refused as malformed.
    expect(await f.books.engine.execute('compliance.report_refusal', { reportId: f.books.ids.next(), command: 'transfer.internal', code: 'fraud_block', message: 'x', customerId: customer.id, details: { probability: 7 } }, alice)).toMatchObject({ ok: false, code: 'report_malformed' });
  });
});


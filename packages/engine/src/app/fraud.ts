/**
 * Fraud scoring in the command path (the shell around core/ai): the deployed champion scores each
 * payment a money command would make, from the customer's and the accounts' feature state kept in
 * the store, before anything posts; its probability decides approve, review (held for compliance)
 * or block, with the reasons in words. A challenger scores in shadow beside it. When the champion
 * cannot score in time (not loadable, failing, slower than its budget) the payment goes to review,
 * never to approve. Once the command ran, the states move on, the event is kept for training, and
 * the day's score and feature distributions are tallied for the drift monitor.
 */
import { assert } from '../core/assert';
import type { CaseAlert } from '../core/banking/types';
import { compileClassifier } from '../core/ai/scorer';
import { compileExplainer, topReasons, type Explainer } from '../core/ai/treeshap';
import { parseFraudModelText, type DeployedModel, type ModelSlot } from '../core/ai/deployment';
import { binIndex } from '../core/ai/metrics';
import { businessDay } from '../core/sync/stand-in';
import {
  compareEvents,
  emptyFeatureState,
  featureNames,
  featureVector,
  graphAccountIds,
  updateGraph,
  updateState,
  type AccountGraphState,
  type FeatureState,
  type PaymentChannel,
  type PaymentEvent,
  type PaymentKind,
} from '../core/ai/features';
import { reasonsSentence, wordedReasons, type WordedReason } from '../core/ai/reasons';
import { modelPath } from '../core/update/content';
import type { MonitoredTransaction } from '../core/monitoring';
import type { Id128 } from '../core/ids';
import type { StorageTx } from '../ports/storage';
import { balancesOf } from './commands/posting';
import { bodyIntact } from './content';
import { openOrJoinCase, sarDueAtMs } from './cases';
import type { DecisionContext } from './monitoring';

/** Scores one feature vector: the probability of fraud. The server's runs onnxruntime; the default is the engine's own scorer. */
export interface FraudRuntime {
  score(row: Float64Array): Promise<number>;
}

export type FraudRuntimeFactory = (deployed: DeployedModel) => Promise<FraudRuntime>;

export interface FraudOptions {
  /** How the host runs a model; the engine's scorer by default. */
  readonly runtime?: FraudRuntimeFactory;
  /** Milliseconds the champion has to score one payment before it goes to review; default 50. */
  readonly budgetMs?: number;
}

export const fraudScoreBudgetMsDefault = 50;
/** Reasons kept with a decision. */
export const fraudReasonsKept = 5;
export const fraudQueue = 'fraud';

export type FraudOutcome = 'approve' | 'review' | 'block';

/** Where the customer's instruction came from: the branch counter, or a channel that names the device. */
export interface PaymentOrigin {
  readonly channel: PaymentChannel;
  readonly deviceId?: string;
  readonly country?: string;
}

export interface FraudScore {
  readonly event: PaymentEvent;
  readonly slot: ModelSlot;
  readonly modelVersion: string;
  readonly onnxSha256: string;
  /** Null when the model could not score (then `unavailable` says why). */
  readonly probability: number | null;
  readonly outcome: FraudOutcome;
  readonly reasons: readonly WordedReason[];
  readonly unavailable?: string;
  readonly row: Float64Array;
}

export interface FraudChecked {
  readonly live: readonly FraudScore[];
  readonly shadow: readonly FraudScore[];
  readonly outcome: FraudOutcome;
  /** The states after every event, to keep once the command ran. */
  readonly customerStates: ReadonlyMap<string, FeatureState>;
  readonly graphStates: ReadonlyMap<string, AccountGraphState>;
  /** Payments the state already counted (a workstation replaying its queue after a pull): scored, not counted again. */
  readonly counted: ReadonlySet<string>;
  /** Null when the installed champion could not be loaded (every payment then went to review). */
  readonly champion: LoadedModel | null;
}

interface LoadedModel {
  readonly deployed: DeployedModel;
  readonly explainer: Explainer;
  readonly runtime: Promise<FraudRuntime>;
}

/** Loaded models per runtime (each host runs its own), by file hash. */
const loadedCaches = new WeakMap<FraudRuntimeFactory, Map<string, LoadedModel | { failed: string }>>();
const loadedCacheMax = 8;

const engineRuntime: FraudRuntimeFactory = async (deployed) => {
  const scorer = compileClassifier(deployed.model);
  return { score: async (row) => scorer.probability(row) };
};

/** The model installed in a slot: loaded once per process per file (cached by its hash and runtime); null when none is in force. */
async function modelIn(tx: StorageTx, slot: ModelSlot, runtime: FraudRuntimeFactory): Promise<LoadedModel | { failed: string } | null> {
  const installed = await tx.banking.get('installedContent', modelPath(slot));
  if (installed === undefined || installed.status !== 'in_force') return null;
  const key = installed.sha256;
  let loadedCache = loadedCaches.get(runtime);
  if (loadedCache === undefined) {
    loadedCache = new Map();
    loadedCaches.set(runtime, loadedCache);
  }
  const cached = loadedCache.get(key);
  if (cached !== undefined) return cached;
  let loaded: LoadedModel | { failed: string };
  // Hashed again whenever it is loaded (once per file and process, not per payment): a body edited in the store is not the model that was signed.
  const parsed = bodyIntact(installed) ? safely(() => parseFraudModelText(installed.body)) : { ok: false as const, message: 'it no longer matches its signed hash' };
  if (!parsed.ok) loaded = { failed: `the installed ${slot} model does not load: ${parsed.message}` };
  else {
    const runtimePromise = runtime(parsed.value);
    const model: LoadedModel = { deployed: parsed.value, explainer: lazyExplainer(parsed.value), runtime: runtimePromise };
    // A failure is met where it is awaited (that payment goes to review); the next payment loads it again.
    runtimePromise.catch(() => {
      if (loadedCache.get(key) === model) loadedCache.delete(key);
    });
    loaded = model;
  }
  if (loadedCache.size >= loadedCacheMax) loadedCache.delete(loadedCache.keys().next().value!);
  loadedCache.set(key, loaded);
  return loaded;
}

/** A parse that throws (a bug, not a bad file) fails the model, not the payment: it goes to review. */
function safely(parse: () => ReturnType<typeof parseFraudModelText>): ReturnType<typeof parseFraudModelText> {
  try {
    return parse();
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** The explainer compiled when first needed (only a payment the model does not approve is explained). */
function lazyExplainer(deployed: DeployedModel): Explainer {
  let compiled: Explainer | undefined;
  return {
    featureCount: deployed.model.featureNames.length,
    explain: (row) => (compiled ??= compileExplainer(deployed.model)).explain(row),
  };
}

/** Milliseconds a model's runtime has to load (an onnxruntime session) before payments waiting on it go to review. */
export const fraudModelLoadMsMax = 10_000;

const paymentKindOf: Readonly<Record<string, PaymentKind>> = { transfer_out: 'transfer_out', transfer_in: 'transfer_in', cash_deposit: 'cash_deposit', cash_withdrawal: 'cash_withdrawal' };

/** The payment as the features see it: the candidate, where it came from, the account's balance before it. */
async function paymentOf(tx: StorageTx, candidate: MonitoredTransaction, origin: PaymentOrigin): Promise<PaymentEvent | null> {
  const kind = paymentKindOf[candidate.kind];
  if (kind === undefined) return null;
  const [account] = await tx.ledger.accounts([candidate.accountId as Id128]);
  const balanceBeforeMinor = account === undefined ? 0n : BigInt(balancesOf(account).posted);
  return {
    id: candidate.id,
    atMs: candidate.atMs,
    customerId: candidate.customerId,
    accountId: candidate.accountId,
    kind,
    amountMinor: candidate.amountMinor,
    currency: candidate.currency,
    ...(candidate.counterpartyAccountId === undefined ? {} : { counterpartyAccountId: candidate.counterpartyAccountId }),
    channel: origin.channel,
    ...(origin.deviceId === undefined ? {} : { deviceId: origin.deviceId }),
    ...(origin.country === undefined ? {} : { country: origin.country }),
    balanceBeforeMinor,
  };
}

function decide(probability: number, deployed: DeployedModel): FraudOutcome {
  const { review, block } = deployed.document.thresholds;
  return probability >= block ? 'block' : probability >= review ? 'review' : 'approve';
}

/** Resolves to what the work gives, or rejects once the budget has passed. */
async function withinBudget<T>(work: Promise<T>, budgetMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${budgetMs} ms`)), budgetMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function scoreWith(model: LoadedModel, slot: ModelSlot, event: PaymentEvent, row: Float64Array, budgetMs: number): Promise<FraudScore> {
  const { deployed } = model;
  const base = { event, slot, modelVersion: deployed.model.metadata.version, onnxSha256: deployed.onnxSha256, row };
  let probability: number;
  try {
    // Loading (an onnxruntime session after a restart or a deployment) has its own allowance; the budget is for the score.
    const runtime = await withinBudget(model.runtime, fraudModelLoadMsMax, 'the model did not load');
    probability = await withinBudget(runtime.score(row), budgetMs, 'no score');
    if (!(probability >= 0 && probability <= 1)) throw new Error(`the model returned ${probability}, not a probability`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ...base, probability: null, outcome: 'review', reasons: [], unavailable: why };
  }
  const outcome = decide(probability, deployed);
  // Reasons are for people: only a payment the model does not approve is explained (a few milliseconds of TreeSHAP).
  if (outcome === 'approve') return { ...base, probability, outcome, reasons: [] };
  try {
    const explanation = model.explainer.explain(row);
    return { ...base, probability, outcome, reasons: wordedReasons(topReasons(explanation.contributions, featureNames, fraudReasonsKept), row) };
  } catch {
    // The decision stands without its reasons; the case says none could be given.
    return { ...base, probability, outcome, reasons: [] };
  }
}

const severity: Readonly<Record<FraudOutcome, number>> = { approve: 0, review: 1, block: 2 };

/**
 * Scores the command's payments with the champion (and the challenger in shadow), in the order
 * the offline replay takes them, each from the states the ones before it left. Null when no
 * champion is deployed or the command makes no payment the features describe.
 */
export async function checkFraud(tx: StorageTx, candidates: readonly MonitoredTransaction[], origin: PaymentOrigin, options: FraudOptions): Promise<FraudChecked | null> {
  const runtime = options.runtime ?? engineRuntime;
  const budgetMs = options.budgetMs ?? fraudScoreBudgetMsDefault;
  const [champion, challenger] = await Promise.all([modelIn(tx, 'champion', runtime), modelIn(tx, 'challenger', runtime)]);
  if (champion === null) return null;
  const events = (await Promise.all(candidates.map((candidate) => paymentOf(tx, candidate, origin)))).filter((event): event is PaymentEvent => event !== null).sort(compareEvents);
  if (events.length === 0) return null;
  if ('failed' in champion) {
    // The champion cannot score: every payment goes to review, with why.
    const live = events.map((event): FraudScore => ({ event, slot: 'champion', modelVersion: 'unavailable', onnxSha256: '', probability: null, outcome: 'review', reasons: [], unavailable: champion.failed, row: new Float64Array(featureNames.length) }));
    return { live, shadow: [], outcome: 'review', customerStates: new Map(), graphStates: new Map(), counted: new Set(events.map((event) => event.id)), champion: null };
  }
  const customerIds = [...new Set(events.map((event) => event.customerId))];
  const accountIds = [...new Set(events.flatMap(graphAccountIds))];
  const [customerRows, graphRows, seenRows] = await Promise.all([
    Promise.all(customerIds.map((id) => tx.banking.get('fraudCustomerState', id))),
    Promise.all(accountIds.map((id) => tx.banking.get('fraudAccountGraph', id))),
    Promise.all(events.map((event) => tx.banking.get('fraudEventSeen', event.id))),
  ]);
  const counted = new Set(events.filter((_event, index) => seenRows[index] !== undefined).map((event) => event.id));
  const customerStates = new Map<string, FeatureState>(customerIds.map((id, index) => [id, customerRows[index]?.state ?? emptyFeatureState(id)]));
  const graphStates = new Map<string, AccountGraphState>();
  accountIds.forEach((id, index) => {
    const row = graphRows[index];
    if (row !== undefined) graphStates.set(id, row.state);
  });
  const live: FraudScore[] = [];
  const shadow: FraudScore[] = [];
  for (const event of events) {
    const state = customerStates.get(event.customerId)!;
    // An event older than what the state already holds (a late replay) is scored at the state's time.
    const fitted = state.lastAtMs !== null && event.atMs < state.lastAtMs ? { ...event, atMs: state.lastAtMs } : event;
    const row = featureVector(state, graphStates, fitted);
    const [scored, shadowed] = await Promise.all([
      scoreWith(champion, 'champion', fitted, row, budgetMs),
      challenger === null || 'failed' in challenger ? Promise.resolve(null) : scoreWith(challenger, 'challenger', fitted, row, budgetMs),
    ]);
    live.push(scored);
    if (shadowed !== null) shadow.push(shadowed);
    if (counted.has(event.id)) continue;
    customerStates.set(event.customerId, updateState(state, fitted));
    for (const [accountId, changed] of updateGraph(graphStates, fitted)) graphStates.set(accountId, changed);
  }
  const outcome = live.reduce<FraudOutcome>((worst, score) => (severity[score.outcome] > severity[worst] ? score.outcome : worst), 'approve');
  return { live, shadow, outcome, customerStates, graphStates, counted, champion };
}

/** One score in words: "score 0.97 (model v3): to a payee never paid before; …", or why there is none. */
export function describeFraud(score: FraudScore): string {
  if (score.probability === null) return `the fraud model could not score it (${score.unavailable ?? 'unavailable'})`;
  return `fraud score ${score.probability >= 0.01 ? score.probability.toFixed(2) : score.probability.toPrecision(2)} (model ${score.modelVersion}): ${reasonsSentence(score.reasons)}`;
}

/** Milliseconds from the epoch a training-event key counts from, so keys sort by time. */
function eventKey(event: PaymentEvent): string {
  return `${String(event.atMs).padStart(15, '0')}:${event.id}`;
}

/**
 * After the command ran: the states move on, each event is kept for training, and the day's
 * score and feature bins are tallied for the drift monitor (per model file).
 */
export async function recordFraud(tx: StorageTx, checked: FraudChecked): Promise<void> {
  for (const [customerId, state] of checked.customerStates) await tx.banking.put('fraudCustomerState', { id: customerId, state });
  for (const [accountId, state] of checked.graphStates) await tx.banking.put('fraudAccountGraph', { id: accountId, state });
  const fresh = checked.live.filter((score) => !checked.counted.has(score.event.id));
  for (const score of fresh) {
    await tx.banking.put('fraudEvent', { id: eventKey(score.event), event: score.event });
    await tx.banking.put('fraudEventSeen', { id: score.event.id, key: eventKey(score.event) });
  }
  const scored = fresh.filter((score) => score.probability !== null);
  if (scored.length === 0 || checked.champion === null) return;
  const { deployed } = checked.champion;
  const day = businessDay(scored[0]!.event.atMs);
  const id = `${day}:${deployed.onnxSha256}`;
  const existing = await tx.banking.get('fraudDriftTally', id);
  const reference = deployed.document.reference;
  const tally = existing ?? {
    id,
    day,
    onnxSha256: deployed.onnxSha256,
    modelVersion: deployed.model.metadata.version,
    count: 0,
    score: new Array<number>(reference.score.shares.length).fill(0),
    features: Object.fromEntries(featureNames.map((name) => [name, new Array<number>(reference.features[name]!.shares.length).fill(0)])),
  };
  const score = [...tally.score];
  const features: Record<string, number[]> = Object.fromEntries(Object.entries(tally.features).map(([name, counts]) => [name, [...counts]]));
  for (const item of scored) {
    score[binIndex(item.probability!, reference.score.edges)]! += 1;
    featureNames.forEach((name, column) => {
      const value = item.row[column]!;
      if (value === value) features[name]![binIndex(value, reference.features[name]!.edges)]! += 1;
    });
  }
  await tx.banking.put('fraudDriftTally', { ...tally, count: tally.count + scored.length, score, features });
}

/**
 * Keeps every live decision that was not approve (with its reasons) and every shadow score, and
 * opens or joins a case for each customer the champion sent to review or block. Returns the cases.
 */
export async function recordFraudDecisions(tx: StorageTx, checked: FraudChecked, context: DecisionContext): Promise<Array<{ id: string; number: string }>> {
  const cases: Array<{ id: string; number: string }> = [];
  for (const score of checked.live) {
    let caseId: string | null = null;
    if (score.outcome !== 'approve') {
      const opened = await openFraudCase(tx, score, context);
      cases.push({ id: opened.id, number: opened.number });
      caseId = opened.id;
      await tx.banking.put('fraudDecision', decisionRecord(score, 'live', caseId, context));
    }
  }
  for (const score of checked.shadow) await tx.banking.put('fraudDecision', decisionRecord(score, 'shadow', null, context));
  return cases;
}

function decisionRecord(score: FraudScore, role: 'live' | 'shadow', caseId: string | null, context: DecisionContext) {
  return {
    id: `${score.event.id}:${role}`,
    role,
    eventId: score.event.id,
    event: score.event,
    customerId: score.event.customerId,
    command: context.command,
    slot: score.slot,
    modelVersion: score.modelVersion,
    onnxSha256: score.onnxSha256,
    probability: score.probability,
    outcome: score.outcome,
    reasons: score.reasons,
    ...(score.unavailable === undefined ? {} : { unavailable: score.unavailable }),
    caseId,
    decidedAtMs: context.nowMs,
  };
}

async function openFraudCase(tx: StorageTx, score: FraudScore, context: DecisionContext) {
  const customer = await tx.banking.get('customer', score.event.customerId);
  const alert: CaseAlert = {
    kind: 'fraud',
    decisionId: `${score.event.id}:live`,
    transactionId: score.event.id,
    outcome: score.outcome === 'block' ? 'block' : 'review',
    probability: score.probability,
    modelVersion: score.modelVersion,
    reasons: score.reasons.map((reason) => ({ feature: reason.feature, value: reason.value, contribution: reason.contribution, words: reason.words })),
    ...(score.unavailable === undefined ? {} : { unavailable: score.unavailable }),
    atMs: score.event.atMs,
  };
  const verb = score.outcome === 'block' ? 'Blocked' : 'Held';
  return openOrJoinCase(tx, context.ids, {
    queue: fraudQueue,
    joinQueueOnly: fraudQueue,
    title: `${verb} for fraud review: ${describeFraud(score)}${customer === undefined ? '' : ` for ${customer.fullName}`}`,
    branchId: customer?.branchId ?? null,
    customerId: score.event.customerId,
    partyName: null,
    alerts: [alert],
    transactionIds: [score.event.id],
    dueAtMs: sarDueAtMs(context.nowMs),
    ...(context.approvalId === undefined ? {} : { approvalId: context.approvalId }),
    nowMs: context.nowMs,
    actor: context.actor,
  });
}

/** A case's outcome as labels for its fraud alerts' payments: confirmed is fraud (1), a false positive is not (0). */
export async function labelFromCase(tx: StorageTx, closed: { readonly id: string; readonly queue: string; readonly outcome: string | null; readonly alerts: readonly CaseAlert[] }, nowMs: number): Promise<number> {
  const label = closed.outcome === 'confirmed' || (closed.outcome === 'reported' && closed.queue === fraudQueue) ? 1 : closed.outcome === 'false_positive' ? 0 : null;
  if (label === null) return 0;
  let labelled = 0;
  for (const alert of closed.alerts) {
    if (alert.kind !== 'fraud') continue;
    await tx.banking.put('fraudLabel', { id: alert.transactionId, label, caseId: closed.id, labelledAtMs: nowMs });
    labelled += 1;
  }
  return labelled;
}

/**
 * The bank's own training data, in the order the features replay: every payment that posted, and
 * every payment the champion stopped (held and never released, or blocked) that an investigator
 * labelled, each with its label (null where no case gave one). A stopped payment never moved the
 * live state; replayed offline it joins the customer's history, the one place the two differ.
 */
export async function storedPayments(tx: StorageTx, max: number): Promise<Array<{ event: PaymentEvent; label: 0 | 1 | null }>> {
  assert(Number.isSafeInteger(max) && max > 0, 'a positive maximum');
  const rows = await tx.banking.list('fraudEvent', '', max);
  const posted = new Set(rows.map((row) => row.event.id));
  const labelled = await tx.banking.list('fraudLabel', '', max);
  const stopped: PaymentEvent[] = [];
  for (const label of labelled) {
    if (posted.has(label.id)) continue;
    const decision = await tx.banking.get('fraudDecision', `${label.id}:live`);
    if (decision?.event !== undefined) stopped.push(decision.event);
  }
  const events = [...rows.map((row) => row.event), ...stopped].sort(compareEvents).slice(0, max);
  const labels = new Map(labelled.map((label) => [label.id, label.label]));
  return events.map((event) => ({ event, label: labels.get(event.id) ?? null }));
}

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { standInPolicyVersionId, TransferCodes, type ComplianceCase, type Device, type LimitRule, type StandInPolicyRecord, type SyncException, type User } from '../../core/banking/types';
import { rolesAllow } from '../../core/rbac';
import { caseNotesMax } from '../cases';
import type { JsonValue } from '../../core/canonical-json';
import { currencyByCode } from '../../core/currencies';
import { decodeBase64url, type SignedEnvelope } from '../../core/crypto';
import type { Id128 } from '../../core/ids';
import { encodeJson } from '../../core/json-codec';
import type { Account } from '../../core/ledger';
import { parseMinor } from '../../core/money';
import { businessDay, decideBatch, openPush, openRequest, requestFreshnessMs, sealReply, serverKeyId, signAnswer, type OutboxCommand, type Verdict } from '../../core/sync';
import { command, ok, refuse, type CommandEnv, type ServerKeys } from '../command';
import { branchAccountId, openBranchCurrency } from './branches';
import { standInPolicyAt } from '../admission';
import { deviceOfMessage, devicePublicKeys, freshnessRefusal, withNonce } from './devices';
import { branchSubject } from './subjects';
import { post } from './posting';
import { currencySchema, idSchema, nonNegativeAmountSchema } from '../schemas';

/** Accounts, customers and the like one pull carries at most: a branch, not the bank. */
export const snapshotAccountsMax = 20_000;

function signer(keys: ServerKeys) {
  return { keyId: serverKeyId(keys.keyVersion), secretKeys: keys.signing.secretKeys };
}

/** A deterministic id for what the server derives from a device's command (its compensation). */
function derivedId(seed: string): Id128 {
  return bytesToHex(sha256(utf8ToBytes(seed))).slice(0, 32) as Id128;
}

/**
 * A workstation's batch: verified (device signature, device standing, sequence, chain), opened
 * (sealed to the server), and every command re-executed against the real books as the teller who
 * did it, at the time it happened. The answer — accepted, rejected or compensated per command —
 * is signed by the server and kept, so a resent batch gets the same answer and applies nothing.
 */
export const pushBatch = command({
  kind: 'write',
  input: z.object({ message: z.unknown() }),
  async run(env, input) {
    const keys = env.serverKeys;
    if (keys === null) return refuse('not_a_sync_server', 'Only the central server accepts batches.');
    const device = await deviceOfMessage(env, input.message);
    const opened = openPush(input.message, (keyId) => devicePublicKeys(device, keyId), keys.kem.secretKey);
    if (!opened.ok) return refuse(opened.code, `The batch was refused: ${opened.code.replaceAll('_', ' ')}.`);
    const { batch, digest } = opened.value;
    if (device === undefined) return refuse('unknown_key', 'The batch comes from no known workstation.');
    const decision = decideBatch(device, batch, digest, device.lastCommandSeq);
    if (decision.kind === 'refuse') return refuse(decision.code, decision.message);
    if (decision.kind === 'duplicate') {
      const stored = batch.batchSeq === device.lastBatchSeq ? await env.tx.banking.get('syncAnswer', `${device.id}:${batch.batchSeq}`) : undefined;
      if (stored === undefined || digest !== device.lastBatchDigest) {
        return refuse('batch_replayed', `Batch ${batch.batchSeq} is older than the last one accepted (${device.lastBatchSeq}); it is not applied again.`);
      }
      return ok({ answer: stored.envelope as unknown as SignedEnvelope, duplicate: true });
    }
    const verdicts: Verdict[] = [];
    let lastAtMs = device.lastCommandAtMs ?? 0;
    for (const queued of batch.commands) {
      verdicts.push(await replay(env, device, queued, lastAtMs));
      if (queued.atMs <= env.nowMs + requestFreshnessMs) lastAtMs = Math.max(lastAtMs, queued.atMs);
    }
    const last = batch.commands.at(-1)!;
    await env.tx.banking.put('device', { ...device, lastBatchSeq: batch.batchSeq, lastBatchDigest: digest, lastCommandSeq: last.seq, lastCommandAtMs: lastAtMs });
    const answer = signAnswer({ deviceId: device.id, batchSeq: batch.batchSeq, batchDigest: digest, verdicts }, signer(keys));
    await env.tx.banking.put('syncAnswer', { id: `${device.id}:${batch.batchSeq}`, deviceId: device.id, envelope: answer as unknown as Record<string, unknown> });
    return ok({ answer, duplicate: false });
  },
  // Only what was checked goes to the audit log: a signed push names its device's key and digest,
  // an unsigned or malformed one is recorded as such, never with what it claimed (unbounded).
  audit: (input) => pushAuditDetail(input.message),
});

function pushAuditDetail(message: unknown): { [key: string]: JsonValue } {
  const claimed = message as { keyId?: unknown; digest?: unknown } | null;
  const keyId = typeof claimed?.keyId === 'string' && /^device:[a-z0-9-]{3,64}:\d{1,9}$/.test(claimed.keyId) ? claimed.keyId : null;
  const digest = typeof claimed?.digest === 'string' && /^[0-9a-f]{64}$/.test(claimed.digest) ? claimed.digest : null;
  return { keyId, digest };
}

/**
 * One command of a batch, decided again by the server as if the teller had sent it online, with
 * the stand-in policy the server issued, its own tallies and the teller's standing now. A second
 * person the counter names is recorded, not believed (see NestedOptions.counterApprovedBy). Cash
 * the counter already handed over or took in is compensated when the books or the bank's settings
 * moved under it (funds, limits, a closed account); what an honest workstation could never have
 * done is not booked at all: it is refused, with an exception to investigate.
 */
async function replay(env: CommandEnv, device: Device, queued: OutboxCommand, lastAtMs: number): Promise<Verdict> {
  const timing = counterTimeRefusal(env, device, queued, lastAtMs);
  const user = await env.tx.banking.get('user', queued.actor);
  const ctx = { actor: queued.actor, roles: user?.roles ?? [], deviceId: device.id };
  // From the policy: a payout is what the stand-in policy bounds; cash changed hands at the counter
  // for whatever counts against a cash limit (deposits and payouts alike).
  const policy = env.policyOf(queued.name);
  const payout = policy?.standIn === true;
  const cashMoved = policy?.limit === 'cash';
  const outcome =
    timing ??
    (await env.runNested(queued.name, queued.input, ctx, {
      occurredAtMs: queued.atMs,
      counterApprovedBy: queued.approvedBy ?? null,
      device: { id: device.id, branchId: device.branchId },
      onHold: payout ? 'return' : 'record',
    }));
  if (outcome.ok) return { seq: queued.seq, status: 'accepted' };
  const message = queued.approvedBy === undefined ? outcome.message : `${outcome.message} (The workstation says ${queued.approvedBy} approved it at the counter; the server cannot verify that.)`;
  if (outcome.code === 'approval_required' && !payout) {
    return { seq: queued.seq, status: 'held', code: outcome.code, message, approvalId: String(outcome.details?.approvalId) };
  }
  if (!cashMoved) return { seq: queued.seq, status: 'rejected', code: outcome.code, message };
  const claim = await cashClaim(env, device, queued, payout);
  if (claim === undefined) return { seq: queued.seq, status: 'rejected', code: outcome.code, message };
  if (!compensableRefusals.has(outcome.code) || claim.tillAccountId === null || claim.overStandIn) return disbelieve(env, device, queued, outcome.code, message, claim);
  return compensate(env, device, queued, outcome.code, message, claim);
}

/**
 * Refusals an honest workstation can meet: the books or the bank's settings moved between the
 * counter and the server (the money went elsewhere, a limit was tightened or shared with another
 * workstation, an account or till closed, the teller was disabled, a sanctions list the server had
 * and the workstation did not yet names the customer: the cash is booked to offline exceptions and
 * compliance sees the exception). Anything else — an unknown
 * user, another branch, a command the policy never lets run offline, malformed input — is not what
 * an honest workstation sends, and what it claims is not booked.
 */
export const compensableRefusals: ReadonlySet<string> = new Set(['insufficient_funds', 'insufficient_cash', 'account_closed', 'session_closed', 'approval_required', 'user_disabled', 'sanctions_match', 'monitoring_block', 'fraud_block']);

/** A counter time in the future, before the device's previous command, or before its last pull for what it queued after, is not believed. */
function counterTimeRefusal(env: CommandEnv, device: Device, queued: OutboxCommand, lastAtMs: number) {
  if (queued.atMs > env.nowMs + requestFreshnessMs) return refuse('occurred_in_future', 'The command claims to have happened in the future; check the workstation clock.');
  if (queued.atMs < lastAtMs) return refuse('occurred_out_of_order', 'The command claims to have happened before the one queued ahead of it.');
  const declared = device.declared ?? { seq: 0, atMs: (device.approvedAtMs ?? device.requestedAtMs) - requestFreshnessMs };
  if (queued.seq > declared.seq && queued.atMs < declared.atMs) {
    return refuse('occurred_before_last_sync', 'The command claims to have happened before the workstation last told the server its queue, which did not hold it.');
  }
  return null;
}

/** What a cash command claims moved: the amount, the till it moved at (the teller's own, of this branch), and whether it was beyond offline authority. */
interface CashClaim {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly tillAccountId: Id128 | null;
  readonly overStandIn: boolean;
}

async function cashClaim(env: CommandEnv, device: Device, queued: OutboxCommand, payout: boolean): Promise<CashClaim | undefined> {
  const input = queued.input as { sessionId?: unknown; money?: { amount?: unknown; currency?: unknown } };
  const amount = typeof input.money?.amount === 'string' ? parseMinor(input.money.amount) : undefined;
  const currency = typeof input.money?.currency === 'string' ? input.money.currency : '';
  if (amount === undefined || !amount.ok || amount.value <= 0n || currencyByCode(currency) === undefined) return undefined;
  const session = typeof input.sessionId === 'string' ? await env.tx.banking.get('tillSession', input.sessionId) : undefined;
  const till = session === undefined ? undefined : await env.tx.banking.get('till', session.tillId);
  // Only the teller's own session, at a till of the device's own branch, in the currency: anything else the device names is not its cash.
  const own = session !== undefined && till !== undefined && session.tellerId === queued.actor && till.branchId === device.branchId && till.currency === currency;
  const policy = payout ? await standInPolicyAt(env.tx, device.branchId, currency, queued.atMs) : undefined;
  const overStandIn = payout && (policy === undefined || amount.value > policy.perTransactionMinor);
  return { amountMinor: amount.value, currency, tillAccountId: own ? till.accountId : null, overStandIn };
}

function exceptionOf(device: Device, queued: OutboxCommand, code: string, message: string, claim: CashClaim, compensationTransferId: Id128 | null, nowMs: number, id: Id128): SyncException {
  return {
    id,
    deviceId: device.id,
    branchId: device.branchId,
    seq: queued.seq,
    command: queued.name,
    actor: queued.actor,
    code,
    message,
    amountMinor: claim.amountMinor,
    currency: claim.currency,
    compensationTransferId,
    occurredAtMs: queued.atMs,
    recordedAtMs: nowMs,
    status: 'open',
  };
}

/** The device says cash moved where the server cannot believe it did: nothing is booked; the branch and compliance investigate. */
async function disbelieve(env: CommandEnv, device: Device, queued: OutboxCommand, code: string, message: string, claim: CashClaim): Promise<Verdict> {
  const id = derivedId(`disbelieved:${device.id}:${queued.seq}`);
  await env.tx.banking.put('syncException', exceptionOf(device, queued, code, `${message} Nothing was booked: count the till.`, claim, null, env.nowMs, id));
  return { seq: queued.seq, status: 'rejected', code, message, exceptionId: id };
}

/**
 * The server refused cash that already changed hands at the counter. Nothing is rolled back: the
 * cash movement is booked against the branch's offline-exceptions account instead of the
 * customer's, and an exception is opened for the teller, the head teller and compliance.
 */
async function compensate(env: CommandEnv, device: Device, queued: OutboxCommand, code: string, message: string, claim: CashClaim): Promise<Verdict> {
  const payout = env.policyOf(queued.name)?.standIn === true;
  await openBranchCurrency(env, device.branchId, claim.currency);
  const exceptions = (await branchAccountId(env, device.branchId, 'offline_exceptions', claim.currency))!;
  const input = queued.input as { transferId?: unknown };
  const compensationTransferId = derivedId(`compensation:${device.id}:${queued.seq}:${String(input.transferId)}`);
  const posted = await post(env, [
    {
      id: compensationTransferId,
      debitAccountId: payout ? exceptions : claim.tillAccountId!,
      creditAccountId: payout ? claim.tillAccountId! : exceptions,
      amount: claim.amountMinor,
      ledger: currencyByCode(claim.currency)!.numeric,
      code: TransferCodes.offlineCompensation,
      userData64: BigInt(queued.atMs),
    },
  ]);
  if (!posted.ok) return { seq: queued.seq, status: 'rejected', code, message: `${message} The compensation could not be booked either (${posted.code}).` };
  await env.tx.banking.put('syncException', exceptionOf(device, queued, code, message, claim, compensationTransferId, env.nowMs, compensationTransferId));
  return { seq: queued.seq, status: 'compensated', code, message, exceptionId: compensationTransferId };
}

/**
 * What changed for the device's branch: every account of the branch with its balances, the
 * customers, tills, open sessions, products, stand-in policies, rate sheets, the device's users
 * and their limits and today's tallies, and the open exceptions — sealed to the device, signed by
 * the server, and bound to the request (its digest and nonce) and to the cursor it leaves the
 * device at, so an old answer cannot be replayed to roll a workstation back. The request itself
 * must be fresh and its nonce new. The cursor is the server's ledger position.
 */
export const pullBranch = command({
  kind: 'write',
  input: z.object({ message: z.unknown() }),
  async run(env, input) {
    const keys = env.serverKeys;
    if (keys === null) return refuse('not_a_sync_server', 'Only the central server answers pulls.');
    const device = await deviceOfMessage(env, input.message);
    const opened = openRequest(input.message, 'pull', (keyId) => devicePublicKeys(device, keyId));
    if (!opened.ok) return refuse(opened.code, `The pull was refused: ${opened.code.replaceAll('_', ' ')}.`);
    if (device === undefined || device.status !== 'active') {
      return refuse(device?.status === 'revoked' ? 'device_revoked' : 'device_not_active', 'This workstation may not pull.');
    }
    const stale = freshnessRefusal(env, device, opened.value);
    if (stale !== null) return stale;
    await env.tx.banking.put('device', declaring(withNonce(device, opened.value, env.nowMs), opened.value));
    const snapshot = await branchSnapshot(env, device);
    const kem = decodeBase64url(device.kemPublicKey)!;
    const binding = { deviceId: device.id, requestDigest: opened.envelope.digest, nonce: String(opened.value.nonce), cursor: snapshot.cursor };
    const reply = sealReply('pull_answer', { snapshot: encodeJson(snapshot) }, kem, signer(keys), binding);
    return ok({ reply });
  },
  audit: (input) => pushAuditDetail(input.message),
});

/**
 * The device with its outbox head as this pull declares it: the last seq it had queued, at its own
 * clock's time of the request (freshness already bounds that time). Never moves back.
 */
function declaring(device: Device, request: { readonly [key: string]: JsonValue }): Device {
  const seq = request.outboxSeq;
  const atMs = request.atMs;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || typeof atMs !== 'number') return device;
  if (device.declared !== undefined && (seq < device.declared.seq || atMs < device.declared.atMs)) return device;
  return { ...device, declared: { seq, atMs } };
}

/** Rate sheets one pull carries at most. */
export const snapshotRateSheetsMax = 200;

export async function branchSnapshot(env: CommandEnv, device: Device) {
  const branchId = device.branchId;
  const branch = await env.tx.banking.get('branch', branchId);
  const tills = await env.tx.banking.findBy('till', 'branch', branchId, snapshotAccountsMax);
  const customers = await env.tx.banking.findBy('customer', 'branch', branchId, snapshotAccountsMax);
  const bankAccounts = (await Promise.all(customers.map((c) => env.tx.banking.findBy('bankAccount', 'customer', c.id, 100)))).flat();
  const sessions = (await Promise.all(tills.map((t) => env.tx.banking.findBy('tillSession', 'openTill', t.id, 1)))).flat();
  const branchAccounts = [];
  for (const currency of new Set(tills.map((t) => t.currency).concat(bankAccounts.map((a) => a.currency)))) {
    for (const purpose of ['vault', 'variance', 'head_office', 'fx_position', 'offline_exceptions'] as const) {
      const found = await env.tx.banking.get('branchAccount', `${branchId}:${purpose}:${currency}`);
      if (found !== undefined) branchAccounts.push(found);
    }
  }
  const products = await env.tx.banking.list('product', '', 1000);
  const policies = await env.tx.banking.findBy('standInPolicy', 'branch', branchId, 100);
  const exceptions = await env.tx.banking.findBy('syncException', 'open', branchId, 1000);
  const deviceUsers = await env.tx.banking.findBy('deviceUser', 'device', device.id, snapshotDeviceUsersMax);
  const people = (await Promise.all(deviceUsers.map((entry) => env.tx.banking.get('user', entry.userId)))).filter((user) => user !== undefined);
  // The device's own users only, without their password hashes; the limits that apply to them.
  const users = people.map((user) => ({ ...user, passwordHash: '' }));
  const limitRules = await limitsOf(env, people);
  const tallies = await env.tx.banking.findBy('tally', 'branchDay', `${branchId}:${businessDay(env.nowMs)}`, snapshotAccountsMax);
  const rateSheets = await env.tx.banking.list('rateSheet', '', snapshotRateSheetsMax);
  // The branch's CBDC wallets, so a counter without a link can take an offline voucher between two of them.
  const cbdcWallets = await env.tx.banking.findBy('cbdcWallet', 'branch', branchId, snapshotAccountsMax);
  const ledgerIds = [...tills.map((t) => t.accountId), ...bankAccounts.map((a) => a.id), ...branchAccounts.map((a) => a.accountId)];
  const accounts: Account[] = await env.tx.ledger.accounts(ledgerIds);
  const compliance = await complianceSnapshot(env, people);
  const cursor = await env.tx.ledger.lastTimestamp();
  return {
    cursor: cursor.toString(),
    device: { lastBatchSeq: device.lastBatchSeq, lastCommandSeq: device.lastCommandSeq },
    branch,
    tills,
    customers,
    bankAccounts,
    sessions,
    branchAccounts,
    products,
    policies,
    exceptions,
    users,
    deviceUsers,
    limitRules,
    tallies,
    rateSheets,
    cbdcWallets,
    accounts,
    ...compliance,
  };
}

/** Cases one workstation holds at most (an officer's own, open ones). */
export const snapshotCasesMax = 500;

/**
 * What an officer registered on the workstation works on offline: the open cases assigned to them,
 * with their notes and the decisions behind them; and the scenarios in force, so the workstation
 * monitors what it books offline as the server would.
 */
async function complianceSnapshot(env: CommandEnv, people: readonly User[]) {
  const cases: ComplianceCase[] = [];
  for (const person of people) {
    if (!rolesAllow(person.roles, 'compliance.review')) continue;
    cases.push(...(await env.tx.banking.findBy('complianceCase', 'assignee', person.id, snapshotCasesMax - cases.length)));
    if (cases.length >= snapshotCasesMax) break;
  }
  const caseNotes = (await Promise.all(cases.map((found) => env.tx.banking.findBy('caseNote', 'case', found.id, caseNotesMax)))).flat();
  const decisionIds = cases.flatMap((found) => found.alerts.flatMap((alert) => (alert.kind === 'monitoring' ? [alert.decisionId] : [])));
  const caseDecisions = (await Promise.all(decisionIds.map((id) => env.tx.banking.get('monitoringDecision', id)))).filter((found) => found !== undefined);
  const state = await env.tx.banking.get('monitoringState', 'current');
  const versionIds = [state?.live?.id ?? null, state?.draft?.id ?? null].filter((id) => id !== null);
  const monitoringConfigs = (await Promise.all(['live', 'draft', ...versionIds].map((id) => env.tx.banking.get('monitoringConfig', id)))).filter((found) => found !== undefined);
  return { cases, caseNotes, caseDecisions, monitoringConfigs, monitoringState: state === undefined ? [] : [state] };
}

/** Users one workstation may have registered. */
export const snapshotDeviceUsersMax = 500;

/** The limit rules of these users: their own, and their roles'. */
async function limitsOf(env: CommandEnv, users: readonly User[]): Promise<LimitRule[]> {
  const holders = new Set<string>();
  for (const user of users) {
    holders.add(`user:${user.id}`);
    for (const role of user.roles) holders.add(`role:${role}`);
  }
  const rules = await Promise.all([...holders].map((holder) => env.tx.banking.findBy('limitRule', 'holder', holder, 100)));
  return rules.flat();
}

export type BranchSnapshot = Awaited<ReturnType<typeof branchSnapshot>>;

/**
 * A branch's new stand-in policy for one currency, the next version: the current one, and every
 * version kept, so a payout replayed later is checked against the one in force when it happened.
 */
export async function recordStandInPolicy(env: CommandEnv, limits: Omit<StandInPolicyRecord, 'id' | 'version'>): Promise<StandInPolicyRecord> {
  const id = `${limits.branchId}:${limits.currency}`;
  const previous = await env.tx.banking.get('standInPolicy', id);
  const policy: StandInPolicyRecord = { ...limits, id, version: (previous?.version ?? 0) + 1 };
  await env.tx.banking.put('standInPolicy', policy);
  await env.tx.banking.put('standInPolicy', { ...policy, id: standInPolicyVersionId(limits.branchId, limits.currency, policy.version) });
  return policy;
}

export const setStandInPolicy = command({
  kind: 'write',
  input: z.object({
    branchId: idSchema,
    currency: currencySchema,
    perTransaction: nonNegativeAmountSchema,
    perCustomerPerDay: nonNegativeAmountSchema,
    perTellerPerDay: nonNegativeAmountSchema,
    validForMs: z.number().int().min(60_000).max(31 * 24 * 60 * 60 * 1000),
  }),
  async run(env, input) {
    if ((await env.tx.banking.get('branch', input.branchId)) === undefined) return refuse('branch_not_found', 'No branch has this id.');
    return ok(
      await recordStandInPolicy(env, {
        branchId: input.branchId,
        currency: input.currency,
        perTransactionMinor: input.perTransaction,
        perCustomerPerDayMinor: input.perCustomerPerDay,
        perTellerPerDayMinor: input.perTellerPerDay,
        issuedAtMs: env.nowMs,
        expiresAtMs: env.nowMs + input.validForMs,
      }),
    );
  },
  precheck: async (env, input) => ((await env.tx.banking.get('branch', input.branchId)) === undefined ? refuse('branch_not_found', 'No branch has this id.') : null),
});

export const listSyncExceptions = command({
  kind: 'read',
  input: z.object({ branchId: idSchema }),
  subject: (env, input) => branchSubject(env, input.branchId),
  async run(env, input) {
    return ok(await env.tx.banking.findBy('syncException', 'open', input.branchId, 1000));
  },
});

/** Checks a workstation's signed request to hear about changes (the WebSocket's first message): fresh, with a new nonce. */
export const subscribeChanges = command({
  kind: 'write',
  input: z.object({ message: z.unknown() }),
  async run(env, input) {
    const device = await deviceOfMessage(env, input.message);
    const opened = openRequest(input.message, 'subscribe', (keyId) => devicePublicKeys(device, keyId));
    if (!opened.ok) return refuse(opened.code, `The subscription was refused: ${opened.code.replaceAll('_', ' ')}.`);
    if (device === undefined || device.status !== 'active') {
      return refuse(device?.status === 'revoked' ? 'device_revoked' : 'device_not_active', 'This workstation may not subscribe.');
    }
    const stale = freshnessRefusal(env, device, opened.value);
    if (stale !== null) return stale;
    await env.tx.banking.put('device', withNonce(device, opened.value, env.nowMs));
    return ok({ deviceId: device.id, branchId: device.branchId });
  },
  audit: (input) => pushAuditDetail(input.message),
});

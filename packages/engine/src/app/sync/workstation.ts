import { AssertionError } from '../../core/assert';
import type { OutboxEntry, WorkstationState } from '../../core/banking/types';
import { decodeBase64url, hybridKeyPair, hybridPublicKeysFromJson, type HybridPublicKeys, type SignedEnvelope } from '../../core/crypto';
import { decodeJson } from '../../core/json-codec';
import { canonicalJson, type JsonValue } from '../../core/canonical-json';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  batchCommandsMax,
  batchDigest,
  deviceKeyId,
  offlineCommands,
  openAnswer,
  openReply,
  sealPush,
  serverKeyId,
  signRequest,
  type OutboxCommand,
  type PushBatch,
} from '../../core/sync';
import { encodeBase64url } from '../../core/crypto';
import type { Clock } from '../../ports/clock';
import type { MirrorStore } from '../../ports/mirror';
import type { Storage, StorageTx } from '../../ports/storage';
import type { Context } from '../command';
import type { BranchSnapshot } from '../commands/sync';
import type { Engine, WriteHooks } from '../engine';

/** What the network did with a message: the server's reply body, a refusal, or nothing at all. */
export type TransportResult =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string }
  | { readonly ok: false; readonly code: 'unreachable'; readonly message: string };

/** How a workstation reaches the server: HTTP in the product, a simulated network in tests. */
export interface SyncTransport {
  push(message: SignedEnvelope): Promise<TransportResult>;
  pull(message: SignedEnvelope): Promise<TransportResult>;
}

const stateId = 'local';

function isOffline(name: string): boolean {
  return offlineCommands.includes(name);
}

/**
 * The outbox hooks: each command the policy lets run offline is queued in its own transaction,
 * with the second person who approved it at the counter, at a counter time that never goes back.
 */
const outboxHooks: WriteHooks = {
  async after(tx, name, input, ctx, meta) {
    if (!isOffline(name)) return;
    const transferId = outboxKey(name, input);
    // A replay after a pull runs the same command again: it is queued already.
    if ((await tx.banking.findBy('outboxEntry', 'transfer', transferId, 1)).length > 0) return;
    const state = await loadState(tx);
    const seq = state.lastCommandSeq + 1;
    const atMs = Math.max(meta.occurredAtMs, state.lastCommandAtMs);
    await tx.banking.put('outboxEntry', {
      id: String(seq).padStart(12, '0'),
      seq,
      name,
      input: JSON.parse(JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as Record<string, unknown>,
      actor: ctx.actor,
      roles: [...ctx.roles],
      atMs,
      transferId,
      approvedBy: meta.approvedBy,
      status: 'pending',
      code: null,
      message: null,
    });
    await tx.banking.put('workstation', { ...state, lastCommandSeq: seq, lastCommandAtMs: atMs });
  },
};

/**
 * What makes a queued command one command: its transfer's id, or the id its maker gave it (a case
 * note, a report proposal, a refusal report); a command with neither (starting an investigation)
 * is the same command when its name and input are, so a replay after a pull is not queued twice.
 */
export function outboxKey(name: string, input: unknown): string {
  const body = (input ?? {}) as { transferId?: unknown; noteId?: unknown; proposalId?: unknown; reportId?: unknown };
  for (const id of [body.transferId, body.noteId, body.proposalId, body.reportId]) if (typeof id === 'string') return id;
  const wire = JSON.parse(JSON.stringify(input ?? null, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as JsonValue;
  return bytesToHex(sha256(utf8ToBytes(`${name}\u0000${canonicalJson(wire)}`))).slice(0, 32);
}

/** Random bytes in a signed request's nonce. */
const requestNonceBytes = 24;

function newNonce(): string {
  const bytes = new Uint8Array(requestNonceBytes);
  globalThis.crypto.getRandomValues(bytes);
  return encodeBase64url(bytes);
}

async function loadState(tx: StorageTx): Promise<WorkstationState> {
  const state = await tx.banking.get('workstation', stateId);
  if (state === undefined) throw new AssertionError('this workstation is not enrolled: no local sync state');
  return state;
}

/**
 * The workstation's half of the sync protocol. Teller commands run on the local books at once
 * (provisionally, admitted offline: limits and the server's signed stand-in policy); the hooks queue
 * each offline command in the outbox in the same transaction, with a gap-free sequence number.
 * `push` sends the queue in signed, sealed batches, one at a time, resending the same batch until
 * it is answered; `pull` replaces the local copy of the branch with the server's and replays the
 * commands the server has not applied yet on top.
 */
export class WorkstationSync {
  constructor(
    private readonly deps: {
      readonly engine: Engine;
      readonly storage: Storage;
      readonly mirror: MirrorStore;
      readonly clock: Clock;
      readonly transport: SyncTransport;
      /**
       * The device's secret keys, when the host keeps them outside the database (the desktop app: in
       * the operating system's secret store); the local state then holds empty strings for them.
       */
      readonly secrets?: DeviceSecrets;
    },
  ) {}

  private signingSeed(state: WorkstationState): string {
    return this.deps.secrets?.signingSeed ?? state.signingSeed;
  }

  private kemSecretKey(state: WorkstationState): string {
    return this.deps.secrets?.kemSecretKey ?? state.kemSecretKey;
  }

  /**
   * What a workstation's engine is built with besides its storage, clock and ids: host
   * `workstation` (the engine admits each command offline, stand-in policy included) and the
   * outbox hooks. One without the other would queue commands nobody bounded, or bound commands
   * nobody queues.
   */
  static engineOptions(): { readonly host: 'workstation'; readonly hooks: WriteHooks } {
    return { host: 'workstation', hooks: outboxHooks };
  }

  /** Records the workstation's identity after the server approved its enrolment. */
  static async initialise(
    storage: Storage,
    state: Omit<WorkstationState, 'id' | 'lastCommandSeq' | 'lastAckedBatchSeq' | 'lastAckedCommandSeq' | 'lastBatchDigest' | 'inflight' | 'cursor' | 'lastCommandAtMs'>,
  ): Promise<void> {
    await storage.transaction(async (tx) => {
      if ((await tx.banking.get('workstation', stateId)) !== undefined) return;
      await tx.banking.put('workstation', {
        ...state,
        id: stateId,
        lastCommandSeq: 0,
        lastAckedBatchSeq: 0,
        lastAckedCommandSeq: 0,
        lastBatchDigest: '',
        inflight: null,
        cursor: '0',
        lastCommandAtMs: 0,
      });
    });
  }

  /** Sends the next batch (or resends the unanswered one) and applies the answer. */
  async push(): Promise<'nothing_to_send' | 'answered' | TransportResult> {
    const prepared = await this.deps.storage.transaction((tx) => this.prepareBatch(tx));
    if (prepared === null) return 'nothing_to_send';
    const result = await this.deps.transport.push(prepared.envelope as unknown as SignedEnvelope);
    if (!result.ok) return result;
    const body = result.body as { answer?: unknown };
    const state = await this.deps.storage.read((tx) => loadState(tx));
    const opened = openAnswer(body.answer, (keyId) => serverKeys(state, keyId));
    if (!opened.ok) return { ok: false, code: opened.code, message: 'The server answer did not verify; the batch will be sent again.' };
    const answer = opened.value;
    if (answer.deviceId !== state.deviceId || answer.batchSeq !== prepared.batchSeq || answer.batchDigest !== prepared.digest) {
      return { ok: false, code: 'answer_mismatch', message: 'The answer is for another batch; the batch will be sent again.' };
    }
    await this.deps.storage.transaction(async (tx) => {
      const current = await loadState(tx);
      if (current.inflight?.batchSeq !== answer.batchSeq) return; // answered already (a duplicate answer)
      for (const verdict of answer.verdicts) {
        const entry = await tx.banking.get('outboxEntry', String(verdict.seq).padStart(12, '0'));
        if (entry === undefined) continue;
        const settled: OutboxEntry = {
          ...entry,
          status: verdict.status,
          code: verdict.status === 'accepted' ? null : verdict.code,
          message: verdict.status === 'accepted' ? null : verdict.message,
        };
        // A held command is the server's now: its supervisors decide it, and the next pull shows how.
        await tx.banking.put('outboxEntry', settled);
      }
      await tx.banking.put('workstation', {
        ...current,
        lastAckedBatchSeq: answer.batchSeq,
        lastAckedCommandSeq: current.inflight.lastCommandSeq,
        lastBatchDigest: answer.batchDigest,
        inflight: null,
      });
    });
    return 'answered';
  }

  /** The unanswered batch, or a new one from the queue; stored before it is sent. */
  private async prepareBatch(tx: StorageTx): Promise<NonNullable<WorkstationState['inflight']> | null> {
    const state = await loadState(tx);
    if (state.inflight !== null) return state.inflight;
    const entries = await tx.banking.list('outboxEntry', String(state.lastAckedCommandSeq).padStart(12, '0'), batchCommandsMax);
    if (entries.length === 0) return null;
    const batch: PushBatch = {
      deviceId: state.deviceId,
      batchSeq: state.lastAckedBatchSeq + 1,
      prevDigest: state.lastBatchDigest,
      commands: entries.map(
        (entry): OutboxCommand => ({
          seq: entry.seq,
          name: entry.name,
          input: entry.input as OutboxCommand['input'],
          actor: entry.actor,
          roles: entry.roles,
          atMs: entry.atMs,
          ...(entry.approvedBy === null ? {} : { approvedBy: entry.approvedBy }),
        }),
      ),
    };
    const keys = signingKeys(this.signingSeed(state));
    const envelope = sealPush(batch, { keyId: deviceKeyId(state.deviceId, state.keyVersion), secretKeys: keys.secretKeys }, decodeBase64url(state.serverKemPublicKey)!);
    const inflight = { batchSeq: batch.batchSeq, digest: batchDigest(batch), lastCommandSeq: entries.at(-1)!.seq, envelope: envelope as unknown as Record<string, unknown> };
    await tx.banking.put('workstation', { ...state, inflight });
    return inflight;
  }

  /**
   * Replaces the local branch with the server's, then replays what the server has not applied yet.
   * The request is signed with a fresh nonce and the time; the answer must be bound to this very
   * request and must not move the cursor back, or nothing is applied.
   */
  async pull(): Promise<'pulled' | TransportResult> {
    const state = await this.deps.storage.read((tx) => loadState(tx));
    const keys = signingKeys(this.signingSeed(state));
    const nonce = newNonce();
    // The outbox head goes with it: the server will not believe a later command claiming to be older.
    const request = signRequest('pull', { deviceId: state.deviceId, cursor: state.cursor, atMs: this.deps.clock.nowMs(), nonce, outboxSeq: state.lastCommandSeq }, {
      keyId: deviceKeyId(state.deviceId, state.keyVersion),
      secretKeys: keys.secretKeys,
    });
    const result = await this.deps.transport.pull(request);
    if (!result.ok) return result;
    const expected = { deviceId: state.deviceId, requestDigest: request.digest, nonce, cursorAtLeast: BigInt(state.cursor) };
    const opened = openReply((result.body as { reply?: unknown }).reply, 'pull_answer', (keyId) => serverKeys(state, keyId), decodeBase64url(this.kemSecretKey(state))!, expected);
    if (!opened.ok) return { ok: false, code: opened.code, message: 'The pull answer did not verify or is not for this request; nothing was applied.' };
    const snapshot = decodeJson<BranchSnapshot>((opened.value.body as { snapshot: string }).snapshot);
    const pending = await this.deps.storage.transaction(async (tx) => {
      const current = await loadState(tx);
      // Another pull may have landed first: never go back to an older view of the books.
      if (BigInt(current.cursor) > BigInt(opened.value.binding.cursor)) return null;
      await this.deps.mirror.replaceBranch(snapshot.accounts, {
        branch: snapshot.branch === undefined ? [] : [snapshot.branch],
        till: snapshot.tills,
        customer: snapshot.customers,
        bankAccount: snapshot.bankAccounts,
        tillSession: snapshot.sessions,
        branchAccount: snapshot.branchAccounts,
        product: snapshot.products,
        standInPolicy: snapshot.policies,
        syncException: snapshot.exceptions,
        user: snapshot.users,
        deviceUser: snapshot.deviceUsers,
        limitRule: snapshot.limitRules,
        tally: snapshot.tallies,
        rateSheet: snapshot.rateSheets,
        // A server from before cases were synced sends none: the officer's copy is then empty, never stale.
        complianceCase: snapshot.cases ?? [],
        caseNote: snapshot.caseNotes ?? [],
        monitoringDecision: snapshot.caseDecisions ?? [],
        monitoringConfig: snapshot.monitoringConfigs ?? [],
        monitoringState: snapshot.monitoringState ?? [],
        cbdcWallet: snapshot.cbdcWallets ?? [],
      });
      // Later commands are never timed before this pull, which told the server the queue's head.
      const declaredAtMs = Number((request.payload as { atMs: number }).atMs);
      await tx.banking.put('workstation', { ...current, cursor: opened.value.binding.cursor, lastCommandAtMs: Math.max(current.lastCommandAtMs, declaredAtMs) });
      const entries = await tx.banking.list('outboxEntry', String(snapshot.device.lastCommandSeq).padStart(12, '0'), 100_000);
      return entries.filter((entry) => entry.status === 'pending');
    });
    if (pending === null) return { ok: false, code: 'reply_moves_cursor_back', message: 'A newer pull was applied meanwhile; this answer was not.' };
    for (const entry of pending) {
      const ctx: Context = { actor: entry.actor, roles: entry.roles, deviceId: state.deviceId };
      await this.deps.engine.replay(entry.name, entry.input, ctx, entry.atMs, entry.approvedBy);
    }
    return 'pulled';
  }

  /** Pushes until the queue is empty (or the network fails), then pulls. */
  async sync(): Promise<'synced' | TransportResult> {
    for (;;) {
      const pushed = await this.push();
      if (pushed === 'nothing_to_send') break;
      if (pushed !== 'answered') return pushed;
    }
    const pulled = await this.pull();
    return pulled === 'pulled' ? 'synced' : pulled;
  }
}

/** A device's secret keys (base64url): the hybrid signing seed and the sealed-box secret key. */
export interface DeviceSecrets {
  readonly signingSeed: string;
  readonly kemSecretKey: string;
}

/** Expanding the signing seed is an ML-DSA key generation (about 29 ms): done once per seed, for every part of the workstation that signs. */
const keyPairs = new Map<string, ReturnType<typeof hybridKeyPair>>();
export function signingKeys(signingSeed: string): ReturnType<typeof hybridKeyPair> {
  let keys = keyPairs.get(signingSeed);
  if (keys === undefined) {
    keys = hybridKeyPair(decodeBase64url(signingSeed)!);
    if (keyPairs.size >= 16) keyPairs.clear();
    keyPairs.set(signingSeed, keys);
  }
  return keys;
}

function serverKeys(state: WorkstationState, keyId: string): HybridPublicKeys | undefined {
  return keyId === serverKeyId(state.serverKeyVersion) ? hybridPublicKeysFromJson(state.serverPublicKeys) : undefined;
}


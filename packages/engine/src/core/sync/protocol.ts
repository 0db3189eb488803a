import { bytesToUtf8 } from '@noble/ciphers/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { JsonValue } from '../canonical-json';
import {
  envelopeDigest,
  open,
  sealedBoxFromJson,
  sealedBoxToJson,
  sealTo,
  signEnvelope,
  verifyEnvelope,
  type EnvelopeRefusalCode,
  type EnvelopeSigner,
  type HybridPublicKeys,
  type SealOptions,
  type SignedEnvelope,
} from '../crypto';
import { commandNameLengthMax, type PushAnswer, type PushBatch } from './types';
import { envelopePayloadDepthMax } from '../crypto/envelope';
import { isJsonValue } from '../crypto/shape';
import { usernamePattern } from '../identity';
import { timestampMsMax } from '../time';

/**
 * The sync protocol's messages. A push is encrypt-then-sign: the batch is sealed to the server's
 * X-Wing key (so recorded traffic stays private), and the device signs the envelope around it
 * once (ML-DSA-65 + Ed25519), so the server checks who sent it before it decrypts anything.
 * Answers and pulls are signed by the server; a pull's snapshot is sealed to the device.
 */
export type ProtocolRefusal =
  | EnvelopeRefusalCode
  | 'malformed_message'
  | 'decryption_failed'
  | 'header_mismatch'
  | 'wrong_kind'
  | 'reply_not_for_request'
  | 'reply_moves_cursor_back';

export type Opened<T> = { readonly ok: true; readonly value: T; readonly envelope: SignedEnvelope } | { readonly ok: false; readonly code: ProtocolRefusal };


export function deviceKeyId(deviceId: string, keyVersion: number): string {
  return `device:${deviceId}:${keyVersion}`;
}

export function pushAad(deviceId: string, batchSeq: number): Uint8Array {
  return utf8ToBytes(`qenex/v1 push ${deviceId} ${batchSeq}`);
}

/** The digest that chains a device's batches: SHA-256 of the batch's canonical JSON. */
export function batchDigest(batch: PushBatch): string {
  return envelopeDigest(batch as unknown as JsonValue);
}

export function sealPush(batch: PushBatch, signer: EnvelopeSigner, serverKemPublicKey: Uint8Array, options: SealOptions = {}): SignedEnvelope {
  const plaintext = utf8ToBytes(JSON.stringify(batch));
  const sealed = sealTo(serverKemPublicKey, plaintext, pushAad(batch.deviceId, batch.batchSeq), options);
  const payload = { kind: 'push', deviceId: batch.deviceId, batchSeq: batch.batchSeq, sealed: { ...sealedBoxToJson(sealed) } };
  return signEnvelope(payload, signer);
}

/** Verifies the device's signature, then opens and checks the batch. Never throws on what arrived. */
export function openPush(
  message: unknown,
  publicKeysOf: (keyId: string) => HybridPublicKeys | undefined,
  serverKemSecretKey: Uint8Array,
): Opened<{ batch: PushBatch; digest: string; deviceId: string }> {
  const verified = verifyEnvelope(message, publicKeysOf);
  if (!verified.ok) return verified;
  const payload = verified.envelope.payload as { kind?: unknown; deviceId?: unknown; batchSeq?: unknown; sealed?: unknown };
  if (payload === null || typeof payload !== 'object' || payload.kind !== 'push') return { ok: false, code: 'wrong_kind' };
  if (typeof payload.deviceId !== 'string' || !Number.isSafeInteger(payload.batchSeq)) return { ok: false, code: 'malformed_message' };
  if (!verified.envelope.keyId.startsWith(`device:${payload.deviceId}:`)) return { ok: false, code: 'header_mismatch' };
  const sealed = sealedBoxFromJson(payload.sealed);
  if (sealed === undefined) return { ok: false, code: 'malformed_message' };
  const opened = open(serverKemSecretKey, sealed, pushAad(payload.deviceId, payload.batchSeq as number));
  if (!opened.ok) return { ok: false, code: 'decryption_failed' };
  const batch = parseBatch(opened.plaintext);
  if (batch === undefined) return { ok: false, code: 'malformed_message' };
  if (batch.deviceId !== payload.deviceId || batch.batchSeq !== payload.batchSeq) return { ok: false, code: 'header_mismatch' };
  return { ok: true, value: { batch, digest: batchDigest(batch), deviceId: batch.deviceId }, envelope: verified.envelope };
}

function parseBatch(bytes: Uint8Array): PushBatch | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytesToUtf8(bytes));
  } catch {
    return undefined;
  }
  // Bounded before anything recurses over it (the batch digest is canonical JSON, computed recursively).
  if (!isJsonValue(value, envelopePayloadDepthMax)) return undefined;
  const batch = value as Partial<PushBatch> | null;
  if (batch === null || typeof batch !== 'object') return undefined;
  if (typeof batch.deviceId !== 'string' || !Number.isSafeInteger(batch.batchSeq) || typeof batch.prevDigest !== 'string') return undefined;
  if (!Array.isArray(batch.commands)) return undefined;
  for (const command of batch.commands as unknown[]) {
    const c = command as Record<string, unknown> | null;
    if (c === null || typeof c !== 'object') return undefined;
    // Any command name may arrive; whether it may be replayed is the policy's to say, not the parser's.
    if (!Number.isSafeInteger(c.seq) || typeof c.name !== 'string' || c.name.length === 0 || c.name.length > commandNameLengthMax) return undefined;
    if (c.input === null || typeof c.input !== 'object' || Array.isArray(c.input)) return undefined;
    // The people are looked up by name before any command schema runs: a name must be a username.
    if (typeof c.actor !== 'string' || !usernamePattern.test(c.actor) || !Array.isArray(c.roles)) return undefined;
    if (c.approvedBy !== undefined && (typeof c.approvedBy !== 'string' || !usernamePattern.test(c.approvedBy))) return undefined;
    if (!Number.isSafeInteger(c.atMs) || (c.atMs as number) < 0 || (c.atMs as number) > timestampMsMax) return undefined;
  }
  return batch as PushBatch;
}

export const serverKeyId = (version: number): string => `server:${version}`;

export function signAnswer(answer: PushAnswer, signer: EnvelopeSigner): SignedEnvelope {
  return signEnvelope({ kind: 'push_answer', ...answer } as unknown as JsonValue, signer);
}

export function openAnswer(message: unknown, serverKeysOf: (keyId: string) => HybridPublicKeys | undefined): Opened<PushAnswer> {
  const verified = verifyEnvelope(message, serverKeysOf);
  if (!verified.ok) return verified;
  const payload = verified.envelope.payload as unknown as (PushAnswer & { kind: string }) | null;
  if (payload === null || typeof payload !== 'object' || payload.kind !== 'push_answer') return { ok: false, code: 'wrong_kind' };
  if (typeof payload.deviceId !== 'string' || !Number.isSafeInteger(payload.batchSeq) || !Array.isArray(payload.verdicts)) {
    return { ok: false, code: 'malformed_message' };
  }
  const { kind: _kind, ...answer } = payload;
  return { ok: true, value: answer, envelope: verified.envelope };
}

/**
 * A signed request from a device (pull, subscription, key rotation): who asks, when (`atMs`), and a
 * nonce. The server refuses one outside its freshness window or with a nonce it has seen, and binds
 * its answer to the request's digest, so neither a request nor an answer can be replayed.
 */
export function signRequest(kind: string, body: { readonly [key: string]: JsonValue }, signer: EnvelopeSigner): SignedEnvelope {
  return signEnvelope({ kind, ...body }, signer);
}

/** How far a signed request's time may be from the server's clock, either way. */
export const requestFreshnessMs = 5 * 60 * 1000;
/** Nonces remembered per device: requests within the freshness window beyond this many are refused as too many. */
export const requestNoncesMax = 256;
export const requestNoncePattern = /^[A-Za-z0-9_-]{16,64}$/;

export type FreshnessRefusal = 'request_stale' | 'nonce_malformed' | 'nonce_reused' | 'too_many_requests';

/** Recent nonces of one device, with the time each came. */
export type RecentNonces = ReadonlyArray<{ readonly nonce: string; readonly atMs: number }>;

/**
 * Whether a signed request is fresh: its time within the window of now, its nonce well formed and
 * unseen among the device's recent ones. Answers the nonces to keep (this one added, the expired dropped).
 */
export function checkFreshness(
  request: { readonly atMs?: JsonValue; readonly nonce?: JsonValue },
  recent: RecentNonces,
  nowMs: number,
): { readonly ok: true; readonly keep: RecentNonces } | { readonly ok: false; readonly code: FreshnessRefusal } {
  const atMs = request.atMs;
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs) || Math.abs(atMs - nowMs) > requestFreshnessMs) return { ok: false, code: 'request_stale' };
  if (typeof request.nonce !== 'string' || !requestNoncePattern.test(request.nonce)) return { ok: false, code: 'nonce_malformed' };
  const live = recent.filter((entry) => entry.atMs > nowMs - 2 * requestFreshnessMs);
  if (live.some((entry) => entry.nonce === request.nonce)) return { ok: false, code: 'nonce_reused' };
  if (live.length >= requestNoncesMax) return { ok: false, code: 'too_many_requests' };
  return { ok: true, keep: [...live, { nonce: request.nonce, atMs: nowMs }] };
}

export function openRequest(
  message: unknown,
  kind: string,
  publicKeysOf: (keyId: string) => HybridPublicKeys | undefined,
): Opened<{ readonly [key: string]: JsonValue }> {
  const verified = verifyEnvelope(message, publicKeysOf);
  if (!verified.ok) return verified;
  const payload = verified.envelope.payload as { kind?: unknown; deviceId?: unknown } | null;
  if (payload === null || typeof payload !== 'object' || payload.kind !== kind) return { ok: false, code: 'wrong_kind' };
  if (typeof payload.deviceId !== 'string' || !verified.envelope.keyId.startsWith(`device:${payload.deviceId}:`)) {
    return { ok: false, code: 'header_mismatch' };
  }
  return { ok: true, value: payload as { readonly [key: string]: JsonValue }, envelope: verified.envelope };
}

/**
 * What binds a reply to the request it answers: the device, the request's digest and nonce, and
 * where the reply leaves the device's cursor. Signed in the clear, so a device checks it before it
 * applies anything, and refuses a reply that is not for its request or would move it back.
 */
export interface ReplyBinding {
  readonly deviceId: string;
  readonly requestDigest: string;
  readonly nonce: string;
  readonly cursor: string;
}

/** Seals a server reply to a device's X-Wing key, inside a server-signed envelope bound to the request. */
export function sealReply(
  kind: string,
  body: JsonValue,
  deviceKemPublicKey: Uint8Array,
  signer: EnvelopeSigner,
  binding: ReplyBinding,
  options: SealOptions = {},
): SignedEnvelope {
  const sealed = sealTo(deviceKemPublicKey, utf8ToBytes(JSON.stringify(body)), replyAad(kind, binding.requestDigest), options);
  return signEnvelope({ kind, binding: { ...binding }, sealed: { ...sealedBoxToJson(sealed) } }, signer);
}

function replyAad(kind: string, requestDigest: string): Uint8Array {
  return utf8ToBytes(`qenex/v1 ${kind} ${requestDigest}`);
}

function bindingOf(value: unknown): ReplyBinding | undefined {
  const binding = value as Partial<ReplyBinding> | null;
  if (binding === null || typeof binding !== 'object') return undefined;
  const { deviceId, requestDigest, nonce, cursor } = binding;
  if (typeof deviceId !== 'string' || typeof requestDigest !== 'string' || typeof nonce !== 'string' || typeof cursor !== 'string') return undefined;
  if (!/^\d{1,20}$/.test(cursor)) return undefined;
  return { deviceId, requestDigest, nonce, cursor };
}

export function openReply(
  message: unknown,
  kind: string,
  serverKeysOf: (keyId: string) => HybridPublicKeys | undefined,
  deviceKemSecretKey: Uint8Array,
  expected: { readonly deviceId: string; readonly requestDigest: string; readonly nonce: string; readonly cursorAtLeast: bigint },
): Opened<{ readonly body: unknown; readonly binding: ReplyBinding }> {
  const verified = verifyEnvelope(message, serverKeysOf);
  if (!verified.ok) return verified;
  const payload = verified.envelope.payload as { kind?: unknown; sealed?: unknown; binding?: unknown } | null;
  if (payload === null || typeof payload !== 'object' || payload.kind !== kind) return { ok: false, code: 'wrong_kind' };
  const binding = bindingOf(payload.binding);
  if (binding === undefined) return { ok: false, code: 'malformed_message' };
  if (binding.deviceId !== expected.deviceId || binding.requestDigest !== expected.requestDigest || binding.nonce !== expected.nonce) {
    return { ok: false, code: 'reply_not_for_request' };
  }
  if (BigInt(binding.cursor) < expected.cursorAtLeast) return { ok: false, code: 'reply_moves_cursor_back' };
  const sealed = sealedBoxFromJson(payload.sealed);
  if (sealed === undefined) return { ok: false, code: 'malformed_message' };
  const opened = open(deviceKemSecretKey, sealed, replyAad(kind, binding.requestDigest));
  if (!opened.ok) return { ok: false, code: 'decryption_failed' };
  try {
    return { ok: true, value: { body: JSON.parse(bytesToUtf8(opened.plaintext)) as unknown, binding }, envelope: verified.envelope };
  } catch {
    return { ok: false, code: 'malformed_message' };
  }
}

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
import { offlineCommands, type PushAnswer, type PushBatch } from './types';

/**
 * The sync protocol's messages. A push is encrypt-then-sign: the batch is sealed to the server's
 * X-Wing key (so recorded traffic stays private), and the device signs the envelope around it
 * once (ML-DSA-65 + Ed25519), so the server checks who sent it before it decrypts anything.
 * Answers and pulls are signed by the server; a pull's snapshot is sealed to the device.
 */
export type ProtocolRefusal = EnvelopeRefusalCode | 'malformed_message' | 'decryption_failed' | 'header_mismatch' | 'wrong_kind';

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
  const batch = value as Partial<PushBatch> | null;
  if (batch === null || typeof batch !== 'object') return undefined;
  if (typeof batch.deviceId !== 'string' || !Number.isSafeInteger(batch.batchSeq) || typeof batch.prevDigest !== 'string') return undefined;
  if (!Array.isArray(batch.commands)) return undefined;
  for (const command of batch.commands as unknown[]) {
    const c = command as Record<string, unknown> | null;
    if (c === null || typeof c !== 'object') return undefined;
    if (!Number.isSafeInteger(c.seq) || !(offlineCommands as readonly unknown[]).includes(c.name)) return undefined;
    if (c.input === null || typeof c.input !== 'object' || Array.isArray(c.input)) return undefined;
    if (typeof c.actor !== 'string' || !Array.isArray(c.roles) || !Number.isSafeInteger(c.atMs)) return undefined;
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

/** A signed request from a device (pull, refusal notices): who asks, with a fresh time against replay. */
export function signRequest(kind: string, body: { readonly [key: string]: JsonValue }, signer: EnvelopeSigner): SignedEnvelope {
  return signEnvelope({ kind, ...body }, signer);
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

/** Seals a server reply to a device's X-Wing key, inside a server-signed envelope. */
export function sealReply(kind: string, body: JsonValue, deviceKemPublicKey: Uint8Array, signer: EnvelopeSigner, options: SealOptions = {}): SignedEnvelope {
  const aad = utf8ToBytes(`qenex/v1 ${kind}`);
  const sealed = sealTo(deviceKemPublicKey, utf8ToBytes(JSON.stringify(body)), aad, options);
  return signEnvelope({ kind, sealed: { ...sealedBoxToJson(sealed) } }, signer);
}

export function openReply(
  message: unknown,
  kind: string,
  serverKeysOf: (keyId: string) => HybridPublicKeys | undefined,
  deviceKemSecretKey: Uint8Array,
): Opened<unknown> {
  const verified = verifyEnvelope(message, serverKeysOf);
  if (!verified.ok) return verified;
  const payload = verified.envelope.payload as { kind?: unknown; sealed?: unknown } | null;
  if (payload === null || typeof payload !== 'object' || payload.kind !== kind) return { ok: false, code: 'wrong_kind' };
  const sealed = sealedBoxFromJson(payload.sealed);
  if (sealed === undefined) return { ok: false, code: 'malformed_message' };
  const opened = open(deviceKemSecretKey, sealed, utf8ToBytes(`qenex/v1 ${kind}`));
  if (!opened.ok) return { ok: false, code: 'decryption_failed' };
  try {
    return { ok: true, value: JSON.parse(bytesToUtf8(opened.plaintext)) as unknown, envelope: verified.envelope };
  } catch {
    return { ok: false, code: 'malformed_message' };
  }
}

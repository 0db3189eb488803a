import { z } from 'zod';
import { decodeBase64url, encodeBase64url, hybridPublicKeysFromJson, signEnvelope } from '../../core/crypto';
import { ed25519PublicKeyBytes, mlDsa65PublicKeyBytes } from '../../core/crypto';
import { xWingPublicKeyBytes } from '../../core/crypto';
import type { Device } from '../../core/banking/types';
import { checkFreshness, deviceKeyId, openRequest, serverKeyId, type FreshnessRefusal } from '../../core/sync';
import type { JsonValue } from '../../core/canonical-json';
import { command, ok, refuse, type CommandEnv, type Refusal } from '../command';
import { idSchema, tokenSchema } from '../schemas';
import { usernameSchema } from './identity';

export const deviceIdSchema = tokenSchema(/^[a-z0-9][a-z0-9-]{2,63}$/, 64, 'a device id is 3-64 lowercase letters, digits or dashes');

function keyOfLength(bytes: number, name: string) {
  // base64url of `bytes` bytes is at most 4/3 as long: anything longer is refused before it is decoded.
  return tokenSchema(/^[A-Za-z0-9_-]+$/, Math.ceil((bytes * 4) / 3), `${name} must be ${bytes} bytes, base64url`).refine((value) => decodeBase64url(value)?.length === bytes, `${name} must be ${bytes} bytes, base64url`);
}

const publicKeysSchema = z.object({
  mlDsa65: keyOfLength(mlDsa65PublicKeyBytes, 'an ML-DSA-65 public key'),
  ed25519: keyOfLength(ed25519PublicKeyBytes, 'an Ed25519 public key'),
});

/** The server's signed statement binding a device's keys to the device and its branch. */
function credential(env: CommandEnv, device: Device) {
  const keys = env.serverKeys;
  if (keys === null) return null;
  return signEnvelope(
    {
      kind: 'device_credential',
      deviceId: device.id,
      branchId: device.branchId,
      publicKeys: { ...device.publicKeys },
      kemPublicKey: device.kemPublicKey,
      keyVersion: device.keyVersion,
      issuedAtMs: env.nowMs,
      serverKemPublicKey: encodeBase64url(keys.kem.publicKey),
    },
    { keyId: serverKeyId(keys.keyVersion), secretKeys: keys.signing.secretKeys },
  );
}

/** A workstation asks to join: its public keys, for its branch. It can do nothing until approved. */
export const enrolDevice = command({
  kind: 'write',
  input: z.object({ deviceId: deviceIdSchema, branchId: idSchema, publicKeys: publicKeysSchema, kemPublicKey: keyOfLength(xWingPublicKeyBytes, 'an X-Wing public key') }),
  async run(env, input) {
    if ((await env.tx.banking.get('branch', input.branchId)) === undefined) return refuse('branch_not_found', 'No branch has this id.');
    const existing = await env.tx.banking.get('device', input.deviceId);
    if (existing !== undefined) {
      const same = existing.publicKeys.mlDsa65 === input.publicKeys.mlDsa65 && existing.branchId === input.branchId;
      return same ? ok(existing) : refuse('device_id_taken', 'Another workstation is enrolled under this id.');
    }
    const device: Device = {
      id: input.deviceId,
      branchId: input.branchId,
      status: 'pending',
      publicKeys: input.publicKeys,
      kemPublicKey: input.kemPublicKey,
      keyVersion: 1,
      requestedBy: env.ctx.actor,
      requestedAtMs: env.nowMs,
      approvedBy: null,
      revokedAtMs: null,
      lastBatchSeq: 0,
      lastBatchDigest: '',
      lastCommandSeq: 0,
    };
    await env.tx.banking.put('device', device);
    return ok(device);
  },
});

/** An administrator other than the one who enrolled it approves the device; the server issues its credential. */
export const approveDevice = command({
  kind: 'write',
  input: z.object({ deviceId: deviceIdSchema }),
  async run(env, input) {
    const device = await env.tx.banking.get('device', input.deviceId);
    if (device === undefined) return refuse('device_not_found', 'No workstation has this id.');
    if (device.status === 'revoked') return refuse('device_revoked', 'This workstation was revoked; it must enrol again under a new id.');
    if (env.serverKeys === null) return refuse('not_a_sync_server', 'Only the central server issues device credentials.');
    const approved: Device = { ...device, status: 'active', approvedBy: env.ctx.actor, approvedAtMs: env.nowMs };
    await env.tx.banking.put('device', approved);
    return ok({ device: approved, credential: credential(env, approved) });
  },
  // The administrator who enrolled it may not also approve it: the policy's separation of duties.
  subject: async (env, input) => {
    const device = await env.tx.banking.get('device', input.deviceId);
    return device === undefined ? null : { branchId: device.branchId, creatorId: device.requestedBy };
  },
});

/**
 * Registers a user on a workstation: the server replays a batch's commands only as users of that
 * workstation, and only users of its branch (or the bank's central staff) may be registered.
 */
export const registerDeviceUser = command({
  kind: 'write',
  input: z.object({ deviceId: deviceIdSchema, username: usernameSchema }),
  async run(env, input) {
    const device = await env.tx.banking.get('device', input.deviceId);
    if (device === undefined) return refuse('device_not_found', 'No workstation has this id.');
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('user_not_found', `There is no user ${input.username}.`);
    if (user.branchId !== null && user.branchId !== device.branchId) {
      return refuse('user_of_another_branch', `${user.id} works at another branch than this workstation.`);
    }
    const id = `${device.id}:${user.id}`;
    const existing = await env.tx.banking.get('deviceUser', id);
    if (existing !== undefined) return ok(existing);
    const registered = { id, deviceId: device.id, userId: user.id, registeredBy: env.ctx.actor, registeredAtMs: env.nowMs };
    await env.tx.banking.put('deviceUser', registered);
    return ok(registered);
  },
});

export const revokeDevice = command({
  kind: 'write',
  input: z.object({ deviceId: deviceIdSchema }),
  async run(env, input) {
    const device = await env.tx.banking.get('device', input.deviceId);
    if (device === undefined) return refuse('device_not_found', 'No workstation has this id.');
    const revoked: Device = { ...device, status: 'revoked', revokedAtMs: device.revokedAtMs ?? env.nowMs };
    await env.tx.banking.put('device', revoked);
    return ok(revoked);
  },
});

/**
 * Key rotation, asked: the device signs its new public keys with its current keys. They wait for
 * an administrator (device.approve_rotation): whoever copied the device's key file could sign the
 * request too, and must not be able to lock the real workstation out and keep the keys.
 */
export const rotateDeviceKeys = command({
  kind: 'write',
  input: z.object({ message: z.unknown() }),
  async run(env, input) {
    const device = await deviceOfMessage(env, input.message);
    const opened = openRequest(input.message, 'rotate_keys', (keyId) => devicePublicKeys(device, keyId));
    if (!opened.ok) return refuse(opened.code, `The rotation request was refused: ${opened.code.replaceAll('_', ' ')}.`);
    if (device === undefined || device.status !== 'active') return refuse('device_not_active', 'Only an active workstation rotates its keys.');
    const stale = freshnessRefusal(env, device, opened.value);
    if (stale !== null) return stale;
    const next = publicKeysSchema.safeParse(opened.value.publicKeys);
    const kem = keyOfLength(xWingPublicKeyBytes, 'an X-Wing public key').safeParse(opened.value.kemPublicKey);
    if (!next.success || !kem.success) return refuse('invalid_input', 'The new keys are malformed.');
    const asked: Device = { ...withNonce(device, opened.value, env.nowMs), pendingRotation: { publicKeys: next.data, kemPublicKey: kem.data, requestedAtMs: env.nowMs } };
    await env.tx.banking.put('device', asked);
    return ok({ device: asked, status: 'pending' as const });
  },
  audit: () => ({}),
});

/** An administrator approves a device's new keys: it moves to the next key version; what the old keys sign is refused from then on. */
export const approveKeyRotation = command({
  kind: 'write',
  input: z.object({ deviceId: deviceIdSchema }),
  async run(env, input) {
    const device = await env.tx.banking.get('device', input.deviceId);
    if (device === undefined) return refuse('device_not_found', 'No workstation has this id.');
    if (device.status !== 'active') return refuse('device_not_active', 'Only an active workstation rotates its keys.');
    const asked = device.pendingRotation;
    if (asked === undefined || asked === null) return refuse('rotation_not_requested', 'This workstation asked for no new keys.');
    const rotated: Device = { ...device, publicKeys: asked.publicKeys, kemPublicKey: asked.kemPublicKey, keyVersion: device.keyVersion + 1, pendingRotation: null };
    await env.tx.banking.put('device', rotated);
    return ok({ device: rotated, credential: credential(env, rotated) });
  },
});

/** The device a signed message claims to come from (by its key id); the signature is checked after. */
export async function deviceOfMessage(env: CommandEnv, message: unknown): Promise<Device | undefined> {
  const keyId = (message as { keyId?: unknown } | null)?.keyId;
  if (typeof keyId !== 'string') return undefined;
  const match = /^device:([a-z0-9-]{3,64}):\d{1,9}$/.exec(keyId);
  return match === null ? undefined : env.tx.banking.get('device', match[1]!);
}

/** The device's public keys for a key id: only its current key version verifies. */
export function devicePublicKeys(device: Device | undefined, keyId: string) {
  if (device === undefined || keyId !== deviceKeyId(device.id, device.keyVersion)) return undefined;
  return hybridPublicKeysFromJson(device.publicKeys);
}

const freshnessMessages: Readonly<Record<FreshnessRefusal, string>> = {
  request_stale: "The request's time is too far from the server's clock; check the workstation's clock and send it again.",
  nonce_malformed: 'The request carries no valid nonce.',
  nonce_reused: 'This request was received before; a signed request is accepted once.',
  too_many_requests: 'Too many signed requests from this workstation in a short time; wait a minute.',
};

/** A signed request outside the freshness window, or with a nonce seen before, is refused. */
export function freshnessRefusal(env: CommandEnv, device: Device, request: { readonly [key: string]: JsonValue }): Refusal | null {
  const fresh = checkFreshness(request, device.recentNonces ?? [], env.nowMs);
  return fresh.ok ? null : refuse(fresh.code, freshnessMessages[fresh.code]);
}

/** The device with this request's nonce remembered (call after `freshnessRefusal` passed). */
export function withNonce(device: Device, request: { readonly [key: string]: JsonValue }, nowMs: number): Device {
  const fresh = checkFreshness(request, device.recentNonces ?? [], nowMs);
  return fresh.ok ? { ...device, recentNonces: fresh.keep } : device;
}

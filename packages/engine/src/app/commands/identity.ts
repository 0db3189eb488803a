import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Session, User } from '../../core/banking/types';
import { isReservedUsername, passwordLengthMax, passwordProblem, sessionTokenBytes, sessionTtlMs, usernamePattern } from '../../core/identity';
import { roles } from '../../core/rbac';
import { command, ok, refuse } from '../command';
import { idSchema, secretSchema, textSchema, tokenSchema } from '../schemas';

export const usernameSchema = tokenSchema(usernamePattern, 32, 'a username is 2-32 lowercase letters, digits, ".", "_" or "-", starting with a letter');
const passwordSchema = secretSchema(passwordLengthMax);
const deviceSchema = tokenSchema(/^[A-Za-z0-9._:-]{1,64}$/, 64, 'a device id is 1-64 letters, digits, ".", "_", ":" or "-"');

export function tokenDigest(token: string): string {
  return bytesToHex(sha256(utf8ToBytes(token)));
}

function newToken(): string {
  const bytes = new Uint8Array(sessionTokenBytes);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Creates a user with no roles (granting roles is a separate, maker-checker command), at a branch
 * or, without one, among the bank's central staff.
 */
export const createUser = command({
  kind: 'write',
  input: z.object({ username: usernameSchema, displayName: textSchema(120), password: passwordSchema, branchId: idSchema.nullable().default(null) }),
  async run(env, input) {
    if ((await env.tx.banking.get('user', input.username)) !== undefined) {
      return refuse('username_taken', `There is already a user ${input.username}.`);
    }
    if (isReservedUsername(input.username)) return refuse('username_reserved', `${input.username} names a caller that is no user; choose another name.`);
    if (input.branchId !== null && (await env.tx.banking.get('branch', input.branchId)) === undefined) {
      return refuse('branch_not_found', 'No branch has this id.');
    }
    const problem = passwordProblem(input.password, input.username);
    if (problem !== undefined) {
      return refuse(problem, 'A password needs at least 12 characters from three of: lowercase, uppercase, digits, symbols, and must not contain the username.');
    }
    const user: User = {
      id: input.username,
      displayName: input.displayName,
      roles: [],
      passwordHash: await env.passwords.hash(input.password),
      status: 'active',
      branchId: input.branchId,
      createdAtMs: env.nowMs,
    };
    await env.tx.banking.put('user', user);
    return ok({ username: user.id, displayName: user.displayName, roles: user.roles, branchId: user.branchId });
  },
  audit: (input) => ({ username: input.username, displayName: input.displayName, branchId: input.branchId }),
});

/** Role changes: the policy holds every one for a second administrator. */
export const setUserRoles = command({
  kind: 'write',
  input: z.object({ username: usernameSchema, roles: z.array(z.enum(roles)).max(roles.length) }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('user_not_found', `No user ${input.username}.`);
    const updated: User = { ...user, roles: [...new Set(input.roles)] };
    await env.tx.banking.put('user', updated);
    return ok({ username: updated.id, roles: updated.roles });
  },
  precheck: async (env, input) => ((await env.tx.banking.get('user', input.username)) === undefined ? refuse('user_not_found', `No user ${input.username}.`) : null),
});

export const setUserStatus = command({
  kind: 'write',
  input: z.object({ username: usernameSchema, status: z.enum(['active', 'disabled']) }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('user_not_found', `No user ${input.username}.`);
    if (user.id === env.ctx.actor) return refuse('cannot_change_own_status', 'Another administrator must change your own status.');
    await env.tx.banking.put('user', { ...user, status: input.status });
    return ok({ username: user.id, status: input.status });
  },
});

const signInRefusal = 'The username or password is wrong, or the user may not sign in.';

/**
 * Signs in: a bearer token, returned once, kept only as its digest, bound to the device it was
 * made on. An unknown user, a wrong password and a disabled user get the same answer after the
 * same work, so neither the answer nor its time tells who exists. Repeated failures are slowed by
 * the host per user and source (see core/identity's signInDelayMs), never by locking the user.
 */
export const createSession = command({
  kind: 'write',
  input: z.object({ username: secretSchema(64), password: passwordSchema, deviceId: deviceSchema }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    const matches = user === undefined ? await env.passwords.verifyNone(input.password) : await env.passwords.verify(input.password, user.passwordHash);
    if (user === undefined || !matches || user.status !== 'active') return refuse('invalid_credentials', signInRefusal);
    const token = newToken();
    const session: Session = {
      id: tokenDigest(token),
      userId: user.id,
      deviceId: input.deviceId,
      createdAtMs: env.nowMs,
      expiresAtMs: env.nowMs + sessionTtlMs,
      revokedAtMs: null,
    };
    await env.tx.banking.put('session', session);
    return ok({ token, username: user.id, roles: user.roles, expiresAtMs: session.expiresAtMs });
  },
  audit: (input) => ({ username: input.username, deviceId: input.deviceId }),
});

export const revokeSession = command({
  kind: 'write',
  input: z.object({}),
  async run(env) {
    const sessionId = env.ctx.sessionId;
    const session = sessionId === undefined ? undefined : await env.tx.banking.get('session', sessionId);
    if (session === undefined) return refuse('session_missing', 'There is no session to sign out of.');
    await env.tx.banking.put('session', { ...session, revokedAtMs: env.nowMs });
    return ok({ signedOut: true });
  },
});

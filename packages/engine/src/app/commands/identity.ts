import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Session, User } from '../../core/banking/types';
import {
  afterFailedSignIn,
  isLocked,
  passwordLengthMax,
  passwordProblem,
  sessionTokenBytes,
  sessionTtlMs,
  usernamePattern,
} from '../../core/identity';
import { roles } from '../../core/rbac';
import { command, ok, refuse, type CommandEnv } from '../command';
import { textSchema } from '../schemas';

const usernameSchema = z.string().regex(usernamePattern, 'a username is 2-32 lowercase letters, digits, ".", "_" or "-", starting with a letter');
const passwordSchema = z.string().min(1).max(passwordLengthMax);
const deviceSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a device id is 1-64 letters, digits, ".", "_", ":" or "-"');

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

/** Creates a user with no roles: granting roles is a separate, maker-checker command. */
export const createUser = command({
  permission: 'user.manage',
  kind: 'write',
  input: z.object({ username: usernameSchema, displayName: textSchema(120), password: passwordSchema }),
  async run(env, input) {
    if ((await env.tx.banking.get('user', input.username)) !== undefined) {
      return refuse('username_taken', `There is already a user ${input.username}.`);
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
      failedSignIns: 0,
      lockedUntilMs: 0,
      createdAtMs: env.nowMs,
    };
    await env.tx.banking.put('user', user);
    return ok({ username: user.id, displayName: user.displayName, roles: user.roles });
  },
  audit: (input) => ({ username: input.username, displayName: input.displayName }),
});

/** Role changes always wait for a second administrator. */
export const setUserRoles = command({
  permission: 'user.manage',
  kind: 'write',
  input: z.object({ username: usernameSchema, roles: z.array(z.enum(roles)).max(roles.length) }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('user_not_found', `No user ${input.username}.`);
    if (env.approved === null) return refuse('approval_required', `Changing the roles of ${input.username} needs a second administrator.`);
    const updated: User = { ...user, roles: [...new Set(input.roles)] };
    await env.tx.banking.put('user', updated);
    return ok({ username: updated.id, roles: updated.roles });
  },
});

export const setUserStatus = command({
  permission: 'user.manage',
  kind: 'write',
  input: z.object({ username: usernameSchema, status: z.enum(['active', 'disabled']) }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('user_not_found', `No user ${input.username}.`);
    if (user.id === env.ctx.actor) return refuse('cannot_change_own_status', 'Another administrator must change your own status.');
    await env.tx.banking.put('user', { ...user, status: input.status, failedSignIns: 0, lockedUntilMs: 0 });
    return ok({ username: user.id, status: input.status });
  },
});

const signInRefusal = 'The username or password is wrong.';

async function failSignIn(env: CommandEnv, user: User) {
  const next = afterFailedSignIn(user, env.nowMs);
  await env.tx.banking.put('user', { ...user, ...next });
  const locked = isLocked(next, env.nowMs);
  return {
    ...refuse(locked ? 'user_locked' : 'invalid_credentials', locked ? 'Too many failed sign-ins: the user is locked for 15 minutes.' : signInRefusal),
    keep: true as const,
  };
}

/** Signs in: a bearer token, returned once, kept only as its digest. Failures count towards a lockout. */
export const createSession = command({
  permission: 'session.create',
  kind: 'write',
  input: z.object({ username: z.string().max(64), password: passwordSchema, deviceId: deviceSchema }),
  async run(env, input) {
    const user = await env.tx.banking.get('user', input.username);
    if (user === undefined) return refuse('invalid_credentials', signInRefusal);
    if (isLocked(user, env.nowMs)) {
      return refuse('user_locked', `Too many failed sign-ins: try again after ${new Date(user.lockedUntilMs).toISOString()}.`, {
        retryAfterMs: user.lockedUntilMs - env.nowMs,
      });
    }
    if (!(await env.passwords.verify(input.password, user.passwordHash))) return failSignIn(env, user);
    if (user.status !== 'active') return refuse('user_disabled', 'This user is disabled; ask an administrator.');
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
    if (user.failedSignIns > 0) await env.tx.banking.put('user', { ...user, failedSignIns: 0, lockedUntilMs: 0 });
    return ok({ token, username: user.id, roles: user.roles, expiresAtMs: session.expiresAtMs });
  },
  audit: (input) => ({ username: input.username, deviceId: input.deviceId }),
});

export const revokeSession = command({
  permission: 'session.create',
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

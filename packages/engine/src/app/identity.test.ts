import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../adapters/in-process/clock';
import { SequentialIds } from '../adapters/in-process/ids';
import { ScryptPasswordHasher } from '../adapters/node/password';
import { SqliteStorage } from '../adapters/sqlite/storage';
import { sessionTtlMs, signInDelayMs, signInDelayMsMax } from '../core/identity';
import type { PasswordHasher } from '../ports/password';
import { Engine } from './engine';

const root = { actor: 'root', roles: ['admin'], deviceId: 'test' };
const second = { actor: 'ada', roles: ['admin'], deviceId: 'test' };
const anonymous = { actor: 'anonymous', roles: [], deviceId: 'test' };
const password = 'Correct-Horse-42';

describe('identity: users, sessions, sign-in answers, maker-checker on roles', () => {
  let storage: SqliteStorage;
  let engine: Engine;
  let clock: ManualClock;
  /** Each derivation a sign-in spent: a real verification, or one against no user. */
  let derivations: string[];

  beforeEach(async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    clock = new ManualClock(Date.UTC(2026, 10, 24, 9));
    derivations = [];
    // Cheap scrypt parameters keep the test quick; production uses N = 2^15.
    const scrypt = new ScryptPasswordHasher({ N: 1024, r: 8, p: 1 });
    const counted: PasswordHasher = {
      hash: (secret) => scrypt.hash(secret),
      verify: (secret, stored) => (derivations.push('verify'), scrypt.verify(secret, stored)),
      verifyNone: (secret) => (derivations.push('verifyNone'), scrypt.verifyNone(secret)),
    };
    engine = new Engine({ storage, clock, ids: new SequentialIds(clock), passwords: counted });
    expect(await engine.execute('user.create', { username: 'tina', displayName: 'Tina Teller', password }, root)).toMatchObject({ ok: true });
  });
  afterEach(async () => storage.close());

  const signIn = (secret = password) => engine.execute('session.create', { username: 'tina', password: secret, deviceId: 'ws-1' }, anonymous);

  it('refuses weak passwords and keeps no password in the audit log', async () => {
    expect(await engine.execute('user.create', { username: 'weak', displayName: 'W', password: 'short' }, root)).toMatchObject({ code: 'password_too_short' });
    await signIn();
    const rows = storage.db.prepare('SELECT detail FROM audit_log').pluck().all() as string[];
    expect(rows.join('\n')).not.toContain(password);
  });

  it('grants roles only when a second administrator approves', async () => {
    const held = await engine.execute('user.set_roles', { username: 'tina', roles: ['teller'] }, root);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, root)).toMatchObject({ code: 'checker_must_differ' });
    const teller = { actor: 'bob', roles: ['head_teller'], deviceId: 'test' };
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, teller)).toMatchObject({ code: 'checker_lacks_permission' });
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, second)).toMatchObject({ ok: true });
    const session = await signIn();
    expect(session).toMatchObject({ ok: true, value: { roles: ['teller'] } });
  });

  it('signs in with a bearer token that authenticates until it expires or is revoked', async () => {
    const session = await signIn();
    if (!session.ok) throw new Error(session.code);
    const ctx = await engine.authenticate(session.value.token);
    expect(ctx).toMatchObject({ ok: true, value: { actor: 'tina', deviceId: 'ws-1' } });
    expect(await engine.authenticate('forged-token')).toMatchObject({ ok: false, code: 'session_missing' });
    clock.advance(sessionTtlMs);
    expect(await engine.authenticate(session.value.token)).toMatchObject({ ok: false, code: 'session_expired' });
    const again = await signIn();
    if (!again.ok) throw new Error(again.code);
    const context = await engine.authenticate(again.value.token);
    if (!context.ok) throw new Error(context.code);
    expect(await engine.execute('session.revoke', {}, context.value)).toMatchObject({ ok: true });
    expect(await engine.authenticate(again.value.token)).toMatchObject({ ok: false, code: 'session_revoked' });
  });

  it('answers an unknown user, a wrong password and a disabled user alike, after the same work, and never locks the user out', async () => {
    const unknown = await engine.execute('session.create', { username: 'nobody', password, deviceId: 'ws-1' }, anonymous);
    const wrong = await signIn('Wrong-Password-1');
    expect(await engine.execute('user.set_status', { username: 'tina', status: 'disabled' }, root)).toMatchObject({ ok: true });
    const disabled = await signIn();
    const answers = [unknown, wrong, disabled].map((answer) => (answer.ok ? 'ok' : `${answer.code}: ${answer.message}`));
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^invalid_credentials: /);
    // One key derivation each: the unknown user's against no hash, so its time tells nothing.
    expect(derivations).toEqual(['verifyNone', 'verify', 'verify']);
    expect(await engine.execute('user.set_status', { username: 'tina', status: 'active' }, second)).toMatchObject({ ok: true });
    for (let attempt = 0; attempt < 20; attempt += 1) expect(await signIn('Wrong-Password-1')).toMatchObject({ code: 'invalid_credentials' });
    expect(await signIn()).toMatchObject({ ok: true });
  });

  it('slows repeated failures with a doubling delay, from the fourth on, up to five minutes', () => {
    expect([0, 1, 2, 3, 4, 5].map(signInDelayMs)).toEqual([0, 0, 0, 1000, 2000, 4000]);
    expect(signInDelayMs(40)).toBe(signInDelayMsMax);
  });
});

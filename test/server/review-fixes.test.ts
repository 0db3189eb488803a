/**
 * Holes a review of the admission path found, each closed: a veto by someone who could not
 * approve, the device an unauthenticated or unreadable request is recorded with, and a hold for
 * what could never succeed.
 */
import { randomBytes } from 'node:crypto';
import { demoPassword } from '@qenex/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

const newId = () => randomBytes(16).toString('hex');

describe('review fixes over HTTP', () => {
  let t: TestServer;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestServer();
    for (const user of ['alice', 'tom', 'bob', 'carol', 'olivia', 'adam']) tokens[user] = await t.signIn(user);
  });
  afterAll(async () => {
    await t.close();
    await dropTestDatabase();
  });

  const auditTail = async () => (await t.request('GET', '/api/v1/audit?limit=500', { token: tokens.carol! })).body as Array<{ actor: string; command: string; outcome: string; deviceId: string; detail: Record<string, unknown> }>;

  it('only someone who may approve a held request may reject it', async () => {
    const held = await t.request('PUT', '/api/v1/users/tom/roles', { token: tokens.adam!, body: { roles: ['teller', 'head_teller'] } });
    expect(held.status).toBe(202);
    for (const user of ['olivia', 'bob']) {
      const veto = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: tokens[user]!, body: { decision: 'reject' } });
      expect({ user, status: veto.status, code: veto.body.code }).toEqual({ user, status: 403, code: 'checker_lacks_permission' });
    }
    const pending = (await t.request('GET', '/api/v1/approvals', { token: tokens.adam! })).body as Array<{ id: string; status: string }>;
    expect(pending.find((approval) => approval.id === held.body.approvalId)?.status).toBe('pending');
  });

  it('records a sign-in with no device a header claims: the session is bound to the one in the body', async () => {
    const signedIn = await t.request('POST', '/api/v1/sessions', { body: { username: 'tom', password: demoPassword, deviceId: 'desk-7' }, headers: { 'x-device-id': 'spoofed' } });
    expect(signedIn.status).toBe(201);
    const record = (await auditTail()).filter((entry) => entry.command === 'session.create').at(-1)!;
    expect(record.deviceId).not.toBe('spoofed');
    expect(record.detail).toMatchObject({ username: 'tom', deviceId: 'desk-7' });
    // The session works on its own device and nowhere else.
    const token = signedIn.body.token as string;
    expect((await t.request('GET', '/api/v1/till-sessions/current', { token, headers: { 'x-device-id': 'desk-7' } })).status).not.toBe(401);
    expect((await t.request('GET', '/api/v1/till-sessions/current', { token, headers: { 'x-device-id': 'spoofed' } })).status).toBe(401);
  });

  it('does not attribute an unreadable body to a session sent from another device', async () => {
    const signedIn = await t.request('POST', '/api/v1/sessions', { body: { username: 'alice', password: demoPassword, deviceId: 'desk-8' } });
    const before = (await auditTail()).length;
    const unreadable = await t.request('POST', '/api/v1/internal-transfers', { token: signedIn.body.token, rawBody: '{"transferId":', headers: { 'x-device-id': 'evil' } });
    expect(unreadable.status).toBe(400);
    const after = await auditTail();
    expect(after.slice(before).filter((entry) => entry.actor === 'alice' && entry.deviceId === 'desk-8')).toEqual([]);
  });

  it('refuses to open a till that is open under someone else, instead of holding a request that cannot succeed', async () => {
    const current = (await t.request('GET', '/api/v1/till-sessions/current', { token: tokens.alice! })).body;
    const opened = await t.request('POST', `/api/v1/tills/${current.till.id}/sessions`, { token: tokens.tom!, body: { sessionId: newId(), count: { '10000': 1 } } });
    expect({ status: opened.status, code: opened.body.code }).toEqual({ status: 409, code: 'till_already_open' });
  });
});

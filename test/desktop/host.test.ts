import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import type { BridgeOutcome, ReceiptInfo, SyncStatus, WorkItem } from '@qenex/ui/bridge';
import { setUpDemoWorkstation } from '../../apps/desktop/src/node/demo-workstation';
import { openWorkstation, type WorkstationHost } from '../../apps/desktop/src/node/host';
import { draftsPerUserMax } from '../../apps/desktop/src/node/local-store';
import { keyStoreFor } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { branchDay, type Link } from '../e2e/support';

/**
 * The workstation host (apps/desktop/src/node/host.ts) against the real server on PostgreSQL,
 * through a link the test cuts and mends: the defects a hostile review found, each kept fixed.
 * Each client id stands for one browser (or the Electron window): 'tom', 'alice', 'bob' are three
 * people at the same workstation.
 */
const newId = (): string => `${Date.now().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
const admin = { actor: 'adam', roles: ['admin'], deviceId: 'setup' };

describe('the workstation host, as a hostile reviewer tried it', () => {
  let t: TestServer;
  let link: Link;
  let dir: string;
  let host: WorkstationHost;
  let tomSession: string;
  const accounts: Record<string, string> = {};

  const call = <T = BridgeOutcome>(client: string, channel: Parameters<WorkstationHost['handle']>[0], request: unknown) => host.handle(channel, request, client) as Promise<T>;
  const signIn = (client: string, username: string) => call<{ ok: boolean; code?: string; session?: { verifiedBy: string } }>(client, 'session.signIn', { username, password: demoPassword });
  const run = (client: string, command: string, input: unknown) => call(client, 'engine.run', { command, input });
  const setStatus = async (username: string, status: 'active' | 'disabled') => {
    const done = await t.server.engine.executeAny('user.set_status', { username, status }, admin);
    if (!done.ok) throw new Error(`user.set_status: ${done.code}`);
  };

  beforeAll(async () => {
    t = await startTestServer();
    const day = await branchDay(t, '500000');
    link = day.link;
    const { linkUrl, tomTill } = day;
    for (const [name, account] of Object.entries(day.accounts)) accounts[name] = account.id;
    dir = mkdtempSync(join(tmpdir(), 'qenex-review-ws-'));
    const secrets = await keyStoreFor(dir, 'review-device-passphrase-0123');
    await setUpDemoWorkstation({ dataDir: dir, serverUrl: linkUrl, secrets }, async (deviceId) => {
      const approved = await t.server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
      if (!approved.ok) throw new Error(`approving the workstation: ${approved.code}`);
    });
    // A long interval: the test says when the workstation pulls (each online command and sign-in still does).
    host = await openWorkstation({ dataDir: dir, serverUrl: linkUrl, secrets, passwordCost: 1024, syncIntervalMs: 600_000 });
    await call('tom', 'sync.now', {});
    for (const [client, username] of [['tom', 'tom'], ['alice', 'alice'], ['bob', 'bob']] as const) {
      expect(await signIn(client, username)).toMatchObject({ ok: true, session: { verifiedBy: 'server' } });
    }
    tomSession = newId();
    expect(await run('tom', 'till.open_session', { sessionId: tomSession, tillId: tomTill, count: { '10000': 50 } })).toMatchObject({ ok: true });
  }, 180_000);

  afterAll(async () => {
    await host?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('does not print one teller’s receipt for another, nor turn the customer’s original into a copy', async () => {
    const deposit = { transferId: newId(), sessionId: tomSession, accountId: accounts.Mei!, money: { amount: '10000', currency: 'USD' } };
    expect(await run('tom', 'cash.deposit', deposit)).toMatchObject({ ok: true });
    // alice, signed in at the same workstation, asks for the receipt of tom's deposit by its reference.
    const byAlice = await call<{ ok: boolean; code?: string }>('alice', 'receipt.get', { transferId: deposit.transferId });
    expect(byAlice.ok).toBe(false);
    // tom's first print for the customer is the original.
    const byTom = await call<{ ok: true; receipt: ReceiptInfo }>('tom', 'receipt.get', { transferId: deposit.transferId });
    expect(byTom.receipt.copy).toBe(false);
  });

  it('keeps the supervisor signed in when an approval fails because of the maker (the maker was disabled since)', async () => {
    // Over tom's 5,000.00 teller limit: held at the server for a supervisor.
    const big = { transferId: newId(), sessionId: tomSession, accountId: accounts.Mei!, money: { amount: '600000', currency: 'USD' } };
    const held = await run('tom', 'cash.deposit', big);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = String((held as unknown as { details: { approvalId: string } }).details.approvalId);
    await setStatus('tom', 'disabled');
    try {
      const failed = await run('bob', 'approval.decide', { approvalId, decision: 'approve' });
      expect(failed).toMatchObject({ ok: false });
      // The failure was about tom, not about bob's session: bob is still signed in.
      expect(await call('bob', 'session.current', {})).toMatchObject({ session: { username: 'bob' } });
    } finally {
      await setStatus('tom', 'active');
    }
  });

  it('lets the supervisor approve again once the reason an approval failed is gone (no replay of the old refusal)', async () => {
    if (((await call<{ session: unknown }>('bob', 'session.current', {})).session ?? null) === null) await signIn('bob', 'bob');
    const big = { transferId: newId(), sessionId: tomSession, accountId: accounts.Mei!, money: { amount: '600000', currency: 'USD' } };
    const held = await run('tom', 'cash.deposit', big);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = String((held as unknown as { details: { approvalId: string } }).details.approvalId);
    await setStatus('tom', 'disabled');
    const failed = await run('bob', 'approval.decide', { approvalId, decision: 'approve' });
    await setStatus('tom', 'active');
    expect(failed).toMatchObject({ ok: false });
    if (((await call<{ session: unknown }>('bob', 'session.current', {})).session ?? null) === null) await signIn('bob', 'bob');
    // The request is still pending at the server; tom is active again; bob approves it again.
    const pending = await t.request('GET', `/api/v1/approvals?status=pending`, { token: await t.signIn('bob') });
    expect((pending.body as Array<{ id: string }>).some((approval) => approval.id === approvalId)).toBe(true);
    // A decision is a new request each time: the first refusal is not replayed to the second.
    const again = await run('bob', 'approval.decide', { approvalId, decision: 'approve' });
    expect(again).toMatchObject({ ok: true });
  });

  it('does not sign in offline, on the cached credential, someone the server has just refused (disabled)', async () => {
    await call('alice', 'session.signOut', {});
    await setStatus('alice', 'disabled');
    try {
      // The server is reached and refuses alice...
      expect(await signIn('alice', 'alice')).toMatchObject({ ok: false });
      // ...she pulls the branch's cable, and signs in on the credential cached at her last online sign-in.
      link.cut();
      const offline = await signIn('alice', 'alice');
      expect(offline).toMatchObject({ ok: false });
    } finally {
      await call('alice', 'session.signOut', {});
      link.mend();
      await setStatus('alice', 'active');
    }
  });

  it('does not call a payout approved at the counter while offline completed, before or after the bank refused it', async () => {
    // Mei has the money for the payout (booked online, within tom's limit).
    expect(await run('tom', 'cash.deposit', { transferId: newId(), sessionId: tomSession, accountId: accounts.Mei!, money: { amount: '400000', currency: 'USD' } })).toMatchObject({ ok: true });
    link.cut();
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).link, { timeout: 20_000, interval: 200 }).toBe('offline');
    // Offline, over the stand-in limit of 3,000.00 a payout: held here for a supervisor.
    const payout = { transferId: newId(), sessionId: tomSession, accountId: accounts.Mei!, money: { amount: '350000', currency: 'USD' } };
    const held = await run('tom', 'cash.withdraw', payout);
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'stand_in' } });
    const approvalId = String((held as unknown as { details: { approvalId: string } }).details.approvalId);
    // bob approves at tom's screen, signed in on his cached credential.
    const approved = await call('tom', 'approval.onTheSpot', { approvalId, username: 'bob', password: demoPassword, decision: 'approve' });
    // By the engine's design the cash goes (test/sync/offline.test.ts), and the server will not book it
    // (sync.ts replay: overStandIn → disbelieve, "count the till"). The workstation must say so.
    expect(approved).toMatchObject({ ok: true });
    // The bank has not seen it yet: it waits in the outbox.
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).recent.find((item) => item.transferId === payout.transferId)?.status, { timeout: 20_000, interval: 200 }).toBe('pending');
    const today = (await call<{ items: WorkItem[] }>('tom', 'work.today', {})).items.find((item) => item.reference === payout.transferId);
    const receipt = await call<{ ok: true; receipt: ReceiptInfo }>('tom', 'receipt.get', { transferId: payout.transferId });
    link.mend();
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).waiting, { timeout: 30_000, interval: 250 }).toBe(0);
    const settled = (await call<SyncStatus>('tom', 'sync.status', {})).recent.find((item) => item.transferId === payout.transferId);
    const afterSync = (await call<{ items: WorkItem[] }>('tom', 'work.today', {})).items.find((item) => item.reference === payout.transferId);
    const reprint = await call<{ ok: boolean; code?: string; receipt?: ReceiptInfo }>('tom', 'receipt.get', { transferId: payout.transferId });
    // While it waited: not completed, and the receipt says the bank has still to confirm it.
    expect(today?.status).toBe('pending_sync');
    expect(receipt.receipt.text.status).toMatch(/awaiting confirmation/i);
    // After the push the day's work and the receipt show what the bank did with it, as for any other offline command.
    expect(settled?.status).toBeDefined();
    expect(afterSync?.status, `the bank ${settled?.status} it (${settled?.code ?? ''})`).toBe(settled?.status === 'accepted' ? 'completed' : settled?.status);
    // What the bank did not book has no receipt: the teller is told why instead.
    if (settled?.status !== 'accepted') expect(reprint).toMatchObject({ ok: false, code: 'not_booked' });
  }, 90_000);

  it('keeps people’s drafts from a page nobody signed in to (no draft for the signed out, none evicted by them)', async () => {
    expect(await call('tom', 'draft.save', { key: 'money:deposit', value: '{"amount":"125.00"}' })).toEqual({ ok: true });
    // A browser that never signed in (any cookie will do) saves drafts...
    const anonymous = await call<{ ok: boolean }>('nobody-signed-in', 'draft.save', { key: 'k0', value: 'x' });
    expect(anonymous.ok).toBe(false);
    // ...and, if it may, enough of them to push everyone's out.
    for (let index = 1; index <= draftsPerUserMax; index += 1) await call('nobody-signed-in', 'draft.save', { key: `k${index}`, value: 'x' });
    expect(await call('tom', 'draft.load', { key: 'money:deposit' })).toEqual({ value: '{"amount":"125.00"}' });
  });

  it('answers a draft the schema admits but the store does not (16,384 characters of 3 bytes) with a refusal, not a thrown error', async () => {
    const answer = await call<{ ok: boolean; code?: string }>('tom', 'draft.save', { key: 'money:transfer', value: '€'.repeat(10_000) }).catch((error: unknown) => ({ ok: false, thrown: String(error) }));
    expect(answer).not.toHaveProperty('thrown');
  });

  it('pulls when the server says something changed (its change notifications), without waiting for the interval', async () => {
    // This host syncs on its own only every ten minutes; a deposit made at the server reaches it through the notification.
    const alice = await t.signIn('alice');
    const aliceTill = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id;
    const before = ((await run('tom', 'account.get', { accountId: accounts.Lukas! })) as unknown as { value: { balances: { posted: string } } }).value.balances.posted;
    const made = await t.request('POST', `/api/v1/till-sessions/${aliceTill}/deposits`, { token: alice, body: { transferId: newId(), accountId: accounts.Lukas!, money: { amount: '1234', currency: 'USD' } } });
    expect(made.status).toBe(201);
    await expect
      .poll(async () => ((await run('tom', 'account.get', { accountId: accounts.Lukas! })) as unknown as { value: { balances: { posted: string } } }).value.balances.posted, { timeout: 15_000, interval: 200 })
      .toBe(String(BigInt(before) + 1234n));
  });
});

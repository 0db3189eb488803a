import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import type { BridgeOutcome, SyncStatus } from '@qenex/ui/bridge';
import { setUpDemoWorkstation } from '../../apps/desktop/src/node/demo-workstation';
import { openWorkstation, type WorkstationHost } from '../../apps/desktop/src/node/host';
import { keyStoreFor } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { branchDay, type Link } from '../e2e/support';

/** Review 2: the offline path and the order in which the bank sees a workstation's work. */
const newId = (): string => `${Date.now().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;

describe('the workstation host offline and back: what reaches the bank first, and who may work on the stand-in rules', () => {
  let t: TestServer;
  let link: Link;
  let dir: string;
  let host: WorkstationHost;
  let tomSession: string;
  let mei = '';
  // The test's hand on the wire: hold pushes (a slow push), or lose the answer of one request after the server ran it.
  let pushGate: Promise<void> | null = null;
  let loseAnswerOf: RegExp | null = null;
  let releaseAll: (() => void) | null = null;
  const fetcher: typeof fetch = async (input, init) => {
    const url = String(input);
    if (url.endsWith('/api/v1/sync/push') && pushGate !== null) await pushGate;
    const response = await fetch(input, init);
    if (loseAnswerOf !== null && loseAnswerOf.test(url)) {
      loseAnswerOf = null;
      await response.text();
      throw new TypeError('fetch failed (the answer was lost on the way back)');
    }
    return response;
  };

  const call = <T = BridgeOutcome>(client: string, channel: Parameters<WorkstationHost['handle']>[0], request: unknown) => host.handle(channel, request, client) as Promise<T>;
  const signIn = (client: string, username: string) => call<{ ok: boolean; session?: { verifiedBy: string } }>(client, 'session.signIn', { username, password: demoPassword });
  const run = (client: string, command: string, input: unknown) => call(client, 'engine.run', { command, input });
  const serverPosted = async (accountId: string) => (await t.request('GET', `/api/v1/accounts/${accountId}`, { token: await t.signIn('olivia') })).body.balances.posted as string;
  const localPosted = async (accountId: string) => ((await run('tom', 'account.get', { accountId })) as unknown as { value: { balances: { posted: string } } }).value.balances.posted;
  const goOffline = async () => {
    link.cut();
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).link, { timeout: 20_000, interval: 200 }).toBe('offline');
  };
  const goOnline = async () => {
    link.mend();
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).link, { timeout: 20_000, interval: 200 }).toBe('online');
  };

  beforeAll(async () => {
    t = await startTestServer();
    const day = await branchDay(t, '500000');
    link = day.link;
    mei = day.accounts.Mei!.id;
    dir = mkdtempSync(join(tmpdir(), 'qenex-host-offline-'));
    const secrets = await keyStoreFor(dir, 'host-device-passphrase-0123');
    await setUpDemoWorkstation({ dataDir: dir, serverUrl: day.linkUrl, secrets }, async (deviceId) => {
      const approved = await t.server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
      if (!approved.ok) throw new Error(`approving the workstation: ${approved.code}`);
    });
    host = await openWorkstation({ dataDir: dir, serverUrl: day.linkUrl, secrets, passwordCost: 1024, syncIntervalMs: 600_000, fetcher });
    await call('tom', 'sync.now', {});
    expect(await signIn('tom', 'tom')).toMatchObject({ ok: true, session: { verifiedBy: 'server' } });
    tomSession = newId();
    expect(await run('tom', 'till.open_session', { sessionId: tomSession, tillId: day.tomTill, count: { '10000': 50 } })).toMatchObject({ ok: true });
    expect(await run('tom', 'cash.deposit', { transferId: newId(), sessionId: tomSession, accountId: mei, money: { amount: '400000', currency: 'USD' } })).toMatchObject({ ok: true });
  }, 180_000);

  afterAll(async () => {
    releaseAll?.();
    pushGate = null;
    await host?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('link_lost after the server booked, then the retry on this workstation: booked once at the bank and once here', async () => {
    const before = await serverPosted(mei);
    const deposit = { transferId: newId(), sessionId: tomSession, accountId: mei, money: { amount: '1000', currency: 'USD' } };
    loseAnswerOf = /\/deposits$/;
    expect(await run('tom', 'cash.deposit', deposit)).toMatchObject({ ok: false, code: 'link_lost' });
    expect(await run('tom', 'cash.deposit', deposit)).toMatchObject({ ok: true });
    await goOnline();
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).recent.find((item) => item.transferId === deposit.transferId)?.status, { timeout: 20_000, interval: 250 }).toBe('accepted');
    expect(await serverPosted(mei)).toBe(String(BigInt(before) + 1000n));
    expect(await localPosted(mei)).toBe(String(BigInt(before) + 1000n));
  }, 90_000);

  it('a teller signed in offline whose link is back: a payout within the online limit is decided by the bank, not held on the stand-in policy and queued', async () => {
    await goOffline();
    expect(await signIn('tom-offline', 'tom')).toMatchObject({ ok: true, session: { verifiedBy: 'cached_credential' } });
    await goOnline();
    // The bank is reachable (link: online). 3,500.00 is within tom's 5,000.00 limit online, over the 3,000.00 offline stand-in.
    const payout = { transferId: newId(), sessionId: tomSession, accountId: mei, money: { amount: '350000', currency: 'USD' } };
    const outcome = await run('tom-offline', 'cash.withdraw', payout);
    const small = { transferId: newId(), sessionId: tomSession, accountId: mei, money: { amount: '100', currency: 'USD' } };
    await run('tom-offline', 'cash.withdraw', small);
    const queued = (await call<SyncStatus>('tom', 'sync.status', {})).recent.some((item) => item.transferId === small.transferId);
    await call('tom-offline', 'session.signOut', {});
    expect(outcome, 'held on the offline stand-in policy while the bank was reachable').not.toMatchObject({ ok: false, details: { basis: 'stand_in' } });
    expect(queued, 'run on the stale local books and queued for the bank to re-decide, though the bank was reachable').toBe(false);
  }, 90_000);

  it('an online command does not overtake offline work still waiting in the outbox (the till closes on a book without it)', async () => {
    await goOffline();
    const offlineDeposit = { transferId: newId(), sessionId: tomSession, accountId: mei, money: { amount: '250', currency: 'USD' } };
    expect(await run('tom', 'cash.deposit', offlineDeposit)).toMatchObject({ ok: true });
    // The push after the link is back is slow (a big batch, a slow server): the teller closes meanwhile.
    let release!: () => void;
    pushGate = new Promise<void>((done) => (release = done));
    releaseAll = release;
    // The slow push ends after three seconds (runOnline waits for that sync before it answers).
    setTimeout(() => release(), 3000);
    link.mend();
    expect(await signIn('tom', 'tom')).toMatchObject({ ok: true, session: { verifiedBy: 'server' } });
    expect((await call<SyncStatus>('tom', 'sync.status', {})).link).toBe('online');
    // The drawer holds exactly what this workstation's book says (the offline deposit included).
    const till = (await run('tom', 'till.current_session', {})) as unknown as { value: { cash: { posted: string } } };
    const book = BigInt(till.value.cash.posted);
    const count = { '10000': Number(book / 10000n), '1': Number(book % 10000n) };
    const closed = await run('tom', 'till.close_session', { sessionId: tomSession, count });
    release();
    pushGate = null;
    await expect.poll(async () => (await call<SyncStatus>('tom', 'sync.now', {})).waiting, { timeout: 30_000, interval: 250 }).toBe(0);
    const settled = (await call<SyncStatus>('tom', 'sync.status', {})).recent.find((item) => item.transferId === offlineDeposit.transferId);
    expect.soft(closed.ok ? (closed.value as { session: { closingVarianceMinor?: string } }).session.closingVarianceMinor : closed.code, 'the bank closed the till with a variance the drawer does not have').toBe('0');
    expect.soft(settled?.status, `the offline deposit: ${settled?.code ?? ''} ${settled?.message ?? ''}`).toBe('accepted');
  }, 120_000);
});

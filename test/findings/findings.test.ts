/**
 * The probes that found the controls weak, each as a test over real HTTP against the server on
 * PostgreSQL, written against the routes the server had when they were found: each failed there and
 * passes now. Where a finding is proved elsewhere, the test that proves it is named at the end.
 */
import { randomBytes } from 'node:crypto';
import {
  ManualClock,
  deviceKeyId,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  sealPush,
  sealedBoxKeyPair,
  decodeBase64url,
  type PushBatch,
} from '@qenex/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';

afterAll(async () => {
  await dropTestDatabase();
});

const USD = 840;
const newId = () => randomBytes(16).toString('hex');
const usd = (amount: string) => ({ amount, currency: 'USD' });

interface Bank {
  readonly branchId: string;
  readonly sessionId: string;
  readonly tillId: string;
  /** Amara's current (1,500.00, 500.00 overdraft) and savings; Lukas's and Mei's current. */
  readonly amara: { readonly id: string; readonly current: string; readonly savings: string };
  readonly lukas: string;
  readonly mei: string;
}

async function bankOf(t: TestServer, alice: string): Promise<Bank> {
  const customers = (await t.request('GET', '/api/v1/customers', { token: alice })).body as Array<{ id: string; nationalId: string }>;
  const accountsOf = async (nationalId: string) => {
    const id = customers.find((customer) => customer.nationalId === nationalId)!.id;
    const detail = (await t.request('GET', `/api/v1/customers/${id}`, { token: alice })).body as { accounts: Array<{ id: string; productId: string }> };
    return { id, current: detail.accounts.find((a) => a.productId === 'CURRENT-USD')!.id, savings: detail.accounts.find((a) => a.productId === 'SAVINGS-USD')!.id };
  };
  const session = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body;
  return {
    branchId: session.till.branchId,
    sessionId: session.session.id,
    tillId: session.till.id,
    amara: await accountsOf('P-4471-0934'),
    lukas: (await accountsOf('D-7782-1190')).current,
    mei: (await accountsOf('J-2231-5508')).current,
  };
}

/** Everything money can touch, read back through the API as the compliance officer. */
async function books(t: TestServer, carol: string, bank: Bank): Promise<string> {
  const accounts = [bank.amara.current, bank.amara.savings, bank.lukas, bank.mei];
  const balances = await Promise.all(accounts.map(async (id) => (await t.request('GET', `/api/v1/accounts/${id}`, { token: carol })).body.balances));
  const totals = (await t.request('GET', '/api/v1/ledger/totals', { token: carol })).body;
  return JSON.stringify({ balances, totals });
}

/** A policy change under maker-checker (today) or applied at once (when it was found): either way, in force after. */
async function settle(t: TestServer, reply: { status: number; body: any }, checker: string): Promise<void> {
  if (reply.status !== 202) return;
  const decided = await t.request('POST', `/api/v1/approvals/${reply.body.approvalId}/decision`, { token: checker, body: { decision: 'approve' } });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
}

type Staff = 'alice' | 'tom' | 'bob' | 'carol' | 'olivia' | 'adam';
const staff: readonly Staff[] = ['alice', 'tom', 'bob', 'carol', 'olivia', 'adam'];

async function signInStaff(t: TestServer): Promise<Record<Staff, string>> {
  const tokens = {} as Record<Staff, string>;
  for (const user of staff) tokens[user] = await t.signIn(user);
  return tokens;
}

describe('findings: the controls around the money', () => {
  let t: TestServer;
  let tokens: Record<Staff, string>;
  let bank: Bank;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await startTestServer({ clock });
    tokens = await signInStaff(t);
    bank = await bankOf(t, tokens.alice);
  });
  afterAll(async () => t.close());

  it('1. a teller cannot choose the exchange rate: a rate from the counter is refused and mints nothing', async () => {
    const eur = newId();
    expect((await t.request('POST', '/api/v1/accounts', { token: tokens.alice, body: { accountId: eur, customerId: bank.amara.id, productId: 'CURRENT-EUR' } })).status).toBe(201);
    const before = await books(t, tokens.carol, bank);
    const minted = await t.request('POST', '/api/v1/exchanges', {
      token: tokens.alice,
      body: { sellTransferId: newId(), buyTransferId: newId(), fromAccountId: bank.amara.current, toAccountId: eur, money: usd('100'), rate: '999999999' },
    });
    expect(minted.status).toBeGreaterThanOrEqual(400);
    expect(minted.status).toBeLessThan(500);
    expect(await books(t, tokens.carol, bank)).toBe(before);
    const euro = (await t.request('GET', `/api/v1/accounts/${eur}`, { token: tokens.carol })).body;
    expect(euro.balances.posted).toBe('0');
  });

  it('2. a transfer between customers over the teller limit waits for a supervisor, as the same cash withdrawal does', async () => {
    const before = await books(t, tokens.carol, bank);
    const withdrawal = await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/withdrawals`, { token: tokens.alice, body: { transferId: newId(), accountId: bank.mei, money: usd('700000') } });
    const transfer = await t.request('POST', '/api/v1/internal-transfers', { token: tokens.alice, body: { transferId: newId(), fromAccountId: bank.mei, toAccountId: bank.lukas, money: usd('700000') } });
    expect(withdrawal.status).toBe(202);
    expect(transfer.status).toBe(202);
    expect(await books(t, tokens.carol, bank)).toBe(before);
  });

  it("3. operations' raw ledger posting cannot move customers' money past the banking rules", async () => {
    const before = await books(t, tokens.carol, bank);
    const raw = { id: newId(), debitAccountId: bank.mei, creditAccountId: bank.lukas, amount: '100000', ledger: USD, code: 1 };
    const posted = await t.request('POST', '/api/v1/transfers', { token: tokens.olivia, body: raw });
    expect(posted.status).toBe(403);
    expect(await books(t, tokens.carol, bank)).toBe(before);
  });

  it('6a. a held command does not run for a maker who was disabled since', async () => {
    const alice = await t.signIn('alice');
    const held = await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/deposits`, { token: alice, body: { transferId: newId(), accountId: bank.mei, money: usd('600000') } });
    expect(held.status).toBe(202);
    expect((await t.request('PUT', '/api/v1/users/alice/status', { token: tokens.adam, body: { status: 'disabled' } })).status).toBe(200);
    const before = await books(t, tokens.carol, bank);
    const approved = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: tokens.bob, body: { decision: 'approve' } });
    expect(approved.status).toBeGreaterThanOrEqual(400);
    expect(await books(t, tokens.carol, bank)).toBe(before);
    const pending = (await t.request('GET', '/api/v1/approvals', { token: tokens.bob })).body as Array<{ id: string; status: string }>;
    expect(pending.find((approval) => approval.id === held.body.approvalId)?.status).toBe('pending');
    expect((await t.request('PUT', '/api/v1/users/alice/status', { token: tokens.adam, body: { status: 'active' } })).status).toBe(200);
    tokens.alice = await t.signIn('alice');
  });

  it('6b. an extra field carrying {"$bigint": …} in a held request does not break the list of pending approvals', async () => {
    const held = await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/deposits`, {
      token: tokens.alice,
      body: { transferId: newId(), accountId: bank.mei, money: usd('600000'), note: { $bigint: 'not a number' } },
    });
    expect(held.status).toBe(202);
    const listed = await t.request('GET', '/api/v1/approvals', { token: tokens.bob });
    expect(listed.status).toBe(200);
    expect(listed.body).toContainEqual(expect.objectContaining({ id: held.body.approvalId, status: 'pending' }));
  });

  it('7a. one head teller cannot register, verify and open an account for the same customer alone', async () => {
    const customerId = newId();
    const created = await t.request('POST', '/api/v1/customers', {
      token: tokens.bob,
      body: { customerId, branchId: bank.branchId, fullName: 'Solo Case', dateOfBirth: '1988-08-08', nationalId: `SOLO-${randomBytes(3).toString('hex')}`, address: '9 Alone Road', phone: '+1 415 555 0190' },
    });
    expect(created.status).toBe(201);
    const verified = await t.request('POST', `/api/v1/customers/${customerId}/kyc`, { token: tokens.bob, body: { kycStatus: 'verified', riskRating: 'low' } });
    expect(verified.status).toBe(403);
    const opened = await t.request('POST', '/api/v1/accounts', { token: tokens.bob, body: { accountId: newId(), customerId, productId: 'CURRENT-USD' } });
    expect(opened.status).toBeGreaterThanOrEqual(400);
  });

  it('7b. a till closed with a short count waits for a head teller before the over/short is posted', async () => {
    const before = await books(t, tokens.carol, bank);
    const closed = await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/close`, { token: tokens.alice, body: { count: { '10000': 1 } } });
    expect(closed.status).toBe(202);
    expect(await books(t, tokens.carol, bank)).toBe(before);
    const still = await t.request('GET', '/api/v1/till-sessions/current', { token: tokens.alice });
    expect(still.body.session.status).toBe('open');
  });

  it('8. a session is bound to its device: another X-Device-Id is refused, and the audit log never records one a caller chose', async () => {
    const signedIn = await t.request('POST', '/api/v1/sessions', { body: { username: 'tom', password: 'Qenex-Demo-2026!', deviceId: 'desk-7' } });
    expect(signedIn.status).toBe(201);
    const token = signedIn.body.token as string;
    const spoofed = await t.request('GET', '/api/v1/till-sessions/current', { token, headers: { 'x-device-id': 'someone-elses-pc' } });
    expect(spoofed.status).toBe(401);
    const deposit = await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/deposits`, {
      token,
      headers: { 'x-device-id': 'someone-elses-pc' },
      body: { transferId: newId(), accountId: bank.mei, money: usd('100') },
    });
    expect(deposit.status).toBe(401);
    const audit = (await t.request('GET', '/api/v1/audit?limit=500&after=0', { token: tokens.carol })).body as Array<{ deviceId: string }>;
    const all = [...audit];
    for (let page = audit; page.length === 500; ) {
      page = (await t.request('GET', `/api/v1/audit?limit=500&after=${(all.at(-1) as unknown as { seq: number }).seq}`, { token: tokens.carol })).body;
      all.push(...page);
    }
    expect(all.map((record) => record.deviceId)).not.toContain('someone-elses-pc');
  });

  it("9. reads of customers' records leave a trace compliance can read: who, what, when, from which device", async () => {
    const startedMs = clock.nowMs();
    expect((await t.request('GET', `/api/v1/accounts/${bank.amara.savings}`, { token: tokens.tom })).status).toBe(200);
    const log = await t.request('GET', `/api/v1/access-log?subject=${bank.amara.savings}`, { token: tokens.carol });
    expect(log.status).toBe(200);
    expect(log.body).toContainEqual(expect.objectContaining({ actor: 'tom', command: 'account.get', subjects: expect.arrayContaining([bank.amara.savings]) }));
    const entry = (log.body as Array<{ actor: string; atMs: number; deviceId: string }>).find((item) => item.actor === 'tom')!;
    expect(entry.atMs).toBeGreaterThanOrEqual(startedMs);
    expect(entry.deviceId).toBe('test');
    expect((await t.request('GET', '/api/v1/access-log', { token: tokens.alice })).status).toBe(403);
  });

  it('10. bad input gets a 4xx with a stable code and changes nothing, never a 500', async () => {
    const before = await books(t, tokens.carol, bank);
    let deep = '1';
    for (let level = 0; level < 10_000; level += 1) deep = `{"a":${deep}}`;
    const answers = [
      await t.request('GET', '/api/v1/accounts/%00', { token: tokens.alice }),
      await t.request('GET', '/api/v1/customers?fullName=Am%00ara', { token: tokens.alice }),
      await t.request('POST', '/api/v1/sessions', { body: { username: 'al\u0000ice', password: 'Qenex-Demo-2026!', deviceId: 'x' } }),
      await t.request('POST', '/api/v1/internal-transfers', { token: tokens.alice, rawBody: deep }),
      await t.request('POST', '/api/v1/customers', { token: tokens.alice, body: { customerId: newId(), branchId: bank.branchId, fullName: 'x'.repeat(1024 * 1024) } }),
      await t.request('POST', `/api/v1/till-sessions/${bank.sessionId}/deposits`, { token: tokens.alice, body: { transferId: newId(), accountId: bank.mei, money: { amount: '100', currency: 'Z'.repeat(1024 * 1024) } } }),
      await t.request('GET', `/api/v1/accounts/${bank.amara.current}/statement?after=99999999999999999999`, { token: tokens.alice }),
      await t.request('GET', `/api/v1/accounts/${bank.amara.current}/balance?atMs=9007199254740991`, { token: tokens.alice }),
    ];
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeLessThan(500);
      expect(typeof answer.body.code).toBe('string');
      expect(JSON.stringify(answer.body).length).toBeLessThan(20_000);
    }
    expect(await books(t, tokens.carol, bank)).toBe(before);
    expect((await t.request('GET', '/ready')).status).toBe(200);
  });

  it('11a. sign-in tells nobody which users exist: an unknown, a wrong password and a disabled user get one answer', async () => {
    expect((await t.request('PUT', '/api/v1/users/tom/status', { token: tokens.adam, body: { status: 'disabled' } })).status).toBe(200);
    const signIn = (username: string, password: string) => t.request('POST', '/api/v1/sessions', { body: { username, password, deviceId: 'probe' } });
    const answers = [await signIn('nobody-here', 'Qenex-Demo-2026!'), await signIn('bob', 'Wrong-Password-1'), await signIn('tom', 'Qenex-Demo-2026!')];
    expect((await t.request('PUT', '/api/v1/users/tom/status', { token: tokens.adam, body: { status: 'active' } })).status).toBe(200);
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.body.code} ${answer.body.detail}`)).size).toBe(1);
  });

  it('11b. five wrong passwords do not lock a user out: after the delay, the right password signs in', async () => {
    const signIn = (password: string) => t.request('POST', '/api/v1/sessions', { body: { username: 'carol', password, deviceId: 'probe' } });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await signIn('Wrong-Password-1');
      expect([401, 429]).toContain(wrong.status);
      clock.advance(60 * 1000);
    }
    clock.advance(10 * 60 * 1000);
    expect((await signIn('Qenex-Demo-2026!')).status).toBe(201);
  });

  it('11c. an unsigned push does not write what it claims into the audit log', async () => {
    const claimed = { keyId: `device:${'k'.repeat(60_000)}:1`, digest: 'd'.repeat(60_000), payload: {}, signatures: { mlDsa65: 'AA', ed25519: 'AA' } };
    const pushed = await t.request('POST', '/api/v1/sync/push', { body: { message: claimed } });
    expect(pushed.status).toBeGreaterThanOrEqual(400);
    expect(pushed.status).toBeLessThan(500);
    const audit = (await t.request('GET', '/api/v1/audit?limit=500', { token: tokens.carol })).body as unknown[];
    expect(JSON.stringify(audit)).not.toContain('k'.repeat(1000));
  });

  it('11d. device routes are rate limited per address', async () => {
    let limited = false;
    for (let attempt = 0; attempt < 700 && !limited; attempt += 1) {
      const answer = await t.request('POST', '/api/v1/sync/pull', { body: { message: { keyId: 'device:nobody-1:1', digest: '0'.repeat(64), payload: {}, signatures: { mlDsa65: 'AA', ed25519: 'AA' } } } });
      limited = answer.status === 429;
    }
    expect(limited).toBe(true);
  });
});

describe('findings: the server trusts no workstation', () => {
  let t: TestServer;
  let tokens: Record<Staff, string>;
  let bank: Bank;
  const signingSeed = new Uint8Array(64).fill(31);
  const signing = hybridKeyPair(signingSeed);
  const kem = sealedBoxKeyPair(new Uint8Array(32).fill(32));
  const deviceId = 'ws-forged';
  let serverKem: Uint8Array;
  let batchSeq = 0;
  let commandSeq = 0;
  let lastDigest = '';

  beforeAll(async () => {
    t = await startTestServer();
    tokens = await signInStaff(t);
    bank = await bankOf(t, tokens.alice);
    const enrolled = await t.request('POST', '/api/v1/devices', {
      token: tokens.adam,
      body: { deviceId, branchId: bank.branchId, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) },
    });
    expect(enrolled.status).toBe(201);
    expect((await t.server.engine.executeAny('device.approve', { deviceId }, { actor: 'ada', roles: ['admin'], deviceId: 'test' })).ok).toBe(true);
    // The branch's offline authority: 3,000.00 a payout, 4,000.00 a customer a day.
    const policy = await t.request('POST', '/api/v1/stand-in-policies', {
      token: tokens.olivia,
      body: { branchId: bank.branchId, currency: 'USD', perTransaction: '300000', perCustomerPerDay: '400000', perTellerPerDay: '2000000', validForMs: 86_400_000 },
    });
    await settle(t, policy, tokens.adam);
    // Alice works at this workstation (a route the server lacked when the finding was made).
    await t.request('POST', `/api/v1/devices/${deviceId}/users`, { token: tokens.adam, body: { username: 'alice' } });
    serverKem = decodeBase64url((await t.request('GET', '/api/v1/server-keys')).body.kemPublicKey)!;
  });
  afterAll(async () => t.close());

  /** A correctly signed batch from the workstation, as whoever copied its key file could make it. */
  async function push(commands: Array<{ name: string; input: Record<string, unknown>; actor: string }>) {
    batchSeq += 1;
    const batch: PushBatch = {
      deviceId,
      batchSeq,
      prevDigest: lastDigest,
      commands: commands.map((command) => ({ seq: (commandSeq += 1), name: command.name, input: command.input as never, actor: command.actor, roles: ['head_teller'], atMs: Date.now() })),
    };
    const reply = await t.request('POST', '/api/v1/sync/push', { body: { message: sealPush(batch, { keyId: deviceKeyId(deviceId, 1), secretKeys: signing.secretKeys }, serverKem) } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    lastDigest = reply.body.answer.payload.batchDigest;
    return reply.body.answer.payload.verdicts as Array<{ status: string; code?: string }>;
  }

  it('4. a signed batch cannot carry payouts past the stand-in or teller limit, deposits past the teller limit, or a user of another device', async () => {
    const balance = async (id: string) => (await t.request('GET', `/api/v1/accounts/${id}`, { token: tokens.carol })).body.balances.posted as string;
    const meiBefore = await balance(bank.mei);
    const tills = (await t.request('GET', `/api/v1/branches/${bank.branchId}/tills`, { token: tokens.alice })).body as Array<{ till: { id: string }; cash: { posted: string } }>;
    const tillBefore = tills.find((entry) => entry.till.id === bank.tillId)!.cash.posted;
    const verdicts = await push([
      { name: 'cash.withdraw', input: { transferId: newId(), sessionId: bank.sessionId, accountId: bank.mei, money: usd('350000') }, actor: 'alice' }, // over the stand-in, within alice's 5,000.00
      { name: 'cash.withdraw', input: { transferId: newId(), sessionId: bank.sessionId, accountId: bank.mei, money: usd('600000') }, actor: 'alice' }, // over alice's limit
      { name: 'cash.deposit', input: { transferId: newId(), sessionId: bank.sessionId, accountId: bank.mei, money: usd('600000') }, actor: 'alice' }, // over alice's limit
      { name: 'cash.deposit', input: { transferId: newId(), sessionId: bank.sessionId, accountId: bank.mei, money: usd('100') }, actor: 'bob' }, // bob is not a user of this workstation
    ]);
    // Payouts beyond offline authority and a user who does not work there: nothing is booked, each is an exception to investigate.
    expect(verdicts.map((verdict) => verdict.status)).toEqual(['rejected', 'rejected', 'held', 'rejected']);
    expect(verdicts.filter((verdict) => verdict.status === 'rejected').every((verdict) => typeof (verdict as { exceptionId?: string }).exceptionId === 'string')).toBe(true);
    expect(await balance(bank.mei)).toBe(meiBefore);
    const till = (await t.request('GET', `/api/v1/branches/${bank.branchId}/tills`, { token: tokens.alice })).body as Array<{ till: { id: string }; cash: { posted: string } }>;
    expect(till.find((entry) => entry.till.id === bank.tillId)!.cash.posted).toBe(tillBefore);
  });
});

/*
 * Proved elsewhere, each by a test that fails without its fix:
 * 4 (replay re-decides with the server's stand-in and tallies): test/policy/matrix.test.ts (replayed), test/policy/offline-online.test.ts
 * 5 (pull answers bound to their request, fresh signed requests): test/findings/workstation.test.ts
 * 10 (both stores answer the same): test/findings/workstation.test.ts
 * 11 (idempotency lease owner): packages/engine/src/testing/kv-contract.ts; (WebSocket rejection and leak): test/server/notifications.test.ts;
 *    (/ready shows no dependency error): test/server/ready.test.ts; (compensation checks the session's branch, each device gets its users'
 *    limits only): test/findings/workstation.test.ts
 * 12 (a middle record rewritten with its hash recomputed): packages/engine/src/core/audit.test.ts, adapters/sqlite/audit-store.test.ts;
 *    (the harness's key file): test/server/smoke.test.ts
 */

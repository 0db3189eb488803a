/**
 * The central server's API over real HTTP, route by route: every route in apps/server/src/http/
 * routes.ts, the transfer routes, /health, /ready and the OpenAPI document.
 *
 * For the write routes each refusal is proved three ways: the answer is problem+json with the
 * right status, a specific `code` and a `detail` a person can act on; the books did not move
 * (customer balances, the raw ledger accounts a test made, till cash, ledger totals, pending
 * approvals, read back through the API); and the audit log (read as the compliance officer) holds
 * the refusal with its code and nothing accepted, its hash chain intact.
 *
 * One server per describe block: the demo bank (branch 0001 with tellers alice and tom and head
 * teller bob, till T1 open under alice, three customers, the EUR/USD rate sheet, role limits) on
 * its own PostgreSQL schema. Raw ledger tests run as the ledger operator (lena) on ledger accounts
 * of their own: the banking chart's accounts move only through banking commands.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, demoUsers, signInDelayMs, signInDelayMsMax, type Context } from '@qenex/engine';
import { demoPassword, signInAttemptsPerWindowMax } from '@qenex/server';
import { dropTestDatabase, startTestServer, type TestServer, type WireTransfer } from './harness';

afterAll(async () => {
  await dropTestDatabase();
});

const users = ['alice', 'tom', 'bob', 'carol', 'olivia', 'adam', 'tess', 'trent', 'lena'] as const;
type User = (typeof users)[number];
type Tokens = Record<User, string>;
interface Reply {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

const USD = 840;
const EUR = 978;
/** 2^63: one more than the largest amount the books hold. */
const overflowingAmount = '9223372036854775808';
const hour = 60 * 60 * 1000;
const sessionTtlMs = 8 * hour;

function newId(): string {
  return randomBytes(16).toString('hex');
}

function newKey(): string {
  return `api-test-${randomBytes(12).toString('hex')}`;
}

function money(amount: string, currency = 'USD'): { amount: string; currency: string } {
  return { amount, currency };
}

/** Signs in every demo user: tellers alice and tom, head teller bob, carol (compliance), olivia (operations), adam (admin), tess and trent (treasury), lena (ledger operator). */
async function signInAll(t: TestServer): Promise<Tokens> {
  const tokens = await Promise.all(users.map((user) => t.signIn(user)));
  return Object.fromEntries(users.map((user, index) => [user, tokens[index]!])) as Tokens;
}

/** A whole count of a till's cash: hundreds, then cents. */
function countOf(amountMinor: string | bigint): Record<string, number> {
  const amount = BigInt(amountMinor);
  return { '10000': Number(amount / 10000n), '1': Number(amount % 10000n) };
}

/**
 * The bank's bootstrap administrator, in-process: the second holder of user.manage the demo bank
 * has (it made the demo users the same way). Over HTTP the demo has one administrator, adam.
 */
const bootstrapAdmin: Context = { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' };

/** A request the policy holds for a second person, then that person's approval: the approved command's result. */
async function heldThenApproved(d: { t: TestServer }, maker: string, path: string, body: unknown, checker: string): Promise<any> {
  const held = await d.t.request('POST', path, { token: maker, body });
  expect(held.status, JSON.stringify(held.body)).toBe(202);
  const decided = await d.t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: checker, body: { decision: 'approve' } });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  return decided.body.result;
}

/** Alice asked for the approval (the maker); tom is another teller, without the checker's permission. */
function alice_or_tom_code(user: 'alice' | 'tom'): string {
  return user === 'alice' ? 'checker_must_differ' : 'checker_lacks_permission';
}

/** A new user at `branchId` (or central) with `roles`: created by adam, roles granted by adam and approved by the second administrator. */
async function createUserWithRoles(t: TestServer, adam: string, username: string, roles: readonly string[], branchId: string | null): Promise<string> {
  const password = 'Second-Person-42!';
  const created = await t.request('POST', '/api/v1/users', { token: adam, body: { username, displayName: username, password, branchId } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const held = await t.request('PUT', `/api/v1/users/${username}/roles`, { token: adam, body: { roles } });
  expect(held.status, JSON.stringify(held.body)).toBe(202);
  const approved = await t.server.engine.executeAny('approval.decide', { approvalId: held.body.approvalId, decision: 'approve' }, bootstrapAdmin);
  expect(approved.ok, JSON.stringify(approved)).toBe(true);
  const session = await t.request('POST', '/api/v1/sessions', { body: { username, password, deviceId: 'test' } });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.token as string;
}

/** A refusal as RFC 9457 says, with our stable code and a sentence for people. */
function expectProblem(reply: Reply, status: number, code: string, detail?: RegExp): void {
  expect({ status: reply.status, code: reply.body?.code }, JSON.stringify(reply.body)).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    type: `https://qenex.dev/problems/${code.replaceAll('_', '-')}`,
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
  });
  expect(reply.body.detail.length).toBeGreaterThan(10);
  if (detail !== undefined) expect(reply.body.detail).toMatch(detail);
}

// ---------------------------------------------------------------------------------------------
// The demo bank as the API shows it
// ---------------------------------------------------------------------------------------------

interface Customer {
  readonly id: string;
  readonly nationalId: string;
  readonly current: string;
  readonly savings: string;
}

interface Demo {
  readonly t: TestServer;
  tokens: Tokens;
  readonly branchId: string;
  readonly tillId: string;
  readonly tillAccountId: string;
  readonly sessionId: string;
  /** Amara (current 150000, savings 100000), Lukas (current 210000), Mei (current 250000). */
  readonly customers: readonly [Customer, Customer, Customer];
  /** More accounts whose balances the books snapshot watches. */
  readonly watched: string[];
  /** Raw ledger accounts (made through POST /ledger/accounts) the books snapshot watches too. */
  readonly raw: string[];
}

async function discoverDemo(t: TestServer, tokens: Tokens): Promise<Demo> {
  const list = await t.request('GET', '/api/v1/customers', { token: tokens.alice });
  expect(list.status).toBe(200);
  const customers: Customer[] = [];
  for (const nationalId of ['P-4471-0934', 'D-7782-1190', 'J-2231-5508']) {
    const found = (list.body as Array<{ id: string; nationalId: string }>).find((customer) => customer.nationalId === nationalId);
    expect(found, nationalId).toBeDefined();
    const detail = await t.request('GET', `/api/v1/customers/${found!.id}`, { token: tokens.alice });
    expect(detail.status).toBe(200);
    const accounts = detail.body.accounts as Array<{ id: string; productId: string }>;
    customers.push({
      id: found!.id,
      nationalId,
      current: accounts.find((account) => account.productId === 'CURRENT-USD')!.id,
      savings: accounts.find((account) => account.productId === 'SAVINGS-USD')!.id,
    });
  }
  const current = await t.request('GET', '/api/v1/till-sessions/current', { token: tokens.alice });
  expect(current.status).toBe(200);
  return {
    t,
    tokens,
    branchId: current.body.till.branchId,
    tillId: current.body.till.id,
    tillAccountId: current.body.till.accountId,
    sessionId: current.body.session.id,
    customers: customers as unknown as Demo['customers'],
    watched: [],
    raw: [],
  };
}

interface Books {
  readonly accounts: Record<string, unknown>;
  readonly raw: unknown;
  readonly totals: unknown;
  readonly tills: unknown;
  readonly pendingApprovals: readonly string[];
}

/** Raw ledger accounts as GET /ledger/lookup answers them (bigint fields as strings). */
interface RawAccount {
  readonly id: string;
  readonly ledger: number;
  readonly code: number;
  readonly flags: number;
  readonly debitsPending: string;
  readonly debitsPosted: string;
  readonly creditsPending: string;
  readonly creditsPosted: string;
}

async function lookup(d: Demo, ids: readonly string[], user: User = 'carol'): Promise<{ accounts: RawAccount[]; transfers: Array<Record<string, unknown>> }> {
  const reply = await d.t.request('GET', `/api/v1/ledger/lookup?ids=${ids.join(',')}`, { token: d.tokens[user] });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** A raw account's four balances, read through GET /ledger/lookup. */
async function rawOf(d: Demo, id: string): Promise<{ debitsPending: bigint; debitsPosted: bigint; creditsPending: bigint; creditsPosted: bigint }> {
  const found = (await lookup(d, [id])).accounts.find((account) => account.id === id);
  expect(found, `raw account ${id}`).toBeDefined();
  return {
    debitsPending: BigInt(found!.debitsPending),
    debitsPosted: BigInt(found!.debitsPosted),
    creditsPending: BigInt(found!.creditsPending),
    creditsPosted: BigInt(found!.creditsPosted),
  };
}

/** Everything money can touch, read back through the API. */
async function books(d: Demo): Promise<Books> {
  const ids = [...d.customers.flatMap((customer) => [customer.current, customer.savings]), ...d.watched];
  const [accounts, raw, totals, tills, approvals] = await Promise.all([
    Promise.all(ids.map((id) => d.t.request('GET', `/api/v1/accounts/${id}`, { token: d.tokens.carol }))),
    d.raw.length === 0 ? Promise.resolve({ accounts: [] }) : lookup(d, d.raw),
    d.t.request('GET', '/api/v1/ledger/totals', { token: d.tokens.carol }),
    d.t.request('GET', `/api/v1/branches/${d.branchId}/tills`, { token: d.tokens.alice }),
    // The administrator serves no branch, so sees every branch's and the centre's held requests.
    d.t.request('GET', '/api/v1/approvals?status=pending&limit=100', { token: d.tokens.adam }),
  ]);
  for (const reply of [...accounts, totals, tills, approvals]) expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect((totals.body as Array<{ balanced: boolean }>).every((ledger) => ledger.balanced)).toBe(true);
  expect(raw.accounts).toHaveLength(d.raw.length);
  return {
    accounts: Object.fromEntries(ids.map((id, index) => [id, { balances: accounts[index]!.body.balances, status: accounts[index]!.body.account.status }])),
    raw: Object.fromEntries(raw.accounts.map(({ id, debitsPending, debitsPosted, creditsPending, creditsPosted }) => [id, { debitsPending, debitsPosted, creditsPending, creditsPosted }])),
    totals: totals.body,
    tills: (tills.body as Array<{ till: { id: string }; cash: unknown; openSession: { id: string } | null }>).map((till) => ({
      id: till.till.id,
      cash: till.cash,
      session: till.openSession?.id ?? null,
    })),
    pendingApprovals: (approvals.body as Array<{ id: string }>).map((approval) => approval.id).sort(),
  };
}

async function balancesOf(d: Demo, accountId: string): Promise<{ posted: string; available: string; pending: string }> {
  const reply = await d.t.request('GET', `/api/v1/accounts/${accountId}`, { token: d.tokens.carol });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.balances;
}

async function tillCash(d: Demo, tillId: string): Promise<string> {
  const reply = await d.t.request('GET', `/api/v1/branches/${d.branchId}/tills`, { token: d.tokens.alice });
  expect(reply.status).toBe(200);
  return (reply.body as Array<{ till: { id: string }; cash: { posted: string } }>).find((till) => till.till.id === tillId)!.cash.posted;
}

async function totalsOf(d: Demo, ledger: number): Promise<{ debitsPosted: string; creditsPosted: string; debitsPending: string; balanced: boolean }> {
  const reply = await d.t.request('GET', '/api/v1/ledger/totals', { token: d.tokens.carol });
  expect(reply.status).toBe(200);
  return (reply.body as Array<{ ledger: number }>).find((total) => total.ledger === ledger) as never;
}

// ---------------------------------------------------------------------------------------------
// The audit log, read as the compliance officer
// ---------------------------------------------------------------------------------------------

interface AuditRecord {
  readonly seq: number;
  readonly actor: string;
  readonly deviceId: string;
  readonly command: string;
  readonly outcome: string;
  readonly detail: Record<string, unknown>;
}

/** The number of records, after checking the chain is intact. */
async function auditHead(t: TestServer, carol: string): Promise<number> {
  const verdict = await t.request('GET', '/api/v1/audit/verify', { token: carol });
  expect(verdict.status).toBe(200);
  expect(verdict.body).toMatchObject({ intact: true, break: null });
  return verdict.body.count as number;
}

async function auditAfter(t: TestServer, carol: string, seq: number): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let after = seq;
  for (;;) {
    const page = await t.request('GET', `/api/v1/audit?after=${after}&limit=500`, { token: carol });
    expect(page.status).toBe(200);
    records.push(...(page.body as AuditRecord[]));
    if (page.body.length < 500) return records;
    after = page.body.at(-1).seq;
  }
}

function summary(records: readonly AuditRecord[]): Array<{ actor: string; command: string; outcome: string }> {
  return records.map(({ actor, command, outcome }) => ({ actor, command, outcome }));
}

// ---------------------------------------------------------------------------------------------
// A refusal: the answer, the books, the audit log
// ---------------------------------------------------------------------------------------------

interface RefusalCase {
  readonly name: string;
  readonly user: User;
  readonly method: 'POST' | 'PUT';
  readonly path: (d: Demo) => string;
  readonly body?: (d: Demo) => unknown;
  readonly status: number;
  readonly code: string;
  readonly detail?: RegExp;
  /** The command the audit log names. */
  readonly command: string;
}

async function expectRefusal(d: Demo, refusal: RefusalCase): Promise<void> {
  const before = await books(d);
  const head = await auditHead(d.t, d.tokens.carol);
  const reply = await d.t.request(refusal.method, refusal.path(d), {
    token: d.tokens[refusal.user],
    // A body may be read from the books first (a count of the till's cash, say).
    ...(refusal.body === undefined ? {} : { body: await refusal.body(d) }),
  });
  expectProblem(reply, refusal.status, refusal.code, refusal.detail);
  expect(await books(d)).toEqual(before);
  const records = await auditAfter(d.t, d.tokens.carol, head);
  expect(summary(records)).toContainEqual({ actor: refusal.user, command: refusal.command, outcome: refusal.code });
  expect(summary(records.filter((record) => record.outcome === 'ok'))).toEqual([]);
  expect(records.find((record) => record.outcome === refusal.code)?.detail.message).toEqual(expect.any(String));
  await auditHead(d.t, d.tokens.carol);
}

// =============================================================================================
// Probes, the OpenAPI document, and a session on every route
// =============================================================================================

/** Every route the server must serve, as the OpenAPI document names it. */
/** Reachable without a session: signing in, the keys a workstation pins, and the signed update files. */
const publicOperations: ReadonlySet<string> = new Set(['POST /api/v1/sessions', 'GET /api/v1/server-keys', 'GET /api/v1/updates/files/{path}']);

const expectedOperations = [
  'GET /api/v1/screening/sweep',
  'GET /api/v1/cases',
  'GET /api/v1/cases/{caseId}',
  'POST /api/v1/cases/{caseId}/assignment',
  'POST /api/v1/cases/{caseId}/notes',
  'POST /api/v1/cases/{caseId}/investigation',
  'POST /api/v1/cases/{caseId}/closure',
  'POST /api/v1/cases/{caseId}/report-proposals',
  'POST /api/v1/cases/{caseId}/reports',
  'GET /api/v1/reports/{reportId}',
  'PUT /api/v1/reporting-profile',
  'POST /api/v1/compliance/refusal-reports',
  'GET /api/v1/monitoring/scenarios',
  'PUT /api/v1/monitoring/scenarios/live',
  'PUT /api/v1/monitoring/scenarios/draft',
  'GET /api/v1/monitoring/shadow',
  'GET /api/v1/fraud/drift',
  'POST /api/v1/fraud/drift-checks',
  'GET /api/v1/fraud/shadow',
  'PUT /api/v1/correspondents/{currency}',
  'POST /api/v1/payments',
  'GET /api/v1/payments',
  'GET /api/v1/payments/{paymentId}',
  'POST /api/v1/payments/{paymentId}/recall',
  'GET /api/v1/payment-exceptions',
  'GET /api/v1/nostro-reconciliations/{currency}/{statementId}',
  'PUT /api/v1/cbdc/policies/{currency}',
  'POST /api/v1/cbdc/wallets',
  'GET /api/v1/cbdc/wallets/{walletId}',
  'POST /api/v1/cbdc/wallets/{walletId}/fundings',
  'POST /api/v1/cbdc/wallets/{walletId}/defundings',
  'POST /api/v1/cbdc/wallets/{walletId}/payments',
  'POST /api/v1/cbdc/wallets/{walletId}/offline-loads',
  'GET /api/v1/cbdc/wallets/{walletId}/offline-coins',
  'POST /api/v1/cbdc/offline-payments',
  'POST /api/v1/cbdc/issuances',
  'POST /api/v1/cbdc/redemptions',
  'POST /api/v1/cbdc/reserve-movements',
  'POST /api/v1/digital-assets',
  'POST /api/v1/swap-pools',
  'GET /api/v1/digital-assets',
  'POST /api/v1/token-accounts',
  'GET /api/v1/token-accounts/{accountId}',
  'GET /api/v1/token-accounts/{accountId}/operations',
  'POST /api/v1/token-withdrawals',
  'POST /api/v1/token-swaps',
  'GET /api/v1/monitoring/replay',
  'POST /api/v1/devices',
  'POST /api/v1/devices/{deviceId}/approval',
  'POST /api/v1/devices/{deviceId}/revocation',
  'POST /api/v1/devices/{deviceId}/users',
  'POST /api/v1/devices/{deviceId}/key-rotation-approval',
  'POST /api/v1/sync/push',
  'POST /api/v1/sync/pull',
  'POST /api/v1/sync/key-rotation',
  'POST /api/v1/stand-in-policies',
  'POST /api/v1/updates/reports',
  'GET /api/v1/updates/status',
  'GET /api/v1/updates/files/{path}',
  'GET /api/v1/screening/customers',
  'GET /api/v1/branches/{branchId}/sync-exceptions',
  'GET /api/v1/server-keys',
  'POST /api/v1/sessions',
  'DELETE /api/v1/sessions/current',
  'POST /api/v1/users',
  'PUT /api/v1/users/{username}/roles',
  'PUT /api/v1/users/{username}/status',
  'GET /api/v1/approvals',
  'POST /api/v1/approvals/{approvalId}/decision',
  'POST /api/v1/branches',
  'GET /api/v1/branches',
  'POST /api/v1/tills',
  'GET /api/v1/branches/{branchId}/tills',
  'POST /api/v1/tills/{tillId}/sessions',
  'GET /api/v1/till-sessions/current',
  'POST /api/v1/till-sessions/{sessionId}/close',
  'POST /api/v1/till-sessions/{sessionId}/deposits',
  'POST /api/v1/till-sessions/{sessionId}/withdrawals',
  'POST /api/v1/vault/fundings',
  'POST /api/v1/vault/to-till',
  'POST /api/v1/vault/from-till',
  'POST /api/v1/products',
  'POST /api/v1/limits',
  'POST /api/v1/customers',
  'GET /api/v1/customers',
  'GET /api/v1/customer-directory',
  'GET /api/v1/customers/{customerId}',
  'POST /api/v1/customers/{customerId}/kyc',
  'POST /api/v1/accounts',
  'POST /api/v1/accounts/{accountId}/closure',
  'GET /api/v1/accounts/{accountId}',
  'GET /api/v1/accounts/{accountId}/statement',
  'GET /api/v1/accounts/{accountId}/balance',
  'POST /api/v1/internal-transfers',
  'POST /api/v1/exchanges',
  'POST /api/v1/rate-sheets',
  'GET /api/v1/rate-sheets',
  'POST /api/v1/ledger/accounts',
  'POST /api/v1/ledger/expire-pending',
  'GET /api/v1/ledger/totals',
  'GET /api/v1/ledger/lookup',
  'GET /api/v1/audit/verify',
  'POST /api/v1/audit/verify',
  'GET /api/v1/audit/head',
  'GET /api/v1/audit',
  'GET /api/v1/access-log',
  'POST /api/v1/transfers',
  'POST /api/v1/transfers/{pendingId}/post',
  'POST /api/v1/transfers/{pendingId}/void',
  'GET /health',
  'GET /ready',
];

/** Required body fields of a few POST routes (path fields must not be among them). */
const requiredBodyFields: Record<string, readonly string[]> = {
  'POST /api/v1/sessions': ['username', 'password', 'deviceId'],
  'POST /api/v1/till-sessions/{sessionId}/deposits': ['transferId', 'accountId', 'money'],
  'POST /api/v1/till-sessions/{sessionId}/withdrawals': ['transferId', 'accountId', 'money'],
  'POST /api/v1/approvals/{approvalId}/decision': ['decision'],
  'POST /api/v1/vault/fundings': ['transferId', 'branchId', 'money'],
  'POST /api/v1/internal-transfers': ['transferId', 'fromAccountId', 'toAccountId', 'money'],
  'POST /api/v1/exchanges': ['sellTransferId', 'buyTransferId', 'fromAccountId', 'toAccountId', 'money'],
  'POST /api/v1/accounts': ['accountId', 'customerId', 'productId'],
  'POST /api/v1/transfers/{pendingId}/post': ['id'],
  'PUT /api/v1/users/{username}/roles': ['roles'],
};

function operationsOf(document: any): Array<{ key: string; method: string; path: string; operation: any }> {
  const operations = [];
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation });
    }
  }
  return operations;
}

/** A concrete URL for a documented path: each `{param}` becomes a well-formed id. */
function concrete(path: string): string {
  return path.replace(/\{[A-Za-z]+\}/g, () => newId());
}

describe('probes, the OpenAPI document and authentication on every route', () => {
  let t: TestServer;
  let tokens: Tokens;
  let document: any;
  beforeAll(async () => {
    t = await startTestServer();
    tokens = await signInAll(t);
    document = (await t.request('GET', '/api/v1/openapi.json')).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /health and /ready without a session', async () => {
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('serves an OpenAPI 3.1 document that lists every route and nothing else', async () => {
    const reply = await t.request('GET', '/api/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(operationsOf(document).map((operation) => operation.key).sort()).toEqual([...expectedOperations].sort());
  });

  it('documents a request schema for every POST and PUT body, without the path fields', () => {
    for (const { key, method, path, operation } of operationsOf(document)) {
      if (method !== 'POST' && method !== 'PUT') {
        expect(operation.requestBody, key).toBeUndefined();
        continue;
      }
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      expect(schema, `${key} has no request schema`).toBeDefined();
      expect(schema.type === 'object' || Array.isArray(schema.oneOf), key).toBe(true);
      const pathFields = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]!);
      for (const field of pathFields) {
        expect(Object.keys(schema.properties ?? {}), `${key} repeats path field ${field} in its body`).not.toContain(field);
        expect(operation.parameters, key).toContainEqual(expect.objectContaining({ name: field, in: 'path', required: true }));
      }
      for (const field of requiredBodyFields[key] ?? []) expect(schema.required, key).toContain(field);
    }
    const transfer = document.paths['/api/v1/transfers'].post.requestBody.content['application/json'].schema;
    expect(transfer.oneOf).toHaveLength(2);
    expect(transfer.oneOf[0].required).toEqual(['id', 'amount']);
  });

  it('documents the Idempotency-Key header on every POST but sign-in, and a permission on every API operation', () => {
    for (const { key, method, path, operation } of operationsOf(document)) {
      if (!path.startsWith('/api/v1/')) continue;
      const isSignIn = publicOperations.has(key);
      if (operation['x-authentication'] !== undefined) {
        // Device routes are signed by the workstation and sequenced by batch number instead.
        expect(operation.security, key).toEqual([]);
        expect(operation['x-permission'], key).toBe('sync.push');
        continue;
      }
      if (method === 'POST' && !isSignIn) {
        expect(operation.parameters, key).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
      }
      if (isSignIn) {
        expect(operation.security).toEqual([]);
        continue;
      }
      expect(operation['x-permission'], `${key} does not say which permission it needs`).toEqual(expect.any(String));
    }
  });

  it('refuses every route but sign-in without a session: 401 session_missing, problem+json, WWW-Authenticate', async () => {
    for (const { key, method, path, operation } of operationsOf(document)) {
      if (publicOperations.has(key) || !path.startsWith('/api/v1/')) continue;
      if (operation['x-authentication'] !== undefined) {
        // No session here: the body must carry a device signature, and an empty one does not.
        const unsigned = await t.request(method, concrete(path), { body: { message: {} } });
        expectProblem(unsigned, 400, 'malformed_envelope', /refused/);
        continue;
      }
      const reply = await t.request(method, concrete(path), method === 'POST' || method === 'PUT' ? { body: {} } : {});
      expectProblem(reply, 401, 'session_missing', /sign in/i);
      expect(reply.headers.get('www-authenticate'), key).toBe('Bearer realm="qenex"');
    }
  });

  it('refuses every POST without an Idempotency-Key (428) before it runs, and with a key too short to be one', async () => {
    const head = await auditHead(t, tokens.carol);
    for (const { key, method, path, operation } of operationsOf(document)) {
      if (method !== 'POST' || key === 'POST /api/v1/sessions' || !path.startsWith('/api/v1/') || operation['x-authentication'] !== undefined) continue;
      const missing = await t.request('POST', concrete(path), { token: tokens.olivia, body: {}, idempotencyKey: null });
      expectProblem(missing, 428, 'idempotency_key_missing', /Idempotency-Key/);
      const short = await t.request('POST', concrete(path), { token: tokens.olivia, body: {}, idempotencyKey: 'short' });
      expectProblem(short, 428, 'idempotency_key_missing', /Idempotency-Key/);
    }
    // Nothing ran: no command reached the engine, so the audit log did not grow.
    expect(await auditHead(t, tokens.carol)).toBe(head);
  });

  it('answers an unknown route and a wrong method with 404 not_found as problem+json', async () => {
    expectProblem(await t.request('GET', '/api/v1/nothing-here', { token: tokens.alice }), 404, 'not_found', /No route GET \/api\/v1\/nothing-here/);
    expectProblem(await t.request('GET', '/api/v1/transfers', { token: tokens.olivia }), 404, 'not_found', /No route/);
    expectProblem(await t.request('GET', '/api/v1/ledger/totals/', { token: tokens.olivia }), 404, 'not_found', /No route/);
  });

  it('refuses a body that is not JSON with 415 unsupported_media_type', async () => {
    const xml = await t.request('POST', '/api/v1/ledger/expire-pending', {
      token: tokens.olivia,
      rawBody: '<expire/>',
      headers: { 'content-type': 'application/xml' },
    });
    expectProblem(xml, 415, 'unsupported_media_type', /application\/json/);
  });

  it('refuses a body larger than the limit with 413 body_too_large', async () => {
    const huge = await t.request('POST', '/api/v1/transfers', { token: tokens.olivia, rawBody: `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}` });
    expectProblem(huge, 413, 'body_too_large', /larger than/);
  });
});

// =============================================================================================
// Sessions, users, and time (a manual clock)
// =============================================================================================

describe('sessions and users', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  let t: TestServer;
  let d: Demo;
  const strongPassword = 'Correct-Horse-42!';
  const username = `user-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestServer({ clock });
    d = await discoverDemo(t, await signInAll(t));
  });
  afterAll(async () => {
    await t.close();
  });

  async function signInAs(name: string, password: string): Promise<Reply> {
    return t.request('POST', '/api/v1/sessions', { body: { username: name, password, deviceId: 'api-test' } });
  }

  it('signs in: 201 with a bearer token, the roles, and an expiry 8 hours ahead', async () => {
    const reply = await signInAs('bob', demoPassword);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ username: 'bob', roles: ['head_teller'], expiresAtMs: clock.nowMs() + sessionTtlMs });
    expect(reply.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: reply.body.token });
    expect(totals.status).toBe(200);
  });

  it('refuses a wrong password or an unknown user alike (401 invalid_credentials), and records both', async () => {
    const head = await auditHead(t, d.tokens.carol);
    const wrong = await signInAs('bob', 'not-the-password');
    expectProblem(wrong, 401, 'invalid_credentials', /username or password is wrong/);
    const unknown = await signInAs('nobody', 'not-the-password');
    expectProblem(unknown, 401, 'invalid_credentials', /username or password is wrong/);
    expect(unknown.body.detail).toBe(wrong.body.detail);
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(summary(records)).toEqual([
      { actor: 'anonymous', command: 'session.create', outcome: 'invalid_credentials' },
      { actor: 'anonymous', command: 'session.create', outcome: 'invalid_credentials' },
    ]);
    expect(records[0]!.detail).toMatchObject({ username: 'bob' });
    expect(JSON.stringify(records)).not.toContain('not-the-password');
  });

  it('refuses a malformed sign-in: bad JSON (400 bad_request), missing or mistyped fields (400 invalid_input)', async () => {
    expectProblem(await t.request('POST', '/api/v1/sessions', { rawBody: '{"username":"bob",' }), 400, 'bad_request', /JSON/);
    expectProblem(await t.request('POST', '/api/v1/sessions', { body: { username: 'bob', deviceId: 'x' } }), 400, 'invalid_input', /password/);
    expectProblem(await t.request('POST', '/api/v1/sessions', { body: { username: 42, password: demoPassword, deviceId: 'x' } }), 400, 'invalid_input', /username/);
    expectProblem(await t.request('POST', '/api/v1/sessions', { body: { username: 'bob', password: demoPassword, deviceId: 'no spaces allowed' } }), 400, 'invalid_input', /deviceId/);
  });

  it('creates a user (201, no roles, central or at a branch) as the administrator; refuses bad users with specific codes and creates nothing', async () => {
    const created = await t.request('POST', '/api/v1/users', { token: d.tokens.adam, body: { username, displayName: 'Lock Test', password: strongPassword } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username, displayName: 'Lock Test', roles: [], branchId: null });
    const atBranch = `branch-${randomBytes(3).toString('hex')}`;
    const placed = await t.request('POST', '/api/v1/users', { token: d.tokens.adam, body: { username: atBranch, displayName: 'At the branch', password: strongPassword, branchId: d.branchId } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toEqual({ username: atBranch, displayName: 'At the branch', roles: [], branchId: d.branchId });
    const explicitlyCentral = `central-${randomBytes(3).toString('hex')}`;
    const central = await t.request('POST', '/api/v1/users', { token: d.tokens.adam, body: { username: explicitlyCentral, displayName: 'Head office', password: strongPassword, branchId: null } });
    expect(central.status, JSON.stringify(central.body)).toBe(201);
    expect(central.body).toEqual({ username: explicitlyCentral, displayName: 'Head office', roles: [], branchId: null });
    const cases: RefusalCase[] = [
      { name: 'taken', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'alice', displayName: 'Again', password: strongPassword }), status: 409, code: 'username_taken', detail: /alice/, command: 'user.create' },
      { name: 'short password', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', displayName: 'N', password: 'Ab1!' }), status: 422, code: 'password_too_short', detail: /12 characters/, command: 'user.create' },
      { name: 'password holds the name', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', displayName: 'N', password: 'Newbie-Password-1' }), status: 422, code: 'password_too_simple', detail: /username/, command: 'user.create' },
      { name: 'bad username', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'Not Valid', displayName: 'N', password: strongPassword }), status: 400, code: 'invalid_input', detail: /username/, command: 'user.create' },
      { name: 'missing field', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', password: strongPassword }), status: 400, code: 'invalid_input', detail: /displayName/, command: 'user.create' },
      { name: 'unknown branch', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', displayName: 'N', password: strongPassword, branchId: newId() }), status: 404, code: 'branch_not_found', detail: /branch/, command: 'user.create' },
      { name: 'malformed branch id', user: 'adam', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', displayName: 'N', password: strongPassword, branchId: '0001' }), status: 400, code: 'id_malformed', detail: /branchId/, command: 'user.create' },
      { name: 'no permission', user: 'alice', method: 'POST', path: () => '/api/v1/users', body: () => ({ username: 'newbie', displayName: 'N', password: strongPassword }), status: 403, code: 'permission_denied', detail: /user\.manage/, command: 'user.create' },
    ];
    for (const refusal of cases) await expectRefusal(d, refusal);
    // Nothing was created and alice's password is still hers.
    expectProblem(await signInAs('newbie', strongPassword), 401, 'invalid_credentials');
    expect((await signInAs('alice', demoPassword)).status).toBe(201);
  });

  it('holds a role change for a second person who holds user.manage (202); the maker and a checker without user.manage are refused', async () => {
    const held = await t.request('PUT', `/api/v1/users/${username}/roles`, { token: d.tokens.adam, body: { roles: ['teller'] } });
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ status: 'held', approvalId: expect.stringMatching(/^[0-9a-f]{32}$/), detail: expect.stringMatching(/needs a second person who holds user\.manage/) });
    const approvalId = held.body.approvalId as string;
    const listed = await t.request('GET', '/api/v1/approvals', { token: d.tokens.adam });
    expect(listed.status).toBe(200);
    expect(listed.body).toContainEqual(expect.objectContaining({ id: approvalId, command: 'user.set_roles', requestedBy: 'adam', status: 'pending' }));
    // A request of the bank's centre is not a branch's: the branch's head teller does not see it.
    const atBranch = await t.request('GET', '/api/v1/approvals', { token: d.tokens.bob });
    expect(atBranch.status).toBe(200);
    expect(atBranch.body.map((approval: { id: string }) => approval.id)).not.toContain(approvalId);

    await expectRefusal(d, { name: 'maker approves', user: 'adam', method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_must_differ', detail: /another supervisor/, command: 'approval.decide' });
    await expectRefusal(d, { name: 'checker lacks user.manage', user: 'olivia', method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /user\.manage/, command: 'approval.decide' });
    await expectRefusal(d, { name: 'treasurer lacks user.manage', user: 'tess', method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /user\.manage/, command: 'approval.decide' });
    await expectRefusal(d, { name: 'teller decides', user: 'alice', method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /user\.manage/, command: 'approval.decide' });
    const signedIn = await signInAs(username, strongPassword);
    expect(signedIn.status).toBe(201);
    expect(signedIn.body.roles).toEqual([]);
    const still = await t.request('GET', '/api/v1/approvals', { token: d.tokens.adam });
    expect(still.body).toContainEqual(expect.objectContaining({ id: approvalId, status: 'pending', decidedBy: null }));
    expectProblem(await t.request('GET', '/api/v1/approvals?status=someday', { token: d.tokens.adam }), 400, 'invalid_input', /status/);
    expectProblem(await t.request('GET', '/api/v1/approvals?limit=501', { token: d.tokens.adam }), 400, 'invalid_input', /limit/);
    // A teller lists only her branch's requests: the bank's own (a role change) is not among them.
    const tellers = await t.request('GET', '/api/v1/approvals', { token: d.tokens.alice });
    expect(tellers.status).toBe(200);
    expect(tellers.body.map((approval: { id: string }) => approval.id)).not.toContain(approvalId);
  });

  it('refuses bad role changes with specific codes, before any hold (an unknown user cannot be approved into existence)', async () => {
    const cases: RefusalCase[] = [
      { name: 'unknown role', user: 'adam', method: 'PUT', path: () => `/api/v1/users/${username}/roles`, body: () => ({ roles: ['superuser'] }), status: 400, code: 'invalid_input', detail: /roles/, command: 'user.set_roles' },
      { name: 'roles not a list', user: 'adam', method: 'PUT', path: () => `/api/v1/users/${username}/roles`, body: () => ({ roles: 'teller' }), status: 400, code: 'invalid_input', detail: /roles/, command: 'user.set_roles' },
      { name: 'unknown user', user: 'adam', method: 'PUT', path: () => '/api/v1/users/nobody/roles', body: () => ({ roles: ['teller'] }), status: 404, code: 'user_not_found', detail: /nobody/, command: 'user.set_roles' },
      { name: 'no permission', user: 'olivia', method: 'PUT', path: () => `/api/v1/users/${username}/roles`, body: () => ({ roles: ['admin'] }), status: 403, code: 'permission_denied', detail: /user\.manage/, command: 'user.set_roles' },
    ];
    // expectRefusal proves no approval request was added (the books' pending approvals are unchanged).
    for (const refusal of cases) await expectRefusal(d, refusal);
  });

  it('disables and re-enables a user: a disabled user cannot use a session (403 user_disabled) and signs in as if the password were wrong (401)', async () => {
    const session = await signInAs(username, strongPassword);
    expect(session.status).toBe(201);
    const disabled = await t.request('PUT', `/api/v1/users/${username}/status`, { token: d.tokens.adam, body: { status: 'disabled' } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ username, status: 'disabled' });
    expectProblem(await t.request('GET', '/api/v1/till-sessions/current', { token: session.body.token }), 403, 'user_disabled', /disabled/);
    // The same answer as a wrong password or an unknown name: a sign-in does not tell who is disabled.
    const head = await auditHead(t, d.tokens.carol);
    const refused = await signInAs(username, strongPassword);
    expectProblem(refused, 401, 'invalid_credentials', /username or password is wrong/);
    const wrong = await signInAs('bob', 'not-the-password');
    expectProblem(wrong, 401, 'invalid_credentials');
    expect(refused.body.detail).toBe(wrong.body.detail);
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(summary(records)).toEqual([
      { actor: 'anonymous', command: 'session.create', outcome: 'invalid_credentials' },
      { actor: 'anonymous', command: 'session.create', outcome: 'invalid_credentials' },
    ]);
    expect(records[0]!.detail).toMatchObject({ username });
    const enabled = await t.request('PUT', `/api/v1/users/${username}/status`, { token: d.tokens.adam, body: { status: 'active' } });
    expect(enabled.status).toBe(200);
    expect((await signInAs(username, strongPassword)).status).toBe(201);
    expect((await signInAs('bob', demoPassword)).status).toBe(201);

    const cases: RefusalCase[] = [
      { name: 'own status', user: 'adam', method: 'PUT', path: () => '/api/v1/users/adam/status', body: () => ({ status: 'disabled' }), status: 422, code: 'cannot_change_own_status', detail: /Another administrator/, command: 'user.set_status' },
      { name: 'unknown user', user: 'adam', method: 'PUT', path: () => '/api/v1/users/nobody/status', body: () => ({ status: 'disabled' }), status: 404, code: 'user_not_found', detail: /nobody/, command: 'user.set_status' },
      { name: 'unknown status', user: 'adam', method: 'PUT', path: () => `/api/v1/users/${username}/status`, body: () => ({ status: 'frozen' }), status: 400, code: 'invalid_input', detail: /status/, command: 'user.set_status' },
      { name: 'no permission', user: 'bob', method: 'PUT', path: () => '/api/v1/users/alice/status', body: () => ({ status: 'disabled' }), status: 403, code: 'permission_denied', detail: /user\.manage/, command: 'user.set_status' },
    ];
    for (const refusal of cases) await expectRefusal(d, refusal);
  });

  it('slows repeated failed sign-ins of one name from one source: after 3, each try waits 1 s, 2 s, 4 s after the last failure (429 sign_in_delayed), even with the right password; never locks the user', async () => {
    // A user of its own: the flood bound (20 tries a minute of one name) must not be what answers here.
    const slowed = `slow-${randomBytes(3).toString('hex')}`;
    expect((await t.request('POST', '/api/v1/users', { token: d.tokens.adam, body: { username: slowed, displayName: 'Slowed', password: strongPassword } })).status).toBe(201);
    const head = await auditHead(t, d.tokens.carol);
    for (let attempt = 1; attempt <= 3; attempt += 1) expectProblem(await signInAs(slowed, `Wrong-Password-${attempt}`), 401, 'invalid_credentials', /username or password is wrong/);
    let failures = 3;
    for (const waitMs of [1000, 2000, 4000]) {
      expect(signInDelayMs(failures)).toBe(waitMs);
      // Too soon, with the right password: refused at the door, on the server's clock.
      const early = await signInAs(slowed, strongPassword);
      expectProblem(early, 429, 'sign_in_delayed', new RegExp(`wait ${waitMs / 1000} s`));
      expect(early.headers.get('retry-after')).toBe(String(waitMs / 1000));
      clock.advance(waitMs - 1);
      const almost = await signInAs(slowed, strongPassword);
      expectProblem(almost, 429, 'sign_in_delayed', /wait 1 s/);
      expect(almost.headers.get('retry-after')).toBe('1');
      // Another name from the same source is not slowed: guessing one name keeps nobody else out.
      expect((await signInAs('bob', demoPassword)).status).toBe(201);
      clock.advance(1);
      // The wait is over: a wrong password is tried (and counted) again.
      expectProblem(await signInAs(slowed, `Wrong-Password-${failures + 1}`), 401, 'invalid_credentials');
      failures += 1;
    }
    // After the last wait, the right password signs in (the user was never locked) ...
    expectProblem(await signInAs(slowed, strongPassword), 429, 'sign_in_delayed', /wait 8 s/);
    clock.advance(signInDelayMs(failures));
    expect((await signInAs(slowed, strongPassword)).status).toBe(201);
    // ... and the failures are forgotten: a failure now is the first again, with no wait after it.
    expectProblem(await signInAs(slowed, 'Wrong-Password-1'), 401, 'invalid_credentials');
    expect((await signInAs(slowed, strongPassword)).status).toBe(201);

    // Every failure is audited as invalid_credentials; a delayed attempt never reached the engine.
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(records.filter((record) => record.detail.username === slowed).map((record) => record.outcome)).toEqual([
      ...Array<string>(6).fill('invalid_credentials'),
      'ok',
      'invalid_credentials',
      'ok',
    ]);
    expect(records.every((record) => record.command === 'session.create')).toBe(true);
    expect(records.filter((record) => record.detail.username === 'bob').map((record) => record.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(JSON.stringify(records)).not.toContain('Wrong-Password');
    // However many failures, the wait is at most five minutes.
    expect(signInDelayMs(1_000)).toBe(signInDelayMsMax);
    expect(signInDelayMsMax).toBe(5 * 60 * 1000);
  });

  it('limits sign-in attempts per source and name to 20 a minute, whatever their outcome: the 21st gets 429 rate_limited with Retry-After', async () => {
    // Waiting out each delay (on the server's clock) keeps the delay out of it: the flood guard alone.
    for (let attempt = 1; attempt <= signInAttemptsPerWindowMax; attempt += 1) {
      expectProblem(await signInAs('ghost', 'Wrong-Password-1'), 401, 'invalid_credentials');
      clock.advance(signInDelayMsMax);
    }
    const limited = await signInAs('ghost', 'Wrong-Password-1');
    expectProblem(limited, 429, 'rate_limited', /wait/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Delayed attempts count toward the flood bound too, and neither reaches the engine.
    const head = await auditHead(t, d.tokens.carol);
    for (let attempt = 1; attempt <= 3; attempt += 1) expectProblem(await signInAs('phantom', 'Wrong-Password-1'), 401, 'invalid_credentials');
    for (let attempt = 4; attempt <= signInAttemptsPerWindowMax; attempt += 1) expectProblem(await signInAs('phantom', 'Wrong-Password-1'), 429, 'sign_in_delayed');
    clock.advance(signInDelayMsMax);
    expectProblem(await signInAs('phantom', 'Wrong-Password-1'), 429, 'rate_limited', /wait/);
    expect(summary(await auditAfter(t, d.tokens.carol, head))).toEqual(
      Array.from({ length: 3 }, () => ({ actor: 'anonymous', command: 'session.create', outcome: 'invalid_credentials' })),
    );
  });

  it('binds a session to the device it was made on: another X-Device-Id is refused (401 session_device_mismatch), moves nothing, is audited; the audit names the session\'s device', async () => {
    const signedIn = await t.request('POST', '/api/v1/sessions', { body: { username: 'alice', password: demoPassword, deviceId: 'desk-7' } });
    expect(signedIn.status).toBe(201);
    const token = signedIn.body.token as string;
    const deposit = () => ({ transferId: newId(), accountId: d.customers[1].current, money: money('100') });
    const path = `/api/v1/till-sessions/${d.sessionId}/deposits`;
    const head = await auditHead(t, d.tokens.carol);
    // On its own device, and with no device named: the session's device is the one recorded.
    expect((await t.request('POST', path, { token, body: deposit(), headers: { 'x-device-id': 'desk-7' } })).status).toBe(201);
    expect((await t.request('POST', path, { token, body: deposit() })).status).toBe(201);
    const ran = (await auditAfter(t, d.tokens.carol, head)).filter((record) => record.command === 'cash.deposit');
    expect(ran.map((record) => [record.actor, record.outcome, record.deviceId])).toEqual([
      ['alice', 'ok', 'desk-7'],
      ['alice', 'ok', 'desk-7'],
    ]);

    const before = await books(d);
    const refusedHead = await auditHead(t, d.tokens.carol);
    for (const device of ['desk-8', 'test']) {
      const write = await t.request('POST', path, { token, body: deposit(), headers: { 'x-device-id': device } });
      expectProblem(write, 401, 'session_device_mismatch', /another device/);
      expect(write.headers.get('www-authenticate')).toBe('Bearer realm="qenex"');
      const read = await t.request('GET', `/api/v1/accounts/${d.customers[0].current}`, { token, headers: { 'x-device-id': device } });
      expectProblem(read, 401, 'session_device_mismatch', /another device/);
    }
    // A plain bearer session read on another device (the harness signs in as device "test").
    expectProblem(await t.request('GET', '/api/v1/till-sessions/current', { token: d.tokens.alice, headers: { 'x-device-id': 'desk-7' } }), 401, 'session_device_mismatch');
    expect(await books(d)).toEqual(before);
    const records = await auditAfter(t, d.tokens.carol, refusedHead);
    const refused = records.filter((record) => record.outcome === 'session_device_mismatch');
    expect(refused).toHaveLength(5);
    // The device a refused request claims is kept as what it claimed, never as the record's device.
    expect(refused.map((record) => record.detail.claimedDeviceId)).toEqual(['desk-8', 'desk-8', 'test', 'test', 'desk-7']);
    for (const record of refused) expect(['desk-7', 'desk-8', 'test']).not.toContain(record.deviceId);
    expect(summary(records.filter((record) => record.outcome === 'ok'))).toEqual([]);
    // The session still works on its own device.
    expect((await t.request('GET', '/api/v1/till-sessions/current', { token, headers: { 'x-device-id': 'desk-7' } })).status).toBe(200);
  });

  it('signs out (DELETE /sessions/current): that token is refused afterwards (401 session_revoked), others still work', async () => {
    const first = (await signInAs(username, strongPassword)).body.token as string;
    const second = (await signInAs(username, strongPassword)).body.token as string;
    const out = await t.request('DELETE', '/api/v1/sessions/current', { token: first });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ signedOut: true });
    expectProblem(await t.request('GET', '/api/v1/branches', { token: first }), 401, 'session_revoked', /signed out/);
    expectProblem(await t.request('DELETE', '/api/v1/sessions/current', { token: first }), 401, 'session_revoked');
    // The user has no roles: a read is refused for permission, not for the session.
    expectProblem(await t.request('GET', '/api/v1/branches', { token: second }), 403, 'permission_denied');
  });

  it('refuses a forged or malformed bearer token (401 session_missing) and changes nothing', async () => {
    const forged = randomBytes(32).toString('base64url');
    const before = await books(d);
    for (const authorization of [`Bearer ${forged}`, 'Bearer short', `Basic ${Buffer.from('alice:x').toString('base64')}`, `Bearer ${forged}!`]) {
      const read = await t.request('GET', '/api/v1/ledger/totals', { headers: { authorization } });
      expectProblem(read, 401, 'session_missing', /sign in/i);
      const write = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, {
        headers: { authorization },
        body: { transferId: newId(), accountId: d.customers[0].current, money: money('1000') },
      });
      expectProblem(write, 401, 'session_missing', /sign in/i);
      const transfer = await t.request('POST', '/api/v1/transfers', {
        headers: { authorization },
        body: { id: newId(), debitAccountId: d.customers[0].current, creditAccountId: d.customers[1].current, amount: '1000', ledger: USD, code: 1 },
      });
      expectProblem(transfer, 401, 'session_missing');
    }
    expect(await books(d)).toEqual(before);
  });

  it('records refused access attempts (no session, forged token) in the audit log with their code', async () => {
    const head = await auditHead(t, d.tokens.carol);
    await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { body: { transferId: newId(), accountId: d.customers[0].current, money: money('1000') } });
    await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, {
      headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
      body: { transferId: newId(), accountId: d.customers[0].current, money: money('1000') },
    });
    const outcomes = summary(await auditAfter(t, d.tokens.carol, head)).map((record) => record.outcome);
    expect(outcomes.filter((outcome) => outcome === 'session_missing')).toHaveLength(2);
    await auditHead(t, d.tokens.carol);
  });

  it('voids a pending transfer past its timeout (POST /ledger/expire-pending) and refuses to post it afterwards', async () => {
    // Raw ledger accounts of the ledger operator's own (the banking chart is off limits): a funded one pays a pending transfer.
    const [source, payer, payee] = [newId(), newId(), newId()];
    const opened = await t.request('POST', '/api/v1/ledger/accounts', {
      token: d.tokens.lena,
      body: { accounts: [{ id: source, ledger: USD, code: 1 }, { id: payer, ledger: USD, code: 1, flags: 2 }, { id: payee, ledger: USD, code: 1 }] },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.results).toEqual(['ok', 'ok', 'ok']);
    const funded = await t.request('POST', '/api/v1/transfers', { token: d.tokens.lena, body: { id: newId(), debitAccountId: source, creditAccountId: payer, amount: '20000', ledger: USD, code: 1 } });
    expect(funded.status, JSON.stringify(funded.body)).toBe(201);
    d.raw.push(source, payer, payee);
    const before = await rawOf(d, payer);
    expect(before).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 20000n });
    const pendingId = newId();
    const pending = await t.request('POST', '/api/v1/transfers', {
      token: d.tokens.lena,
      body: { id: pendingId, debitAccountId: payer, creditAccountId: payee, amount: '5000', ledger: USD, code: 1, flags: 2, timeout: 1 },
    });
    expect(pending.status, JSON.stringify(pending.body)).toBe(201);
    expect(await rawOf(d, payer)).toEqual({ ...before, debitsPending: 5000n });
    expect((await t.request('POST', '/api/v1/ledger/expire-pending', { token: d.tokens.lena })).body).toEqual({ expired: 0 });
    clock.advance(2_000);
    const expired = await t.request('POST', '/api/v1/ledger/expire-pending', { token: d.tokens.lena });
    expect(expired.status).toBe(200);
    expect(expired.body).toEqual({ expired: 1 });
    expect(await rawOf(d, payer)).toEqual(before);
    expect(await rawOf(d, payee)).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n });
    const late = await t.request('POST', `/api/v1/transfers/${pendingId}/post`, { token: d.tokens.lena, body: { id: newId() } });
    expectProblem(late, 422, 'pending_transfer_expired', /expired/);
    await expectRefusal(d, { name: 'expire as a teller', user: 'alice', method: 'POST', path: () => '/api/v1/ledger/expire-pending', body: () => ({}), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.expire_pending' });
    await expectRefusal(d, { name: 'expire as operations', user: 'olivia', method: 'POST', path: () => '/api/v1/ledger/expire-pending', body: () => ({}), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.expire_pending' });
  });

  describe('after 8 hours', () => {
    let expiring: string;
    beforeAll(async () => {
      expiring = await t.signIn('alice');
    });

    it('keeps a session until 8 hours have passed, then refuses it (401 session_expired) for reads and writes, changing nothing', async () => {
      const signedInAtMs = clock.nowMs();
      clock.set(signedInAtMs + sessionTtlMs - 1);
      expect((await t.request('GET', '/api/v1/till-sessions/current', { token: expiring })).status).toBe(200);
      clock.set(signedInAtMs + sessionTtlMs);
      d.tokens = await signInAll(t);
      const before = await books(d);
      const read = await t.request('GET', '/api/v1/till-sessions/current', { token: expiring });
      expectProblem(read, 401, 'session_expired', /expired; sign in again/);
      expect(read.headers.get('www-authenticate')).toBe('Bearer realm="qenex"');
      const write = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, {
        token: expiring,
        body: { transferId: newId(), accountId: d.customers[0].current, money: money('1000') },
      });
      expectProblem(write, 401, 'session_expired');
      expect(await books(d)).toEqual(before);
      // A new session works again.
      expect((await t.request('GET', '/api/v1/till-sessions/current', { token: d.tokens.alice })).status).toBe(200);
    });

    it('records a use of an expired session in the audit log with its code', async () => {
      const head = await auditHead(t, d.tokens.carol);
      await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, {
        token: expiring,
        body: { transferId: newId(), accountId: d.customers[0].current, money: money('1000') },
      });
      expect(summary(await auditAfter(t, d.tokens.carol, head)).map((record) => record.outcome)).toContain('session_expired');
    });
  });
});

// =============================================================================================
// Branches, tills, customers, accounts, cash, transfers between customers, approvals
// =============================================================================================

describe('banking routes', () => {
  let t: TestServer;
  let d: Demo;
  /** Amara's EUR account (for exchanges) and an account closed under maker-checker (with its closing transfer). */
  let eurAccount: string;
  let closedAccount: string;
  let closingTransferId: string;
  /** Amara's GBP account: a currency the bank publishes no rate for. */
  let gbpAccount: string;
  /** A second head teller at the branch (the demo has one, bob): a checker for what bob asks. */
  let hana: string;

  beforeAll(async () => {
    t = await startTestServer();
    d = await discoverDemo(t, await signInAll(t));
    const [amara, , mei] = d.customers;
    eurAccount = newId();
    const eur = await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId: eurAccount, customerId: amara.id, productId: 'CURRENT-EUR' } });
    expect(eur.status, JSON.stringify(eur.body)).toBe(201);
    const gbp = await t.request('POST', '/api/v1/products', { token: d.tokens.olivia, body: { productId: 'CURRENT-GBP', name: 'Sterling current account', kind: 'current', currency: 'GBP' } });
    expect(gbp.status, JSON.stringify(gbp.body)).toBe(202);
    const gbpDefined = await t.request('POST', `/api/v1/approvals/${gbp.body.approvalId}/decision`, { token: d.tokens.adam, body: { decision: 'approve' } });
    expect(gbpDefined.status, JSON.stringify(gbpDefined.body)).toBe(200);
    gbpAccount = newId();
    const opened = await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId: gbpAccount, customerId: amara.id, productId: 'CURRENT-GBP' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    hana = await createUserWithRoles(t, d.tokens.adam, 'hana', ['head_teller'], d.branchId);
    // account.close has no route: bob asks in-process, and the second head teller approves over HTTP.
    closedAccount = newId();
    const toClose = await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId: closedAccount, customerId: mei.id, productId: 'SAVINGS-USD' } });
    expect(toClose.status, JSON.stringify(toClose.body)).toBe(201);
    closingTransferId = newId();
    const held = await t.server.engine.executeAny('account.close', { accountId: closedAccount, closingTransferId }, demoUsers.bob);
    expect(held, JSON.stringify(held)).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = (held as unknown as { details: { approvalId: string } }).details.approvalId;
    const closed = await t.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token: hana, body: { decision: 'approve' } });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.result).toMatchObject({ id: closedAccount, status: 'closed' });
    d.watched.push(eurAccount, closedAccount, gbpAccount);
  });
  afterAll(async () => {
    await t.close();
  });

  // --- reads -------------------------------------------------------------------------------

  it('lists branches, the tills of a branch with their cash, and the teller\'s open session', async () => {
    const branches = await t.request('GET', '/api/v1/branches', { token: d.tokens.alice });
    expect(branches.status).toBe(200);
    expect(branches.body).toContainEqual(expect.objectContaining({ id: d.branchId, code: '0001', name: 'Main Street' }));
    const tills = await t.request('GET', `/api/v1/branches/${d.branchId}/tills`, { token: d.tokens.alice });
    expect(tills.status).toBe(200);
    expect(tills.body).toContainEqual(
      expect.objectContaining({ till: expect.objectContaining({ id: d.tillId, code: 'T1', currency: 'USD' }), openSession: expect.objectContaining({ id: d.sessionId, tellerId: 'alice' }) }),
    );
    const current = await t.request('GET', '/api/v1/till-sessions/current', { token: d.tokens.alice });
    expect(current.body.cash.posted).toBe(await tillCash(d, d.tillId));
    expectProblem(await t.request('GET', '/api/v1/till-sessions/current', { token: d.tokens.tom }), 422, 'no_open_session', /no open till/);
    expectProblem(await t.request('GET', '/api/v1/till-sessions/current', { token: d.tokens.carol }), 403, 'permission_denied', /till\.operate/);
    expectProblem(await t.request('GET', '/api/v1/branches/not-an-id/tills', { token: d.tokens.alice }), 400, 'id_malformed', /branchId/);
  });

  it('finds customers by identity document and by id; refuses malformed and unknown ids', async () => {
    const [amara] = d.customers;
    const found = await t.request('GET', `/api/v1/customers?nationalId=${amara.nationalId}`, { token: d.tokens.alice });
    expect(found.status).toBe(200);
    expect(found.body).toEqual([expect.objectContaining({ id: amara.id, fullName: 'Amara Okafor' })]);
    const limited = await t.request('GET', '/api/v1/customers?limit=1', { token: d.tokens.alice });
    expect(limited.body).toHaveLength(1);
    expectProblem(await t.request('GET', '/api/v1/customers?limit=0', { token: d.tokens.alice }), 400, 'invalid_input', /limit/);
    expectProblem(await t.request('GET', '/api/v1/customers?limit=many', { token: d.tokens.alice }), 400, 'invalid_input', /limit/);
    const one = await t.request('GET', `/api/v1/customers/${amara.id}`, { token: d.tokens.carol });
    expect(one.status).toBe(200);
    expect(one.body.customer.id).toBe(amara.id);
    expect(one.body.accounts.map((account: { id: string }) => account.id)).toEqual(expect.arrayContaining([amara.current, amara.savings, eurAccount]));
    expectProblem(await t.request('GET', `/api/v1/customers/${newId()}`, { token: d.tokens.alice }), 404, 'customer_not_found');
    expectProblem(await t.request('GET', '/api/v1/customers/xyz', { token: d.tokens.alice }), 400, 'id_malformed', /customerId/);
    expectProblem(await t.request('GET', `/api/v1/customers/${amara.id}`, { token: d.tokens.adam }), 403, 'permission_denied', /customer\.read/);
  });

  it('shows an account with balances, a statement with a running balance, and a balance at a point in time', async () => {
    const [, lukas] = d.customers;
    const account = await t.request('GET', `/api/v1/accounts/${lukas.current}`, { token: d.tokens.alice });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ account: { id: lukas.current, currency: 'USD', status: 'open' }, overdraftLimit: '50000' });
    const byNumber = await t.request('GET', `/api/v1/accounts/${account.body.account.number}`, { token: d.tokens.alice });
    expect(byNumber.body.account.id).toBe(lukas.current);
    const statement = await t.request('GET', `/api/v1/accounts/${lukas.current}/statement?limit=500`, { token: d.tokens.alice });
    expect(statement.status).toBe(200);
    const lines = statement.body.lines as Array<{ amount: string; balance: string }>;
    expect(lines.length).toBeGreaterThanOrEqual(2);
    let running = BigInt(statement.body.openingBalance);
    for (const line of lines) {
      running += BigInt(line.amount);
      expect(line.balance).toBe(running.toString());
    }
    expect(lines.at(-1)!.balance).toBe(account.body.balances.posted);
    const paged = await t.request('GET', `/api/v1/accounts/${lukas.current}/statement?limit=1`, { token: d.tokens.alice });
    expect(paged.body.lines).toHaveLength(1);
    const rest = await t.request('GET', `/api/v1/accounts/${lukas.current}/statement?after=${paged.body.next}`, { token: d.tokens.alice });
    expect(rest.body.openingBalance).toBe(paged.body.lines[0].balance);
    const now = await t.request('GET', `/api/v1/accounts/${lukas.current}/balance?atMs=${Date.now() + 60_000}`, { token: d.tokens.alice });
    expect(now.status).toBe(200);
    expect(now.body.posted).toBe(account.body.balances.posted);
    const before = await t.request('GET', `/api/v1/accounts/${lukas.current}/balance?atMs=0`, { token: d.tokens.alice });
    expect(before.body).toMatchObject({ posted: '0', available: '0' });
    expectProblem(await t.request('GET', `/api/v1/accounts/${newId()}`, { token: d.tokens.alice }), 404, 'account_not_found');
    expectProblem(await t.request('GET', `/api/v1/accounts/${newId()}/statement`, { token: d.tokens.alice }), 404, 'account_not_found');
    expectProblem(await t.request('GET', '/api/v1/accounts/nope/statement', { token: d.tokens.alice }), 400, 'id_malformed', /accountId/);
    expectProblem(await t.request('GET', `/api/v1/accounts/${lukas.current}/balance`, { token: d.tokens.alice }), 400, 'invalid_input', /atMs/);
    expectProblem(await t.request('GET', `/api/v1/accounts/${lukas.current}/balance?atMs=yesterday`, { token: d.tokens.alice }), 400, 'invalid_input', /atMs/);
    expectProblem(await t.request('GET', `/api/v1/accounts/${lukas.current}`, { token: d.tokens.adam }), 403, 'permission_denied', /account\.read/);
  });

  it('logs every read of a customer\'s or an account\'s data for compliance: alice reading Amara\'s account is found by its id; a teller may not read the log', async () => {
    const [amara] = d.customers;
    async function entriesAbout(subject: string, after = 0): Promise<Array<{ seq: number; actor: string; command: string; deviceId: string; subjects: string[] }>> {
      const entries = [];
      for (let cursor = after; ; ) {
        const page = await t.request('GET', `/api/v1/access-log?subject=${subject}&after=${cursor}&limit=500`, { token: d.tokens.carol });
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        entries.push(...page.body);
        if (page.body.length < 500) return entries;
        cursor = page.body.at(-1).seq;
      }
    }
    const seen = await entriesAbout(amara.current);
    const lastSeq = seen.at(-1)?.seq ?? 0;
    const reads = [
      ['account.get', `/api/v1/accounts/${amara.current}`],
      ['account.statement', `/api/v1/accounts/${amara.current}/statement?limit=5`],
      ['account.balance_at', `/api/v1/accounts/${amara.current}/balance?atMs=${Date.now()}`],
      ['customer.get', `/api/v1/customers/${amara.id}`],
    ] as const;
    for (const [, path] of reads) expect((await t.request('GET', path, { token: d.tokens.alice })).status).toBe(200);
    const found = await entriesAbout(amara.current, lastSeq);
    expect(found.map(({ actor, command, deviceId }) => ({ actor, command, deviceId }))).toEqual(reads.map(([command]) => ({ actor: 'alice', command, deviceId: 'test' })));
    for (const entry of found) expect(entry.subjects).toContain(amara.current);
    // A customer's record names the customer and each of their accounts.
    expect(found.at(-1)!.subjects).toEqual(expect.arrayContaining([amara.id, amara.current, amara.savings]));
    // The search by identity document is logged with the customers it returned.
    const searched = await t.request('GET', `/api/v1/customers?nationalId=${amara.nationalId}`, { token: d.tokens.alice });
    expect(searched.status).toBe(200);
    expect((await entriesAbout(amara.id, found.at(-1)!.seq)).map(({ actor, command }) => ({ actor, command }))).toEqual([{ actor: 'alice', command: 'customer.search' }]);
    // An auditor reads it too.
    const auditor = await createUserWithRoles(t, d.tokens.adam, 'audra', ['auditor'], null);
    const byAuditor = await t.request('GET', `/api/v1/access-log?subject=${amara.current}&after=${lastSeq}`, { token: auditor });
    expect(byAuditor.status).toBe(200);
    expect(byAuditor.body.slice(0, reads.length).map((entry: { actor: string }) => entry.actor)).toEqual(reads.map(() => 'alice'));
    const paged = await t.request('GET', '/api/v1/access-log?limit=2', { token: d.tokens.carol });
    expect(paged.status).toBe(200);
    expect(paged.body).toHaveLength(2);
    expectProblem(await t.request('GET', '/api/v1/access-log?subject=nope', { token: d.tokens.carol }), 400, 'id_malformed', /subject/);
    expectProblem(await t.request('GET', '/api/v1/access-log?limit=501', { token: d.tokens.carol }), 400, 'invalid_input', /limit/);
    for (const user of ['alice', 'bob', 'olivia'] as const) {
      expectProblem(await t.request('GET', `/api/v1/access-log?subject=${amara.current}`, { token: d.tokens[user] }), 403, 'permission_denied', /access\.read/);
    }
  });

  it('reads the ledger totals (balanced) and the audit log, and refuses both to a teller', async () => {
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: d.tokens.olivia });
    expect(totals.status).toBe(200);
    // Amara's (empty) GBP account opened the GBP ledger.
    expect(totals.body.map((total: { ledger: number }) => total.ledger).sort((x: number, y: number) => x - y)).toEqual([826, USD, EUR]);
    expect(totals.body.every((total: { balanced: boolean }) => total.balanced)).toBe(true);
    const audit = await t.request('GET', '/api/v1/audit?limit=5', { token: d.tokens.carol });
    expect(audit.status).toBe(200);
    expect(audit.body).toHaveLength(5);
    expect(audit.body[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const paged = await t.request('GET', '/api/v1/audit?after=5&limit=2', { token: d.tokens.carol });
    expect(paged.body.map((record: { seq: number }) => record.seq)).toEqual([6, 7]);
    expectProblem(await t.request('GET', '/api/v1/audit?after=-1', { token: d.tokens.carol }), 400, 'invalid_input', /after/);
    expectProblem(await t.request('GET', '/api/v1/audit?limit=1001', { token: d.tokens.carol }), 400, 'invalid_input', /limit/);
    const head = await auditHead(t, d.tokens.carol);
    for (const path of ['/api/v1/ledger/totals', '/api/v1/audit', '/api/v1/audit/verify']) {
      const reply = await t.request('GET', path, { token: d.tokens.alice });
      expectProblem(reply, 403, 'permission_denied', /do not grant/);
    }
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(summary(records)).toEqual([
      { actor: 'alice', command: 'ledger.totals', outcome: 'permission_denied' },
      { actor: 'alice', command: 'audit.log', outcome: 'permission_denied' },
      { actor: 'alice', command: 'audit.verify', outcome: 'permission_denied' },
    ]);
  });

  // --- writes that succeed ---------------------------------------------------------------

  it('registers a customer (201, KYC pending), verifies them (200), and opens an account (201)', async () => {
    const customerId = newId();
    const nationalId = `N-${randomBytes(4).toString('hex')}`;
    const created = await t.request('POST', '/api/v1/customers', {
      token: d.tokens.alice,
      body: { customerId, branchId: d.branchId, fullName: 'Nadia Haddad', dateOfBirth: '1990-04-01', nationalId, address: '2 Pier Road', phone: '+1 415 555 0199' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: customerId, kycStatus: 'pending', email: '' });
    const accountId = newId();
    await expectRefusal(d, { name: 'unverified', user: 'alice', method: 'POST', path: () => '/api/v1/accounts', body: () => ({ accountId, customerId, productId: 'CURRENT-USD' }), status: 422, code: 'kyc_not_verified', detail: /verify/, command: 'account.open' });
    const reviewed = await t.request('POST', `/api/v1/customers/${customerId}/kyc`, { token: d.tokens.bob, body: { kycStatus: 'verified', riskRating: 'medium' } });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(reviewed.body).toMatchObject({ id: customerId, kycStatus: 'verified', riskRating: 'medium' });
    const opened = await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId, customerId, productId: 'CURRENT-USD' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({ id: accountId, customerId, currency: 'USD', status: 'open', number: expect.stringMatching(/^0001/) });
    expect(await balancesOf(d, accountId)).toEqual({ posted: '0', available: '50000', pending: '0' });
    const search = await t.request('GET', `/api/v1/customers?nationalId=${nationalId}`, { token: d.tokens.alice });
    expect(search.body).toEqual([expect.objectContaining({ id: customerId, kycStatus: 'verified' })]);
  });

  it('lets nobody review the KYC of a customer they registered themselves (403 checker_must_differ); another reviewer may', async () => {
    const customerId = newId();
    const created = await t.request('POST', '/api/v1/customers', {
      token: d.tokens.bob,
      body: { customerId, branchId: d.branchId, fullName: 'Omar Said', dateOfBirth: '1975-09-09', nationalId: `N-${randomBytes(4).toString('hex')}`, address: '3 Dock Lane', phone: '+1 415 555 0142' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await expectRefusal(d, { name: 'own customer', user: 'bob', method: 'POST', path: () => `/api/v1/customers/${customerId}/kyc`, body: () => ({ kycStatus: 'verified', riskRating: 'low' }), status: 403, code: 'checker_must_differ', detail: /another person/, command: 'customer.review_kyc' });
    const unchanged = await t.request('GET', `/api/v1/customers/${customerId}`, { token: d.tokens.carol });
    expect(unchanged.body.customer).toMatchObject({ kycStatus: 'pending' });
    const reviewed = await t.request('POST', `/api/v1/customers/${customerId}/kyc`, { token: d.tokens.carol, body: { kycStatus: 'verified', riskRating: 'low' } });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(reviewed.body).toMatchObject({ id: customerId, kycStatus: 'verified' });
  });

  it('deposits and withdraws cash: the account and the till move by the same amount (201)', async () => {
    const [, lukas] = d.customers;
    const account = await balancesOf(d, lukas.current);
    const cash = await tillCash(d, d.tillId);
    const deposit = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, {
      token: d.tokens.alice,
      body: { transferId: newId(), accountId: lukas.current, money: money('12345') },
    });
    expect(deposit.status, JSON.stringify(deposit.body)).toBe(201);
    expect(deposit.body).toMatchObject({ accountId: lukas.current, fresh: true, balances: { posted: String(BigInt(account.posted) + 12345n) } });
    const withdrawal = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/withdrawals`, {
      token: d.tokens.alice,
      body: { transferId: newId(), accountId: lukas.current, money: money('2345') },
    });
    expect(withdrawal.status, JSON.stringify(withdrawal.body)).toBe(201);
    expect((await balancesOf(d, lukas.current)).posted).toBe(String(BigInt(account.posted) + 10000n));
    expect(await tillCash(d, d.tillId)).toBe(String(BigInt(cash) + 10000n));
  });

  it('answers a retried deposit (same transfer id, a new Idempotency-Key, a moment later) 201 fresh: false, moving nothing', async () => {
    const [, lukas] = d.customers;
    const body = { transferId: newId(), accountId: lukas.current, money: money('4321') };
    const first = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { token: d.tokens.alice, body });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const before = await books(d);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const retry = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { token: d.tokens.alice, body });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body).toMatchObject({ transferId: body.transferId, fresh: false, balances: first.body.balances });
    expect(await books(d)).toEqual(before);
    // The same transfer id with another amount is a different transaction: refused, not replayed.
    const reused = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { token: d.tokens.alice, body: { ...body, money: money('4322') } });
    expectProblem(reused, 409, 'transaction_id_reused');
    expect(await books(d)).toEqual(before);
  });

  it('moves money between customers (201) and exchanges USD into EUR with both ledgers balanced (201)', async () => {
    const [amara, lukas] = d.customers;
    const from = await balancesOf(d, amara.current);
    const to = await balancesOf(d, lukas.current);
    const moved = await t.request('POST', '/api/v1/internal-transfers', {
      token: d.tokens.alice,
      body: { transferId: newId(), fromAccountId: amara.current, toAccountId: lukas.current, money: money('1500') },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(moved.body).toMatchObject({ fresh: true });
    expect((await balancesOf(d, amara.current)).posted).toBe(String(BigInt(from.posted) - 1500n));
    expect((await balancesOf(d, lukas.current)).posted).toBe(String(BigInt(to.posted) + 1500n));

    // At the bank's rate: EUR/USD mid 1.0850 with a 150 bp sell margin, so 1 USD buys 1 / (1.0850 × 1.015) EUR.
    const exchanged = await t.request('POST', '/api/v1/exchanges', {
      token: d.tokens.alice,
      body: { sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amara.current, toAccountId: eurAccount, money: money('10000') },
    });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(201);
    expect(exchanged.body).toEqual({ sold: { amount: '10000', currency: 'USD' }, bought: { amount: '9080', currency: 'EUR' }, rate: '0.9080384100', sheet: { id: 'EUR/USD', version: 1 } });
    expect((await balancesOf(d, eurAccount)).posted).toBe('9080');
    // The rate quoted to the customer, if given, must still be the sheet's: then it goes through.
    const quoted = await t.request('POST', '/api/v1/exchanges', {
      token: d.tokens.alice,
      body: { sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amara.current, toAccountId: eurAccount, money: money('20000'), expectedRate: '0.9080384100' },
    });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(201);
    expect(quoted.body).toMatchObject({ bought: { amount: '18161', currency: 'EUR' }, rate: '0.9080384100' });
    // The other way, the customer sells EUR at mid less the 150 bp buy margin: 1.0850 × 0.985.
    const back = await t.request('POST', '/api/v1/exchanges', {
      token: d.tokens.alice,
      body: { sellTransferId: newId(), buyTransferId: newId(), fromAccountId: eurAccount, toAccountId: amara.current, money: money('1000', 'EUR') },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(back.body).toMatchObject({ sold: { amount: '1000', currency: 'EUR' }, bought: { amount: '1069', currency: 'USD' }, rate: '1.0687250000' });
    expect((await balancesOf(d, eurAccount)).posted).toBe(String(9080 + 18161 - 1000));
    expect((await totalsOf(d, USD)).balanced).toBe(true);
    expect((await totalsOf(d, EUR)).balanced).toBe(true);
  });

  it('shows the bank\'s rate sheets with the rate a customer gets each way (GET /rate-sheets)', async () => {
    const sheets = await t.request('GET', '/api/v1/rate-sheets', { token: d.tokens.alice });
    expect(sheets.status, JSON.stringify(sheets.body)).toBe(200);
    expect(sheets.body).toEqual([
      expect.objectContaining({
        id: 'EUR/USD',
        base: 'EUR',
        quote: 'USD',
        mid: '1.0850',
        buyMarginBasisPoints: 150,
        sellMarginBasisPoints: 150,
        version: 1,
        publishedBy: 'tess',
        current: true,
        // The bank buys EUR at mid less 150 bp and sells it at mid plus 150 bp (the customer selling USD gets the inverse).
        bankBuys: '1.0687250000',
        bankSells: '1.1012750000',
      }),
    ]);
    expect((await t.request('GET', '/api/v1/rate-sheets', { token: d.tokens.olivia })).status).toBe(200);
    expectProblem(await t.request('GET', '/api/v1/rate-sheets', { token: d.tokens.adam }), 403, 'permission_denied', /fx\.rates\.read/);
    // The sheet was published by tess and approved by trent (a first sheet is held for a second treasurer).
    const approved = await t.request('GET', '/api/v1/approvals?status=approved&limit=500', { token: d.tokens.adam });
    expect(approved.body).toContainEqual(expect.objectContaining({ command: 'fx.publish_rates', requestedBy: 'tess', decidedBy: 'trent', status: 'approved' }));
  });

  it('funds the vault, moves cash vault→till and till→vault, each under dual control (202, then approved by the other side)', async () => {
    const eurBefore = await totalsOf(d, EUR);
    // Dual control: each movement is held for the person on the other side of the cash to confirm.
    const funded = await heldThenApproved(d, d.tokens.bob, '/api/v1/vault/fundings', { transferId: newId(), branchId: d.branchId, money: money('70000', 'EUR') }, d.tokens.olivia);
    expect(funded.vault).toEqual(expect.objectContaining({ posted: expect.any(String) }));
    expect(BigInt((await totalsOf(d, EUR)).debitsPosted)).toBe(BigInt(eurBefore.debitsPosted) + 70000n);
    const cash = await tillCash(d, d.tillId);
    const toTill = await heldThenApproved(d, d.tokens.bob, '/api/v1/vault/to-till', { transferId: newId(), tillId: d.tillId, money: money('30000') }, d.tokens.alice);
    expect(toTill.till.posted).toBe(String(BigInt(cash) + 30000n));
    await heldThenApproved(d, d.tokens.alice, '/api/v1/vault/from-till', { transferId: newId(), tillId: d.tillId, money: money('20000') }, d.tokens.bob);
    expect(await tillCash(d, d.tillId)).toBe(String(BigInt(cash) + 10000n));
  });

  it('defines a product under dual control (202, then 200 when a second product manager agrees), opens a branch (201) and a till in it (201)', async () => {
    const held = await t.request('POST', '/api/v1/products', { token: d.tokens.olivia, body: { productId: 'YOUTH-USD', name: 'Youth account', kind: 'savings', currency: 'USD' } });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expectProblem(await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.olivia, body: { decision: 'approve' } }), 403, 'checker_must_differ');
    expectProblem(await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve' } }), 403, 'checker_lacks_permission', /product\.manage/);
    const product = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.adam, body: { decision: 'approve' } });
    expect(product.status, JSON.stringify(product.body)).toBe(200);
    expect(product.body.result).toEqual({ id: 'YOUTH-USD', name: 'Youth account', kind: 'savings', currency: 'USD', overdraftLimitMinor: '0' });
    const branchId = newId();
    const branch = await t.request('POST', '/api/v1/branches', { token: d.tokens.olivia, body: { branchId, code: '0002', name: 'Harbour', currencies: ['USD', 'JPY'] } });
    expect(branch.status, JSON.stringify(branch.body)).toBe(201);
    expect(branch.body).toMatchObject({ id: branchId, code: '0002', name: 'Harbour' });
    const till = await t.request('POST', '/api/v1/tills', { token: d.tokens.olivia, body: { tillId: newId(), branchId, code: 'H1', currency: 'JPY' } });
    expect(till.status, JSON.stringify(till.body)).toBe(201);
    expect(till.body).toMatchObject({ branchId, code: 'H1', currency: 'JPY' });
    expect((await t.request('GET', '/api/v1/branches', { token: d.tokens.alice })).body.map((b: { code: string }) => b.code).sort()).toEqual(['0001', '0002']);
  });

  it('holds a limit change for a second person who holds limits.manage (202); once approved (200) it binds the teller', async () => {
    const [amara, lukas] = d.customers;
    const body = { holder: { user: 'tom' }, kind: 'transfer', currency: 'USD', perTransaction: '100000', perDay: '200000' };
    const before = await books(d);
    const held = await t.request('POST', '/api/v1/limits', { token: d.tokens.olivia, body });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body).toMatchObject({ status: 'held', approvalId: expect.stringMatching(/^[0-9a-f]{32}$/), detail: expect.stringMatching(/needs a second person who holds limits\.manage/) });
    const approvalId = held.body.approvalId as string;
    expect((await books(d)).pendingApprovals).toEqual([...before.pendingApprovals, approvalId].sort());
    // Not in force yet: tom moves 1,500.00 on his role's limit (5,000.00).
    const alone = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.tom, body: { transferId: newId(), fromAccountId: amara.current, toAccountId: lukas.current, money: money('150000') } });
    expect(alone.status, JSON.stringify(alone.body)).toBe(201);

    const decide = (user: User) => ({ name: `${user} approves`, user, method: 'POST' as const, path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), command: 'approval.decide' });
    await expectRefusal(d, { ...decide('olivia'), status: 403, code: 'checker_must_differ', detail: /another supervisor/ });
    await expectRefusal(d, { ...decide('bob'), status: 403, code: 'checker_lacks_permission', detail: /limits\.manage/ });
    await expectRefusal(d, { ...decide('tess'), status: 403, code: 'checker_lacks_permission', detail: /limits\.manage/ });
    await expectRefusal(d, { ...decide('alice'), status: 403, code: 'checker_lacks_permission', detail: /limits\.manage/ });
    const approved = await t.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token: d.tokens.adam, body: { decision: 'approve' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      approval: { id: approvalId, status: 'approved', decidedBy: 'adam' },
      result: { holder: { user: 'tom' }, kind: 'transfer', currency: 'USD', perTransactionMinor: '100000', perDayMinor: '200000' },
    });
    // In force: the same 1,500.00 by tom is now held for a supervisor; by alice (her role's limit) it is not.
    const heldTransfer = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.tom, body: { transferId: newId(), fromAccountId: amara.current, toAccountId: lukas.current, money: money('150000') } });
    expect(heldTransfer.status, JSON.stringify(heldTransfer.body)).toBe(202);
    expect(heldTransfer.body.detail).toMatch(/over your transfer limit of 1,000\.00 USD for one transaction/);
    const rejected = await t.request('POST', `/api/v1/approvals/${heldTransfer.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'reject' } });
    expect(rejected.status).toBe(200);
    const byAlice = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.alice, body: { transferId: newId(), fromAccountId: lukas.current, toAccountId: amara.current, money: money('150000') } });
    expect(byAlice.status, JSON.stringify(byAlice.body)).toBe(201);
  });

  it('holds a branch\'s stand-in policy for a second person who holds limits.manage (202); approved (200) it is issued', async () => {
    const body = { branchId: d.branchId, currency: 'USD', perTransaction: '20000', perCustomerPerDay: '40000', perTellerPerDay: '200000', validForMs: 24 * hour };
    const before = await books(d);
    const held = await t.request('POST', '/api/v1/stand-in-policies', { token: d.tokens.olivia, body });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body).toMatchObject({ status: 'held', detail: expect.stringMatching(/needs a second person who holds limits\.manage/) });
    expect((await books(d)).pendingApprovals).toEqual([...before.pendingApprovals, held.body.approvalId].sort());
    const decide = (user: User) => ({ name: `${user} approves`, user, method: 'POST' as const, path: () => `/api/v1/approvals/${held.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), command: 'approval.decide' });
    await expectRefusal(d, { ...decide('olivia'), status: 403, code: 'checker_must_differ', detail: /another supervisor/ });
    await expectRefusal(d, { ...decide('bob'), status: 403, code: 'checker_lacks_permission', detail: /limits\.manage/ });
    const approved = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.adam, body: { decision: 'approve' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.result).toMatchObject({ branchId: d.branchId, currency: 'USD', perTransactionMinor: '20000', perCustomerPerDayMinor: '40000', perTellerPerDayMinor: '200000', version: 1 });
    // What no approval could make good is refused before the hold.
    await expectRefusal(d, { name: 'stand-in policy for an unknown branch', user: 'olivia', method: 'POST', path: () => '/api/v1/stand-in-policies', body: () => ({ ...body, branchId: newId() }), status: 404, code: 'branch_not_found', detail: /branch/, command: 'standin.set_policy' });
    await expectRefusal(d, { name: 'stand-in policy by a head teller', user: 'bob', method: 'POST', path: () => '/api/v1/stand-in-policies', body: () => body, status: 403, code: 'permission_denied', detail: /limits\.manage/, command: 'standin.set_policy' });
  });

  it('holds a transfer over the teller\'s transfer limit (7,000.00 > 5,000.00) for a supervisor; it moves once approved', async () => {
    const [, lukas] = d.customers;
    // Lukas is paid 8,000.00 in cash first: over alice's cash limit, so approved by the head teller too.
    const deposit = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { token: d.tokens.alice, body: { transferId: newId(), accountId: lukas.current, money: money('800000') } });
    expect(deposit.status, JSON.stringify(deposit.body)).toBe(202);
    expect(deposit.body.detail).toMatch(/over your cash limit of 5,000\.00 USD for one transaction/);
    const paidIn = await t.request('POST', `/api/v1/approvals/${deposit.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve' } });
    expect(paidIn.status, JSON.stringify(paidIn.body)).toBe(200);
    const from = await balancesOf(d, lukas.current);
    const to = await balancesOf(d, lukas.savings);
    const before = await books(d);
    const transferId = newId();
    const held = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.alice, body: { transferId, fromAccountId: lukas.current, toAccountId: lukas.savings, money: money('700000') } });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body).toMatchObject({ status: 'held', approvalId: expect.stringMatching(/^[0-9a-f]{32}$/), detail: expect.stringMatching(/over your transfer limit of 5,000\.00 USD for one transaction; a supervisor/) });
    const after = await books(d);
    expect({ ...after, pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
    expect(after.pendingApprovals).toEqual([...before.pendingApprovals, held.body.approvalId].sort());
    // The branch's supervisors see it; the administrator (no till.supervise) may not approve it.
    const listed = await t.request('GET', '/api/v1/approvals', { token: d.tokens.bob });
    expect(listed.body).toContainEqual(expect.objectContaining({ id: held.body.approvalId, command: 'transfer.internal', requestedBy: 'alice', status: 'pending' }));
    await expectRefusal(d, { name: 'administrator approves', user: 'adam', method: 'POST', path: () => `/api/v1/approvals/${held.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /till\.supervise/, command: 'approval.decide' });
    const approved = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ approval: { status: 'approved', decidedBy: 'bob' }, result: { transferId, fresh: true } });
    expect((await balancesOf(d, lukas.current)).posted).toBe(String(BigInt(from.posted) - 700000n));
    expect((await balancesOf(d, lukas.savings)).posted).toBe(String(BigInt(to.posted) + 700000n));
  });

  it('runs a second till through its day: created, funded, opened by tom (201), refuses more cash than it holds, closed (200)', async () => {
    const [, lukas] = d.customers;
    const tillId = newId();
    expect((await t.request('POST', '/api/v1/tills', { token: d.tokens.olivia, body: { tillId, branchId: d.branchId, code: 'T2', currency: 'USD' } })).status).toBe(201);
    await heldThenApproved(d, d.tokens.bob, '/api/v1/vault/to-till', { transferId: newId(), tillId, money: money('10000') }, d.tokens.tom);
    const sessionId = newId();
    const opened = await t.request('POST', `/api/v1/tills/${tillId}/sessions`, { token: d.tokens.tom, body: { sessionId, count: { '10000': 1 } } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({ session: { id: sessionId, tellerId: 'tom', status: 'open', openingVarianceMinor: '0' }, book: '10000' });
    await expectRefusal(d, {
      name: 'more than the till holds',
      user: 'tom',
      method: 'POST',
      path: () => `/api/v1/till-sessions/${sessionId}/withdrawals`,
      body: () => ({ transferId: newId(), accountId: lukas.current, money: money('20000') }),
      status: 422,
      code: 'insufficient_cash',
      detail: /Not enough cash/,
      command: 'cash.withdraw',
    });
    await expectRefusal(d, { name: 'close another teller\'s till', user: 'alice', method: 'POST', path: () => `/api/v1/till-sessions/${sessionId}/close`, body: () => ({ count: { '10000': 1 } }), status: 403, code: 'session_belongs_to_another_teller', detail: /tom/, command: 'till.close_session' });
    // Short by 50.00: a teller may not close with any over/short alone; the head teller must agree.
    const before = await books(d);
    const held = await t.request('POST', `/api/v1/till-sessions/${sessionId}/close`, { token: d.tokens.tom, body: { count: { '5000': 1 } } });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body).toMatchObject({ status: 'held', approvalId: expect.stringMatching(/^[0-9a-f]{32}$/), detail: expect.stringMatching(/over your variance limit of 0\.00 USD for one transaction; a supervisor/) });
    expect(await tillCash(d, tillId)).toBe('10000');
    expect({ ...(await books(d)), pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
    await expectRefusal(d, { name: 'a teller approves', user: 'alice', method: 'POST', path: () => `/api/v1/approvals/${held.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /till\.supervise/, command: 'approval.decide' });
    const approved = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve', note: 'recounted' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.result).toMatchObject({ session: { id: sessionId, tellerId: 'tom', status: 'closed', closingCountedMinor: '5000', closingVarianceMinor: '-5000' }, book: '10000' });
    expect(await tillCash(d, tillId)).toBe('5000');
    expect((await totalsOf(d, USD)).balanced).toBe(true);
    await expectRefusal(d, { name: 'deposit into a closed session', user: 'tom', method: 'POST', path: () => `/api/v1/till-sessions/${sessionId}/deposits`, body: () => ({ transferId: newId(), accountId: lukas.current, money: money('100') }), status: 422, code: 'session_closed', detail: /closed/, command: 'cash.deposit' });
  });

  it('holds a teller\'s till opening with an over/short for the head teller, and counts a teller\'s day only of what they did alone', async () => {
    const [, lukas] = d.customers;
    const tillId = newId();
    expect((await t.request('POST', '/api/v1/tills', { token: d.tokens.olivia, body: { tillId, branchId: d.branchId, code: 'T3', currency: 'USD' } })).status).toBe(201);
    await heldThenApproved(d, d.tokens.bob, '/api/v1/vault/to-till', { transferId: newId(), tillId, money: money('10000') }, d.tokens.tom);
    const sessionId = newId();
    // One cent over the book: held, nothing posted, the till still closed.
    const held = await t.request('POST', `/api/v1/tills/${tillId}/sessions`, { token: d.tokens.tom, body: { sessionId, count: { '10000': 1, '1': 1 } } });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.detail).toMatch(/over your variance limit of 0\.00 USD/);
    const tills = await t.request('GET', `/api/v1/branches/${d.branchId}/tills`, { token: d.tokens.tom });
    expect(tills.body.find((till: { till: { id: string } }) => till.till.id === tillId)).toMatchObject({ openSession: null, cash: { posted: '10000' } });
    const opened = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.result).toMatchObject({ session: { id: sessionId, tellerId: 'tom', status: 'open', openingVarianceMinor: '1' }, book: '10000' });
    expect(await tillCash(d, tillId)).toBe('10001');

    // tom's cash limit: 5,000.00 a transaction, 25,000.00 a day, counting only what he did alone.
    const deposit = (amount: string) => t.request('POST', `/api/v1/till-sessions/${sessionId}/deposits`, { token: d.tokens.tom, body: { transferId: newId(), accountId: lukas.current, money: money(amount) } });
    for (let count = 0; count < 4; count += 1) expect((await deposit('500000')).status).toBe(201);
    const overOne = await deposit('600000');
    expect(overOne.status, JSON.stringify(overOne.body)).toBe(202);
    expect(overOne.body.detail).toMatch(/over your cash limit of 5,000\.00 USD for one transaction/);
    expect((await t.request('POST', `/api/v1/approvals/${overOne.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve' } })).status).toBe(200);
    // 20,000.00 alone so far (the approved 6,000.00 does not count): 5,000.00 more reaches the day's limit exactly.
    expect((await deposit('500000')).status).toBe(201);
    const before = await books(d);
    const overDay = await deposit('1');
    expect(overDay.status, JSON.stringify(overDay.body)).toBe(202);
    expect(overDay.body.detail).toMatch(/over your cash limit of 25,000\.00 USD for today/);
    expect({ ...(await books(d)), pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
    // A withdrawal counts toward the same cash limit.
    expect((await t.request('POST', `/api/v1/till-sessions/${sessionId}/withdrawals`, { token: d.tokens.tom, body: { transferId: newId(), accountId: lukas.current, money: money('1') } })).status).toBe(202);
    expect(await tillCash(d, tillId)).toBe(String(10001 + 5 * 500000 + 600000));
  });

  it('keeps branch staff to their branch: another branch\'s customers, accounts and tills are out of scope (403), a search shows only their own', async () => {
    const branchId = newId();
    expect((await t.request('POST', '/api/v1/branches', { token: d.tokens.olivia, body: { branchId, code: '0003', name: 'Hillside', currencies: ['USD'] } })).status).toBe(201);
    const tillId = newId();
    expect((await t.request('POST', '/api/v1/tills', { token: d.tokens.olivia, body: { tillId, branchId, code: 'S1', currency: 'USD' } })).status).toBe(201);
    const ivy = await createUserWithRoles(t, d.tokens.adam, 'ivy', ['teller'], branchId);
    const customerId = newId();
    const nationalId = `H-${randomBytes(4).toString('hex')}`;
    const registered = await t.request('POST', '/api/v1/customers', {
      token: ivy,
      body: { customerId, branchId, fullName: 'Ines Duarte', dateOfBirth: '1988-08-08', nationalId, address: '9 Hill Road', phone: '+1 415 555 0155' },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect((await t.request('POST', `/api/v1/customers/${customerId}/kyc`, { token: d.tokens.carol, body: { kycStatus: 'verified', riskRating: 'low' } })).status).toBe(200);
    const accountId = newId();
    expect((await t.request('POST', '/api/v1/accounts', { token: ivy, body: { accountId, customerId, productId: 'CURRENT-USD' } })).status).toBe(201);
    d.watched.push(accountId);

    // Reads: refused, and the search does not show the other branch's customer.
    for (const [token, path] of [
      [d.tokens.alice, `/api/v1/customers/${customerId}`],
      [d.tokens.bob, `/api/v1/accounts/${accountId}`],
      [d.tokens.alice, `/api/v1/accounts/${accountId}/statement`],
      [d.tokens.alice, `/api/v1/accounts/${accountId}/balance?atMs=0`],
      [d.tokens.alice, `/api/v1/branches/${branchId}/tills`],
      [ivy, `/api/v1/customers/${d.customers[0].id}`],
      [ivy, `/api/v1/accounts/${d.customers[0].current}`],
    ] as const) {
      expectProblem(await t.request('GET', path, { token }), 403, 'out_of_scope', /another branch/);
    }
    expect((await t.request('GET', `/api/v1/customers?nationalId=${nationalId}`, { token: d.tokens.alice })).body).toEqual([]);
    expect((await t.request('GET', `/api/v1/customers?nationalId=${nationalId}`, { token: ivy })).body).toEqual([expect.objectContaining({ id: customerId })]);
    expect((await t.request('GET', `/api/v1/customers?nationalId=${d.customers[0].nationalId}`, { token: ivy })).body).toEqual([]);
    const everyone = await t.request('GET', '/api/v1/customers?limit=500', { token: d.tokens.alice });
    expect(everyone.body.map((customer: { id: string }) => customer.id)).not.toContain(customerId);
    // Central staff see every branch.
    expect((await t.request('GET', `/api/v1/customers/${customerId}`, { token: d.tokens.carol })).status).toBe(200);

    // Writes: refused, nothing moves, audited.
    const cases: RefusalCase[] = [
      { name: 'open an account for another branch\'s customer', user: 'alice', method: 'POST', path: () => '/api/v1/accounts', body: () => ({ accountId: newId(), customerId, productId: 'SAVINGS-USD' }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'account.open' },
      { name: 'register a customer at another branch', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: () => ({ customerId: newId(), branchId, fullName: 'Someone', dateOfBirth: '1980-01-01', nationalId: `X-${randomBytes(4).toString('hex')}`, address: 'x street', phone: '+1 415 555 0100' }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'customer.create' },
      { name: 'transfer from another branch\'s account', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: (d) => ({ transferId: newId(), fromAccountId: accountId, toAccountId: d.customers[0].current, money: money('100') }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'transfer.internal' },
      { name: 'review KYC at another branch', user: 'bob', method: 'POST', path: () => `/api/v1/customers/${customerId}/kyc`, body: () => ({ kycStatus: 'rejected', riskRating: 'high' }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'customer.review_kyc' },
      { name: 'open another branch\'s till', user: 'tom', method: 'POST', path: () => `/api/v1/tills/${tillId}/sessions`, body: () => ({ sessionId: newId(), count: {} }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'till.open_session' },
      { name: 'fund another branch\'s vault', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: () => ({ transferId: newId(), branchId, money: money('1000') }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'vault.fund' },
      { name: 'cash into another branch\'s till', user: 'bob', method: 'POST', path: () => '/api/v1/vault/to-till', body: () => ({ transferId: newId(), tillId, money: money('1000') }), status: 403, code: 'out_of_scope', detail: /another branch/, command: 'vault.to_till' },
    ];
    for (const refusal of cases) await expectRefusal(d, refusal);
    // A request held at the other branch is that branch's: bob neither sees it nor may decide it; the centre sees it.
    const [, lukas] = d.customers;
    const ivyHeld = await t.request('POST', '/api/v1/internal-transfers', { token: ivy, body: { transferId: newId(), fromAccountId: accountId, toAccountId: lukas.current, money: money('600000') } });
    expect(ivyHeld.status, JSON.stringify(ivyHeld.body)).toBe(202);
    expect((await t.request('GET', '/api/v1/approvals?limit=500', { token: d.tokens.bob })).body.map((approval: { id: string }) => approval.id)).not.toContain(ivyHeld.body.approvalId);
    expect((await t.request('GET', '/api/v1/approvals?limit=500', { token: d.tokens.adam })).body).toContainEqual(expect.objectContaining({ id: ivyHeld.body.approvalId, requestedBy: 'ivy' }));
    // Ivy, a teller, lists her branch's requests only: hers, never branch 0001's.
    const ivys = await t.request('GET', '/api/v1/approvals?limit=500', { token: ivy });
    expect(ivys.status).toBe(200);
    expect(ivys.body.every((approval: { branchId: string }) => approval.branchId === branchId)).toBe(true);
    await expectRefusal(d, { name: 'bob decides the other branch\'s request', user: 'bob', method: 'POST', path: () => `/api/v1/approvals/${ivyHeld.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_out_of_scope', detail: /another branch/, command: 'approval.decide' });
    // The other branch's teller is kept to hers the same way.
    const before = await books(d);
    const intoOurs = await t.request('POST', '/api/v1/internal-transfers', { token: ivy, body: { transferId: newId(), fromAccountId: d.customers[0].current, toAccountId: accountId, money: money('100') } });
    expectProblem(intoOurs, 403, 'out_of_scope', /another branch/);
    expect(await books(d)).toEqual(before);
    // Cash at alice's own till into or out of the other branch's customer's account: out of her scope too.
    for (const kind of ['deposits', 'withdrawals']) {
      const cash = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/${kind}`, { token: d.tokens.alice, body: { transferId: newId(), accountId, money: money('100') } });
      expectProblem(cash, 403, 'out_of_scope', /another branch/);
    }
    expect(await books(d)).toEqual(before);
    // The raw ledger view shows no customer's account: those are read through account.get, scoped and logged.
    const raw = await t.request('GET', `/api/v1/ledger/lookup?ids=${accountId},${d.customers[0].current}`, { token: d.tokens.bob });
    expect(raw.status).toBe(200);
    expect(raw.body).toEqual({ accounts: [], transfers: [] });
  });

  it('refuses a branch role to a user assigned to no branch (403 no_branch_assigned), for reads and writes', async () => {
    const drifter = await createUserWithRoles(t, d.tokens.adam, 'drifter', ['teller'], null);
    const before = await books(d);
    const head = await auditHead(t, d.tokens.carol);
    expectProblem(await t.request('GET', `/api/v1/customers/${d.customers[0].id}`, { token: drifter }), 403, 'no_branch_assigned', /no branch/);
    expectProblem(await t.request('GET', '/api/v1/customers', { token: drifter }), 403, 'no_branch_assigned', /no branch/);
    const write = await t.request('POST', '/api/v1/internal-transfers', { token: drifter, body: { transferId: newId(), fromAccountId: d.customers[0].current, toAccountId: d.customers[1].current, money: money('100') } });
    expectProblem(write, 403, 'no_branch_assigned', /no branch/);
    expect(await books(d)).toEqual(before);
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(summary(records)).toContainEqual({ actor: 'drifter', command: 'transfer.internal', outcome: 'no_branch_assigned' });
    expect(summary(records.filter((record) => record.outcome === 'ok'))).toEqual([]);
  });

  it('closes an account only when a second person with account.close agrees; one with money in it is refused before any hold', async () => {
    const [amara, , mei] = d.customers;
    const before = await books(d);
    const head = await auditHead(t, d.tokens.carol);
    const withMoney = await t.server.engine.executeAny('account.close', { accountId: amara.savings, closingTransferId: newId() }, demoUsers.bob);
    expect(withMoney).toMatchObject({ ok: false, code: 'account_balance_not_zero' });
    const byTeller = await t.server.engine.executeAny('account.close', { accountId: amara.current, closingTransferId: newId() }, demoUsers.alice);
    expect(byTeller).toMatchObject({ ok: false, code: 'permission_denied' });
    expect(await books(d)).toEqual(before);
    expect(summary(await auditAfter(t, d.tokens.carol, head))).toEqual([
      { actor: 'bob', command: 'account.close', outcome: 'account_balance_not_zero' },
      { actor: 'alice', command: 'account.close', outcome: 'permission_denied' },
    ]);

    const accountId = newId();
    expect((await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId, customerId: mei.id, productId: 'SAVINGS-USD' } })).status).toBe(201);
    d.watched.push(accountId);
    const held = await t.server.engine.executeAny('account.close', { accountId, closingTransferId: newId() }, demoUsers.bob);
    expect(held).toMatchObject({ ok: false, code: 'approval_required', message: expect.stringMatching(/needs a second person who holds account\.close/) });
    const approvalId = (held as unknown as { details: { approvalId: string } }).details.approvalId;
    const decide = (user: User) => ({ name: `${user} approves`, user, method: 'POST' as const, path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), command: 'approval.decide' });
    await expectRefusal(d, { ...decide('bob'), status: 403, code: 'checker_must_differ', detail: /another supervisor/ });
    await expectRefusal(d, { ...decide('adam'), status: 403, code: 'checker_lacks_permission', detail: /account\.close/ });
    await expectRefusal(d, { ...decide('olivia'), status: 403, code: 'checker_lacks_permission', detail: /account\.close/ });
    // A compliance officer decides approvals (monitoring holds, reports), but not this one: account.close is not theirs.
    await expectRefusal(d, { ...decide('carol'), status: 403, code: 'checker_lacks_permission', detail: /account\.close/ });
    await expectRefusal(d, { ...decide('lena'), status: 403, code: 'permission_denied', detail: /approval\.decide/ });
    expect((await balancesOf(d, accountId))).toEqual({ posted: '0', available: '0', pending: '0' });
    const approved = await t.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token: hana, body: { decision: 'approve' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ approval: { status: 'approved', decidedBy: 'hana' }, result: { id: accountId, status: 'closed' } });
    const account = await t.request('GET', `/api/v1/accounts/${accountId}`, { token: d.tokens.carol });
    expect(account.body.account.status).toBe('closed');
    await expectRefusal(d, { name: 'deposit into the account just closed', user: 'alice', method: 'POST', path: (d) => `/api/v1/till-sessions/${d.sessionId}/deposits`, body: () => ({ transferId: newId(), accountId, money: money('100') }), status: 422, code: 'account_closed', detail: /closed/, command: 'cash.deposit' });
  });

  it('refuses a raw ledger transfer that would reopen a closed account (voiding its closing transfer): 403 ledger_account_protected, nothing moves', async () => {
    await expectRefusal(d, { name: 'void the closing transfer', user: 'lena', method: 'POST', path: () => `/api/v1/transfers/${closingTransferId}/void`, body: () => ({ id: newId() }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' });
    const account = await t.request('GET', `/api/v1/accounts/${closedAccount}`, { token: d.tokens.carol });
    expect(account.body.account.status).toBe('closed');
  });

  // --- refusals ----------------------------------------------------------------------------

  const deposit = (d: Demo) => `/api/v1/till-sessions/${d.sessionId}/deposits`;
  const withdraw = (d: Demo) => `/api/v1/till-sessions/${d.sessionId}/withdrawals`;
  const cash = (accountId: (d: Demo) => string, amount: unknown, currency: unknown = 'USD') => (d: Demo) => ({
    transferId: newId(),
    accountId: accountId(d),
    money: { amount, currency },
  });
  const amaraCurrent = (d: Demo) => d.customers[0].current;
  const amaraSavings = (d: Demo) => d.customers[0].savings;
  const lukasCurrent = (d: Demo) => d.customers[1].current;
  const internal = (from: (d: Demo) => string, to: (d: Demo) => string, amount: unknown, currency = 'USD') => (d: Demo) => ({
    transferId: newId(),
    fromAccountId: from(d),
    toAccountId: to(d),
    money: { amount, currency },
  });

  const limitBody = (extra: Record<string, unknown> = {}) => () => ({ holder: { user: 'alice' }, kind: 'cash', currency: 'USD', perTransaction: '900000', perDay: '900000', ...extra });

  const refusals: RefusalCase[] = [
    // cash deposits: types, fields, amounts, ids, accounts, currency, session, role
    { name: 'deposit: amount as a number', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, 1000), status: 400, code: 'invalid_input', detail: /money\.amount/, command: 'cash.deposit' },
    { name: 'deposit: money missing', user: 'alice', method: 'POST', path: deposit, body: (d) => ({ transferId: newId(), accountId: amaraCurrent(d) }), status: 400, code: 'invalid_input', detail: /money/, command: 'cash.deposit' },
    { name: 'deposit: accountId missing', user: 'alice', method: 'POST', path: deposit, body: () => ({ transferId: newId(), money: money('1000') }), status: 400, code: 'invalid_input', detail: /accountId/, command: 'cash.deposit' },
    { name: 'deposit: accountId a number', user: 'alice', method: 'POST', path: deposit, body: () => ({ transferId: newId(), accountId: 42, money: money('1000') }), status: 400, code: 'invalid_input', detail: /accountId/, command: 'cash.deposit' },
    { name: 'deposit: body an array', user: 'alice', method: 'POST', path: deposit, body: () => [], status: 400, code: 'invalid_input', detail: /expected object/, command: 'cash.deposit' },
    { name: 'deposit: body a string', user: 'alice', method: 'POST', path: deposit, body: () => 'one thousand dollars', status: 400, code: 'invalid_input', detail: /expected object/, command: 'cash.deposit' },
    { name: 'deposit: zero', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '0'), status: 400, code: 'amount_must_not_be_zero', detail: /money\.amount/, command: 'cash.deposit' },
    { name: 'deposit: negative', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '-1000'), status: 400, code: 'amount_must_not_be_negative', detail: /money\.amount/, command: 'cash.deposit' },
    { name: 'deposit: overflowing 2^63', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, overflowingAmount), status: 400, code: 'amount_overflows', detail: /64-bit/, command: 'cash.deposit' },
    { name: 'deposit: a decimal point', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '12.50'), status: 400, code: 'amount_malformed', detail: /minor units/, command: 'cash.deposit' },
    { name: 'deposit: exponent notation', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '1e3'), status: 400, code: 'amount_malformed', detail: /minor units/, command: 'cash.deposit' },
    { name: 'deposit: empty amount', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, ''), status: 400, code: 'amount_malformed', detail: /minor units/, command: 'cash.deposit' },
    { name: 'deposit: unknown currency', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '1000', 'ZZZ'), status: 400, code: 'currency_unknown', detail: /ZZZ/, command: 'cash.deposit' },
    { name: 'deposit: unknown account', user: 'alice', method: 'POST', path: deposit, body: cash(() => newId(), '1000'), status: 404, code: 'account_not_found', detail: /No account/, command: 'cash.deposit' },
    { name: 'deposit: malformed account id', user: 'alice', method: 'POST', path: deposit, body: cash(() => '12345', '1000'), status: 400, code: 'id_malformed', detail: /accountId/, command: 'cash.deposit' },
    { name: 'deposit: uppercase account id', user: 'alice', method: 'POST', path: deposit, body: cash((d) => amaraCurrent(d).toUpperCase(), '1000'), status: 400, code: 'id_malformed', detail: /accountId/, command: 'cash.deposit' },
    { name: 'deposit: all-zero transfer id', user: 'alice', method: 'POST', path: deposit, body: (d) => ({ ...cash(amaraCurrent, '1000')(d), transferId: '0'.repeat(32) }), status: 400, code: 'id_must_not_be_zero', detail: /transferId/, command: 'cash.deposit' },
    { name: 'deposit: all-f transfer id', user: 'alice', method: 'POST', path: deposit, body: (d) => ({ ...cash(amaraCurrent, '1000')(d), transferId: 'f'.repeat(32) }), status: 400, code: 'id_must_not_be_int_max', detail: /transferId/, command: 'cash.deposit' },
    { name: 'deposit: malformed session id in the path', user: 'alice', method: 'POST', path: () => '/api/v1/till-sessions/not-a-session/deposits', body: cash(amaraCurrent, '1000'), status: 400, code: 'id_malformed', detail: /sessionId/, command: 'cash.deposit' },
    { name: 'deposit: unknown session', user: 'alice', method: 'POST', path: () => `/api/v1/till-sessions/${newId()}/deposits`, body: cash(amaraCurrent, '1000'), status: 404, code: 'session_not_found', detail: /open the till/, command: 'cash.deposit' },
    { name: 'deposit: EUR into the USD till', user: 'alice', method: 'POST', path: deposit, body: cash(amaraCurrent, '1000', 'EUR'), status: 422, code: 'currency_mismatch', detail: /USD.*EUR/, command: 'cash.deposit' },
    { name: 'deposit: into a closed account', user: 'alice', method: 'POST', path: deposit, body: cash(() => closedAccount, '1000'), status: 422, code: 'account_closed', detail: /closed/, command: 'cash.deposit' },
    { name: 'deposit: into another teller\'s till', user: 'tom', method: 'POST', path: deposit, body: cash(amaraCurrent, '1000'), status: 403, code: 'session_belongs_to_another_teller', detail: /alice/, command: 'cash.deposit' },
    { name: 'deposit: compliance officer', user: 'carol', method: 'POST', path: deposit, body: cash(amaraCurrent, '1000'), status: 403, code: 'permission_denied', detail: /till\.operate/, command: 'cash.deposit' },

    // cash withdrawals
    { name: 'withdrawal: beyond balance and overdraft', user: 'alice', method: 'POST', path: withdraw, body: cash(amaraCurrent, '300000'), status: 422, code: 'insufficient_funds', detail: /Insufficient funds/, command: 'cash.withdraw' },
    { name: 'withdrawal: savings beyond balance', user: 'alice', method: 'POST', path: withdraw, body: cash(amaraSavings, '100001'), status: 422, code: 'insufficient_funds', detail: /Insufficient funds/, command: 'cash.withdraw' },
    { name: 'withdrawal: EUR from a USD account', user: 'alice', method: 'POST', path: withdraw, body: cash(amaraCurrent, '1000', 'EUR'), status: 422, code: 'currency_mismatch', detail: /EUR/, command: 'cash.withdraw' },
    { name: 'withdrawal: from the EUR account at the USD till', user: 'alice', method: 'POST', path: withdraw, body: cash(() => eurAccount, '1000'), status: 422, code: 'currency_mismatch', detail: /EUR/, command: 'cash.withdraw' },
    { name: 'withdrawal: unknown account', user: 'alice', method: 'POST', path: withdraw, body: cash(() => newId(), '1000'), status: 404, code: 'account_not_found', detail: /No account/, command: 'cash.withdraw' },
    { name: 'withdrawal: from a closed account', user: 'alice', method: 'POST', path: withdraw, body: cash(() => closedAccount, '1'), status: 422, code: 'account_closed', detail: /closed/, command: 'cash.withdraw' },
    { name: 'withdrawal: negative', user: 'alice', method: 'POST', path: withdraw, body: cash(amaraCurrent, '-5'), status: 400, code: 'amount_must_not_be_negative', detail: /money\.amount/, command: 'cash.withdraw' },
    { name: 'withdrawal: overflowing', user: 'alice', method: 'POST', path: withdraw, body: cash(amaraCurrent, '99999999999999999999999'), status: 400, code: 'amount_overflows', detail: /64-bit/, command: 'cash.withdraw' },
    { name: 'withdrawal: operations officer', user: 'olivia', method: 'POST', path: withdraw, body: cash(amaraCurrent, '1000'), status: 403, code: 'permission_denied', detail: /till\.operate/, command: 'cash.withdraw' },

    // transfers between customers
    { name: 'internal: to itself', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, amaraCurrent, '100'), status: 422, code: 'accounts_must_be_different', detail: /itself/, command: 'transfer.internal' },
    { name: 'internal: EUR between USD accounts', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, lukasCurrent, '100', 'EUR'), status: 422, code: 'currency_mismatch', detail: /USD.*EUR/, command: 'transfer.internal' },
    { name: 'internal: USD into the EUR account', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, () => eurAccount, '100'), status: 422, code: 'currency_mismatch', detail: /EUR/, command: 'transfer.internal' },
    { name: 'internal: unknown payee', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, () => newId(), '100'), status: 404, code: 'account_not_found', detail: /No account/, command: 'transfer.internal' },
    { name: 'internal: into a closed account', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, () => closedAccount, '100'), status: 422, code: 'account_closed', detail: /closed/, command: 'transfer.internal' },
    { name: 'internal: beyond the savings balance', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraSavings, amaraCurrent, '100001'), status: 422, code: 'insufficient_funds', detail: /Insufficient funds/, command: 'transfer.internal' },
    { name: 'internal: zero', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, lukasCurrent, '0'), status: 400, code: 'amount_must_not_be_zero', detail: /money\.amount/, command: 'transfer.internal' },
    { name: 'internal: overflowing', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, lukasCurrent, overflowingAmount), status: 400, code: 'amount_overflows', detail: /64-bit/, command: 'transfer.internal' },
    { name: 'internal: fractional', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, lukasCurrent, '10.5'), status: 400, code: 'amount_malformed', detail: /minor units/, command: 'transfer.internal' },
    { name: 'internal: malformed payer id', user: 'alice', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(() => 'account-1', lukasCurrent, '100'), status: 400, code: 'id_malformed', detail: /fromAccountId/, command: 'transfer.internal' },
    { name: 'internal: compliance officer', user: 'carol', method: 'POST', path: () => '/api/v1/internal-transfers', body: internal(amaraCurrent, lukasCurrent, '100'), status: 403, code: 'permission_denied', detail: /transfer\.create/, command: 'transfer.internal' },

    // exchanges (at the bank's rate sheet; the counter sends no rate of its own)
    { name: 'exchange: one id for both legs', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => { const id = newId(); return { sellTransferId: id, buyTransferId: id, fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000') }; }, status: 422, code: 'transfer_ids_must_differ', detail: /two ids/, command: 'fx.exchange' },
    { name: 'exchange: accounts of two customers', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: lukasCurrent(d), toAccountId: eurAccount, money: money('1000') }), status: 422, code: 'accounts_of_different_customers', detail: /one customer/, command: 'fx.exchange' },
    { name: 'exchange: money not in the source currency', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000', 'EUR') }), status: 422, code: 'currency_mismatch', detail: /USD/, command: 'fx.exchange' },
    { name: 'exchange: same currency', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: amaraSavings(d), money: money('1000') }), status: 422, code: 'same_currency', detail: /same currency/, command: 'fx.exchange' },
    { name: 'exchange: unknown account', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: newId(), money: money('1000') }), status: 404, code: 'account_not_found', detail: /exist/, command: 'fx.exchange' },
    { name: 'exchange: beyond the balance', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('400000') }), status: 422, code: 'insufficient_funds', detail: /Insufficient funds/, command: 'fx.exchange' },
    { name: 'exchange: a rate of the counter\'s own', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000'), rate: '0.99' }), status: 400, code: 'invalid_input', detail: /rate/, command: 'fx.exchange' },
    { name: 'exchange: the customer was quoted another rate', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000'), expectedRate: '0.9200000000' }), status: 409, code: 'rate_changed', detail: /0\.9080384100.*quote the customer again/, command: 'fx.exchange' },
    { name: 'exchange: a malformed expected rate', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000'), expectedRate: 'cheap' }), status: 400, code: 'invalid_input', detail: /expectedRate/, command: 'fx.exchange' },
    { name: 'exchange: a pair the bank publishes no rate for', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: gbpAccount, money: money('1000') }), status: 422, code: 'rate_sheet_missing', detail: /USD\/GBP.*treasury/, command: 'fx.exchange' },
    { name: 'exchange: compliance officer', user: 'carol', method: 'POST', path: () => '/api/v1/exchanges', body: (d) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: amaraCurrent(d), toAccountId: eurAccount, money: money('1000') }), status: 403, code: 'permission_denied', detail: /fx\.exchange/, command: 'fx.exchange' },

    // the vault
    { name: 'vault funding: a teller', user: 'alice', method: 'POST', path: () => '/api/v1/vault/fundings', body: (d) => ({ transferId: newId(), branchId: d.branchId, money: money('1000') }), status: 403, code: 'permission_denied', detail: /vault\.operate/, command: 'vault.fund' },
    { name: 'vault funding: a currency the branch does not hold', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: (d) => ({ transferId: newId(), branchId: d.branchId, money: money('1000', 'GBP') }), status: 422, code: 'branch_has_no_vault_in_currency', detail: /GBP/, command: 'vault.fund' },
    { name: 'vault funding: unknown branch', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: () => ({ transferId: newId(), branchId: newId(), money: money('1000') }), status: 404, code: 'branch_not_found', detail: /branch/, command: 'vault.fund' },
    { name: 'vault funding: malformed branch id', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: () => ({ transferId: newId(), branchId: '0001', money: money('1000') }), status: 400, code: 'id_malformed', detail: /branchId/, command: 'vault.fund' },
    { name: 'vault funding: zero', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: (d) => ({ transferId: newId(), branchId: d.branchId, money: money('0') }), status: 400, code: 'amount_must_not_be_zero', detail: /money\.amount/, command: 'vault.fund' },
    { name: 'vault funding: overflowing', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: (d) => ({ transferId: newId(), branchId: d.branchId, money: money(overflowingAmount) }), status: 400, code: 'amount_overflows', detail: /64-bit/, command: 'vault.fund' },
    { name: 'vault funding: money missing', user: 'bob', method: 'POST', path: () => '/api/v1/vault/fundings', body: (d) => ({ transferId: newId(), branchId: d.branchId }), status: 400, code: 'invalid_input', detail: /money/, command: 'vault.fund' },
    { name: 'vault to till: EUR into the USD till', user: 'bob', method: 'POST', path: () => '/api/v1/vault/to-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('1000', 'EUR') }), status: 422, code: 'currency_mismatch', detail: /USD.*EUR/, command: 'vault.to_till' },
    { name: 'vault to till: more than the vault holds', user: 'bob', method: 'POST', path: () => '/api/v1/vault/to-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('900000000') }), status: 422, code: 'insufficient_cash', detail: /Not enough cash/, command: 'vault.to_till' },
    { name: 'vault to till: unknown till', user: 'bob', method: 'POST', path: () => '/api/v1/vault/to-till', body: () => ({ transferId: newId(), tillId: newId(), money: money('1000') }), status: 404, code: 'till_not_found', detail: /No till/, command: 'vault.to_till' },
    { name: 'vault to till: a teller', user: 'alice', method: 'POST', path: () => '/api/v1/vault/to-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('1000') }), status: 403, code: 'permission_denied', detail: /vault\.operate/, command: 'vault.to_till' },
    { name: 'till to vault: more than the till holds', user: 'alice', method: 'POST', path: () => '/api/v1/vault/from-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('900000000') }), status: 422, code: 'insufficient_cash', detail: /Not enough cash/, command: 'till.to_vault' },
    { name: 'till to vault: EUR from the USD till', user: 'alice', method: 'POST', path: () => '/api/v1/vault/from-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('1000', 'EUR') }), status: 422, code: 'currency_mismatch', detail: /EUR/, command: 'till.to_vault' },
    { name: 'till to vault: negative', user: 'alice', method: 'POST', path: () => '/api/v1/vault/from-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('-1000') }), status: 400, code: 'amount_must_not_be_negative', detail: /money\.amount/, command: 'till.to_vault' },
    { name: 'till to vault: another teller empties alice\'s open till', user: 'tom', method: 'POST', path: () => '/api/v1/vault/from-till', body: (d) => ({ transferId: newId(), tillId: d.tillId, money: money('1000') }), status: 403, code: 'session_belongs_to_another_teller', detail: /alice/, command: 'till.to_vault' },

    // tills and their sessions
    { name: 'till: unknown branch', user: 'olivia', method: 'POST', path: () => '/api/v1/tills', body: () => ({ tillId: newId(), branchId: newId(), code: 'T9', currency: 'USD' }), status: 404, code: 'branch_not_found', detail: /No branch/, command: 'till.create' },
    { name: 'till: a currency the branch lacks', user: 'olivia', method: 'POST', path: () => '/api/v1/tills', body: (d) => ({ tillId: newId(), branchId: d.branchId, code: 'T9', currency: 'GBP' }), status: 422, code: 'branch_has_no_vault_in_currency', detail: /GBP/, command: 'till.create' },
    { name: 'till: code taken', user: 'olivia', method: 'POST', path: () => '/api/v1/tills', body: (d) => ({ tillId: newId(), branchId: d.branchId, code: 'T1', currency: 'USD' }), status: 409, code: 'till_code_taken', detail: /T1/, command: 'till.create' },
    { name: 'till: malformed code', user: 'olivia', method: 'POST', path: () => '/api/v1/tills', body: (d) => ({ tillId: newId(), branchId: d.branchId, code: 'till one', currency: 'USD' }), status: 400, code: 'invalid_input', detail: /code/, command: 'till.create' },
    { name: 'till: a teller', user: 'alice', method: 'POST', path: () => '/api/v1/tills', body: (d) => ({ tillId: newId(), branchId: d.branchId, code: 'T9', currency: 'USD' }), status: 403, code: 'permission_denied', detail: /branch\.manage/, command: 'till.create' },
    // Counted right (no over/short to hold for a supervisor), the till is still alice's.
    { name: 'till session: already open', user: 'tom', method: 'POST', path: (d) => `/api/v1/tills/${d.tillId}/sessions`, body: async (d) => ({ sessionId: newId(), count: countOf(await tillCash(d, d.tillId)) }), status: 409, code: 'till_already_open', detail: /alice/, command: 'till.open_session' },
    { name: 'till session: unknown till', user: 'tom', method: 'POST', path: () => `/api/v1/tills/${newId()}/sessions`, body: () => ({ sessionId: newId(), count: { '10000': 1 } }), status: 404, code: 'till_not_found', detail: /No till/, command: 'till.open_session' },
    { name: 'till session: count not a map', user: 'tom', method: 'POST', path: (d) => `/api/v1/tills/${d.tillId}/sessions`, body: () => ({ sessionId: newId(), count: 100 }), status: 400, code: 'invalid_input', detail: /count/, command: 'till.open_session' },
    { name: 'till close: unknown session', user: 'alice', method: 'POST', path: () => `/api/v1/till-sessions/${newId()}/close`, body: () => ({ count: {} }), status: 404, code: 'session_not_found', detail: /No till session/, command: 'till.close_session' },
    { name: 'till close: another teller', user: 'tom', method: 'POST', path: (d) => `/api/v1/till-sessions/${d.sessionId}/close`, body: () => ({ count: {} }), status: 403, code: 'session_belongs_to_another_teller', detail: /alice/, command: 'till.close_session' },

    // branches, products, limits
    { name: 'branch: code taken', user: 'olivia', method: 'POST', path: () => '/api/v1/branches', body: () => ({ branchId: newId(), code: '0001', name: 'Again', currencies: ['USD'] }), status: 409, code: 'branch_code_taken', detail: /0001/, command: 'branch.create' },
    { name: 'branch: unknown currency', user: 'olivia', method: 'POST', path: () => '/api/v1/branches', body: () => ({ branchId: newId(), code: '0009', name: 'Nowhere', currencies: ['ZZZ'] }), status: 400, code: 'currency_unknown', detail: /ZZZ/, command: 'branch.create' },
    { name: 'branch: no currencies', user: 'olivia', method: 'POST', path: () => '/api/v1/branches', body: () => ({ branchId: newId(), code: '0009', name: 'Nowhere', currencies: [] }), status: 400, code: 'invalid_input', detail: /currencies/, command: 'branch.create' },
    { name: 'branch: a teller', user: 'alice', method: 'POST', path: () => '/api/v1/branches', body: () => ({ branchId: newId(), code: '0009', name: 'Nowhere', currencies: ['USD'] }), status: 403, code: 'permission_denied', detail: /branch\.manage/, command: 'branch.create' },
    { name: 'product: savings with an overdraft', user: 'olivia', method: 'POST', path: () => '/api/v1/products', body: () => ({ productId: 'BAD-SAVINGS', name: 'Bad', kind: 'savings', currency: 'USD', overdraftLimit: '1000' }), status: 422, code: 'savings_cannot_overdraw', detail: /overdraft/, command: 'product.define' },
    { name: 'product: negative overdraft', user: 'olivia', method: 'POST', path: () => '/api/v1/products', body: () => ({ productId: 'BAD-CURRENT', name: 'Bad', kind: 'current', currency: 'USD', overdraftLimit: '-1' }), status: 400, code: 'amount_must_not_be_negative', detail: /overdraftLimit/, command: 'product.define' },
    { name: 'product: overflowing overdraft', user: 'olivia', method: 'POST', path: () => '/api/v1/products', body: () => ({ productId: 'BAD-CURRENT', name: 'Bad', kind: 'current', currency: 'USD', overdraftLimit: overflowingAmount }), status: 400, code: 'amount_overflows', detail: /overdraftLimit/, command: 'product.define' },
    { name: 'product: unknown kind', user: 'olivia', method: 'POST', path: () => '/api/v1/products', body: () => ({ productId: 'BAD-CURRENT', name: 'Bad', kind: 'loan', currency: 'USD' }), status: 400, code: 'invalid_input', detail: /kind/, command: 'product.define' },
    { name: 'product: a teller', user: 'alice', method: 'POST', path: () => '/api/v1/products', body: () => ({ productId: 'MINE', name: 'Mine', kind: 'current', currency: 'USD' }), status: 403, code: 'permission_denied', detail: /product\.manage/, command: 'product.define' },
    { name: 'limit: negative', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ perTransaction: '-1' }), status: 400, code: 'amount_must_not_be_negative', detail: /perTransaction/, command: 'limit.set' },
    { name: 'limit: overflowing', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ perDay: overflowingAmount }), status: 400, code: 'amount_overflows', detail: /perDay/, command: 'limit.set' },
    { name: 'limit: fractional', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ perTransaction: '5000.00' }), status: 400, code: 'amount_malformed', detail: /perTransaction/, command: 'limit.set' },
    { name: 'limit: unknown kind', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ kind: 'lending' }), status: 400, code: 'invalid_input', detail: /kind/, command: 'limit.set' },
    { name: 'limit: unknown role', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ holder: { role: 'cashier' } }), status: 400, code: 'invalid_input', detail: /holder/, command: 'limit.set' },
    { name: 'limit: unknown user (refused before any hold)', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ holder: { user: 'alcie' } }), status: 404, code: 'user_not_found', detail: /alcie/, command: 'limit.set' },
    { name: 'limit: a day below one transaction (refused before any hold)', user: 'olivia', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ perTransaction: '900000', perDay: '100000' }), status: 422, code: 'day_limit_below_transaction_limit', detail: /A day allows/, command: 'limit.set' },
    { name: 'limit: the teller raises her own', user: 'alice', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ perTransaction: '99999999', perDay: '99999999' }), status: 403, code: 'permission_denied', detail: /limits\.manage/, command: 'limit.set' },
    { name: 'limit: the head teller raises the tellers\'', user: 'bob', method: 'POST', path: () => '/api/v1/limits', body: limitBody({ holder: { role: 'teller' } }), status: 403, code: 'permission_denied', detail: /limits\.manage/, command: 'limit.set' },

    // customers and accounts
    { name: 'customer: identity document already registered', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: (d) => ({ customerId: newId(), branchId: d.branchId, fullName: 'Someone Else', dateOfBirth: '1980-01-01', nationalId: 'P-4471-0934', address: 'x street', phone: '+1 415 555 0100' }), status: 409, code: 'customer_already_registered', detail: /already registered/, command: 'customer.create' },
    { name: 'customer: unknown branch', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: () => ({ customerId: newId(), branchId: newId(), fullName: 'Someone', dateOfBirth: '1980-01-01', nationalId: 'X-1000-0001', address: 'x street', phone: '+1 415 555 0100' }), status: 404, code: 'branch_not_found', detail: /No branch/, command: 'customer.create' },
    { name: 'customer: born in the future', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: (d) => ({ customerId: newId(), branchId: d.branchId, fullName: 'Someone', dateOfBirth: '2999-01-01', nationalId: 'X-1000-0002', address: 'x street', phone: '+1 415 555 0100' }), status: 422, code: 'date_of_birth_in_future', detail: /future/, command: 'customer.create' },
    { name: 'customer: not a calendar date', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: (d) => ({ customerId: newId(), branchId: d.branchId, fullName: 'Someone', dateOfBirth: '1990-02-30', nationalId: 'X-1000-0003', address: 'x street', phone: '+1 415 555 0100' }), status: 400, code: 'invalid_input', detail: /dateOfBirth/, command: 'customer.create' },
    { name: 'customer: name missing', user: 'alice', method: 'POST', path: () => '/api/v1/customers', body: (d) => ({ customerId: newId(), branchId: d.branchId, dateOfBirth: '1990-02-01', nationalId: 'X-1000-0004', address: 'x street', phone: '+1 415 555 0100' }), status: 400, code: 'invalid_input', detail: /fullName/, command: 'customer.create' },
    { name: 'customer: compliance officer', user: 'carol', method: 'POST', path: () => '/api/v1/customers', body: (d) => ({ customerId: newId(), branchId: d.branchId, fullName: 'Someone', dateOfBirth: '1980-01-01', nationalId: 'X-1000-0005', address: 'x street', phone: '+1 415 555 0100' }), status: 403, code: 'permission_denied', detail: /customer\.write/, command: 'customer.create' },
    { name: 'kyc: unknown customer', user: 'bob', method: 'POST', path: () => `/api/v1/customers/${newId()}/kyc`, body: () => ({ kycStatus: 'verified', riskRating: 'low' }), status: 404, code: 'customer_not_found', detail: /No customer/, command: 'customer.review_kyc' },
    { name: 'kyc: unknown status', user: 'bob', method: 'POST', path: (d) => `/api/v1/customers/${d.customers[0].id}/kyc`, body: () => ({ kycStatus: 'probably', riskRating: 'low' }), status: 400, code: 'invalid_input', detail: /kycStatus/, command: 'customer.review_kyc' },
    { name: 'kyc: a teller verifies', user: 'alice', method: 'POST', path: (d) => `/api/v1/customers/${d.customers[0].id}/kyc`, body: () => ({ kycStatus: 'verified', riskRating: 'low' }), status: 403, code: 'permission_denied', detail: /customer\.verify/, command: 'customer.review_kyc' },
    { name: 'account: unknown customer', user: 'alice', method: 'POST', path: () => '/api/v1/accounts', body: () => ({ accountId: newId(), customerId: newId(), productId: 'CURRENT-USD' }), status: 404, code: 'customer_not_found', detail: /No customer/, command: 'account.open' },
    { name: 'account: unknown product', user: 'alice', method: 'POST', path: () => '/api/v1/accounts', body: (d) => ({ accountId: newId(), customerId: d.customers[0].id, productId: 'GOLD-USD' }), status: 404, code: 'product_not_found', detail: /GOLD-USD/, command: 'account.open' },
    { name: 'account: id of another account', user: 'alice', method: 'POST', path: () => '/api/v1/accounts', body: (d) => ({ accountId: d.customers[1].current, customerId: d.customers[0].id, productId: 'CURRENT-USD' }), status: 409, code: 'account_id_reused', detail: /different account/, command: 'account.open' },
    { name: 'account: an administrator', user: 'adam', method: 'POST', path: () => '/api/v1/accounts', body: (d) => ({ accountId: newId(), customerId: d.customers[0].id, productId: 'CURRENT-USD' }), status: 403, code: 'permission_denied', detail: /account\.open/, command: 'account.open' },

    // approvals
    { name: 'decision: unknown approval', user: 'bob', method: 'POST', path: () => `/api/v1/approvals/${newId()}/decision`, body: () => ({ decision: 'approve' }), status: 404, code: 'approval_not_found', detail: /No approval/, command: 'approval.decide' },
    { name: 'decision: malformed approval id', user: 'bob', method: 'POST', path: () => '/api/v1/approvals/42/decision', body: () => ({ decision: 'approve' }), status: 400, code: 'id_malformed', detail: /approvalId/, command: 'approval.decide' },
    { name: 'decision: neither approve nor reject', user: 'bob', method: 'POST', path: () => `/api/v1/approvals/${newId()}/decision`, body: () => ({ decision: 'maybe' }), status: 400, code: 'invalid_input', detail: /decision/, command: 'approval.decide' },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name}: ${refusal.status} ${refusal.code}, nothing moves, the refusal is audited`, async () => {
      await expectRefusal(d, refusal);
    });
  }

  it('refuses a malformed JSON body on every write route with 400 bad_request, and nothing moves', async () => {
    const before = await books(d);
    const writes: Array<[User, string]> = [
      ['alice', deposit(d)],
      ['alice', withdraw(d)],
      ['alice', '/api/v1/internal-transfers'],
      ['alice', '/api/v1/exchanges'],
      ['bob', '/api/v1/vault/fundings'],
      ['bob', '/api/v1/vault/to-till'],
      ['alice', '/api/v1/vault/from-till'],
      ['olivia', '/api/v1/tills'],
      ['alice', `/api/v1/tills/${d.tillId}/sessions`],
      ['alice', `/api/v1/till-sessions/${d.sessionId}/close`],
      ['olivia', '/api/v1/branches'],
      ['olivia', '/api/v1/products'],
      ['olivia', '/api/v1/limits'],
      ['alice', '/api/v1/customers'],
      ['bob', `/api/v1/customers/${d.customers[0].id}/kyc`],
      ['alice', '/api/v1/accounts'],
      ['bob', `/api/v1/approvals/${newId()}/decision`],
      ['tess', '/api/v1/rate-sheets'],
      ['lena', '/api/v1/ledger/accounts'],
      ['lena', '/api/v1/transfers'],
      ['lena', `/api/v1/transfers/${newId()}/post`],
      ['lena', `/api/v1/transfers/${newId()}/void`],
      ['adam', '/api/v1/users'],
    ];
    for (const [user, path] of writes) {
      const reply = await t.request('POST', path, { token: d.tokens[user], rawBody: `{"transferId": "${newId()}", "money": {"amount": "100"` });
      expectProblem(reply, 400, 'bad_request', /not valid JSON/);
    }
    for (const path of ['/api/v1/users/alice/status', '/api/v1/users/alice/roles']) {
      expectProblem(await t.request('PUT', path, { token: d.tokens.adam, rawBody: '{"status": disabled}' }), 400, 'bad_request', /not valid JSON/);
    }
    expect(await books(d)).toEqual(before);
    await auditHead(t, d.tokens.carol);
  });

  it('records a malformed body from a signed-in teller in the audit log as a refused command', async () => {
    const head = await auditHead(t, d.tokens.carol);
    const reply = await t.request('POST', deposit(d), { token: d.tokens.alice, rawBody: '{"money": ' });
    expectProblem(reply, 400, 'bad_request');
    expect(summary(await auditAfter(t, d.tokens.carol, head))).toContainEqual({ actor: 'alice', command: 'cash.deposit', outcome: 'bad_request' });
  });

  // --- held for approval (maker-checker) -------------------------------------------------

  describe('a cash withdrawal over the teller\'s limit', () => {
    let approvalId: string;
    let transferId: string;
    let key: string;
    let body: unknown;

    it('is held (202) with an approval id, moving nothing, and a replay gets the same approval', async () => {
      const [, , mei] = d.customers;
      const topUp = await t.request('POST', deposit(d), { token: d.tokens.alice, body: { transferId: newId(), accountId: mei.current, money: money('500000') } });
      expect(topUp.status, 'a deposit of exactly the limit is not held').toBe(201);
      const before = await books(d);
      const head = await auditHead(t, d.tokens.carol);
      transferId = newId();
      key = newKey();
      body = { transferId, accountId: mei.current, money: money('600000') };
      const held = await t.request('POST', withdraw(d), { token: d.tokens.alice, body, idempotencyKey: key });
      expect(held.status, JSON.stringify(held.body)).toBe(202);
      expect(held.body).toMatchObject({ status: 'held', approvalId: expect.stringMatching(/^[0-9a-f]{32}$/), detail: expect.stringMatching(/over your cash limit.*supervisor/) });
      approvalId = held.body.approvalId;
      const after = await books(d);
      expect({ ...after, pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
      expect(after.pendingApprovals).toEqual([...before.pendingApprovals, approvalId].sort());
      expect(summary(await auditAfter(t, d.tokens.carol, head))).toEqual([{ actor: 'alice', command: 'cash.withdraw', outcome: 'approval_required' }]);

      const replay = await t.request('POST', withdraw(d), { token: d.tokens.alice, body, idempotencyKey: key });
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.approvalId).toBe(approvalId);
      expect(await books(d)).toEqual(after);
      const listed = await t.request('GET', '/api/v1/approvals', { token: d.tokens.bob });
      expect(listed.body).toContainEqual(expect.objectContaining({ id: approvalId, command: 'cash.withdraw', requestedBy: 'alice', status: 'pending' }));
    });

    it('cannot be approved by the teller who asked (403), nor by another teller (403), nor by anyone without till.supervise (403)', async () => {
      for (const user of ['alice', 'tom'] as const) {
        await expectRefusal(d, { name: `${user} approves`, user, method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: alice_or_tom_code(user), detail: /till\.supervise|another supervisor/, command: 'approval.decide' });
      }
      for (const user of ['adam', 'olivia', 'trent'] as const) {
        await expectRefusal(d, { name: `${user} approves`, user, method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 403, code: 'checker_lacks_permission', detail: /till\.supervise/, command: 'approval.decide' });
      }
    });

    it('is paid out once when the head teller approves; a second decision is refused (409)', async () => {
      const [, , mei] = d.customers;
      const account = await balancesOf(d, mei.current);
      const cashBefore = await tillCash(d, d.tillId);
      const head = await auditHead(t, d.tokens.carol);
      const approved = await t.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'approve', note: 'customer known, ID checked' } });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      expect(approved.body).toMatchObject({
        approval: { id: approvalId, status: 'approved', decidedBy: 'bob', note: 'customer known, ID checked' },
        result: { transferId, accountId: mei.current, fresh: true },
      });
      expect((await balancesOf(d, mei.current)).posted).toBe(String(BigInt(account.posted) - 600000n));
      expect(await tillCash(d, d.tillId)).toBe(String(BigInt(cashBefore) - 600000n));
      const records = await auditAfter(t, d.tokens.carol, head);
      expect(summary(records)).toEqual([
        { actor: 'alice', command: 'cash.withdraw', outcome: 'ok' },
        { actor: 'bob', command: 'approval.decide', outcome: 'ok' },
      ]);
      expect(records[0]!.detail).toMatchObject({ approvalId, approvedBy: 'bob' });

      await expectRefusal(d, { name: 'decided twice', user: 'bob', method: 'POST', path: () => `/api/v1/approvals/${approvalId}/decision`, body: () => ({ decision: 'reject' }), status: 409, code: 'approval_already_decided', detail: /approved/, command: 'approval.decide' });
      const approvedList = await t.request('GET', '/api/v1/approvals?status=approved', { token: d.tokens.bob });
      expect(approvedList.body).toContainEqual(expect.objectContaining({ id: approvalId, decidedBy: 'bob' }));
    });

    it('pays nothing more when the teller retries the approved withdrawal (same transfer id, new key): 201 fresh: false', async () => {
      const before = await books(d);
      const retry = await t.request('POST', withdraw(d), { token: d.tokens.alice, body });
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      expect(retry.body).toMatchObject({ transferId, fresh: false });
      expect(await books(d)).toEqual(before);
    });

    it('moves nothing when rejected', async () => {
      const [, , mei] = d.customers;
      const held = await t.request('POST', withdraw(d), { token: d.tokens.alice, body: { transferId: newId(), accountId: mei.current, money: money('500001') } });
      expect(held.status).toBe(202);
      const before = await books(d);
      const rejected = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.bob, body: { decision: 'reject', note: 'no ID' } });
      expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
      expect(rejected.body).toMatchObject({ approval: { status: 'rejected', decidedBy: 'bob' }, result: null });
      const after = await books(d);
      expect(after.pendingApprovals).not.toContain(held.body.approvalId);
      expect({ ...after, pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
    });

    it('stays pending and moves nothing when the approved command now fails (insufficient funds)', async () => {
      const [, , mei] = d.customers;
      const held = await t.request('POST', withdraw(d), { token: d.tokens.alice, body: { transferId: newId(), accountId: mei.current, money: money('900000') } });
      expect(held.status).toBe(202);
      await expectRefusal(d, { name: 'approve what cannot be paid', user: 'bob', method: 'POST', path: () => `/api/v1/approvals/${held.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), status: 422, code: 'insufficient_funds', detail: /approved command failed/, command: 'approval.decide' });
      const pending = await t.request('GET', '/api/v1/approvals', { token: d.tokens.bob });
      expect(pending.body).toContainEqual(expect.objectContaining({ id: held.body.approvalId, status: 'pending' }));
    });
  });

  it('keeps every ledger balanced and the audit chain intact after all of the above', async () => {
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: d.tokens.carol });
    expect(totals.body.every((total: { balanced: boolean }) => total.balanced)).toBe(true);
    await auditHead(t, d.tokens.carol);
  });
});

// =============================================================================================
// The bank's rate sheets over time (a manual clock): stale, republished, re-quoted, a large move
// =============================================================================================

describe('rate sheets over time', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 3, 9, 0, 0));
  let t: TestServer;
  let d: Demo;
  let eurAccount: string;
  const week = 7 * 24 * hour;
  const exchange = (extra: Record<string, unknown> = {}) => (d: Demo) => ({ sellTransferId: newId(), buyTransferId: newId(), fromAccountId: d.customers[0].current, toAccountId: eurAccount, money: money('10000'), ...extra });
  const publish = (mid: string) => ({ base: 'EUR', quote: 'USD', mid, buyMarginBasisPoints: 150, sellMarginBasisPoints: 150, validFromMs: clock.nowMs(), validUntilMs: clock.nowMs() + 24 * hour });

  beforeAll(async () => {
    t = await startTestServer({ clock });
    d = await discoverDemo(t, await signInAll(t));
    eurAccount = newId();
    const eur = await t.request('POST', '/api/v1/accounts', { token: d.tokens.alice, body: { accountId: eurAccount, customerId: d.customers[0].id, productId: 'CURRENT-EUR' } });
    expect(eur.status, JSON.stringify(eur.body)).toBe(201);
    d.watched.push(eurAccount);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an exchange once the sheet has expired (409 rate_sheet_stale), moving nothing', async () => {
    expect((await t.request('POST', '/api/v1/exchanges', { token: d.tokens.alice, body: exchange()(d) })).status).toBe(201);
    clock.advance(week);
    d.tokens = await signInAll(t);
    const sheets = await t.request('GET', '/api/v1/rate-sheets', { token: d.tokens.alice });
    expect(sheets.body).toEqual([expect.objectContaining({ id: 'EUR/USD', current: false })]);
    await expectRefusal(d, { name: 'stale sheet', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: exchange(), status: 409, code: 'rate_sheet_stale', detail: /not valid now/, command: 'fx.exchange' });
  });

  it('prices at the republished sheet: a small move is published alone (201), a customer quoted the old rate is refused (409 rate_changed)', async () => {
    const published = await t.request('POST', '/api/v1/rate-sheets', { token: d.tokens.tess, body: publish('1.0900') });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ id: 'EUR/USD', mid: '1.0900', version: 2, publishedBy: 'tess' });
    // 1 / (1.0900 × 1.015), shown to ten places.
    await expectRefusal(d, { name: 'quoted the old rate', user: 'alice', method: 'POST', path: () => '/api/v1/exchanges', body: exchange({ expectedRate: '0.9080384100' }), status: 409, code: 'rate_changed', detail: /0\.9038730962/, command: 'fx.exchange' });
    const exchanged = await t.request('POST', '/api/v1/exchanges', { token: d.tokens.alice, body: exchange({ expectedRate: '0.9038730962' })(d) });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(201);
    expect(exchanged.body).toEqual({ sold: { amount: '10000', currency: 'USD' }, bought: { amount: '9039', currency: 'EUR' }, rate: '0.9038730962', sheet: { id: 'EUR/USD', version: 2 } });
  });

  it('holds a large move of the mid for a second treasurer (202); the maker and a checker without fx.rates.publish are refused', async () => {
    const before = await books(d);
    const held = await t.request('POST', '/api/v1/rate-sheets', { token: d.tokens.tess, body: publish('1.2000') });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    // Measured against the last terms a second treasurer agreed to (1.0850, the demo's sheet), not the
    // sheet tess published alone: 1.0850 to 1.2000 is 1059.9 basis points, counted up.
    expect(held.body.detail).toMatch(/1060 basis points, over the 500 allowed alone/);
    expect({ ...(await books(d)), pendingApprovals: [] }).toEqual({ ...before, pendingApprovals: [] });
    expect((await t.request('GET', '/api/v1/rate-sheets', { token: d.tokens.alice })).body).toEqual([expect.objectContaining({ mid: '1.0900', version: 2 })]);
    const decide = (user: User) => ({ name: `${user} approves`, user, method: 'POST' as const, path: () => `/api/v1/approvals/${held.body.approvalId}/decision`, body: () => ({ decision: 'approve' }), command: 'approval.decide' });
    await expectRefusal(d, { ...decide('tess'), status: 403, code: 'checker_must_differ', detail: /another supervisor/ });
    await expectRefusal(d, { ...decide('olivia'), status: 403, code: 'checker_lacks_permission', detail: /fx\.rates\.publish/ });
    await expectRefusal(d, { ...decide('bob'), status: 403, code: 'checker_lacks_permission', detail: /fx\.rates\.publish/ });
    const approved = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: d.tokens.trent, body: { decision: 'approve' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.result).toMatchObject({ mid: '1.2000', version: 3, publishedBy: 'tess' });
    await expectRefusal(d, { name: 'a teller publishes', user: 'alice', method: 'POST', path: () => '/api/v1/rate-sheets', body: () => publish('1.1000'), status: 403, code: 'permission_denied', detail: /fx\.rates\.publish/, command: 'fx.publish_rates' });
    await expectRefusal(d, { name: 'a sheet already expired', user: 'tess', method: 'POST', path: () => '/api/v1/rate-sheets', body: () => ({ ...publish('1.2000'), validFromMs: clock.nowMs() - 2 * hour, validUntilMs: clock.nowMs() - hour }), status: 422, code: 'validity_invalid', detail: /expired/, command: 'fx.publish_rates' });
    await expectRefusal(d, { name: 'the pair the other way round', user: 'tess', method: 'POST', path: () => '/api/v1/rate-sheets', body: () => ({ ...publish('0.8333'), base: 'USD', quote: 'EUR' }), status: 409, code: 'pair_published_other_way', detail: /EUR\/USD/, command: 'fx.publish_rates' });
  });
});

// =============================================================================================
// Ledger transfers: single, batches, linked chains, pending post/void, Idempotency-Key
// =============================================================================================

describe('ledger transfers and idempotency', () => {
  let t: TestServer;
  let d: Demo;
  /** A ledger account in EUR, made through POST /ledger/accounts. */
  let eurLedgerAccount: string;
  /**
   * Raw ledger accounts of the ledger operator (the banking chart's accounts are off limits to raw
   * transfers): `source` may go negative and funds the others, which may not pay out more than they
   * were paid (flag 2, debits_must_not_exceed_credits), each funded with 300,000.
   */
  let source: string;
  let a: string;
  let b: string;
  let c: string;
  let s: string;
  const fundingMinor = 300_000n;

  beforeAll(async () => {
    t = await startTestServer();
    d = await discoverDemo(t, await signInAll(t));
    [source, a, b, c, s] = [newId(), newId(), newId(), newId(), newId()];
    const opened = await t.request('POST', '/api/v1/ledger/accounts', {
      token: d.tokens.lena,
      body: { accounts: [{ id: source, ledger: USD, code: 1 }, ...[a, b, c, s].map((id) => ({ id, ledger: USD, code: 1, flags: 2 }))] },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const funded = await t.request('POST', '/api/v1/transfers', {
      token: d.tokens.lena,
      body: { transfers: [a, b, c, s].map((id) => ({ id: newId(), debitAccountId: source, creditAccountId: id, amount: String(fundingMinor), ledger: USD, code: 1 })) },
    });
    expect(funded.status, JSON.stringify(funded.body)).toBe(200);
    expect(funded.body.results.map((entry: { result: string }) => entry.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    d.raw.push(source, a, b, c, s);
  });
  afterAll(async () => {
    await t.close();
  });

  function transfer(from: string, to: string, amount: string, extra: Partial<WireTransfer> = {}): WireTransfer {
    return { id: newId(), debitAccountId: from, creditAccountId: to, amount, ledger: USD, code: 1, ...extra };
  }

  async function postTransfers(body: unknown, options: { user?: User; key?: string } = {}): Promise<Reply> {
    return t.request('POST', '/api/v1/transfers', { token: d.tokens[options.user ?? 'lena'], body, ...(options.key === undefined ? {} : { idempotencyKey: options.key }) });
  }

  /** A raw account's posted balance, credits less debits. */
  async function postedOf(id: string): Promise<bigint> {
    const raw = await rawOf(d, id);
    return raw.creditsPosted - raw.debitsPosted;
  }

  it('creates ledger accounts with one result per event (200); refuses the banking chart\'s codes (100-999) whole', async () => {
    eurLedgerAccount = newId();
    const reply = await t.request('POST', '/api/v1/ledger/accounts', {
      token: d.tokens.lena,
      body: { accounts: [{ id: eurLedgerAccount, ledger: EUR, code: 1 }, { id: eurLedgerAccount, ledger: EUR, code: 1 }, { id: newId(), ledger: 0, code: 1 }] },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toEqual({ results: ['ok', 'exists', 'ledger_must_not_be_zero'], ok: 1, failed: 2 });
    d.raw.push(eurLedgerAccount);
    // Just outside the banking chart, either side.
    const [below, above] = [newId(), newId()];
    const edges = await t.request('POST', '/api/v1/ledger/accounts', { token: d.tokens.lena, body: { accounts: [{ id: below, ledger: USD, code: 99 }, { id: above, ledger: USD, code: 1000 }] } });
    expect(edges.body).toEqual({ results: ['ok', 'ok'], ok: 2, failed: 0 });
    expect((await lookup(d, [below, above])).accounts.map((account) => account.code).sort((x, y) => x - y)).toEqual([99, 1000]);
    const wanted = newId();
    for (const code of [100, 200, 999]) {
      await expectRefusal(d, {
        name: `code ${code}`,
        user: 'lena',
        method: 'POST',
        path: () => '/api/v1/ledger/accounts',
        body: () => ({ accounts: [{ id: wanted, ledger: USD, code: 1 }, { id: newId(), ledger: USD, code }] }),
        status: 403,
        code: 'account_code_reserved',
        detail: /banking/,
        command: 'ledger.create_accounts',
      });
    }
    // Refused whole: the account beside the reserved one was not made either.
    expect((await lookup(d, [wanted])).accounts).toEqual([]);
    await expectRefusal(d, { name: 'accounts as a teller', user: 'alice', method: 'POST', path: () => '/api/v1/ledger/accounts', body: () => ({ accounts: [{ id: newId(), ledger: USD, code: 1 }] }), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.create_accounts' });
    await expectRefusal(d, { name: 'accounts as operations', user: 'olivia', method: 'POST', path: () => '/api/v1/ledger/accounts', body: () => ({ accounts: [{ id: newId(), ledger: USD, code: 1 }] }), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.create_accounts' });
    await expectRefusal(d, { name: 'no accounts', user: 'lena', method: 'POST', path: () => '/api/v1/ledger/accounts', body: () => ({ accounts: [] }), status: 400, code: 'invalid_input', detail: /accounts/, command: 'ledger.create_accounts' });
    await expectRefusal(d, { name: 'ledger as text', user: 'lena', method: 'POST', path: () => '/api/v1/ledger/accounts', body: () => ({ accounts: [{ id: newId(), ledger: 'USD', code: 1 }] }), status: 400, code: 'invalid_input', detail: /ledger/, command: 'ledger.create_accounts' });
  });

  it('looks up ledger accounts and transfers by id (GET /ledger/lookup, amounts as strings); refuses a teller and malformed ids', async () => {
    const one = transfer(a, b, '250');
    expect((await postTransfers(one)).status).toBe(201);
    const reply = await t.request('GET', `/api/v1/ledger/lookup?ids=${a},${one.id},${newId()}`, { token: d.tokens.lena });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.accounts).toEqual([expect.objectContaining({ id: a, ledger: USD, code: 1, flags: 2, creditsPosted: String(fundingMinor), debitsPosted: expect.stringMatching(/^\d+$/) })]);
    expect(reply.body.transfers).toEqual([expect.objectContaining({ id: one.id, debitAccountId: a, creditAccountId: b, amount: '250', ledger: USD, code: 1 })]);
    expect((await t.request('GET', `/api/v1/ledger/lookup?ids=${a}`, { token: d.tokens.carol })).status).toBe(200);
    expectProblem(await t.request('GET', '/api/v1/ledger/lookup', { token: d.tokens.lena }), 400, 'invalid_input', /ids/);
    // An id that cannot be one finds nothing (the ledger's ids are checked where they are written).
    const notAnId = await t.request('GET', `/api/v1/ledger/lookup?ids=${a},nope`, { token: d.tokens.lena });
    expect(notAnId.status, JSON.stringify(notAnId.body)).toBe(200);
    expect(notAnId.body.accounts.map((account: { id: string }) => account.id)).toEqual([a]);
    expectProblem(await t.request('GET', `/api/v1/ledger/lookup?ids=${'a'.repeat(65)}`, { token: d.tokens.lena }), 400, 'invalid_input', /ids/);
    expectProblem(await t.request('GET', `/api/v1/ledger/lookup?ids=${a}`, { token: d.tokens.alice }), 403, 'permission_denied', /ledger\.read/);
    expectProblem(await t.request('GET', `/api/v1/ledger/lookup?ids=${a}`, { token: d.tokens.adam }), 403, 'permission_denied', /ledger\.read/);
  });

  it('posts a single transfer (201 {id, result: ok}) and moves both accounts', async () => {
    const from = await postedOf(a);
    const to = await postedOf(b);
    const one = transfer(a, b, '700');
    const reply = await postTransfers(one);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body).toEqual({ id: one.id, result: 'ok' });
    expect(await postedOf(a)).toBe(from - 700n);
    expect(await postedOf(b)).toBe(to + 700n);
  });

  it('answers a resent transfer (same id, new Idempotency-Key) with 200 {result: exists} and moves nothing', async () => {
    const one = transfer(a, b, '300');
    expect((await postTransfers(one)).status).toBe(201);
    const before = await books(d);
    const again = await postTransfers(one);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({ id: one.id, result: 'exists' });
    expect(await books(d)).toEqual(before);
    const changed = await postTransfers({ ...one, amount: '301' });
    expectProblem(changed, 409, 'exists_with_different_amount', /exists with different amount/);
    expect(await books(d)).toEqual(before);
  });

  const single = (build: (d: Demo) => unknown) => build;
  const aToB = (_d: Demo, amount: unknown, extra: Record<string, unknown> = {}) => ({
    id: newId(),
    debitAccountId: a,
    creditAccountId: b,
    amount,
    ledger: USD,
    code: 1,
    ...extra,
  });
  const ledgerRefusals: RefusalCase[] = [
    { name: 'a teller', user: 'alice', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, '100')), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.create_transfers' },
    { name: 'operations (no longer holds ledger.write)', user: 'olivia', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, '100')), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.create_transfers' },
    { name: 'a head teller', user: 'bob', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, '100')), status: 403, code: 'permission_denied', detail: /ledger\.write/, command: 'ledger.create_transfers' },
    { name: 'amount as a number', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, 100)), status: 400, code: 'invalid_input', detail: /amount/, command: 'ledger.create_transfers' },
    { name: 'amount missing', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => ({ ...aToB(d, '1'), amount: undefined })), status: 400, code: 'invalid_input', detail: /amount/, command: 'ledger.create_transfers' },
    { name: 'overflowing amount', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, overflowingAmount)), status: 400, code: 'amount_overflows', detail: /amount/, command: 'ledger.create_transfers' },
    { name: 'fractional amount', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: single((d) => aToB(d, '1.5')), status: 400, code: 'amount_malformed', detail: /amount/, command: 'ledger.create_transfers' },
    { name: 'transfers not a list', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: () => ({ transfers: 'all of them' }), status: 400, code: 'invalid_input', detail: /transfers/, command: 'ledger.create_transfers' },
    { name: 'an empty batch', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: () => ({ transfers: [] }), status: 400, code: 'invalid_input', detail: /transfers/, command: 'ledger.create_transfers' },
    { name: 'a batch over 8190', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => ({ transfers: Array.from({ length: 8191 }, () => aToB(d, '1')) }), status: 400, code: 'invalid_input', detail: /transfers/, command: 'ledger.create_transfers' },
    { name: 'a JSON null', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: () => null, status: 400, code: 'invalid_input', detail: /expected object/, command: 'ledger.create_transfers' },
    { name: 'a bare array', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => [aToB(d, '1')], status: 400, code: 'invalid_input', detail: /expected object/, command: 'ledger.create_transfers' },
    { name: 'one bad item refuses its whole batch', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => ({ transfers: [aToB(d, '1'), aToB(d, '-')] }), status: 400, code: 'amount_malformed', detail: /transfers\.1\.amount/, command: 'ledger.create_transfers' },
    // The banking chart: customers' accounts, tills (and so vaults and branch accounts) move only through banking commands.
    { name: 'a customer\'s account as the payer', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => aToB(d, '100', { debitAccountId: d.customers[0].current }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' },
    { name: 'a customer\'s account as the payee', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => aToB(d, '100', { creditAccountId: d.customers[1].savings }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' },
    { name: 'a till\'s account', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => aToB(d, '100', { creditAccountId: d.tillAccountId }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' },
    { name: 'a pending hold on a customer\'s account', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => aToB(d, '100', { creditAccountId: d.customers[2].current, flags: 2 }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' },
    { name: 'a batch with one protected item, refused whole', user: 'lena', method: 'POST', path: () => '/api/v1/transfers', body: (d) => ({ transfers: [aToB(d, '100'), aToB(d, '100', { debitAccountId: d.customers[0].current })] }), status: 403, code: 'ledger_account_protected', detail: /banking command/, command: 'ledger.create_transfers' },
  ];
  for (const refusal of ledgerRefusals) {
    it(`refuses a transfer request with ${refusal.name}: ${refusal.status} ${refusal.code}, nothing moves, audited`, async () => {
      await expectRefusal(d, refusal);
    });
  }

  it('refuses a raw transfer between two demo customers (ledger_account_protected) to the ledger operator too, moving nothing: balances and ledger totals unchanged', async () => {
    const [amara, lukas] = d.customers;
    const before = { amara: await balancesOf(d, amara.current), lukas: await balancesOf(d, lukas.current), usd: await totalsOf(d, USD) };
    const head = await auditHead(t, d.tokens.carol);
    const reply = await postTransfers(transfer(amara.current, lukas.current, '700'));
    expectProblem(reply, 403, 'ledger_account_protected', /banking command/);
    const operations = await postTransfers(transfer(amara.current, lukas.current, '700'), { user: 'olivia' });
    expectProblem(operations, 403, 'permission_denied', /ledger\.write/);
    expect({ amara: await balancesOf(d, amara.current), lukas: await balancesOf(d, lukas.current), usd: await totalsOf(d, USD) }).toEqual(before);
    expect(summary(await auditAfter(t, d.tokens.carol, head))).toEqual([
      { actor: 'lena', command: 'ledger.create_transfers', outcome: 'ledger_account_protected' },
      { actor: 'olivia', command: 'ledger.create_transfers', outcome: 'permission_denied' },
    ]);
  });

  /** A transfer the ledger refuses: the answer, the books, and the audit log's account of it. */
  const ledgerResults: Array<{ name: string; body: (d: Demo) => unknown; status: number; code: string; detail?: RegExp }> = [
    { name: 'zero amount', body: (d) => aToB(d, '0'), status: 400, code: 'amount_must_not_be_zero' },
    { name: 'negative amount', body: (d) => aToB(d, '-100'), status: 400, code: 'amount_must_not_be_negative' },
    { name: 'beyond what the account was paid', body: (d) => aToB(d, '10000000'), status: 422, code: 'exceeds_credits', detail: /exceeds credits/ },
    { name: 'unknown debit account', body: (d) => ({ ...aToB(d, '100'), debitAccountId: newId() }), status: 404, code: 'debit_account_not_found' },
    { name: 'unknown credit account', body: (d) => ({ ...aToB(d, '100'), creditAccountId: newId() }), status: 404, code: 'credit_account_not_found' },
    { name: 'malformed transfer id', body: (d) => ({ ...aToB(d, '100'), id: 'transfer-1' }), status: 400, code: 'id_malformed' },
    { name: 'malformed debit account id', body: (d) => ({ ...aToB(d, '100'), debitAccountId: 'amara' }), status: 400, code: 'debit_account_id_malformed' },
    { name: 'the same account on both sides', body: (d) => ({ ...aToB(d, '100'), creditAccountId: a }), status: 422, code: 'accounts_must_be_different' },
    { name: 'EUR ledger on USD accounts', body: (d) => aToB(d, '100', { ledger: EUR }), status: 422, code: 'transfer_must_have_the_same_ledger_as_accounts' },
    { name: 'a USD account paying a EUR account', body: (d) => ({ ...aToB(d, '100'), creditAccountId: eurLedgerAccount }), status: 422, code: 'accounts_must_have_the_same_ledger' },
  ];
  for (const refused of ledgerResults) {
    it(`answers a single transfer with ${refused.name}: ${refused.status} ${refused.code}, nothing moves`, async () => {
      const before = await books(d);
      const reply = await postTransfers(refused.body(d));
      expectProblem(reply, refused.status, refused.code, refused.detail ?? /ledger refused the transfer/);
      expect(await books(d)).toEqual(before);
      await auditHead(t, d.tokens.carol);
    });
  }

  it('records a single transfer the ledger refused in the audit log with its result code', async () => {
    const head = await auditHead(t, d.tokens.carol);
    const reply = await postTransfers(aToB(d, '10000000'));
    expectProblem(reply, 422, 'exceeds_credits');
    const records = await auditAfter(t, d.tokens.carol, head);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actor: 'lena', command: 'ledger.create_transfers' });
    expect(JSON.stringify(records[0]), 'the audit record does not say the transfer was refused').toContain('exceeds_credits');
  });

  it('answers a batch with one result per item: a linked chain fails as a whole, the items around it post', async () => {
    const before = { a: await postedOf(a), b: await postedOf(b), c: await postedOf(c), s: await postedOf(s) };
    const usd = await totalsOf(d, USD);
    const batch = [
      transfer(a, b, '1000'),
      transfer(b, c, '2000', { flags: 1 }),
      transfer(c, s, '3000', { flags: 1 }),
      transfer(s, c, '99999999'),
      transfer(c, s, '500'),
      transfer(c, s, '0'),
      transfer(newId(), c, '10'),
    ];
    const reply = await postTransfers({ transfers: batch });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toEqual({
      results: [
        { index: 0, result: 'ok' },
        { index: 1, result: 'linked_event_failed' },
        { index: 2, result: 'linked_event_failed' },
        { index: 3, result: 'exceeds_credits' },
        { index: 4, result: 'ok' },
        { index: 5, result: 'amount_must_not_be_zero' },
        { index: 6, result: 'debit_account_not_found' },
      ],
    });
    expect(await postedOf(a)).toBe(before.a - 1000n);
    expect(await postedOf(b)).toBe(before.b + 1000n);
    expect(await postedOf(c)).toBe(before.c - 500n);
    expect(await postedOf(s)).toBe(before.s + 500n);
    const after = await totalsOf(d, USD);
    expect(BigInt(after.debitsPosted) - BigInt(usd.debitsPosted)).toBe(1500n);
    expect(after.balanced).toBe(true);

    // The chain's failure is final for the id that failed on the books: resent with a payable amount, it stays failed.
    const retry = await postTransfers({ ...batch[3]!, amount: '1' });
    expectProblem(retry, 422, 'id_already_failed', /id already failed/);
  });

  it('answers a batch whose last item leaves a chain open: linked_event_chain_open, nothing posts', async () => {
    const before = await postedOf(a);
    const reply = await postTransfers({ transfers: [transfer(a, b, '10'), transfer(a, b, '20', { flags: 1 })] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.results).toEqual([{ index: 0, result: 'ok' }, { index: 1, result: 'linked_event_chain_open' }]);
    expect(await postedOf(a)).toBe(before - 10n);
  });

  describe('pending transfers', () => {
    let pendingId: string;

    it('holds money with a pending transfer (201): available falls, posted stays', async () => {
      const before = await rawOf(d, c);
      const pending = transfer(c, b, '20000', { flags: 2, timeout: 3600 });
      pendingId = pending.id;
      const reply = await postTransfers(pending);
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(await rawOf(d, c)).toEqual({ ...before, debitsPending: before.debitsPending + 20000n });
      expect((await rawOf(d, b)).creditsPending).toBe(20000n);
      // c may pay out no more than it was paid, its hold included.
      const tooMuch = await postTransfers(transfer(c, b, String(before.creditsPosted - before.debitsPosted - 20000n + 1n)));
      expectProblem(tooMuch, 422, 'exceeds_credits');
    });

    it('posts part of it (201): the rest is released; a replay with the same key answers the same, once', async () => {
      const cBefore = await rawOf(d, c);
      const bBefore = await rawOf(d, b);
      const key = newKey();
      const id = newId();
      const posted = await t.request('POST', `/api/v1/transfers/${pendingId}/post`, { token: d.tokens.lena, body: { id, amount: '15000' }, idempotencyKey: key });
      expect(posted.status, JSON.stringify(posted.body)).toBe(201);
      expect(posted.body).toEqual({ id, pendingId, result: 'ok' });
      expect(await rawOf(d, c)).toEqual({ ...cBefore, debitsPosted: cBefore.debitsPosted + 15000n, debitsPending: 0n });
      expect(await rawOf(d, b)).toEqual({ ...bBefore, creditsPosted: bBefore.creditsPosted + 15000n, creditsPending: 0n });
      const before = await books(d);
      const replay = await t.request('POST', `/api/v1/transfers/${pendingId}/post`, { token: d.tokens.lena, body: { id, amount: '15000' }, idempotencyKey: key });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(posted.body);
      expect(await books(d)).toEqual(before);
    });

    it('refuses to post or void it again (422 pending_transfer_already_posted), moving nothing', async () => {
      const before = await books(d);
      expectProblem(await t.request('POST', `/api/v1/transfers/${pendingId}/post`, { token: d.tokens.lena, body: { id: newId() } }), 422, 'pending_transfer_already_posted', /refused to post/);
      expectProblem(await t.request('POST', `/api/v1/transfers/${pendingId}/void`, { token: d.tokens.lena, body: { id: newId() } }), 422, 'pending_transfer_already_posted', /refused to void/);
      expect(await books(d)).toEqual(before);
    });

    it('voids another pending transfer (201): the hold is released in full', async () => {
      const before = await rawOf(d, a);
      const pending = transfer(a, b, '7000', { flags: 2 });
      expect((await postTransfers(pending)).status).toBe(201);
      expect((await rawOf(d, a)).debitsPending).toBe(7000n);
      const id = newId();
      const voided = await t.request('POST', `/api/v1/transfers/${pending.id}/void`, { token: d.tokens.lena, body: { id } });
      expect(voided.status, JSON.stringify(voided.body)).toBe(201);
      expect(voided.body).toEqual({ id, pendingId: pending.id, result: 'ok' });
      expect(await rawOf(d, a)).toEqual(before);
    });

    it('refuses post/void requests that cannot apply, each with its own code, moving nothing', async () => {
      const pending = transfer(a, b, '4000', { flags: 2 });
      expect((await postTransfers(pending)).status).toBe(201);
      const before = await books(d);
      const post = (pendingPath: string, body: unknown, user: User = 'lena') => t.request('POST', `/api/v1/transfers/${pendingPath}/post`, { token: d.tokens[user], body });
      expectProblem(await post(newId(), { id: newId() }), 404, 'pending_transfer_not_found', /refused to post/);
      expectProblem(await post(pending.id, { id: newId(), amount: '4001' }), 422, 'exceeds_pending_transfer_amount');
      expectProblem(await post(pending.id, { id: newId(), amount: '-1' }), 400, 'amount_must_not_be_negative');
      expectProblem(await post(pending.id, { id: newId(), amount: overflowingAmount }), 400, 'amount_overflows');
      expectProblem(await post(pending.id, { id: newId(), amount: 4000 }), 400, 'invalid_input', /amount/);
      expectProblem(await post(pending.id, {}), 400, 'invalid_input', /id/);
      expectProblem(await t.request('POST', `/api/v1/transfers/${pending.id}/void`, { token: d.tokens.lena, body: { id: newId(), amount: '1' } }), 422, 'pending_transfer_has_different_amount');
      expectProblem(await post(pending.id, { id: newId() }, 'alice'), 403, 'permission_denied', /ledger\.write/);
      expectProblem(await post(pending.id, { id: newId() }, 'bob'), 403, 'permission_denied', /ledger\.write/);
      expectProblem(await post(pending.id, { id: newId() }, 'olivia'), 403, 'permission_denied', /ledger\.write/);
      expect(await books(d)).toEqual(before);
      // Still pending, and still postable in full.
      const id = newId();
      const posted = await post(pending.id, { id });
      expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    });

    it('refuses a malformed pending id in the path with 400 pending_id_malformed', async () => {
      const before = await books(d);
      expectProblem(await t.request('POST', '/api/v1/transfers/not-a-transfer/post', { token: d.tokens.lena, body: { id: newId() } }), 400, 'pending_id_malformed');
      expectProblem(await t.request('POST', `/api/v1/transfers/${'0'.repeat(32)}/void`, { token: d.tokens.lena, body: { id: newId() } }), 400, 'pending_id_must_not_be_zero');
      expect(await books(d)).toEqual(before);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same key and body (header idempotent-replayed), moving money once', async () => {
      const key = newKey();
      const one = transfer(a, b, '1234');
      const first = await postTransfers(one, { key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const before = await books(d);
      const head = await auditHead(t, d.tokens.carol);
      // The same JSON with its keys in another order is the same request.
      const reordered = Object.fromEntries(Object.entries(one).reverse());
      for (const body of [one, reordered]) {
        const replay = await postTransfers(body, { key });
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body).toEqual(first.body);
      }
      expect(await books(d)).toEqual(before);
      expect(await auditHead(t, d.tokens.carol)).toBe(head);
    });

    it('replays a refusal too: the same key and body gets the same problem, not a second attempt', async () => {
      const key = newKey();
      const body = aToB(d, '10000000');
      const first = await postTransfers(body, { key });
      expectProblem(first, 422, 'exceeds_credits');
      const replay = await postTransfers(body, { key });
      expectProblem(replay, 422, 'exceeds_credits');
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    });

    it('refuses the same key with another body (422 idempotency_key_reused) and moves nothing', async () => {
      const key = newKey();
      expect((await postTransfers(transfer(a, b, '100'), { key })).status).toBe(201);
      const before = await books(d);
      const reused = await postTransfers(transfer(a, b, '100'), { key });
      expectProblem(reused, 422, 'idempotency_key_reused', /new key/);
      const otherRoute = await t.request('POST', '/api/v1/ledger/expire-pending', { token: d.tokens.lena, body: {}, idempotencyKey: key });
      expectProblem(otherRoute, 422, 'idempotency_key_reused');
      expect(await books(d)).toEqual(before);
    });

    it('refuses a transfer without a key (428 idempotency_key_missing) and moves nothing', async () => {
      const [amara] = d.customers;
      const before = await books(d);
      const head = await auditHead(t, d.tokens.carol);
      const missing = await t.request('POST', '/api/v1/transfers', { token: d.tokens.lena, body: transfer(a, b, '100'), idempotencyKey: null });
      expectProblem(missing, 428, 'idempotency_key_missing', /Idempotency-Key/);
      const banking = await t.request('POST', `/api/v1/till-sessions/${d.sessionId}/deposits`, { token: d.tokens.alice, body: { transferId: newId(), accountId: amara.current, money: money('100') }, idempotencyKey: null });
      expectProblem(banking, 428, 'idempotency_key_missing');
      expect(await books(d)).toEqual(before);
      expect(await auditHead(t, d.tokens.carol)).toBe(head);
    });

    it('scopes a key to its caller: two tellers using the same key each get their own operation', async () => {
      const [amara, lukas, mei] = d.customers;
      const key = newKey();
      const lukasBefore = await balancesOf(d, lukas.current);
      const byAlice = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.alice, idempotencyKey: key, body: { transferId: newId(), fromAccountId: amara.current, toAccountId: lukas.current, money: money('111') } });
      expect(byAlice.status, JSON.stringify(byAlice.body)).toBe(201);
      const byTom = await t.request('POST', '/api/v1/internal-transfers', { token: d.tokens.tom, idempotencyKey: key, body: { transferId: newId(), fromAccountId: mei.current, toAccountId: lukas.current, money: money('222') } });
      expect(byTom.status, JSON.stringify(byTom.body)).toBe(201);
      expect(byTom.headers.get('idempotent-replayed')).toBeNull();
      expect((await balancesOf(d, lukas.current)).posted).toBe(String(BigInt(lukasBefore.posted) + 333n));
    });
  });

  it('keeps every ledger balanced and the audit chain intact after all of the above', async () => {
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: d.tokens.carol });
    expect(totals.body.every((total: { balanced: boolean }) => total.balanced)).toBe(true);
    await auditHead(t, d.tokens.carol);
  });
});

describe('Idempotency-Key while the first request still runs', () => {
  let t: TestServer;
  let d: Demo;
  let payer: string;
  let payee: string;
  beforeAll(async () => {
    // Transfers wait 300 ms for company before their batch is written: long enough to race.
    t = await startTestServer({ batchWaitMs: 300 });
    d = await discoverDemo(t, await signInAll(t));
    [payer, payee] = [newId(), newId()];
    const opened = await t.request('POST', '/api/v1/ledger/accounts', { token: d.tokens.lena, body: { accounts: [{ id: payer, ledger: USD, code: 1 }, { id: payee, ledger: USD, code: 1 }] } });
    expect(opened.body.results).toEqual(['ok', 'ok']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a concurrent request with the same key 409 idempotency_key_in_progress, and the transfer posts once', async () => {
    const before = await rawOf(d, payer);
    const key = newKey();
    const body = { id: newId(), debitAccountId: payer, creditAccountId: payee, amount: '999', ledger: USD, code: 1 };
    const [first, second] = await Promise.all([
      t.request('POST', '/api/v1/transfers', { token: d.tokens.lena, body, idempotencyKey: key }),
      new Promise<Reply>((resolve) => setTimeout(() => resolve(t.request('POST', '/api/v1/transfers', { token: d.tokens.lena, body, idempotencyKey: key })), 50)),
    ]);
    // Whichever claimed the key first runs; the other is told it is still running.
    const [ran, waiting] = first.status === 201 ? [first, second] : [second, first];
    expect(ran.status, JSON.stringify(ran.body)).toBe(201);
    expectProblem(waiting, 409, 'idempotency_key_in_progress', /still running/);
    const third = await t.request('POST', '/api/v1/transfers', { token: d.tokens.lena, body, idempotencyKey: key });
    expect(third.status).toBe(201);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(await rawOf(d, payer)).toEqual({ ...before, debitsPosted: before.debitsPosted + 999n });
  });
});

/**
 * Crash safety of the central server on PostgreSQL: the real server runs in its own process
 * (crash-server.ts: `readConfig(process.env)` + `startServer`, Redis for idempotency), clients fire
 * transfers at it concurrently, and it is killed with SIGKILL in the middle of the load, several
 * times over. After each kill it is started again on the same database, and the books must hold:
 * every acknowledged transfer, no refused one, nothing that was never sent, every request whole (a
 * request's transfers share one transaction, so a linked chain or a batch is all there or not at
 * all), balances that agree with the stored transfers, Σdebits = Σcredits per ledger, an intact
 * audit chain with a record for every request that committed. Then the clients retry, with the
 * same Idempotency-Key, every request whose answer the crash swallowed: none may apply twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { RedisPorts } from '@qenex/engine/redis';
import { AccountFlags, TransferFlags } from '@qenex/engine/testing';
import { demoPassword } from '@qenex/server';
import type { WireTransfer } from './harness';

const kills = 8;
const clients = 16;
/** The kill lands this long after the load starts: a random moment, bounded so the test stays near a minute. */
const loadMsMin = 300;
const loadMsMax = 1_500;
const serverStartMaxMs = 60_000;
const requestTimeoutMs = 30_000;
const USD = 840;
const EUR = 978;
const guardedFundingMinor = 200_000n;
const guardedAmountMaxMinor = 5_000;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const serverPath = fileURLToPath(new URL('./crash-server.ts', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const kvPrefix = `qenex-crash-${process.pid}-${randomBytes(3).toString('hex')}:`;
const database = new PostgresTestDatabase();
/** The server's keys and audit anchors file: this run's, not the developer's .qenex/server. */
const dataDir = mkdtempSync(join(tmpdir(), 'qenex-crash-data-'));

const accountKind = 0xbn;
const transferKind = 0xcn;
const idPrefix = transferKind.toString(16);

function accountId(index: number): string {
  return ((accountKind << 124n) | BigInt(index)).toString(16);
}

const usdAccounts = [0, 1, 2, 3, 4, 5].map(accountId);
const guarded = accountId(6);
const eurAccounts = [7, 8].map(accountId);

/** `protected` pays a demo customer's account: the raw ledger may not, so it is always refused whole. */
type RequestKind = 'plain' | 'chain' | 'batch' | 'guarded' | 'euro' | 'protected';

/** One request as sent, and every answer its transfers got (first attempt and retries). */
interface SentRequest {
  readonly kind: RequestKind;
  readonly key: string;
  readonly body: unknown;
  readonly transfers: readonly WireTransfer[];
  /** Answers per attempt, one result per transfer; empty while the outcome is unknown. */
  readonly answers: string[][];
}

/** The test's memory of everything it sent: the books may hold these and nothing else. */
class Workload {
  readonly requests: SentRequest[] = [];
  readonly byTransferId = new Map<string, { request: SentRequest; index: number }>();
  readonly problems: string[] = [];
  private serial = 0n;
  private keys = 0;
  /** A demo customer's current account (the banking chart), once the test has found it. */
  protectedAccount: string | null = null;

  next(): SentRequest {
    const slot = this.requests.length % 10;
    const pick = (from: readonly string[]) => from[Math.floor(Math.random() * from.length)]!;
    const amount = (max: number) => String(1 + Math.floor(Math.random() * max));
    const usd = (flags = 0): WireTransfer => {
      const debit = pick(usdAccounts);
      const credit = pick(usdAccounts.filter((id) => id !== debit));
      return this.transfer(debit, credit, amount(500), USD, flags);
    };
    if (slot === 4 || slot === 5) return this.request('chain', [usd(TransferFlags.linked), usd(TransferFlags.linked), usd()], true);
    if (slot === 6) return this.request('batch', [usd(), usd(), usd(), usd()], true);
    if (slot === 7) return this.request('guarded', [this.transfer(guarded, pick(usdAccounts), amount(guardedAmountMaxMinor), USD)], false);
    if (slot === 8) {
      const debit = pick(eurAccounts);
      return this.request('euro', [this.transfer(debit, eurAccounts.find((id) => id !== debit)!, amount(900), EUR)], false);
    }
    if (slot === 9 && this.protectedAccount !== null) return this.request('protected', [this.transfer(pick(usdAccounts), this.protectedAccount, amount(500), USD)], false);
    return this.request('plain', [usd()], false);
  }

  fresh(request: SentRequest): SentRequest {
    return { ...request, key: this.newKey(), answers: request.answers };
  }

  /** Records an answer; anything but the answers this request can have is a problem. */
  record(request: SentRequest, results: readonly string[], retry: boolean): void {
    request.answers.push([...results]);
    const allowed = allowedResults(request.kind, retry);
    const wrong = results.filter((result) => !allowed.includes(result));
    if (results.length !== request.transfers.length || wrong.length > 0) {
      this.problems.push(`${request.kind} ${request.transfers[0]!.id}${retry ? ' (retry)' : ''}: ${results.join(', ')}`);
    }
  }

  private request(kind: RequestKind, transfers: WireTransfer[], asBatch: boolean): SentRequest {
    const request: SentRequest = { kind, key: this.newKey(), body: asBatch ? { transfers } : transfers[0], transfers, answers: [] };
    this.requests.push(request);
    transfers.forEach((transfer, index) => this.byTransferId.set(transfer.id, { request, index }));
    return request;
  }

  private transfer(debit: string, credit: string, amount: string, ledger: number, flags = 0): WireTransfer {
    this.serial += 1n;
    const id = ((transferKind << 124n) | this.serial).toString(16);
    return { id, debitAccountId: debit, creditAccountId: credit, amount, ledger, code: 1, ...(flags === 0 ? {} : { flags }) };
  }

  private newKey(): string {
    this.keys += 1;
    return `crash-${this.keys}-${randomBytes(4).toString('hex')}`;
  }
}

function allowedResults(kind: RequestKind, retry: boolean): string[] {
  if (kind === 'protected') return ['ledger_account_protected'];
  const first = kind === 'guarded' ? ['ok', 'exceeds_credits'] : ['ok'];
  if (!retry) return first;
  // A retry of a request that committed finds its transfers (in a chain the first one answers
  // `exists` and the chain fails after it); a refused id stays failed.
  return [...first, 'exists', ...(kind === 'chain' ? ['linked_event_failed'] : []), ...(kind === 'guarded' ? ['id_already_failed'] : [])];
}

/** What the server answered, one result per transfer; 'connection_lost' when the answer never came. */
async function send(url: string, token: string, request: SentRequest): Promise<{ status: number; results: string[]; code?: string }> {
  let response: Response;
  let body: any;
  try {
    response = await fetch(`${url}/api/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': request.key },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    body = await response.json();
  } catch {
    return { status: 0, results: [] };
  }
  if (Array.isArray(body?.results)) return { status: response.status, results: body.results.map((entry: { result: string }) => entry.result) };
  // A single transfer: `result` on success and on `exists`, a problem's `code` on refusal.
  if (typeof body?.result === 'string') return { status: response.status, results: [body.result] };
  const code = String(body?.code);
  if (request.transfers.length === 1 && code !== 'idempotency_key_in_progress') return { status: response.status, results: [code], code };
  return { status: response.status, results: [], code };
}

/** The server in its own process; `kill` is SIGKILL, `stop` a graceful SIGTERM. */
class ServerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    readonly output: () => string,
  ) {}

  static async start(databaseUrl: string): Promise<ServerChild> {
    const child = spawn(process.execPath, ['--import', 'tsx', serverPath], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        QENEX_TEST_KV_PREFIX: kvPrefix,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'error',
        QENEX_DEMO: 'true',
        QENEX_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not start within ${serverStartMaxMs} ms: ${output}`));
      }, serverStartMaxMs);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /^listening (http:\/\/\S+)$/m.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the server exited during start-up (${code ?? signal}): ${output}`));
      });
    });
    return new ServerChild(child, url, exited, () => output.replace(/^listening .*$/m, '').trim());
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Fires requests from `clients` loops until told to stop; a loop ends when its connection is lost. */
async function fireLoad(workload: Workload, url: string, token: string, stop: { now: boolean }): Promise<SentRequest[]> {
  const unanswered: SentRequest[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stop.now) {
        const request = workload.next();
        const answer = await send(url, token, request);
        if (answer.status === 0) {
          unanswered.push(request);
          return;
        }
        if (answer.results.length === 0) workload.problems.push(`${request.kind} ${request.transfers[0]!.id}: ${answer.status} ${answer.code}`);
        else workload.record(request, answer.results, false);
      }
    }),
  );
  return unanswered;
}

interface StoredTransfer {
  readonly id: string;
  readonly debit: string;
  readonly credit: string;
  readonly amount: bigint;
  readonly pendingId: string | null;
  readonly flags: number;
  readonly pendingStatus: number;
}

interface Books {
  readonly transfers: Map<string, StoredTransfer>;
  readonly accounts: Array<{ id: string; ledger: number; dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>;
  /** How many ledger.create_transfers audit records name each `firstId`: one per request answered (or committed), more after retries. */
  readonly auditedFirstIds: Map<string, number>;
}

async function readBooks(storage: PostgresStorage): Promise<Books> {
  // The ledger port has no "list everything", by design; the test enumerates the tables itself.
  const [transfers, accounts, audit] = await Promise.all([
    storage.pool.query(`SELECT id, debit_account_id, credit_account_id, amount, pending_id, flags, pending_status FROM transfers`),
    storage.pool.query(`SELECT id, ledger, debits_pending, debits_posted, credits_pending, credits_posted FROM accounts`),
    storage.pool.query(`SELECT detail FROM audit_log WHERE command = 'ledger.create_transfers'`),
  ]);
  const auditedFirstIds = new Map<string, number>();
  for (const row of audit.rows as Array<{ detail: string }>) {
    const firstId = (JSON.parse(row.detail) as { firstId?: string }).firstId ?? '';
    auditedFirstIds.set(firstId, (auditedFirstIds.get(firstId) ?? 0) + 1);
  }
  return {
    transfers: new Map(
      (transfers.rows as any[]).map((row) => [
        row.id,
        { id: row.id, debit: row.debit_account_id, credit: row.credit_account_id, amount: row.amount, pendingId: row.pending_id, flags: Number(row.flags), pendingStatus: Number(row.pending_status) },
      ]),
    ),
    accounts: (accounts.rows as any[]).map((row) => ({
      id: row.id,
      ledger: Number(row.ledger),
      dp: row.debits_pending,
      dpo: row.debits_posted,
      cp: row.credits_pending,
      cpo: row.credits_posted,
    })),
    auditedFirstIds,
  };
}

const pendingStatusPending = 1;

/** Each account's balances recomputed from every transfer stored against it (the demo bank's too). */
function balancesFromTransfers(transfers: Iterable<StoredTransfer>): Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }> {
  const sums = new Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>();
  const of = (id: string) => {
    let sum = sums.get(id);
    if (sum === undefined) sums.set(id, (sum = { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n }));
    return sum;
  };
  for (const transfer of transfers) {
    const holds = transfer.pendingId === null && (transfer.flags & TransferFlags.pending) !== 0;
    const posts = transfer.pendingId === null ? !holds : (transfer.flags & TransferFlags.postPendingTransfer) !== 0;
    if (holds && transfer.pendingStatus === pendingStatusPending) {
      of(transfer.debit).dp += transfer.amount;
      of(transfer.credit).cp += transfer.amount;
    }
    if (posts) {
      of(transfer.debit).dpo += transfer.amount;
      of(transfer.credit).cpo += transfer.amount;
    }
  }
  return sums;
}

/** Everything the books must say after a crash, given what the clients sent and were told. */
function checkBooks(books: Books, workload: Workload, when: string): void {
  for (const id of books.transfers.keys()) {
    if (id.startsWith(idPrefix) && id.length === 32) expect(workload.byTransferId.has(id), `${when}: transfer ${id} was never sent`).toBe(true);
  }
  for (const request of workload.requests) {
    const present = request.transfers.map((transfer) => books.transfers.has(transfer.id));
    request.transfers.forEach((transfer, index) => {
      const answers = request.answers.map((answer) => answer[index]!);
      const stored = books.transfers.get(transfer.id);
      if (answers.some((answer) => answer === 'ok' || answer === 'exists')) {
        expect(stored, `${when}: acknowledged transfer ${transfer.id} (${request.kind}) is missing`).toBeDefined();
        expect([stored!.debit, stored!.credit, stored!.amount]).toEqual([transfer.debitAccountId, transfer.creditAccountId, BigInt(transfer.amount)]);
      }
      if (answers.some((answer) => answer === 'exceeds_credits' || answer === 'id_already_failed' || answer === 'ledger_account_protected')) {
        expect(stored, `${when}: refused transfer ${transfer.id} is in the books`).toBeUndefined();
      }
    });
    // One request, one transaction: a chain or batch is all there or not at all.
    expect(new Set(present).size <= 1, `${when}: ${request.kind} request ${request.transfers[0]!.id} is half there: ${present.join(', ')}`).toBe(true);
    // Its audit record shares its transaction: a request that committed, or was answered at all, is in the audit log.
    if (present[0] === true || request.answers.length > 0) {
      expect(books.auditedFirstIds.get(request.transfers[0]!.id) ?? 0, `${when}: request ${request.transfers[0]!.id} has no audit record`).toBeGreaterThan(0);
    }
  }
  for (const firstId of books.auditedFirstIds.keys()) {
    if (firstId.startsWith(idPrefix) && firstId.length === 32) expect(workload.byTransferId.has(firstId), `${when}: audit record of unsent ${firstId}`).toBe(true);
  }

  const totals = new Map<number, { d: bigint; c: bigint; dp: bigint; cp: bigint }>();
  const expected = balancesFromTransfers(books.transfers.values());
  const zero = { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n };
  for (const account of books.accounts) {
    const total = totals.get(account.ledger) ?? { d: 0n, c: 0n, dp: 0n, cp: 0n };
    totals.set(account.ledger, { d: total.d + account.dpo, c: total.c + account.cpo, dp: total.dp + account.dp, cp: total.cp + account.cp });
    const { dp, dpo, cp, cpo } = account;
    expect({ dp, dpo, cp, cpo }, `${when}: balances of ${account.id} = Σ its stored transfers`).toEqual(expected.get(account.id) ?? zero);
  }
  for (const [ledger, total] of totals) {
    expect(total.d, `${when}: Σdebits = Σcredits (posted) in ledger ${ledger}`).toBe(total.c);
    expect(total.dp, `${when}: Σdebits = Σcredits (pending) in ledger ${ledger}`).toBe(total.cp);
  }
  const guard = books.accounts.find((account) => account.id === guarded)!;
  expect(guard.dpo, `${when}: the guarded account stays within its credits`).toBeLessThanOrEqual(guard.cpo);
}

async function signIn(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `sign-in-${randomBytes(6).toString('hex')}` },
    body: JSON.stringify({ username, password: demoPassword, deviceId: 'crash-test' }),
  });
  const body = (await response.json()) as { token?: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.token!;
}

async function post(url: string, token: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `setup-${randomBytes(6).toString('hex')}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function get(url: string, token: string, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

async function expectAuditIntact(url: string, token: string, when: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { intact?: boolean };
  expect(response.status).toBe(200);
  expect(body.intact, `${when}: audit chain ${JSON.stringify(body)}`).toBe(true);
}

describe('central server under SIGKILL', () => {
  let databaseUrl: string;
  let storage: PostgresStorage;
  /** The server process of the moment, killed after a failure so no child outlives the test. */
  let server: ServerChild | undefined;
  beforeAll(async () => {
    databaseUrl = await database.url();
  });
  afterAll(async () => {
    await server?.kill();
    await storage?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    const kv = await RedisPorts.connect(redisUrl, { keyPrefix: kvPrefix });
    await kv.purge();
    await kv.close();
  });

  it(
    `keeps every acknowledged transfer, nothing half-done and nothing unsent, across ${kills} kills under load`,
    async () => {
      const workload = new Workload();
      server = await ServerChild.start(databaseUrl);
      // The ledger operator: the one role that posts raw ledger transfers (to accounts outside the banking chart).
      const lena = await signIn(server.url, 'lena');
      const carol = await signIn(server.url, 'carol');
      const accounts = [
        ...usdAccounts.map((id) => ({ id, ledger: USD, code: 7, flags: AccountFlags.none })),
        ...eurAccounts.map((id) => ({ id, ledger: EUR, code: 7, flags: AccountFlags.none })),
        { id: guarded, ledger: USD, code: 8, flags: AccountFlags.debitsMustNotExceedCredits },
      ];
      const opened = await post(server.url, lena, '/api/v1/ledger/accounts', { accounts });
      expect(opened.body.results).toEqual(accounts.map(() => 'ok'));
      const funding = { id: accountId(999), debitAccountId: usdAccounts[0]!, creditAccountId: guarded, amount: String(guardedFundingMinor), ledger: USD, code: 1 };
      expect((await post(server.url, lena, '/api/v1/transfers', funding)).status).toBe(201);
      storage = new PostgresStorage({ connectionString: databaseUrl, max: 3 });
      // A demo customer's account, which every `protected` request tries to pay: it must never move.
      const customers = await get(server.url, carol, '/api/v1/customers?limit=1');
      expect(customers.status, JSON.stringify(customers.body)).toBe(200);
      const customer = await get(server.url, carol, `/api/v1/customers/${customers.body[0].id}`);
      workload.protectedAccount = customer.body.accounts[0].id as string;
      const protectedBefore = (await readBooks(storage)).accounts.find((account) => account.id === workload.protectedAccount);
      expect(protectedBefore).toBeDefined();

      let stuckKeys = 0;
      let retried = 0;
      for (let run = 0; run < kills; run += 1) {
        const stop = { now: false };
        const load = fireLoad(workload, server.url, lena, stop);
        await new Promise((resolve) => setTimeout(resolve, loadMsMin + Math.random() * (loadMsMax - loadMsMin)));
        stop.now = true;
        await server.kill();
        const unanswered = await load;
        expect(workload.problems, 'answers the requests cannot have').toEqual([]);

        server = await ServerChild.start(databaseUrl);
        checkBooks(await readBooks(storage), workload, `after kill ${run + 1}`);
        await expectAuditIntact(server.url, carol, `after kill ${run + 1}`);

        // The clients retry what the crash left unanswered, with the same key: the answer stored
        // before the crash, or a fresh run that finds what committed; never a second application.
        for (const request of unanswered) {
          let answer = await send(server.url, lena, request);
          if (answer.code === 'idempotency_key_in_progress') {
            // The crash struck between claiming the key and storing the answer; see the report.
            stuckKeys += 1;
            answer = await send(server.url, lena, workload.fresh(request));
          }
          expect(answer.results.length, `retry of ${request.transfers[0]!.id}: ${answer.status} ${answer.code}`).toBe(request.transfers.length);
          workload.record(request, answer.results, true);
          retried += 1;
        }
        expect(workload.problems, 'answers the retries cannot have').toEqual([]);
        checkBooks(await readBooks(storage), workload, `after the retries of run ${run + 1}`);
      }

      const stopped = await server.stop();
      expect(stopped.code, `a graceful stop: ${server.output()}`).toBe(0);
      server = await ServerChild.start(databaseUrl);
      const books = await readBooks(storage);
      checkBooks(books, workload, 'at the end');
      await expectAuditIntact(server.url, carol, 'at the end');
      // Every request has a known outcome now, and each transfer that was acknowledged is stored once.
      expect(workload.requests.every((request) => request.answers.length > 0 || !request.transfers.some((t) => books.transfers.has(t.id)))).toBe(true);
      expect(retried, 'some kills caught requests in flight').toBeGreaterThan(0);
      // The raw ledger never touched the customer's account, through every kill and retry.
      const protectedRequests = workload.requests.filter((request) => request.kind === 'protected' && request.answers.length > 0);
      expect(protectedRequests.length, 'some requests tried the banking chart').toBeGreaterThan(0);
      expect(books.accounts.find((account) => account.id === workload.protectedAccount)).toEqual(protectedBefore);
      expect(server.output(), 'the server logged no errors').toBe('');
      await server.stop();
      server = undefined;
      if (stuckKeys > 0) console.warn(`crash test: ${stuckKeys} Idempotency-Keys were left "in progress" by a kill`);
    },
    180_000,
  );
});

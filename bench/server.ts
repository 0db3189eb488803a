/**
 * The central server's figures, each against a raw PostgreSQL baseline measured in the same run
 * on the same schema (a schema of its own in the same fresh database):
 *
 * - `server.pg.batch`: PostgresStorage through `applyTransfers`, 5,000-transfer batches, against a
 *   raw set-based batch (`INSERT … SELECT FROM unnest(…)` plus one aggregated `UPDATE accounts`).
 * - `server.http.single`: single-transfer POST /api/v1/transfers from 64 keep-alive clients
 *   against the real server (apps/server/src/main.ts in a child process, group commit on its
 *   defaults), against the same server, clients and requests with one commit per request
 *   (QENEX_BATCH_TRANSFERS_MAX=1, with a second transaction queued at the writer lock so the
 *   next one starts the moment the last commits). The engine serialises writers (one ledger
 *   timestamp, one audit chain), so without grouping its rate is one commit at a time.
 * - `server.http.hot`: the same with a Zipf-distributed hot-account mix on both sides.
 * - `server.http.single.pg` and `server.http.hot.pg`: the grouped server against the bare
 *   database instead: the same 64 clients each doing its own BEGIN; INSERT; UPDATE ×2; COMMIT
 *   through `pg`, no HTTP, no engine, no audit, rows locked per account. A stricter yardstick
 *   (the server's clients also pay for HTTP on the same two cores), printed so it is seen.
 *
 * The two sides alternate in slices of fixed duration, so drift on a shared machine falls on both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { migrations, PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { AccountFlags, applyAccounts, applyTransfers, batchEventsMax, type AccountEvent, type TransferEvent } from '@qenex/engine/testing';
import { demoPassword } from '@qenex/server';
import { check, hexId, log, seededRandom, temporaryDirectory, throughput, type Benchmark, type Figure } from './support';

const ledgerUsd = 840;
const accountKind = 1;
/** First hex digit of transfer ids: the measured ones, the funding of guarded accounts, the HTTP baseline's. */
const transferKind = 2;
const fundingKind = 3;
const baselineKind = 4;
const guardedEvery = 10;
const guardedFundingMinor = 1_000_000_000_000n;
const amountMaxMinor = 1_000;
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

function accountId(index: number): string {
  return hexId(accountKind, index);
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Accounts of a workload: every tenth may not go below zero and is funded by account 0 far beyond what the workload takes. */
function makeAccounts(count: number): { accounts: AccountEvent[]; funding: TransferEvent[] } {
  const accounts: AccountEvent[] = [];
  const funding: TransferEvent[] = [];
  for (let index = 0; index < count; index += 1) {
    const guarded = index % guardedEvery === 1;
    accounts.push({ id: accountId(index), ledger: ledgerUsd, code: guarded ? 2000 : 1000, flags: guarded ? AccountFlags.debitsMustNotExceedCredits : AccountFlags.none });
    if (guarded) {
      funding.push({ id: hexId(fundingKind, index), debitAccountId: accountId(0), creditAccountId: accountId(index), amount: guardedFundingMinor, ledger: ledgerUsd, code: 1 });
    }
  }
  return { accounts, funding };
}

/** Picks account pairs: uniform, or Zipf (s = 1) over the accounts for a hot-account mix. */
function pairPicker(accounts: number, seed: number, zipf: boolean): () => [number, number] {
  const random = seededRandom(seed);
  let pick = (): number => random(accounts);
  if (zipf) {
    const cumulative = new Float64Array(accounts);
    let sum = 0;
    for (let rank = 0; rank < accounts; rank += 1) cumulative[rank] = sum += 1 / (rank + 1);
    pick = () => {
      const target = (random(2 ** 30) / 2 ** 30) * sum;
      let low = 0;
      let high = accounts - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (cumulative[middle]! < target) low = middle + 1;
        else high = middle;
      }
      return low;
    };
  }
  return () => {
    const debit = pick();
    let credit = pick();
    while (credit === debit) credit = random(accounts);
    return [debit, credit];
  };
}

/** A text[] literal of hex ids (no quoting needed), as the adapter builds its own: pg's serialiser is slow on long arrays. */
function idArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

function integerArray(values: ReadonlyArray<bigint | number>): string {
  return `{${values.join(',')}}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** A `pg` client whose int8 columns arrive as bigint, on the given schema. */
async function connect(url: string, schema: string, pipeline = false): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    options: `-c search_path=${schema}`,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (text: string) => BigInt(text) : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'] },
    ...(pipeline ? { pipeline: true } : {}),
  } as pg.ClientConfig);
  await client.connect();
  return client;
}

/** The same migrations the adapter applies, on a schema of the raw baseline's own. */
async function migrateRaw(url: string, schema: string): Promise<void> {
  const client = await connect(url, schema);
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    for (const migration of migrations) await client.query(migration);
  } finally {
    await client.end();
  }
}

async function insertRawAccounts(client: pg.Client, accounts: readonly AccountEvent[]): Promise<void> {
  await client.query(
    `INSERT INTO accounts (id, ledger, code, flags, debits_pending, debits_posted, credits_pending, credits_posted,
       overdraft_limit, user_data_128, user_data_64, user_data_32, timestamp)
     SELECT id, $2, code, flags, 0, 0, 0, 0, 0, NULL, 0, 0, ts
     FROM unnest($1::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u (id, code, flags, ts)`,
    [idArray(accounts.map((a) => a.id)), ledgerUsd, integerArray(accounts.map((a) => a.code)), integerArray(accounts.map((a) => a.flags ?? 0)), integerArray(accounts.map((_, index) => index + 1))],
  );
}

interface BookFacts {
  readonly unbalancedLedgers: number;
  readonly transfers: number;
  readonly amountMinor: bigint;
  /** Of the workload's accounts, those whose balances differ from the sum of the transfers stored against them. */
  readonly accountsOff: number;
}

/**
 * Σdebits = Σcredits per ledger (every account, the demo bank's too), the workload's transfers
 * (ids whose first hex digit is one of `kinds`) with their amounts, and the workload's accounts'
 * balances recomputed from the transfers stored against them.
 */
async function bookFacts(client: pg.Client, accountIds: readonly string[], kinds: readonly number[]): Promise<BookFacts> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM (SELECT ledger FROM accounts GROUP BY ledger
               HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)) AS off) AS unbalanced,
            (SELECT count(*) FROM transfers WHERE left(id, 1) = ANY($2::text[])) AS transfers,
            (SELECT coalesce(sum(amount), 0)::text FROM transfers WHERE left(id, 1) = ANY($2::text[])) AS amount,
            (SELECT count(*) FROM accounts a WHERE a.id = ANY($1::text[]) AND (
               a.debits_posted <> (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.debit_account_id = a.id)
            OR a.credits_posted <> (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.credit_account_id = a.id)
            OR a.debits_pending <> 0 OR a.credits_pending <> 0)) AS off`,
    [idArray(accountIds), `{${kinds.map((kind) => kind.toString(16)).join(',')}}`],
  );
  const row = rows[0] as { unbalanced: bigint; transfers: bigint; amount: string; off: bigint };
  return { unbalancedLedgers: Number(row.unbalanced), transfers: Number(row.transfers), amountMinor: BigInt(row.amount), accountsOff: Number(row.off) };
}

function checkFacts(who: string, facts: BookFacts, transfers: number, amountMinor: bigint): void {
  check(facts.unbalancedLedgers === 0, `${who}: Σdebits = Σcredits in every ledger`);
  check(facts.transfers === transfers, `${who}: ${facts.transfers} workload transfers stored, ${transfers} acknowledged`);
  check(facts.amountMinor === amountMinor, `${who}: stored amounts add up`);
  check(facts.accountsOff === 0, `${who}: ${facts.accountsOff} account balances differ from their transfers`);
}

// ---------------------------------------------------------------------------------------------
// server.pg.batch

interface BatchShape {
  readonly accounts: number;
  readonly batchTransfers: number;
  readonly warmupBatches: number;
  readonly measuredBatches: number;
  readonly seed: number;
}

/** The raw baseline: one set-based insert and one aggregated update per batch, pipelined in one transaction. */
async function rawBatch(client: pg.Client, events: readonly TransferEvent[], timestamp: { value: bigint }): Promise<void> {
  const timestamps = events.map(() => (timestamp.value += 1n));
  const ids = idArray(events.map((e) => e.id));
  const debits = idArray(events.map((e) => e.debitAccountId!));
  const credits = idArray(events.map((e) => e.creditAccountId!));
  const amounts = integerArray(events.map((e) => e.amount));
  await Promise.all([
    client.query('BEGIN'),
    client.query({
      name: 'raw_batch_insert',
      text: `INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64,
               user_data_32, timeout, ledger, code, flags, timestamp, pending_status, expires_at)
             SELECT id, d, c, a, NULL, NULL, 0, 0, 0, ${ledgerUsd}, 1, 0, ts, 0, 0
             FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u (id, d, c, a, ts)`,
      values: [ids, debits, credits, amounts, integerArray(timestamps)],
    }),
    client.query({
      name: 'raw_batch_update',
      text: `UPDATE accounts AS a SET debits_posted = a.debits_posted + s.debits, credits_posted = a.credits_posted + s.credits
             FROM (SELECT id, sum(debit)::bigint AS debits, sum(credit)::bigint AS credits FROM (
                     SELECT d AS id, amount AS debit, 0::bigint AS credit FROM unnest($1::text[], $3::bigint[]) AS x (d, amount)
                     UNION ALL
                     SELECT c, 0, amount FROM unnest($2::text[], $3::bigint[]) AS y (c, amount)) AS sides
                   GROUP BY id) AS s
             WHERE a.id = s.id`,
      values: [debits, credits, amounts],
    }),
    client.query('COMMIT'),
  ]);
}

async function measureBatches(name: string, shape: BatchShape): Promise<Figure> {
  const database = new PostgresTestDatabase();
  const url = await database.url();
  const engine = await PostgresStorage.open({ connectionString: url, schema: 'engine', max: 2 });
  let raw: pg.Client | undefined;
  try {
    await migrateRaw(url, 'raw');
    raw = await connect(url, 'raw', true);
    const { accounts, funding } = makeAccounts(shape.accounts);
    const pick = pairPicker(shape.accounts, shape.seed, false);
    const random = seededRandom(shape.seed + 1);
    let transferNumber = 0;
    const batch = (): TransferEvent[] =>
      Array.from({ length: shape.batchTransfers }, () => {
        const [debit, credit] = pick();
        transferNumber += 1;
        return { id: hexId(transferKind, transferNumber), debitAccountId: accountId(debit), creditAccountId: accountId(credit), amount: BigInt(1 + random(amountMaxMinor)), ledger: ledgerUsd, code: 1 };
      });

    for (const part of chunks(accounts, batchEventsMax)) {
      const results = await engine.transaction((tx) => applyAccounts(tx.ledger, part, nowNs()));
      check(results.every((result) => result === 'ok'), 'every account opens');
    }
    const engineBatch = async (events: readonly TransferEvent[]): Promise<void> => {
      const results = await engine.transaction((tx) => applyTransfers(tx.ledger, events, nowNs()));
      check(results.every((result) => result === 'ok'), 'every transfer of the workload is accepted');
    };
    await engineBatch(funding);
    const timestamp = { value: 1_000_000n };
    await insertRawAccounts(raw, accounts);
    await rawBatch(raw, funding, timestamp);

    const timing = { engineMs: 0, rawMs: 0 };
    const all: TransferEvent[] = [...funding];
    for (let index = 0; index < shape.warmupBatches + shape.measuredBatches; index += 1) {
      const events = batch();
      all.push(...events);
      const measured = index >= shape.warmupBatches;
      const runEngine = async (): Promise<void> => {
        const start = performance.now();
        await engineBatch(events);
        if (measured) timing.engineMs += performance.now() - start;
      };
      const runRaw = async (): Promise<void> => {
        const start = performance.now();
        await rawBatch(raw!, events, timestamp);
        if (measured) timing.rawMs += performance.now() - start;
      };
      if (index % 2 === 0) await runEngine().then(runRaw);
      else await runRaw().then(runEngine);
    }
    const n = shape.measuredBatches * shape.batchTransfers;
    log(`${name}: engine ${timing.engineMs.toFixed(0)} ms, raw ${timing.rawMs.toFixed(0)} ms for ${n} transfers`);

    const amountMinor = all.reduce((sum, event) => sum + event.amount, 0n);
    const accountIds = accounts.map((account) => account.id);
    const engineReader = await connect(url, 'engine');
    try {
      checkFacts('engine', await bookFacts(engineReader, accountIds, [transferKind, fundingKind]), all.length, amountMinor);
    } finally {
      await engineReader.end();
    }
    checkFacts('raw', await bookFacts(raw, accountIds, [transferKind, fundingKind]), all.length, amountMinor);
    return throughput(name, 'transfers/s', n, timing.engineMs / 1000, n, timing.rawMs / 1000, 'raw PostgreSQL via pg, same schema: unnest insert + aggregated update per batch');
  } finally {
    await raw?.end();
    await engine.close();
    await database.drop();
  }
}

// ---------------------------------------------------------------------------------------------
// server.http.*

const clients = 64;
/** Per side: slices alternate server / baseline, each this long, after a warm-up slice each. */
const sliceMs = 2_500;
const slicesPerSide = 3;
const warmupMs = 1_500;
const serverStartMaxMs = 60_000;
const requestTimeoutMs = 30_000;

interface HttpShape {
  readonly accounts: number;
  readonly zipf: boolean;
  readonly seed: number;
  /** What the grouped server is measured against. */
  readonly baseline: 'one-commit-server' | 'pg-direct';
}

/** The one-commit-per-request server: every request its own transaction, a second one queued at the writer lock. */
const oneCommitEnv = { QENEX_BATCH_TRANSFERS_MAX: '1', QENEX_BATCH_WAIT_MS: '0', QENEX_BATCH_IN_FLIGHT_MAX: '2' };

/** The real server (apps/server/src/main.ts) in its own process, on its own database, demo users seeded. */
class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly exited: Promise<void>,
  ) {}

  static async start(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
    // QENEX_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
    const nodeArgs = (process.env.QENEX_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    // Its own data directory: keys and audit anchors of a throwaway database stay out of .qenex/.
    const dataDir = temporaryDirectory('qenex-bench-server-');
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'apps/server/src/main.ts'], {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', QENEX_DEMO: 'true', QENEX_DATA_DIR: dataDir.path, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(dataDir.dispose);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not start within ${serverStartMaxMs} ms: ${stderr}`));
      }, serverStartMaxMs);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the server exited during start-up: ${stderr}`));
      });
    });
    return new ServerProcess(child, url, exited);
  }

  /** SIGTERM: the server finishes what it has and closes its connections. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/**
 * JSON over keep-alive HTTP/1.1, one connection per client, through undici (Node's own fetch
 * engine): the load generator shares the two cores with what it measures, and node:http's client
 * spent about 90 µs of CPU a request.
 */
class HttpClient {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool(url, { connections: clients, pipelining: 1, headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs });
  }

  async request(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await this.pool.request({
      method,
      path,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text === '' ? null : JSON.parse(text) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** One transfer a client sends: the server and the baseline get the same kind of stream from the same generator. */
interface Move {
  readonly id: string;
  readonly debit: string;
  readonly credit: string;
  readonly amount: bigint;
}

function moveSource(shape: HttpShape, kind: number): () => Move {
  const pick = pairPicker(shape.accounts, shape.seed, shape.zipf);
  const random = seededRandom(shape.seed + 1);
  let serial = 0;
  return () => {
    const [debit, credit] = pick();
    serial += 1;
    return { id: hexId(kind, serial), debit: accountId(debit), credit: accountId(credit), amount: BigInt(1 + random(amountMaxMinor)) };
  };
}

/** Runs `clients` loops of `send` until the deadline; answers how many completed and how long it took. */
async function runSlice(durationMs: number, send: () => Promise<void>): Promise<{ done: number; ms: number }> {
  const start = performance.now();
  const deadline = start + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        await send();
        done += 1;
      }
    }),
  );
  return { done, ms: performance.now() - start };
}

/** The server side: single-transfer POSTs, each acknowledged with 201 `ok`. */
async function serverSide(server: ServerProcess, accounts: readonly AccountEvent[], funding: readonly TransferEvent[]) {
  const client = new HttpClient(server.url);
  const session = await client.request('POST', '/api/v1/sessions', { username: 'lena', password: demoPassword, deviceId: 'bench' }, { 'idempotency-key': `bench-signin-${process.pid}` });
  check(session.status === 201, `sign-in: ${JSON.stringify(session.body)}`);
  const authorization = `Bearer ${session.body.token as string}`;
  let keys = 0;
  const post = (path: string, body: unknown) =>
    client.request('POST', path, body, { authorization, 'idempotency-key': `bench-${process.pid}-${(keys += 1)}` });
  for (const part of chunks(accounts, batchEventsMax)) {
    const wireAccounts = part.map((account) => ({ id: account.id, ledger: account.ledger, code: account.code, flags: account.flags ?? 0 }));
    const opened = await post('/api/v1/ledger/accounts', { accounts: wireAccounts });
    check(opened.status === 200 && opened.body.results.every((result: string) => result === 'ok'), `accounts open: ${JSON.stringify(opened.body).slice(0, 300)}`);
  }
  const funded = await post('/api/v1/transfers', { transfers: funding.map((event) => ({ ...event, amount: event.amount.toString() })) });
  check(funded.status === 200 && funded.body.results.every((entry: { result: string }) => entry.result === 'ok'), 'funding accepted');
  let acknowledged = 0;
  let amountMinor = funding.reduce((sum, event) => sum + event.amount, 0n);
  const send = (next: () => Move) => async (): Promise<void> => {
    const move = next();
    const answer = await post('/api/v1/transfers', { id: move.id, debitAccountId: move.debit, creditAccountId: move.credit, amount: move.amount.toString(), ledger: ledgerUsd, code: 1 });
    check(answer.status === 201 && answer.body.result === 'ok', `transfer ${move.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    acknowledged += 1;
    amountMinor += move.amount;
  };
  return { send, acknowledged: () => acknowledged + funding.length, amountMinor: () => amountMinor, close: () => client.close() };
}

/** The baseline side: the same 64 clients, each request its own transaction through `pg`, updates in id order (no deadlocks). */
async function baselineSide(url: string, accounts: readonly AccountEvent[]) {
  const setup = await connect(url, 'raw');
  await insertRawAccounts(setup, accounts);
  await setup.end();
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(url, 'raw')));
  const idle = [...connections];
  let timestamp = 1_000_000n;
  let acknowledged = 0;
  let amountMinor = 0n;
  const send = (next: () => Move) => async (): Promise<void> => {
    const move = next();
    const client = idle.pop()!;
    timestamp += 1n;
    const debit = { name: 'raw_debit', text: 'UPDATE accounts SET debits_posted = debits_posted + $2 WHERE id = $1', values: [move.debit, move.amount] };
    const credit = { name: 'raw_credit', text: 'UPDATE accounts SET credits_posted = credits_posted + $2 WHERE id = $1', values: [move.credit, move.amount] };
    try {
      await client.query('BEGIN');
      await client.query({
        name: 'raw_insert',
        text: `INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64,
                 user_data_32, timeout, ledger, code, flags, timestamp, pending_status, expires_at)
               VALUES ($1, $2, $3, $4, NULL, NULL, 0, 0, 0, ${ledgerUsd}, 1, 0, $5, 0, 0)`,
        values: [move.id, move.debit, move.credit, move.amount, timestamp],
      });
      const [first, second] = move.debit < move.credit ? [debit, credit] : [credit, debit];
      await client.query(first);
      await client.query(second);
      await client.query('COMMIT');
    } finally {
      idle.push(client);
    }
    acknowledged += 1;
    amountMinor += move.amount;
  };
  return {
    send,
    acknowledged: () => acknowledged,
    amountMinor: () => amountMinor,
    close: () => Promise.all(connections.map((connection) => connection.end())),
  };
}

/** One side of an HTTP figure: where its transfers go, what it acknowledged, and how its books are checked. */
interface Side {
  readonly send: () => Promise<void>;
  readonly acknowledged: () => number;
  readonly amountMinor: () => bigint;
  /** Stops the side's server, if any, then checks its books against what it acknowledged. */
  readonly finish: (accountIds: readonly string[]) => Promise<void>;
  readonly close: () => Promise<void>;
}

/** A server in its own process on its own database, loaded through HTTP. */
type Workload = ReturnType<typeof makeAccounts>;

async function serverUnderLoad(who: string, shape: HttpShape, workload: Workload, kind: number, extraEnv: Record<string, string>): Promise<Side> {
  const database = new PostgresTestDatabase();
  let server: ServerProcess | undefined;
  let client: Awaited<ReturnType<typeof serverSide>> | undefined;
  const close = async () => {
    await client?.close();
    await server?.stop();
    server = undefined;
    await database.drop();
  };
  try {
    const url = await database.url();
    server = await ServerProcess.start(url, extraEnv);
    client = await serverSide(server, workload.accounts, workload.funding);
    const loaded = client;
    return {
      send: loaded.send(moveSource(shape, kind)),
      acknowledged: loaded.acknowledged,
      amountMinor: loaded.amountMinor,
      close,
      finish: async (accountIds) => {
        // Read after the server stopped: every acknowledged batch is in, nothing is in flight.
        await server?.stop();
        server = undefined;
        const reader = await connect(url, 'public');
        try {
          checkFacts(who, await bookFacts(reader, accountIds, [kind, fundingKind]), loaded.acknowledged(), loaded.amountMinor());
        } finally {
          await reader.end();
        }
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The bare database: 64 `pg` clients, one transaction per transfer. */
async function pgDirect(shape: HttpShape, workload: Workload): Promise<Side> {
  const database = new PostgresTestDatabase();
  let side: Awaited<ReturnType<typeof baselineSide>> | undefined;
  const close = async () => {
    await side?.close();
    side = undefined;
    await database.drop();
  };
  try {
    const url = await database.url();
    await migrateRaw(url, 'raw');
    side = await baselineSide(url, workload.accounts);
    const loaded = side;
    return {
      send: loaded.send(moveSource(shape, baselineKind)),
      acknowledged: loaded.acknowledged,
      amountMinor: loaded.amountMinor,
      close,
      finish: async (accountIds) => {
        const reader = await connect(url, 'raw');
        try {
          checkFacts('pg direct', await bookFacts(reader, accountIds, [baselineKind]), loaded.acknowledged(), loaded.amountMinor());
        } finally {
          await reader.end();
        }
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function measureHttp(name: string, shape: HttpShape): Promise<Figure> {
  const sides: Side[] = [];
  try {
    const workload = makeAccounts(shape.accounts);
    const grouped = await serverUnderLoad('grouped server', shape, workload, transferKind, {});
    sides.push(grouped);
    const baseline = shape.baseline === 'pg-direct' ? await pgDirect(shape, workload) : await serverUnderLoad('one-commit server', shape, workload, baselineKind, oneCommitEnv);
    sides.push(baseline);

    await runSlice(warmupMs, grouped.send);
    await runSlice(warmupMs, baseline.send);
    const totals = { grouped: { done: 0, ms: 0 }, baseline: { done: 0, ms: 0 } };
    const add = (side: { done: number; ms: number }, slice: { done: number; ms: number }) => {
      side.done += slice.done;
      side.ms += slice.ms;
    };
    for (let slice = 0; slice < slicesPerSide; slice += 1) {
      if (slice % 2 === 0) {
        add(totals.grouped, await runSlice(sliceMs, grouped.send));
        add(totals.baseline, await runSlice(sliceMs, baseline.send));
      } else {
        add(totals.baseline, await runSlice(sliceMs, baseline.send));
        add(totals.grouped, await runSlice(sliceMs, grouped.send));
      }
    }
    log(`${name}: grouped ${totals.grouped.done} in ${totals.grouped.ms.toFixed(0)} ms, baseline ${totals.baseline.done} in ${totals.baseline.ms.toFixed(0)} ms`);

    const accountIds = workload.accounts.map((account) => account.id);
    for (const side of sides) await side.finish(accountIds);
    const mix = shape.zipf ? ', Zipf hot-account mix' : '';
    const baselineName =
      shape.baseline === 'pg-direct'
        ? `pg direct, ${clients} clients, one commit per request (BEGIN; INSERT; UPDATE ×2; COMMIT), no HTTP${mix}`
        : `the same server, clients and requests with one commit per request (QENEX_BATCH_TRANSFERS_MAX=1)${mix}`;
    return throughput(name, 'transfers/s', totals.grouped.done, totals.grouped.ms / 1000, totals.baseline.done, totals.baseline.ms / 1000, baselineName);
  } finally {
    for (const side of sides) await side.close();
  }
}

export const serverBenchmarks: readonly Benchmark[] = [
  {
    name: 'server.pg.batch',
    run: () => measureBatches('server.pg.batch', { accounts: 10_000, batchTransfers: 5_000, warmupBatches: 4, measuredBatches: 40, seed: 21 }),
  },
  {
    name: 'server.http.single',
    run: () => measureHttp('server.http.single', { accounts: 10_000, zipf: false, seed: 22, baseline: 'one-commit-server' }),
  },
  {
    name: 'server.http.hot',
    run: () => measureHttp('server.http.hot', { accounts: 1_000, zipf: true, seed: 23, baseline: 'one-commit-server' }),
  },
  {
    name: 'server.http.single.pg',
    run: () => measureHttp('server.http.single.pg', { accounts: 10_000, zipf: false, seed: 22, baseline: 'pg-direct' }),
  },
  {
    name: 'server.http.hot.pg',
    run: () => measureHttp('server.http.hot.pg', { accounts: 1_000, zipf: true, seed: 23, baseline: 'pg-direct' }),
  },
];

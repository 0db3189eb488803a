import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type Clock, type KvPorts } from '@qenex/engine';
import { PostgresTestDatabase } from '@qenex/engine/postgres';
import { demoPassword, readConfig, startServer, type RunningServer, type ServerConfig } from '@qenex/server';

/**
 * A real server for a test: real HTTP on a loopback port, real PostgreSQL (its own schema in the
 * run's own database), demo branch and users seeded, cheap password hashing.
 */
export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly clock: Clock;
  /**
   * What the server was started with: its data directory (a fresh temporary one, removed by close()),
   * its key file (inside that directory unless the test passed `keysFile`).
   */
  readonly config: ServerConfig;
  /** The PostgreSQL schema that holds its books. */
  readonly schema: string;
  /** Signs in a demo user (alice, tom, bob, carol, olivia, adam) and returns the bearer token. */
  signIn(username: string): Promise<string>;
  /** A JSON request; POSTs get a fresh Idempotency-Key unless one is given (or `null` for none). */
  request(method: string, path: string, options?: RequestOptions): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Raw text body, sent as is (malformed JSON tests). */
  readonly rawBody?: string;
  readonly idempotencyKey?: string | null;
  readonly headers?: Record<string, string>;
}

const database = new PostgresTestDatabase();
let schemas = 0;

export interface TestServerOptions {
  readonly clock?: ManualClock;
  readonly batchWaitMs?: number;
  readonly schema?: string;
  readonly kv?: KvPorts;
  /** A key file the test owns (to share one between servers, say): close() leaves it, the test removes it. */
  readonly keysFile?: string;
  /** QENEX_SIGN_INS_PER_SOURCE_PER_MINUTE; far above what the tests' many sign-ins from one address need otherwise. */
  readonly signInsPerSourcePerMinute?: number;
  /** QENEX_AUDIT_ANCHOR_MS; the server's default otherwise. */
  readonly auditAnchorMs?: number;
  /** QENEX_CORRESPONDENT_URL; none (the demo's simulated correspondent) otherwise. */
  readonly correspondentUrl?: string;
  /** QENEX_GATEWAY_INTERVAL_MS; 0 otherwise (a test runs the payment gateway's cycles itself). */
  readonly gatewayIntervalMs?: number;
  /** QENEX_CHAIN_RPC_URL and QENEX_CHAIN_ID: a node for the custody gateway (none otherwise); its cycles every QENEX_CHAIN_INTERVAL_MS (an hour here: the test runs them). */
  readonly chain?: { readonly rpcUrl: string; readonly chainId: bigint };
}

/** The run's database, for a test that opens a connection of its own (the admin CLI). */
export function testDatabaseUrl(): Promise<string> {
  return database.url();
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  // Its own data directory, so the anchors file of one test server never mixes with another's.
  const dataDir = mkdtempSync(join(tmpdir(), 'qenex-test-data-'));
  const config = readConfig({
    QENEX_DATA_DIR: dataDir,
    ...(options.auditAnchorMs === undefined ? {} : { QENEX_AUDIT_ANCHOR_MS: String(options.auditAnchorMs) }),
    DATABASE_URL: await database.url(),
    PORT: '0',
    LOG_LEVEL: process.env.QENEX_TEST_LOG ?? 'silent',
    QENEX_DEMO: 'true',
    // Every test request comes from 127.0.0.1: the per-source sign-in bound is tested on its own (sign-in.test.ts).
    QENEX_SIGN_INS_PER_SOURCE_PER_MINUTE: String(options.signInsPerSourcePerMinute ?? 10_000),
    QENEX_BATCH_WAIT_MS: String(options.batchWaitMs ?? 2),
    // In the data directory, which close() removes; a key file the test passes is the test's to remove.
    QENEX_SERVER_KEYS_FILE: options.keysFile ?? join(dataDir, 'server-keys.json'),
    QENEX_GATEWAY_INTERVAL_MS: String(options.gatewayIntervalMs ?? 0),
    ...(options.correspondentUrl === undefined ? {} : { QENEX_CORRESPONDENT_URL: options.correspondentUrl }),
    ...(options.chain === undefined ? {} : { QENEX_CHAIN_RPC_URL: options.chain.rpcUrl, QENEX_CHAIN_ID: options.chain.chainId.toString(), QENEX_CHAIN_INTERVAL_MS: '3600000' }),
  });
  schemas += 1;
  const schema = options.schema ?? `s${process.pid}_${schemas}_${randomBytes(3).toString('hex')}`;
  const server = await startServer(config, {
    passwordCost: 1024,
    schema,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.kv === undefined ? {} : { kv: options.kv }),
  });
  const url = server.address;
  const request: TestServer['request'] = async (method, path, requestOptions = {}) => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.token !== undefined) headers.authorization = `Bearer ${requestOptions.token}`;
    let body: string | undefined;
    if (requestOptions.rawBody !== undefined) body = requestOptions.rawBody;
    else if (requestOptions.body !== undefined) body = JSON.stringify(requestOptions.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    if (method === 'POST' && requestOptions.idempotencyKey !== null) {
      headers['idempotency-key'] = requestOptions.idempotencyKey ?? `test-${randomBytes(12).toString('hex')}`;
    }
    const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text), headers: response.headers };
  };
  return {
    url,
    server,
    config,
    schema,
    clock: options.clock ?? { nowMs: () => Date.now() },
    request,
    async signIn(username) {
      const response = await request('POST', '/api/v1/sessions', { body: { username, password: demoPassword, deviceId: 'test' } });
      if (response.status !== 201) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops the run's database; call once in afterAll of the last suite (or globally). */
export function dropTestDatabase(): Promise<void> {
  return database.drop();
}

/** A transfer as POST /api/v1/transfers takes it: amounts as strings of minor units. */
export interface WireTransfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: string;
  readonly ledger: number;
  readonly code: number;
  readonly flags?: number;
  readonly timeout?: number;
}

import { onnxRuntimeFactory } from './ai/onnx-runtime';
import { Engine, RandomIds, systemClock, type AuditAnchor, type Clock, type KvPorts } from '@qenex/engine';
import { ScryptPasswordHasher, SealedCustodyKeys } from '@qenex/engine/node';
import { PostgresStorage } from '@qenex/engine/postgres';
import type { FastifyInstance } from 'fastify';
import { AuditAnchorSchedule, auditAnchorsFile } from './audit-anchors';
import { describeBackupEvent, serverBackupSchedule } from './backup/cli';
import { TransferBatcher } from './batcher';
import type { ServerConfig } from './config';
import { seedDemoServer } from './demo';
import { ScreeningSweeper } from './screening-sweep';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { buildHttpApp } from './http/app';
import { SessionCache } from './http/session-cache';
import { connectKv } from './kv';
import { loadServerKeys } from './server-keys';
import { ChangeNotifier, registerNotifications } from './notifications';
import { registerUpdateFiles, UpdateService } from './update/service';
import { paymentFormats } from './payments/gateway';
import { startPaymentService, type PaymentService } from './payments/service';
import { CustodyGateway, CustodySchedule } from './assets/custody-gateway';
import { ViemChain } from '@qenex/protocols/defi-node';

export interface RunningServer {
  readonly address: string;
  readonly app: FastifyInstance;
  readonly engine: Engine;
  readonly storage: PostgresStorage;
  readonly kv: KvPorts;
  readonly embedded: boolean;
  /** Users seeded for a demo ("name (role)"); empty when the database already had users. */
  readonly demoUsers: readonly string[];
  /** Where each new audit anchor is appended (besides the database). */
  readonly auditAnchorsFile: string;
  /** The update repository it serves, and its own update client (installs signed policies and lists into these books). */
  readonly updates: UpdateService;
  /** Re-screens every customer when a sanctions list changes; `kick()` resolves when that sweep is done. */
  readonly sweeper: ScreeningSweeper;
  /** The SWIFT payment gateway and, in a demo, the simulated correspondent it talks to. */
  readonly payments: PaymentService;
  /** The digital-asset custody gateway's schedule, when QENEX_CHAIN_RPC_URL names a node; `runNow()` runs one cycle. */
  readonly custody: CustodySchedule | null;
  /** Anchors the audit head now, as the timer does: the new anchor, or null when it was anchored already. */
  anchorAudit(): Promise<AuditAnchor | null>;
  /** Stops taking requests, finishes those in flight and the queued transfers, then closes everything. */
  close(): Promise<void>;
}

export interface ServerOverrides {
  /** A clock under test control; the system clock otherwise. */
  readonly clock?: Clock;
  /** Cheaper password hashing for tests; scrypt N = 2^15 otherwise. */
  readonly passwordCost?: number;
  /** An existing key-value connection (a test's own prefix); built from REDIS_URL otherwise. */
  readonly kv?: KvPorts;
  /** The PostgreSQL schema for the books (tests give each server its own). */
  readonly schema?: string;
  /** Where the server's sync keys live (tests use a temporary file). */
  readonly serverKeysFile?: string;
}

/**
 * Writes that change nothing a workstation pulls: no reason to wake every branch (an anchor signs
 * the audit head; a pull or a subscription only records its nonce, and waking on it would loop).
 */
const quietCommands: ReadonlySet<string> = new Set(['audit.anchor', 'sync.pull', 'sync.subscribe', 'session.create', 'session.revoke']);

/** Builds every dependency from the configuration and passes them down: the server's only wiring. */
export async function startServer(config: ServerConfig, overrides: ServerOverrides = {}): Promise<RunningServer> {
  // First, so a bad backup key stops the start before anything is opened; it reports from start() on.
  const backups = serverBackupSchedule(config, {
    schema: overrides.schema,
    report: (event) => {
      const { level, message } = describeBackupEvent(event);
      app.log[level](event, message);
    },
  });
  let embedded: EmbeddedPostgres | null = null;
  if (config.databaseUrl === null) embedded = await startEmbeddedPostgres(config.dataDir);
  const storage = await PostgresStorage.open(
    embedded === null
      ? { connectionString: config.databaseUrl!, max: 16, schema: overrides.schema }
      : // PGlite is one backend shared by every connection: one client, never recycled, or its
        // prepared statements would outlive the client that knows them.
        { connectionString: embedded.url, max: 1, idleTimeoutMillis: 0 },
  );
  const clock = overrides.clock ?? systemClock;
  const ids = new RandomIds(clock);
  const cost = overrides.passwordCost ?? 2 ** 15;
  const kv = overrides.kv ?? (await connectKv(config.redisUrl));
  const { keys: serverKeys } = loadServerKeys(overrides.serverKeysFile ?? config.serverKeysFile);
  const notifier = new ChangeNotifier(kv);
  const custodyKeys = SealedCustodyKeys.fromFile(config.custodyKekFile);
  const engine = new Engine({
    storage,
    clock,
    ids,
    serverKeys,
    passwords: new ScryptPasswordHasher({ N: cost, r: 8, p: 1 }),
    // Deployed fraud models are scored by onnxruntime here (the workstation runs the engine's own scorer, which agrees to 1e-6).
    fraud: { runtime: onnxRuntimeFactory() },
    // An outgoing payment is checked as the pacs.008 it makes (CBPR+ and the schema's facets, the IBAN and BIC registries) before money is held.
    paymentFormats,
    // Customers' wallet keys for digital assets: made here, kept in the books only sealed under this key.
    custodyKeys,
    // An anchor changes nothing a workstation pulls: no reason to wake them every minute.
    hooks: {
      committed: (name) => {
        if (!quietCommands.has(name)) notifier.committed(name);
      },
    },
  });
  const batcher = new TransferBatcher(engine, { waitMs: config.batchWaitMs, transfersMax: config.batchTransfersMax, inFlightMax: config.batchInFlightMax });
  const app = buildHttpApp({
    engine,
    storage,
    kv,
    batcher,
    serverKeys,
    sessions: new SessionCache(),
    nowMs: () => clock.nowMs(),
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    signInsPerSourcePerMinute: config.signInsPerSourcePerMinute,
  });
  await registerNotifications(app, engine, kv);
  registerUpdateFiles(app, config.updateDir);
  const sweeper = new ScreeningSweeper({ engine, log: app.log });
  const updates = new UpdateService({ engine, storage, clock, directory: config.updateDir, log: app.log, onSanctionsChanged: () => void sweeper.kick() });
  const anchors = new AuditAnchorSchedule(engine, {
    intervalMs: config.auditAnchorMs,
    file: auditAnchorsFile(config.dataDir),
    onError: (error) => app.log.error({ err: error }, 'audit anchor failed'),
  });

  const isEmpty = (await storage.read((tx) => tx.banking.list('user', '', 1))).length === 0;
  const demoUsers = config.demo && isEmpty ? await seedDemoServer(engine, ids, clock) : [];
  const address = await app.listen({ host: config.host, port: config.port });
  const payments = await startPaymentService(config, { engine, nowMs: () => clock.nowMs(), log: app.log });
  const custody = custodySchedule(config, engine, custodyKeys, app.log);
  anchors.start();
  updates.start();
  custody?.start();
  await backups?.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // No new backup starts; one running is waited for at the end, beside the rest of the shutdown.
      const backupsStopped = backups?.stop();
      updates.stop();
      await custody?.stop();
      await payments.stop();
      await app.close();
      await batcher.drain();
      // The last head, signed after the last write and before the books close.
      await anchors.stop();
      notifier.stop();
      if (overrides.kv === undefined) await kv.close();
      await storage.close();
      await embedded?.stop();
      await backupsStopped;
    })());
  const auditAnchors = { auditAnchorsFile: auditAnchorsFile(config.dataDir), anchorAudit: () => anchors.anchorNow() };
  return { address, app, engine, storage, kv, embedded: embedded !== null, demoUsers, updates, sweeper, payments, custody, ...auditAnchors, close };
}

/** The custody gateway on the node QENEX_CHAIN_RPC_URL names, through viem; none without one. */
function custodySchedule(config: ServerConfig, engine: Engine, keys: SealedCustodyKeys, log: FastifyInstance['log']): CustodySchedule | null {
  if (config.chainRpcUrl === null) return null;
  const chain = new ViemChain({ chainId: config.chainId, url: config.chainRpcUrl });
  const gateway = new CustodyGateway({ engine, chain, keys, log });
  return new CustodySchedule(gateway, {
    intervalMs: config.chainIntervalMs,
    verify: () => chain.verifyChainId(),
    onError: (error) => log.error({ err: error }, 'custody gateway cycle failed; it runs again next interval'),
  });
}

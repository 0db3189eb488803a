import { kvLimits } from '@qenex/engine';
import { backupAgeMaxMsDefault, backupsKeptMaxDefault } from '@qenex/engine/node';

const dayMs = 24 * 60 * 60 * 1000;
/**
 * Server configuration, read once from the environment at start-up. A bad value stops the server
 * with a message naming the variable and what it should look like; secrets are never echoed.
 */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** PostgreSQL; absent means the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | null;
  /** Redis; absent means the in-process adapters (one server process only). */
  readonly redisUrl: string | null;
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Longest a single transfer waits for others to share its database transaction. */
  readonly batchWaitMs: number;
  /** Most transfers one shared transaction carries. */
  readonly batchTransfersMax: number;
  /** Most shared transactions handed to the database at once (the next one queues behind the writer lock). */
  readonly batchInFlightMax: number;
  readonly shutdownGraceMs: number;
  /** Seed a demo branch and users on an empty database. */
  readonly demo: boolean;
  readonly bodyLimitBytes: number;
  /** Sign-in attempts one source address may make per minute, whatever names it types. */
  readonly signInsPerSourcePerMinute: number;
  /** The server's sync keys (seeds, mode 0600): made on first start. */
  readonly serverKeysFile: string;
  /** How often the audit head is signed and kept, when it moved; 0 turns anchoring off. */
  readonly auditAnchorMs: number;
  /** The signed update repository this server publishes and serves (metadata, targets, drafts, its online key). */
  readonly updateDir: string;
  /** Where the encrypted backups (.qxbk) are written and looked for. */
  readonly backupDir: string;
  /**
   * The backup key (X-Wing: ML-KEM-768 + X25519), mode 0600, made on first use. Backups need its
   * public half only; restores need the whole key, which should be kept away from the server too.
   */
  readonly backupKeyFile: string;
  /** A backup every this often while the server runs; null: none on a schedule. */
  readonly backupIntervalMs: number | null;
  /** Retention: the newest this many backups are kept… */
  readonly backupsKeptMax: number;
  /** …and none older than this many days (the newest one always stays). */
  readonly backupAgeMaxDays: number;
  /**
   * The correspondent bank's message endpoint for SWIFT payments; null runs none, except in a demo,
   * which starts the simulated correspondent beside the server so payments flow on first run.
   */
  readonly correspondentUrl: string | null;
  /** How often the payment gateway sends what is due and reads what the correspondent sent. */
  readonly gatewayIntervalMs: number;
  /** The bank's own BIC: the account servicer on the statements it issues. */
  readonly bankBic: string;
  /** The key that seals customers' custody keys for digital assets (32 bytes, base64url, mode 0600), made on first start. */
  readonly custodyKekFile: string;
  /** A chain node's JSON-RPC endpoint for digital-asset custody; null runs no custody gateway. */
  readonly chainRpcUrl: string | null;
  /** The chain id the node must be on (EIP-155); the registered assets name it too. */
  readonly chainId: bigint;
  /** How often the custody gateway reads the chain and sends what the books admitted. */
  readonly chainIntervalMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  }
  return value;
}

function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw;
}

function url(env: Env, name: string, schemes: readonly string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected ${schemes[0]}//host:port/…).`);
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${schemes.join(' or ')}; it starts with ${parsed.protocol}.`);
  return raw;
}

function bic(env: Env, name: string, fallback: string): string {
  const raw = nonEmpty(env[name]) ?? fallback;
  if (!/^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(raw)) throw new ConfigError(`${name} must be a BIC: 8 or 11 capital letters and digits; it is "${raw}".`);
  return raw;
}

/** Scheduled backups no closer than this: each is a whole pg_dump, and point-in-time recovery is WAL archiving's job. */
export const backupIntervalMsMin = 15 * 60 * 1000;
/** Nor further apart than a week (and within what a timer can wait). */
export const backupIntervalMsMax = 7 * 24 * 60 * 60 * 1000;
const durationUnitsMs: Readonly<Record<string, number>> = { m: 60 * 1000, h: 60 * 60 * 1000, d: 24 * 60 * 60 * 1000 };

/** A whole number and one unit (`30m`, `6h`, `1d`), from `backupIntervalMsMin` to `backupIntervalMsMax`; anything else is refused. */
export function parseBackupInterval(raw: string): number {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(raw);
  const valueMs = match === null ? NaN : Number(match[1]) * durationUnitsMs[match[2]!]!;
  if (!(valueMs >= backupIntervalMsMin && valueMs <= backupIntervalMsMax)) {
    throw new ConfigError(`QENEX_BACKUP_INTERVAL must be a whole number of minutes, hours or days (30m, 6h, 1d) from 15m to 7d; it is "${raw}".`);
  }
  return valueMs;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readConfig(env: Env): ServerConfig {
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}.`);
  const demo = env.QENEX_DEMO ?? 'auto';
  if (!['auto', 'true', 'false'].includes(demo)) throw new ConfigError('QENEX_DEMO must be auto, true or false.');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = env.QENEX_DATA_DIR ?? '.qenex/server';
  const intervalRaw = env.QENEX_BACKUP_INTERVAL ?? '';
  const backupIntervalMs = intervalRaw === '' ? null : parseBackupInterval(intervalRaw);
  // pg_dump needs a PostgreSQL server: the embedded PGlite serves one connection at a time (and a newer major version).
  if (backupIntervalMs !== null && databaseUrl === null) throw new ConfigError('QENEX_BACKUP_INTERVAL needs DATABASE_URL: backups are of a PostgreSQL server, not of the embedded database.');
  return {
    host: env.HOST ?? '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    dataDir,
    logLevel: logLevel as ServerConfig['logLevel'],
    batchWaitMs: integer(env, 'QENEX_BATCH_WAIT_MS', 2, 0, 1000),
    batchTransfersMax: integer(env, 'QENEX_BATCH_TRANSFERS_MAX', 2048, 1, 8190),
    batchInFlightMax: integer(env, 'QENEX_BATCH_IN_FLIGHT_MAX', 1, 1, 8),
    shutdownGraceMs: integer(env, 'QENEX_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    demo: demo === 'true' || (demo === 'auto' && databaseUrl === null),
    bodyLimitBytes: integer(env, 'QENEX_BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    signInsPerSourcePerMinute: integer(env, 'QENEX_SIGN_INS_PER_SOURCE_PER_MINUTE', 60, 1, kvLimits.rateLimitMax),
    serverKeysFile: env.QENEX_SERVER_KEYS_FILE ?? `${dataDir}/server-keys.json`,
    auditAnchorMs: integer(env, 'QENEX_AUDIT_ANCHOR_MS', 60_000, 0, 24 * 60 * 60 * 1000),
    updateDir: nonEmpty(env.QENEX_UPDATE_DIR) ?? `${dataDir}/updates`,
    backupDir: nonEmpty(env.QENEX_BACKUP_DIR) ?? `${dataDir}/backups`,
    backupKeyFile: nonEmpty(env.QENEX_BACKUP_KEY_FILE) ?? `${dataDir}/backup-key.json`,
    backupIntervalMs,
    backupsKeptMax: integer(env, 'QENEX_BACKUPS_KEPT_MAX', backupsKeptMaxDefault, 1, 10_000),
    backupAgeMaxDays: integer(env, 'QENEX_BACKUP_AGE_MAX_DAYS', backupAgeMaxMsDefault / dayMs, 1, 3650),
    correspondentUrl: url(env, 'QENEX_CORRESPONDENT_URL', ['http:', 'https:']),
    gatewayIntervalMs: integer(env, 'QENEX_GATEWAY_INTERVAL_MS', 1000, 0, 60 * 60 * 1000),
    bankBic: bic(env, 'QENEX_BANK_BIC', 'QNXBUS33XXX'),
    custodyKekFile: nonEmpty(env.QENEX_CUSTODY_KEK_FILE) ?? `${dataDir}/custody-kek`,
    chainRpcUrl: url(env, 'QENEX_CHAIN_RPC_URL', ['http:', 'https:']),
    chainId: BigInt(integer(env, 'QENEX_CHAIN_ID', 1, 1, Number.MAX_SAFE_INTEGER)),
    chainIntervalMs: integer(env, 'QENEX_CHAIN_INTERVAL_MS', 4000, 100, 60 * 60 * 1000),
  };
}

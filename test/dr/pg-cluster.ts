import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stopCluster, type OsAccount } from '../../apps/server/src/backup/pitr';

/**
 * A private PostgreSQL cluster for a test: initdb in a directory of its own, started on its own port
 * (127.0.0.1 and a socket in that directory), stopped with `pg_ctl stop -m immediate`. PostgreSQL
 * refuses to run as root, so when the tests run as root the cluster belongs to the `postgres` OS
 * account (uid and gid from `id`), which then owns the directory; otherwise to the user running the
 * tests. Password authentication (scram-sha-256) for every connection, local ones too.
 */
const serverTools = ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'pg_verifybackup'] as const;

/** The directory holding PostgreSQL's server programs (QENEX_PG_BIN, else `pg_config --bindir`); null when they are not installed. */
export function findPostgresBin(): string | null {
  const candidates = [process.env.QENEX_PG_BIN, safeOutput('pg_config', ['--bindir'])].filter((dir): dir is string => dir !== undefined && dir !== '');
  return candidates.find((dir) => serverTools.every((tool) => existsSync(join(dir, tool)))) ?? null;
}

/** Who runs the cluster: undefined for this process's own account, the `postgres` account when this is root. */
export function clusterAccount(): OsAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(safeOutput('id', ['-u', 'postgres']));
  const gid = Number(safeOutput('id', ['-g', 'postgres']));
  if (!Number.isSafeInteger(uid) || uid <= 0 || !Number.isSafeInteger(gid)) throw new Error('the tests run as root, and PostgreSQL refuses root: create a `postgres` OS account (Debian: apt-get install postgresql) to run the test clusters');
  return { uid, gid };
}

/** A directory (mode 0700) the cluster's account owns. */
export function ownedDirectory(path: string, account: OsAccount | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (account !== undefined) chownSync(path, account.uid, account.gid);
  return path;
}

export function giveTo(path: string, account: OsAccount | undefined): void {
  if (account !== undefined) chownSync(path, account.uid, account.gid);
}

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivateCluster {
  readonly dataDir: string;
  readonly socketDir: string;
  readonly port: number;
  readonly superuser: string;
  readonly password: string;
  readonly logFile: string;
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface PrivateClusterOptions {
  /** An empty directory the cluster's account owns (ownedDirectory). */
  readonly root: string;
  readonly port: number;
  readonly account: OsAccount | undefined;
  readonly pgBin: string;
  readonly password: string;
  /** postgresql.conf lines beyond port, addresses and socket. */
  readonly settings: readonly string[];
}

export async function startPrivateCluster(options: PrivateClusterOptions): Promise<PrivateCluster> {
  const { root, port, account, pgBin, password } = options;
  const dataDir = join(root, 'data');
  const socketDir = ownedDirectory(join(root, 'socket'), account);
  const logFile = join(root, 'server.log');
  const superuser = 'qenex_admin';
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  giveTo(passwordFile, account);
  try {
    await run(join(pgBin, 'initdb'), ['--pgdata', dataDir, '--username', superuser, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions', '--no-sync'], account);
  } finally {
    await rm(passwordFile, { force: true });
  }
  const settings = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${socketDir}'`, ...options.settings];
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# test cluster\n${settings.join('\n')}\n`);
  await run(join(pgBin, 'pg_ctl'), ['--pgdata', dataDir, '--log', logFile, '--wait', 'start'], account);
  return {
    dataDir,
    socketDir,
    port,
    superuser,
    password,
    logFile,
    url: (database = 'postgres') => `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => stopCluster(dataDir, { ...(account === undefined ? {} : { runAs: account }), pgBin, mode: 'immediate' }),
  };
}

function run(command: string, args: readonly string[], account: OsAccount | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }) }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function safeOutput(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

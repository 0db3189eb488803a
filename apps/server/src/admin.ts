import { auditAnchorsSuppliedMax, Engine, RandomIds, systemClock, type AuditVerdict, type CommandInput, type Context } from '@qenex/engine';
import { PostgresStorage } from '@qenex/engine/postgres';
import { auditAnchorsFile, readAnchorLines } from './audit-anchors';
import { backupCommand, backupKeyCommand, backupsCommand, restoreCommand, restoreDrillCommand, type CliIo } from './backup/cli';
import { baseBackupCommand, restorePitrCommand, walArchiveSettingsCommand } from './backup/pitr-cli';
import { ConfigError, readConfig, type ServerConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { readServerKeys } from './server-keys';
import { runUpdateCli } from './update/cli';

/**
 * `npm run server:admin -- <command>`: operations tasks run against the server's database
 * directly (DATABASE_URL, or the embedded database while the server is stopped).
 *   audit-verify   walk the audit chain and check it against the signed anchors (kept in the
 *                  database and in audit-anchors.jsonl in the data directory); exit 1 and name the
 *                  first edited, inserted or deleted record, the last records deleted included
 *   totals         Σdebits and Σcredits of every ledger; exit 1 when one does not balance
 *   backup, backups, backup-key, restore, restore-drill
 *                  encrypted backups of DATABASE_URL and their restore (backup/cli.ts)
 */
const backupCommands: Readonly<Record<string, (config: ServerConfig, args: readonly string[], io: CliIo) => Promise<number>>> = {
  backup: backupCommand,
  backups: backupsCommand,
  'backup-key': backupKeyCommand,
  restore: restoreCommand,
  'restore-drill': restoreDrillCommand,
  'base-backup': baseBackupCommand,
  'wal-archive-settings': async (config, args, io) => walArchiveSettingsCommand(config, args, io),
  'restore-pitr': restorePitrCommand,
};

const usage = `usage: npm run server:admin -- <command>
  audit-verify                                    the audit chain against the signed anchors
  totals                                          debits and credits of every ledger
  rescreen                                        every customer against the sanctions lists in force (JSON lines; exit 1 on a match)
  backup [--dir DIR]                              an encrypted backup now, then retention
  backups [--dir DIR]                             the backups kept, newest first
  backup-key [--public-only]                      the backup key's id and public half
  restore --file FILE --database-url URL          verify the whole backup, then restore it into an empty database
  restore-drill [--file FILE] [--admin-url URL]   restore into a temporary database and prove the books
  wal-archive-settings --archive DIR              postgresql.conf lines that archive every WAL file, encrypted, into DIR
  base-backup [--dir DIR]                         an encrypted pg_basebackup (the start of point-in-time recovery)
  restore-pitr --file BASE --archive DIR --target-time ISO|latest --data-dir NEW --port P --user ROLE [--run-as UID:GID]
                                                  a new cluster recovered to that moment, its point of recovery reported
  key new --name N --out FILE                     an admin's own update-signing key, sealed under a passphrase
  update init|rotate-root|add|remove|sign|merge|status|publish|refresh --repo DIR …
                                                  the signed update repository (update/cli.ts lists every flag)
  content stand-in … | content sanctions-ofac …   the documents admins publish through it
`;

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== undefined && Object.hasOwn(backupCommands, command)) {
    return backupCommands[command]!(readConfig(process.env), rest, { out: process.stdout, err: process.stderr });
  }
  if (command === 'key' || command === 'update' || command === 'content') {
    // The repository lives where the server keeps it unless --repo says otherwise.
    const withRepo = command === 'update' && !rest.includes('--repo') && rest[0] !== 'sign' ? [...rest, '--repo', readConfig(process.env).updateDir] : rest;
    const io = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`), env: process.env, nowMs: () => Date.now() };
    return runUpdateCli(command, withRepo, io);
  }
  if (command !== 'audit-verify' && command !== 'totals' && command !== 'rescreen') {
    (command === undefined || command === '--help' ? process.stdout : process.stderr).write(usage);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const config = readConfig(process.env);
  // Only the public half is used (to check anchors); a missing key file is not replaced by new keys.
  const serverKeys = readServerKeys(config.serverKeysFile);
  let embedded: EmbeddedPostgres | null = null;
  if (config.databaseUrl === null) embedded = await startEmbeddedPostgres(config.dataDir);
  const storage = await PostgresStorage.open({ connectionString: config.databaseUrl ?? embedded!.url, max: 1, idleTimeoutMillis: 0 });
  const engine = new Engine({ storage, clock: systemClock, ids: new RandomIds(systemClock), ...(serverKeys === null ? {} : { serverKeys }) });
  const ctx = { actor: 'server-admin-cli', roles: ['auditor'], deviceId: 'server-admin' };
  try {
    if (command === 'audit-verify') return await auditVerify(engine, config, ctx);
    if (command === 'rescreen') return await rescreen(engine);
    const totals = await engine.execute('ledger.totals', {}, ctx);
    if (!totals.ok) throw new Error(totals.message);
    for (const ledger of totals.value) {
      process.stdout.write(`ledger ${ledger.ledger}: debits ${ledger.debitsPosted} credits ${ledger.creditsPosted} pending ${ledger.debitsPending}/${ledger.creditsPending} ${ledger.balanced ? 'balanced' : 'NOT BALANCED'}\n`);
    }
    return totals.value.every((ledger) => ledger.balanced) ? 0 : 1;
  } finally {
    await storage.close();
    await embedded?.stop();
  }
}

/**
 * Every customer against the lists in force, a page at a time, as a compliance officer: progress on
 * stderr, each customer with a match as a JSON line on stdout; exit 1 when any matched.
 */
async function rescreen(engine: Engine): Promise<number> {
  const ctx = { actor: 'server-admin-cli', roles: ['compliance_officer'], deviceId: 'server-admin' };
  let after = '';
  let screened = 0;
  let matched = 0;
  for (;;) {
    const page = await engine.execute('screening.rescreen', { after, limit: 500 }, ctx);
    if (!page.ok) throw new Error(`${page.code}: ${page.message}`);
    if (!page.value.listsInForce) {
      process.stderr.write('no sanctions list is in force on this server: publish one through the update repository first\n');
      return 2;
    }
    screened += page.value.screened;
    for (const hit of page.value.customers) {
      matched += 1;
      process.stdout.write(`${JSON.stringify(hit)}\n`);
    }
    process.stderr.write(`rescreen: ${screened} customers screened, ${matched} with a match\n`);
    if (page.value.next === null) break;
    after = page.value.next;
  }
  return matched > 0 ? 1 : 0;
}

/** The chain against every stored anchor and the newest anchors of the file; exit 1 on any break. */
async function auditVerify(engine: Engine, config: ServerConfig, ctx: Context): Promise<number> {
  const file = auditAnchorsFile(config.dataDir);
  const { anchors, skipped } = await readAnchorLines(file, auditAnchorsSuppliedMax);
  if (skipped > 0) process.stderr.write(`${file}: ${skipped} line(s) are not JSON and were skipped (a write torn by a crash?)\n`);
  // Lines are whatever the file holds: the command's schema checks them (a malformed one is refused).
  const result = await engine.execute('audit.verify', { anchors: anchors as CommandInput<'audit.verify'>['anchors'] }, ctx);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  process.stdout.write(`${describeVerdict(result.value)}\n`);
  return result.value.intact ? 0 : 1;
}

function describeVerdict(verdict: AuditVerdict): string {
  const anchored = verdict.anchor === null ? 'no signed anchor' : `signed anchor at record ${verdict.anchor.seq} (${new Date(verdict.anchor.atMs).toISOString()})`;
  const broken = verdict.break;
  if (broken === null) return `audit log intact: ${verdict.count} records, head ${verdict.hash}; ${anchored}`;
  switch (broken.kind) {
    case 'tail_missing':
      return `audit log BROKEN: records ${broken.seq} to ${broken.anchorSeq} are missing (tail_missing): a signed anchor covers record ${broken.anchorSeq}, the log ends at ${verdict.count}`;
    case 'anchor_forged':
      return `audit log BROKEN: the anchor of record ${broken.seq} is not the server's (anchor_forged: ${broken.code})`;
    case 'anchor_mismatch':
      return `audit log BROKEN at record ${broken.seq}: it differs from what the server signed (anchor_mismatch); the log was rewritten up to there`;
    default:
      return `audit log BROKEN at record ${broken.seq}: ${broken.kind} (${verdict.count} records verified before it)`;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`qenex server admin: ${error instanceof ConfigError ? 'configuration: ' : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

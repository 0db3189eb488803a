import { Engine, RandomIds, systemClock } from '@qenex/engine';
import { PostgresStorage } from '@qenex/engine/postgres';
import { ConfigError, readConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

/**
 * `npm run server:admin -- <command>`: operations tasks run against the server's database
 * directly (DATABASE_URL, or the embedded database while the server is stopped).
 *   audit-verify   walk the audit chain; exit 1 and name the first edited, inserted or deleted record
 *   totals         Σdebits and Σcredits of every ledger; exit 1 when one does not balance
 */
async function main(args: readonly string[]): Promise<number> {
  const [command] = args;
  if (command !== 'audit-verify' && command !== 'totals') {
    process.stdout.write('usage: npm run server:admin -- audit-verify | totals\n');
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const config = readConfig(process.env);
  let embedded: EmbeddedPostgres | null = null;
  if (config.databaseUrl === null) embedded = await startEmbeddedPostgres(config.dataDir);
  const storage = await PostgresStorage.open({ connectionString: config.databaseUrl ?? embedded!.url, max: 1, idleTimeoutMillis: 0 });
  const engine = new Engine({ storage, clock: systemClock, ids: new RandomIds(systemClock) });
  const ctx = { actor: 'server-admin-cli', roles: ['auditor'], deviceId: 'server-admin' };
  try {
    if (command === 'audit-verify') {
      const result = await engine.execute('audit.verify', {}, ctx);
      if (!result.ok) throw new Error(result.message);
      const verdict = result.value;
      process.stdout.write(
        verdict.intact
          ? `audit log intact: ${verdict.count} records, head ${verdict.hash}\n`
          : `audit log BROKEN at record ${verdict.break?.seq}: ${verdict.break?.kind} (${verdict.count} records verified before it)\n`,
      );
      return verdict.intact ? 0 : 1;
    }
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`qenex server admin: ${error instanceof ConfigError ? 'configuration: ' : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

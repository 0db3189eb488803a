import { ConfigError, readConfig } from './config';
import { demoPassword } from './demo';
import { startServer } from './server';

/** `npm start`: the server on its configuration, with its address and demo users printed; SIGTERM stops it gracefully. */
async function main(): Promise<void> {
  const config = readConfig(process.env);
  const server = await startServer(config);
  const lines = [
    `QENEX server listening on ${server.address}  (API ${server.address}/api/v1, OpenAPI ${server.address}/api/v1/openapi.json)`,
    `database: ${server.embedded ? `embedded PGlite in ${config.dataDir}/pgdata` : 'PostgreSQL (DATABASE_URL)'}; cache: ${config.redisUrl === null ? 'in-process' : 'Redis (REDIS_URL)'}`,
  ];
  if (server.demoUsers.length > 0) lines.push(`demo users, password ${demoPassword}: ${server.demoUsers.join('; ')}`);
  else if (server.embedded) lines.push(`demo users (alice, bob, carol, olivia, adam, tom) sign in with password ${demoPassword}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const deadline = setTimeout(() => {
      server.app.log.error('shutdown took longer than the grace period; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    server.close().then(
      () => server.app.log.info('stopped'),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`qenex server: configuration: ${error.message}\n`);
  else process.stderr.write(`qenex server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

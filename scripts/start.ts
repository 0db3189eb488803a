import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoPassword, demoUsers } from '@qenex/engine';
import { readConfig } from '../apps/server/src/config';
import { startServer } from '../apps/server/src/server';
import { setUpDemoWorkstation } from '../apps/desktop/src/node/demo-workstation';
import { keyStoreFor, startBrowserWorkstation } from '../apps/desktop/src/node/workstation-main';
import { buildRenderer } from './build-ui';

/**
 * `npm start`: QENEX on its embedded defaults — the central server (PGlite unless DATABASE_URL,
 * in-process cache unless REDIS_URL) with the demo bank, and the demo branch's workstation in
 * browser mode connected to it. Prints the URL to open.
 */
async function main(): Promise<void> {
  const root = resolve(process.env.QENEX_HOME ?? '.qenex');
  const serverDir = join(root, 'server');
  const workstationDir = join(root, 'workstation');
  mkdirSync(workstationDir, { recursive: true, mode: 0o700 });
  // Browser mode has no OS secret store: the device keys are sealed under the operator's passphrase.
  const passphrase = process.env.QENEX_DEVICE_PASSPHRASE ?? 'demo-branch-passphrase-change-me';
  process.stdout.write('QENEX: building the screens…\n');
  const rendererDir = await buildRenderer();
  process.stdout.write('QENEX: starting the central server…\n');
  const server = await startServer(readConfig({ ...process.env, QENEX_DATA_DIR: process.env.QENEX_DATA_DIR ?? serverDir, QENEX_DEMO: process.env.QENEX_DEMO ?? 'auto', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  const secrets = await keyStoreFor(workstationDir, passphrase);
  const setUp = await setUpDemoWorkstation({ dataDir: workstationDir, serverUrl: server.address, secrets }, async (deviceId) => {
    // The demo's second administrator approves the enrolment (the first, adam, asked for it).
    const approved = await server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
    if (!approved.ok) throw new Error(`demo setup: approving the workstation: ${approved.code}`);
  });
  const workstation = await startBrowserWorkstation({ dataDir: workstationDir, serverUrl: server.address, rendererDir, passphrase, port: Number(process.env.QENEX_WORKSTATION_PORT ?? 5180), host: { bankName: 'QENEX Bank', timeZone: process.env.TZ ?? 'UTC' } });
  const staff = Object.values(demoUsers)
    .filter((user) => user.branch)
    .map((user) => `${user.actor} (${user.roles.join(', ')})`)
    .join(', ');
  process.stdout.write(
    [
      '',
      `  Teller workstation:  ${workstation.browser.url}   ← open this`,
      `  Central server:      ${server.address}/api/v1  (OpenAPI ${server.address}/api/v1/openapi.json)`,
      `  Sign in as ${staff}; password ${demoPassword}`,
      `  Branch workstation ${setUp.deviceId} ${setUp.fresh ? 'enrolled and approved just now' : 'enrolled earlier'}; data in ${root}`,
      '  Ctrl+C stops both.',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await workstation.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`qenex: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import { existsSync, readFileSync } from 'node:fs';
import { decodeBase64url } from '@qenex/engine';
import { openWorkstation } from '../node/host';
import { runUtility, type UtilityPort } from './relay';

/**
 * The utility process's entry (`utilityProcess.fork` from main.ts): the workstation engine, its
 * SQLite books and its sync with the server run here, off the main process. Wiring only: the relay
 * does the work. Configuration comes from main through the environment.
 */
function main(): void {
  const port = process.parentPort as UtilityPort | undefined;
  if (port === undefined || port === null) {
    process.stderr.write('qenex engine: this file runs as an Electron utility process (utilityProcess.fork), not on its own.\n');
    process.exit(2);
  }
  const dataDir = process.env.QENEX_DATA_DIR;
  const serverUrl = process.env.QENEX_SERVER_URL;
  if (dataDir === undefined || dataDir === '' || serverUrl === undefined || serverUrl === '') {
    port.postMessage({ kind: 'fatal', message: 'The engine was started without QENEX_DATA_DIR and QENEX_SERVER_URL.' });
    process.exit(2);
  }
  // The bank's update root ships with the install (resources/update-root.json); without one, no updates are taken.
  const rootFile = process.env.QENEX_UPDATE_ROOT;
  const updates =
    rootFile !== undefined && rootFile !== '' && existsSync(rootFile)
      ? { pinnedRoot: new Uint8Array(readFileSync(rootFile)), appVersion: process.env.QENEX_APP_VERSION ?? '0.0.0', platform: `${process.platform}-${process.arch}` }
      : undefined;
  // Backups are sealed to the bank's backup key: its public half (base64url, as `server:admin -- backup-key` prints it).
  const backupKey = process.env.QENEX_BACKUP_PUBLIC_KEY === undefined ? undefined : decodeBase64url(process.env.QENEX_BACKUP_PUBLIC_KEY);
  const backups = backupKey === undefined ? undefined : { recipientPublicKey: backupKey, intervalMs: Number(process.env.QENEX_BACKUP_INTERVAL_MS ?? 24 * 60 * 60_000) };
  runUtility(port, openWorkstation, { dataDir, serverUrl, ...(updates === undefined ? {} : { updates }), ...(backups === undefined ? {} : { backups }) }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`qenex engine: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

main();

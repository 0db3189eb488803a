/**
 * PostgreSQL's `archive_command` for point-in-time recovery: encrypts one finished WAL file into the
 * archive (pitr-wal.ts `archiveWalSegment`). Exit 0 only when the file is in the archive, so
 * PostgreSQL keeps the segment and retries until it is; what went wrong goes to standard error,
 * which is the server's log.
 *
 *   archive_command = '<node> --import <tsx loader> .../pitr-archive.ts %p %f <archiveDir> <publicKeyFile>'
 *
 * `walArchiveCommand()` in pitr.ts writes this line with absolute paths (PostgreSQL runs it in the
 * data directory, where no `node_modules` resolves `tsx`). The key file may hold the public half
 * only (`backup-key --public-only`): archiving needs no secret.
 */
import { loadBackupKey } from './backup-key';
import { archiveWalSegment } from './pitr-wal';

async function main(args: readonly string[]): Promise<number> {
  const [segmentPath, fileName, archiveDir, keyFile] = args;
  if (segmentPath === undefined || fileName === undefined || archiveDir === undefined || keyFile === undefined || args.length !== 4) {
    process.stderr.write('usage: pitr-archive.ts <%p> <%f> <archiveDir> <publicKeyFile>\n');
    return 1;
  }
  const key = loadBackupKey(keyFile, { create: false });
  if (!key.ok) {
    process.stderr.write(`qenex pitr-archive: ${key.code}: ${key.message}\n`);
    return 1;
  }
  const result = await archiveWalSegment(segmentPath, fileName, archiveDir, key.key.publicKey);
  if (!result.ok) {
    process.stderr.write(`qenex pitr-archive: ${result.code}: ${result.message}\n`);
    return 1;
  }
  if (result.alreadyArchived) process.stderr.write(`qenex pitr-archive: ${fileName} was archived already, with the same contents\n`);
  return 0;
}

// Every failure is exit 1: an exit above 125 or a signal would make PostgreSQL's archiver restart.
process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`qenex pitr-archive: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});

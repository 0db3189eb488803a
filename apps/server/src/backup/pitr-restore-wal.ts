/**
 * PostgreSQL's `restore_command` during a point-in-time restore: decrypts one archived WAL file to
 * where PostgreSQL asks (pitr-wal.ts `restoreWalSegment`), after the whole archived file verified.
 * Exit 0 only then; a file missing from the archive or one that does not verify is exit 1, which
 * PostgreSQL takes as the end of the WAL it can have, so recovery stops there. Each run appends what
 * it did to the report file, where `restoreToPointInTime` tells a segment the archive lacked (the
 * end of the archive) from one it refused (a damaged archive: the restore is refused).
 *
 *   restore_command = '<node> --import <tsx loader> .../pitr-restore-wal.ts %f %p <archiveDir> <keyFile> <reportFile>'
 *
 * PostgreSQL asks for files that do not exist on every restore (the next timeline's history, the
 * segment after the archive's end): those are answered before the engine is imported, which is
 * most of this script's start-up time.
 */
import { stat } from 'node:fs/promises';
import { appendWalReport, archivedWalPath } from './pitr-report';

async function main(args: readonly string[]): Promise<number> {
  const [fileName, targetPath, archiveDir, keyFile, reportFile] = args;
  if (fileName === undefined || targetPath === undefined || archiveDir === undefined || keyFile === undefined || reportFile === undefined || args.length !== 5) {
    process.stderr.write('usage: pitr-restore-wal.ts <%f> <%p> <archiveDir> <keyFile> <reportFile>\n');
    return 1;
  }
  const report = (event: 'restored' | 'missing' | 'refused', code?: string, message?: string) =>
    appendWalReport(reportFile, { file: fileName, event, ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }), atMs: Date.now() });
  const present = await stat(archivedWalPath(archiveDir, fileName)).then(() => true, (error: NodeJS.ErrnoException) => error.code !== 'ENOENT');
  if (!present) {
    await report('missing', 'wal_segment_missing');
    return 1;
  }
  const [{ loadBackupKey }, { restoreWalSegment }] = await Promise.all([import('./backup-key'), import('./pitr-wal')]);
  const key = loadBackupKey(keyFile, { create: false });
  if (!key.ok || key.key.keyPair === null) {
    const message = key.ok ? `${key.key.path} holds the public key only: a restore needs the whole key` : key.message;
    await report('refused', key.ok ? 'backup_key_public_only' : key.code, message);
    process.stderr.write(`qenex pitr-restore-wal: ${message}\n`);
    return 1;
  }
  try {
    const result = await restoreWalSegment(fileName, targetPath, archiveDir, key.key.keyPair);
    if (result.ok) {
      await report('restored');
      return 0;
    }
    if (result.code === 'wal_segment_missing') {
      await report('missing', result.code);
      return 1;
    }
    await report('refused', result.refusal ?? result.code, result.message);
    process.stderr.write(`qenex pitr-restore-wal: ${result.code}: ${result.message}\n`);
    return 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await report('refused', 'wal_restore_failed', message);
    process.stderr.write(`qenex pitr-restore-wal: ${fileName}: ${message}\n`);
    return 1;
  }
}

// Every failure is exit 1: an exit above 125 or a signal would make PostgreSQL abort the recovery.
process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`qenex pitr-restore-wal: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});

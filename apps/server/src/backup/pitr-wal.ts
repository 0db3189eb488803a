/**
 * The WAL archive for point-in-time recovery: one encrypted file per file PostgreSQL archives
 * (`<archiveDir>/<name>.qxwal`, the `.qxbk` format), written by `archive_command` and read back by
 * `restore_command` (pitr-archive.ts, pitr-restore-wal.ts run these in PostgreSQL's processes).
 *
 * The header (authenticated, readable without the key) names the WAL file and its plaintext's
 * length and SHA-256. With it an archiver that holds only the public key can tell that a file
 * already archived is the same segment (PostgreSQL archives a segment again after a crash between
 * archiving and recording it: that must succeed), and a restore can tell an archived file renamed
 * into another's place: it holds the wrong segment, which is refused as if it were damaged. The
 * hash shows nothing of a segment's contents, only lets someone holding a copy confirm it.
 *
 * The format has kinds 'server' and 'workstation' only (format.ts reads no other), so these files
 * are of kind 'server' and say what they hold in `source`: "qenex-pitr wal {…}".
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SealedBoxKeyPair } from '@qenex/engine';
import { readBackup, readBackupHeader, writeBackup, type BackupHeader, type BackupRefusalCode } from '@qenex/engine/node';
import { archivedWalPath, isWalFileName } from './pitr-report';

export { appendWalReport, archivedWalPath, isWalFileName, isWalSegmentName, readWalReport, walArchiveSuffix, walReportBytesMax, type WalReportLine } from './pitr-report';

/** PostgreSQL's segments are 1 MiB to 1 GiB (initdb --wal-segsize); history and backup-label files are small. */
export const walFileBytesMax = 1024 * 1024 * 1024;
const walSourcePrefix = 'qenex-pitr wal ';

export interface ArchivedWal {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export type WalArchiveCode = 'wal_name_invalid' | 'wal_source_unreadable' | 'wal_archive_conflict' | 'wal_archive_write_failed';

export type WalArchiveResult =
  | { readonly ok: true; readonly path: string; readonly alreadyArchived: boolean; readonly wal: ArchivedWal }
  | { readonly ok: false; readonly code: WalArchiveCode; readonly message: string };

export type WalRestoreCode = 'wal_name_invalid' | 'wal_segment_missing' | 'wal_segment_unreadable';

export type WalRestoreResult =
  | { readonly ok: true; readonly wal: ArchivedWal }
  | { readonly ok: false; readonly code: WalRestoreCode; readonly message: string; readonly refusal?: BackupRefusalCode };

export function walSource(wal: ArchivedWal): string {
  return `${walSourcePrefix}${JSON.stringify(wal)}`;
}

/** What a header says its WAL file is; undefined for any other backup. */
export function parseWalSource(header: BackupHeader): ArchivedWal | undefined {
  if (header.kind !== 'server_wal' || !header.source.startsWith(walSourcePrefix)) return undefined;
  try {
    const value = JSON.parse(header.source.slice(walSourcePrefix.length)) as Record<string, unknown>;
    const { file, bytes, sha256 } = value;
    if (typeof file !== 'string' || !isWalFileName(file) || !Number.isSafeInteger(bytes) || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    return { file, bytes: bytes as number, sha256 };
  } catch {
    return undefined;
  }
}

/**
 * What `archive_command` does for one file: encrypts `segmentPath` to `<archiveDir>/<fileName>.qxwal`.
 * Written under a temporary name (fsync'd by writeBackup), then linked into place, which fails when
 * the name exists (never overwriting), and the directory fsync'd, so the archive holds the whole
 * file or none of it. An archived file of the same name and contents is success; one that differs
 * is `wal_archive_conflict`: PostgreSQL keeps retrying, and its log says why, for a person to look.
 */
export async function archiveWalSegment(segmentPath: string, fileName: string, archiveDir: string, recipientPublicKey: Uint8Array): Promise<WalArchiveResult> {
  if (!isWalFileName(fileName)) return { ok: false, code: 'wal_name_invalid', message: `${JSON.stringify(fileName)} is not a WAL file name` };
  let wal: ArchivedWal;
  try {
    wal = await describeFile(segmentPath, fileName);
  } catch (error) {
    return { ok: false, code: 'wal_source_unreadable', message: `${segmentPath} cannot be read: ${errorText(error)}` };
  }
  const path = archivedWalPath(archiveDir, fileName);
  const existing = await compareArchived(path, wal);
  if (existing !== 'absent') return existing;
  const temporary = join(archiveDir, `.${fileName}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const written = await writeBackup(createReadStream(segmentPath), temporary, { recipientPublicKey, kind: 'server_wal', createdAtMs: Date.now(), source: walSource(wal) });
    if (written.trailer.plaintextSha256 !== wal.sha256 || written.trailer.plaintextBytes !== wal.bytes) {
      return { ok: false, code: 'wal_source_unreadable', message: `${segmentPath} changed while it was being archived` };
    }
    const placed = await placeWithoutOverwriting(temporary, path);
    if (!placed) {
      const raced = await compareArchived(path, wal);
      return raced === 'absent' ? { ok: false, code: 'wal_archive_write_failed', message: `${path} vanished while archiving` } : raced;
    }
    await syncDirectory(archiveDir);
    return { ok: true, path, alreadyArchived: false, wal };
  } catch (error) {
    return { ok: false, code: 'wal_archive_write_failed', message: `${path} could not be written: ${errorText(error)}` };
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * What `restore_command` does for one file: the archived `fileName` decrypted to `targetPath`,
 * only after the whole archived file verified and only when its header names `fileName`.
 */
export async function restoreWalSegment(fileName: string, targetPath: string, archiveDir: string, recipient: SealedBoxKeyPair): Promise<WalRestoreResult> {
  if (!isWalFileName(fileName)) return { ok: false, code: 'wal_name_invalid', message: `${JSON.stringify(fileName)} is not a WAL file name` };
  const path = archivedWalPath(archiveDir, fileName);
  const found = await stat(path).then((entry) => entry.isFile(), () => false);
  if (!found) return { ok: false, code: 'wal_segment_missing', message: `${fileName} is not in the archive ${archiveDir}` };
  let header: BackupHeader | null;
  try {
    header = await readBackupHeader(path);
  } catch (error) {
    return { ok: false, code: 'wal_segment_unreadable', message: `${path} cannot be read: ${errorText(error)}`, refusal: 'backup_unknown_format' };
  }
  const wal = header === null ? undefined : parseWalSource(header);
  if (wal === undefined) return { ok: false, code: 'wal_segment_unreadable', message: `${path} is not an archived WAL file of ours`, refusal: 'backup_unknown_format' };
  if (wal.file !== fileName) return { ok: false, code: 'wal_segment_unreadable', message: `${path} holds ${wal.file}, not ${fileName}: a file moved into another's place`, refusal: 'backup_corrupted' };
  const target = await open(targetPath, 'w', 0o600);
  let verdict;
  try {
    verdict = await readBackup(path, recipient, async (chunk) => {
      await target.write(chunk);
    });
  } finally {
    await target.close();
  }
  const whole = verdict.ok && verdict.trailer.plaintextSha256 === wal.sha256 && verdict.trailer.plaintextBytes === wal.bytes;
  if (whole) return { ok: true, wal };
  await rm(targetPath, { force: true });
  if (!verdict.ok) return { ok: false, code: 'wal_segment_unreadable', message: `${path}: ${verdict.message}`, refusal: verdict.code };
  return { ok: false, code: 'wal_segment_unreadable', message: `${path} decrypts to other contents than its header names`, refusal: 'backup_hash_mismatch' };
}

async function describeFile(path: string, fileName: string): Promise<ArchivedWal> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    bytes += (chunk as Buffer).length;
    if (bytes > walFileBytesMax) throw new Error(`larger than ${walFileBytesMax} bytes: not a WAL file`);
    hash.update(chunk as Buffer);
  }
  return { file: fileName, bytes, sha256: hash.digest('hex') };
}

/** 'absent', success for the same contents, or the conflict to report. */
async function compareArchived(path: string, wal: ArchivedWal): Promise<'absent' | WalArchiveResult> {
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) return 'absent';
  const header = await readBackupHeader(path).catch(() => null);
  const archived = header === null ? undefined : parseWalSource(header);
  if (archived !== undefined && archived.file === wal.file && archived.sha256 === wal.sha256 && archived.bytes === wal.bytes) {
    return { ok: true, path, alreadyArchived: true, wal };
  }
  const what = archived === undefined ? 'a file that is not an archived WAL file of ours' : `${archived.file} of ${archived.bytes} bytes, SHA-256 ${archived.sha256.slice(0, 16)}…`;
  return {
    ok: false,
    code: 'wal_archive_conflict',
    message: `${path} exists and holds ${what}; the segment to archive is ${wal.bytes} bytes, SHA-256 ${wal.sha256.slice(0, 16)}…: two servers archiving into one directory, or a damaged archive`,
  };
}

/** link() fails when the name exists, so a finished archive file is never replaced; false then. */
async function placeWithoutOverwriting(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: rename, after looking (one archiver runs at a time).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    if (await stat(to).then(() => true, () => false)) return false;
    await rename(from, to);
    return true;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorText(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

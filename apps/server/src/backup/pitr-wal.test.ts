import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedBoxKeyPair, type SealedBoxKeyPair } from '@qenex/engine';
import { loadBackupKey, publicKeyFile } from './backup-key';
import { walArchiveCommand } from './pitr';
import { archiveWalSegment, archivedWalPath, isWalFileName, restoreWalSegment } from './pitr-wal';

/** The WAL archive's files, without PostgreSQL: what archive_command and restore_command do with one segment. */
const segmentName = '00000001000000000000002A';
const segmentBytes = 1024 * 1024 + 17;
let scratch: string;
let key: SealedBoxKeyPair;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'qenex-pitr-wal-'));
  key = sealedBoxKeyPair();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function segment(name: string, contents = randomBytes(segmentBytes)): string {
  const path = join(scratch, `${name}-${randomBytes(4).toString('hex')}`);
  writeFileSync(path, contents);
  return path;
}

function archive(name: string): string {
  return mkdtempSync(join(scratch, `archive-${name}-`));
}

describe('archiveWalSegment / restoreWalSegment', () => {
  it('archives a segment encrypted under its name, and restores exactly its bytes', async () => {
    const dir = archive('round-trip');
    const source = segment(segmentName);
    const archived = await archiveWalSegment(source, segmentName, dir, key.publicKey);
    expect(archived).toMatchObject({ ok: true, alreadyArchived: false });
    expect(readdirSync(dir)).toEqual([`${segmentName}.qxwal`]);
    expect(statSync(archivedWalPath(dir, segmentName)).mode & 0o777).toBe(0o600);
    expect(readFileSync(archivedWalPath(dir, segmentName)).includes(readFileSync(source).subarray(0, 64))).toBe(false);
    const target = join(scratch, 'RECOVERYXLOG');
    expect(await restoreWalSegment(segmentName, target, dir, key)).toMatchObject({ ok: true });
    expect(readFileSync(target).equals(readFileSync(source))).toBe(true);
  });

  it('is idempotent: archiving the same segment again succeeds and leaves the archived file as it was', async () => {
    const dir = archive('again');
    const source = segment(segmentName);
    await archiveWalSegment(source, segmentName, dir, key.publicKey);
    const before = readFileSync(archivedWalPath(dir, segmentName));
    expect(await archiveWalSegment(source, segmentName, dir, key.publicKey)).toMatchObject({ ok: true, alreadyArchived: true });
    expect(readFileSync(archivedWalPath(dir, segmentName)).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual([`${segmentName}.qxwal`]);
  });

  it('refuses to replace an archived segment with different contents (wal_archive_conflict)', async () => {
    const dir = archive('conflict');
    await archiveWalSegment(segment(segmentName), segmentName, dir, key.publicKey);
    const before = readFileSync(archivedWalPath(dir, segmentName));
    const result = await archiveWalSegment(segment(segmentName), segmentName, dir, key.publicKey);
    expect(result).toMatchObject({ ok: false, code: 'wal_archive_conflict' });
    expect(readFileSync(archivedWalPath(dir, segmentName)).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual([`${segmentName}.qxwal`]);
  });

  it('refuses a name that is not a WAL file (no path can be smuggled into the archive)', async () => {
    expect(await archiveWalSegment(segment(segmentName), '../../etc/passwd', archive('name'), key.publicKey)).toMatchObject({ ok: false, code: 'wal_name_invalid' });
    expect(['00000002.history', '000000010000000000000002.00000028.backup', '000000010000000000000003.partial', segmentName].every(isWalFileName)).toBe(true);
    expect(['00000001000000000000002a', `${segmentName}/x`, ''].some(isWalFileName)).toBe(false);
  });

  it('refuses an archived segment renamed into another\'s place, a changed one, and one under another key', async () => {
    const dir = archive('restore-refusals');
    await archiveWalSegment(segment(segmentName), segmentName, dir, key.publicKey);
    const other = '00000001000000000000002B';
    renameSync(archivedWalPath(dir, segmentName), archivedWalPath(dir, other));
    const target = join(scratch, 'RECOVERYXLOG-refused');
    expect(await restoreWalSegment(other, target, dir, key)).toMatchObject({ ok: false, code: 'wal_segment_unreadable', refusal: 'backup_corrupted' });
    renameSync(archivedWalPath(dir, other), archivedWalPath(dir, segmentName));
    expect(await restoreWalSegment(segmentName, target, dir, sealedBoxKeyPair())).toMatchObject({ ok: false, code: 'wal_segment_unreadable', refusal: 'backup_wrong_key' });
    const bytes = readFileSync(archivedWalPath(dir, segmentName));
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    writeFileSync(archivedWalPath(dir, segmentName), bytes);
    expect(await restoreWalSegment(segmentName, target, dir, key)).toMatchObject({ ok: false, code: 'wal_segment_unreadable', refusal: 'backup_corrupted' });
    expect(() => statSync(target)).toThrow();
    expect(await restoreWalSegment('00000001000000000000002C', target, dir, key)).toMatchObject({ ok: false, code: 'wal_segment_missing' });
  });
});

describe('pitr-archive.ts as archive_command', () => {
  function runArchiveCommand(command: string, segmentPath: string, fileName: string): Promise<{ code: number; stderr: string }> {
    // As PostgreSQL does: %p, %f and %% substituted in one pass, the line run with sh in its data directory.
    const line = command.replace(/%[pf%]/g, (escape) => (escape === '%p' ? segmentPath : escape === '%f' ? fileName : '%'));
    return new Promise((resolve) => {
      const child = spawn('sh', ['-c', line], { cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    });
  }

  it('exits 0 when the segment is archived (and again for the same segment), 1 for a conflicting one', async () => {
    const loaded = loadBackupKey(join(scratch, 'keys', 'backup-key.json'), { create: true });
    if (!loaded.ok) throw new Error(loaded.message);
    const publicFile = join(scratch, 'keys', 'public key.json');
    writeFileSync(publicFile, publicKeyFile(loaded.key), { mode: 0o600 });
    // A directory name a shell and PostgreSQL's own %-substitution would both mangle unquoted.
    const dir = join(archive('command'), "with space, %p and 'quotes'");
    mkdirSync(dir);
    const command = walArchiveCommand({ archiveDir: dir, publicKeyFile: publicFile });
    const source = segment(segmentName);
    expect(await runArchiveCommand(command, source, segmentName)).toMatchObject({ code: 0 });
    expect(readdirSync(dir)).toEqual([`${segmentName}.qxwal`]);
    expect(await runArchiveCommand(command, source, segmentName)).toMatchObject({ code: 0 });
    const conflict = await runArchiveCommand(command, segment(segmentName), segmentName);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('wal_archive_conflict');
    if (loaded.key.keyPair === null) throw new Error('the test key has its secret half');
    expect(await restoreWalSegment(segmentName, join(scratch, 'restored-by-command'), dir, loaded.key.keyPair)).toMatchObject({ ok: true });
    expect(readFileSync(join(scratch, 'restored-by-command')).equals(readFileSync(source))).toBe(true);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestEndLsn, parseBackupLabel, TarWatcher } from './pitr-tar';

const label = [
  'START WAL LOCATION: 0/2000028 (file 000000010000000000000002)',
  'CHECKPOINT LOCATION: 0/2000060',
  'BACKUP METHOD: streamed',
  'BACKUP FROM: primary',
  'START TIME: 2026-12-01 17:30:43 UTC',
  'LABEL: qenex base',
  'START TIMELINE: 1',
  '',
].join('\n');

/** A tar made by GNU tar (ustar, as pg_basebackup writes), with the members pg_basebackup puts first and last. */
function sampleTar(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'qenex-pitr-tar-'));
  try {
    writeFileSync(join(dir, 'backup_label'), label);
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'big'), Buffer.alloc(5_000, 7));
    writeFileSync(join(dir, 'backup_manifest'), JSON.stringify({ 'WAL-Ranges': [{ Timeline: 1, 'Start-LSN': '0/2000028', 'End-LSN': '0/2000100' }] }));
    return execFileSync('tar', ['--format=ustar', '-c', '-f', '-', '-C', dir, 'backup_label', 'base', 'backup_manifest']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('TarWatcher', () => {
  it('keeps the wanted members whatever the chunk boundaries, and sees the end', () => {
    const tar = sampleTar();
    for (const chunkBytes of [1, 7, 511, 512, 513, 4096, tar.length]) {
      const watcher = new TarWatcher({ wanted: new Map([['backup_label', 1024], ['backup_manifest', 1024]]) });
      for (let at = 0; at < tar.length; at += chunkBytes) watcher.push(tar.subarray(at, at + chunkBytes));
      expect(watcher.captured.get('backup_label')?.toString('utf8')).toBe(label);
      expect(manifestEndLsn(watcher.captured.get('backup_manifest')!)).toBe('0/2000100');
      expect(watcher.members).toBe(4);
      expect(watcher.ended).toBe(true);
    }
  });

  it('names a wanted member larger than its limit instead of keeping it', () => {
    const watcher = new TarWatcher({ wanted: new Map([['backup_label', 10]]) });
    watcher.push(sampleTar());
    expect(watcher.captured.has('backup_label')).toBe(false);
    expect([...watcher.oversized]).toEqual(['backup_label']);
  });
});

describe('parseBackupLabel', () => {
  it('reads where recovery starts', () => {
    expect(parseBackupLabel(label)).toEqual({ startLsn: '0/2000028', startWalFile: '000000010000000000000002', checkpointLsn: '0/2000060', startTimeline: 1, startTime: '2026-12-01 17:30:43 UTC', label: 'qenex base' });
    expect(parseBackupLabel('not a label')).toBeUndefined();
  });
});

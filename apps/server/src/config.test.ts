import { describe, expect, it } from 'vitest';
import { backupIntervalMsMin, ConfigError, parseBackupInterval, readConfig } from './config';

describe('server configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ databaseUrl: null, redisUrl: null, port: 8080, demo: true, host: '127.0.0.1' });
  });

  it('names the variable and the expected form for each bad value, without echoing URLs', () => {
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT must be a whole number from 0 to 65535/);
    expect(() => readConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => readConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL must start with postgres:/);
    expect(() => readConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
    expect(() => readConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL is not a URL/);
    expect(() => readConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => readConfig({ QENEX_BATCH_WAIT_MS: '-1' })).toThrow(/QENEX_BATCH_WAIT_MS/);
    expect(() => readConfig({ QENEX_AUDIT_ANCHOR_MS: '1m' })).toThrow(/QENEX_AUDIT_ANCHOR_MS must be a whole number from 0 to 86400000/);
  });

  it('anchors the audit head every minute unless told otherwise, and never when told 0', () => {
    expect(readConfig({}).auditAnchorMs).toBe(60_000);
    expect(readConfig({ QENEX_AUDIT_ANCHOR_MS: '5000' }).auditAnchorMs).toBe(5_000);
    expect(readConfig({ QENEX_AUDIT_ANCHOR_MS: '0' }).auditAnchorMs).toBe(0);
  });

  it('turns the demo off for a real database unless asked', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://127.0.0.1/x' }).demo).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://127.0.0.1/x', QENEX_DEMO: 'true' }).demo).toBe(true);
  });
});

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

describe('QENEX_BACKUP_INTERVAL', () => {
  it('takes a whole number of minutes, hours or days', () => {
    expect(parseBackupInterval('30m')).toBe(30 * minuteMs);
    expect(parseBackupInterval('6h')).toBe(6 * hourMs);
    expect(parseBackupInterval('1d')).toBe(24 * hourMs);
    expect(parseBackupInterval('15m')).toBe(backupIntervalMsMin);
    expect(readConfig({ DATABASE_URL: 'postgres://127.0.0.1/x', QENEX_BACKUP_INTERVAL: '6h' }).backupIntervalMs).toBe(6 * hourMs);
    expect(readConfig({}).backupIntervalMs).toBeNull();
  });

  it.each(['6', '6H', '1.5h', '6h30m', ' 6h', '06h', '0h', '10m', '8d', '-1h', '1w', '6 h'])('refuses %j', (raw) => {
    expect(() => parseBackupInterval(raw)).toThrow(ConfigError);
    expect(() => parseBackupInterval(raw)).toThrow(/QENEX_BACKUP_INTERVAL must be a whole number of minutes, hours or days/);
  });

  it('needs DATABASE_URL: pg_dump cannot back up the embedded database', () => {
    expect(() => readConfig({ QENEX_BACKUP_INTERVAL: '6h' })).toThrow(/QENEX_BACKUP_INTERVAL needs DATABASE_URL/);
  });

  it('keeps backups by count and age as configured', () => {
    expect(readConfig({})).toMatchObject({ backupsKeptMax: 30, backupAgeMaxDays: 35, backupDir: '.qenex/server/backups', backupKeyFile: '.qenex/server/backup-key.json' });
    expect(readConfig({ QENEX_BACKUPS_KEPT_MAX: '7', QENEX_BACKUP_AGE_MAX_DAYS: '10', QENEX_BACKUP_DIR: '/srv/b' })).toMatchObject({ backupsKeptMax: 7, backupAgeMaxDays: 10, backupDir: '/srv/b' });
    expect(() => readConfig({ QENEX_BACKUPS_KEPT_MAX: '0' })).toThrow(/QENEX_BACKUPS_KEPT_MAX must be a whole number from 1/);
  });
});

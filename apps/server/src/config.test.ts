import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config';

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

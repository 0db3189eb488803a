import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

describe('server smoke', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
    await dropTestDatabase();
  });

  it('signs in, reads balanced totals, and serves its OpenAPI document', async () => {
    const token = await t.signIn('olivia');
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token });
    expect(totals.status).toBe(200);
    expect(totals.body.every((ledger: { balanced: boolean }) => ledger.balanced)).toBe(true);
    const openapi = await t.request('GET', '/api/v1/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/api/v1/transfers');
    const anonymous = await t.request('GET', '/api/v1/ledger/totals');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(anonymous.body.code).toBe('session_missing');
  });

  it('keeps a test server\'s key file in its own data directory, which close() removes; a key file the test passes stays the test\'s', async () => {
    const own = await startTestServer();
    const ownKeys = own.config.serverKeysFile;
    try {
      expect(dirname(ownKeys)).toBe(own.config.dataDir);
      expect(existsSync(ownKeys)).toBe(true);
    } finally {
      await own.close();
    }
    expect(existsSync(own.config.dataDir)).toBe(false);
    expect(existsSync(ownKeys)).toBe(false);

    const directory = mkdtempSync(join(tmpdir(), 'qenex-smoke-keys-'));
    try {
      const keysFile = join(directory, 'server-keys.json');
      const passed = await startTestServer({ keysFile });
      await passed.close();
      expect(passed.config.serverKeysFile).toBe(keysFile);
      expect(existsSync(keysFile)).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

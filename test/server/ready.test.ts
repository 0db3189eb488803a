import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPorts } from '@qenex/engine/redis';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

/**
 * Readiness tells a load balancer whether to send traffic, and it is public: when a dependency is
 * down it says so with a generic sentence, never the driver's message (which can name hosts, ports
 * and users). The cause goes to the server's log.
 */
describe('/ready when a dependency is gone', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let kv: RedisPorts;
  let t: TestServer;

  beforeAll(async () => {
    kv = await RedisPorts.connect(redisUrl, { keyPrefix: `qenex-test:${randomBytes(6).toString('hex')}:` });
    t = await startTestServer({ kv });
  });
  afterAll(async () => {
    await t.close();
    await dropTestDatabase();
  });

  it('answers 200 while Redis is there, then 503 unavailable with a generic detail once it is closed', async () => {
    expect((await t.request('GET', '/ready')).status).toBe(200);
    await kv.purge();
    await kv.close();
    const reply = await t.request('GET', '/ready');
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ code: 'unavailable', detail: 'A dependency of the server is not reachable; try again shortly.' });
    expect(JSON.stringify(reply.body)).not.toMatch(/redis|6379|127\.0\.0\.1|connection|closed/i);
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});

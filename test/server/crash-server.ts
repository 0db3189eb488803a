/**
 * The process the server crash test kills: `node --import tsx crash-server.ts`, configured from
 * the environment exactly as the real server is (`readConfig(process.env)` + `startServer`).
 * Prints `listening <address>` once it takes requests. Two test-only touches: cheap password
 * hashing, and, when QENEX_TEST_KV_PREFIX is set, Redis keys under that prefix of its own (so the
 * test can purge what it made without touching anyone else's keys). SIGTERM stops it gracefully.
 */
import type { KvPorts } from '@qenex/engine';
import { RedisPorts } from '@qenex/engine/redis';
import { readConfig, startServer } from '@qenex/server';

const testPasswordCost = 1024;

const config = readConfig(process.env);
const prefix = process.env.QENEX_TEST_KV_PREFIX;
const kv: KvPorts | undefined =
  prefix !== undefined && prefix !== '' && config.redisUrl !== null ? await RedisPorts.connect(config.redisUrl, { keyPrefix: prefix }) : undefined;
const server = await startServer(config, { passwordCost: testPasswordCost, ...(kv === undefined ? {} : { kv }) });
// stdout on a pipe is synchronous on POSIX: the line has left this process when write returns.
process.stdout.write(`listening ${server.address}\n`);

process.once('SIGTERM', () => {
  void server
    .close()
    .then(() => kv?.close())
    .then(() => process.exit(0));
});

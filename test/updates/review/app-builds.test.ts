/**
 * Review: app builds through the real workstation UpdateAgent over the real HTTP file route.
 *
 * 1. Builds are staged in the order of `wanted.sort()` (string order of paths) and each one staged
 *    replaces staged.json, so with 0.9.0 and 0.10.0 published the workstation stages 0.9.0 — and
 *    because 0.10.0 is then recorded as installed, it is never fetched again.
 * 2. A staged build that `takeStagedBuild` deletes (torn write, edited on disk) is never fetched
 *    again: its installedContent record (kind app_build, in_force, same sha256) says it is installed.
 * 3. `appStaged` is never cleared (checkOnce keeps `loaded.record.appStaged`), so a workstation
 *    running 0.10.0 still reports 0.9.0 staged — an older build than it runs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, encodeBase64url } from '@qenex/engine';
import { takeStagedBuild, UpdateAgent } from '../../../apps/desktop/src/node/update-agent';
import { registerUpdateFiles } from '../../../apps/server/src/update/service';
import { makeFixture, type Fixture } from './fixture';

let f: Fixture;
let app: FastifyInstance;
let serverUrl: string;
let stagingDir: string;

function agent(appVersion: string): UpdateAgent {
  return new UpdateAgent({
    engine: f.books.engine,
    storage: f.storage,
    clock: f.books.clock,
    serverUrl,
    deviceId: 'ws-review',
    branchId: f.books.bank.branchId,
    keyVersion: 1,
    signingSeed: encodeBase64url(new Uint8Array(64).fill(7)),
    pinnedRoot: f.pinned,
    appVersion,
    platform: 'linux-x64',
    stagingDir,
  });
}

beforeAll(async () => {
  f = await makeFixture('builds');
  app = Fastify();
  registerUpdateFiles(app, f.repository.directory);
  await app.listen({ host: '127.0.0.1', port: 0 });
  serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  stagingDir = join(f.dir, 'staging');
  await mkdir(stagingDir, { recursive: true });
  const now = f.books.clock.nowMs();
  await f.repository.addTarget('targets', 'app/linux-x64/qenex-0.9.0.zip', new TextEncoder().encode('build 0.9.0'), now);
  await f.repository.addTarget('targets', 'app/linux-x64/qenex-0.10.0.zip', new TextEncoder().encode('build 0.10.0'), now);
  await f.sign('targets', 'ada');
  await f.repository.publish(now);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await f?.close();
});

describe('staging app builds', () => {
  it('stages the newest build published (0.10.0), not the last in string order (0.9.0)', async () => {
    const outcome = await agent('0.8.0').checkNow();
    expect(outcome.kind).toBe('up_to_date');
    const staged = JSON.parse(await readFile(join(stagingDir, 'staged.json'), 'utf8')) as { version: string };
    expect(staged.version).toBe('0.10.0');
  });

  it('fetches a build again after takeStagedBuild deleted a damaged copy', async () => {
    const described = JSON.parse(await readFile(join(stagingDir, 'staged.json'), 'utf8')) as { version: string; file: string };
    await writeFile(described.file, 'damaged on disk');
    expect(await takeStagedBuild(stagingDir, '0.8.0')).toBeNull();
    const outcome = await agent('0.8.0').checkNow();
    expect(outcome.kind).toBe('up_to_date');
    // Expected: the verified build is staged again for the next start.
    expect(await takeStagedBuild(stagingDir, '0.8.0')).not.toBeNull();
  });

  it('after the staged build is running, the report no longer says a build is staged', async () => {
    // The workstation restarted on the build it staged.
    const report = await agent('0.10.0').report();
    expect(report.app.running).toBe('0.10.0');
    // Staged means "waiting for the next start": never a build older than (or the same as) the one running.
    expect(report.app.staged === null || compareVersions(report.app.staged, report.app.running) > 0 ? 'ok' : `staged ${report.app.staged} while running ${report.app.running}`).toBe('ok');
  });
});

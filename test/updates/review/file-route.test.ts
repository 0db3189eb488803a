/**
 * Review: `GET /api/v1/updates/files/*` and DirectoryFetcher against names a client or a mirror
 * controls. Traversal spellings must all be 404 and never serve `staged/` or `online-key.json`;
 * a name that is a directory in the repository must be a 404, not a 5xx.
 */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContentDocument, standInPath } from '@qenex/engine';
import { DirectoryFetcher, registerUpdateFiles } from '../../../apps/server/src/update/service';
import { makeFixture, type Fixture } from './fixture';

let f: Fixture;
let app: FastifyInstance;

beforeAll(async () => {
  f = await makeFixture('route');
  // A draft waiting, so staged/ exists with a draft and a staged file.
  await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(1, '20000')), f.books.clock.nowMs());
  await f.sign('targets', 'ada');
  await f.repository.publish(f.books.clock.nowMs());
  await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '10000')), f.books.clock.nowMs());
  app = Fastify();
  registerUpdateFiles(app, f.repository.directory);
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await f?.close();
});

const traversals = [
  'metadata/../online-key.json',
  'metadata/%2e%2e/online-key.json',
  'metadata/%2E%2E%2Fonline-key.json',
  'metadata%2f..%2fonline-key.json',
  'metadata/..%5conline-key.json',
  'metadata\\..\\online-key.json',
  'targets/..%2f..%2fonline-key.json',
  'targets/%2e%2e/staged/targets.json',
  'targets/../staged/targets.json',
  'metadata//../online-key.json',
  'metadata/.%2e/online-key.json',
  '%2e%2e/online-key.json',
  'online-key.json',
  'staged/targets.json',
  'metadata/%00',
  'targets/%c0%ae%c0%ae/online-key.json',
];

describe('the file route', () => {
  it.each(traversals)('GET %s is a 4xx, never the online key or a draft', async (name) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/updates/files/${name}` });
    expect([400, 404]).toContain(response.statusCode);
    expect(response.body).not.toContain('seed');
    expect(response.body).not.toContain('"signed"');
  });

  it('(holds) serves a published file', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/updates/files/metadata/1.root.json' });
    expect(response.statusCode).toBe(200);
  });

  it.each(['targets/content', 'targets/content/stand-in'])('GET %s (a directory of the repository) is a 404, not a 5xx', async (name) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/updates/files/${name}` });
    expect(response.statusCode).toBe(404);
  });

  it('DirectoryFetcher answers not_found for a directory name rather than throwing', async () => {
    await expect(new DirectoryFetcher(f.repository).fetch('targets/content', 1_000_000)).resolves.toMatchObject({ ok: false });
  });

  it('a symlink planted under targets/ is not followed: the online key never leaves through the route', async () => {
    await symlink(join(f.repository.directory, 'online-key.json'), join(f.repository.directory, 'targets', 'leak.json'));
    const response = await app.inject({ method: 'GET', url: '/api/v1/updates/files/targets/leak.json' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('seed');
    await expect(new DirectoryFetcher(f.repository).fetch('targets/leak.json', 1_000_000)).resolves.toEqual({ ok: false, code: 'not_found' });
  });
});

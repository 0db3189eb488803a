/**
 * `update publish` (the admin CLI, its own process) and the server's UpdateService refresh (every
 * 30 s, the server process) both write `metadata/<N+1>.snapshot.json` and the timestamp. Found in
 * review: with nothing between them, a refresh landing between publish's snapshot and its timestamp
 * overwrote the snapshot the new timestamp names, and every branch was refused. Here the server's
 * refresh (a second UpdateRepository on the same directory) is started in exactly that window; the
 * repository lock makes it wait for the publish, and the branch gets what was published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContentDocument, standInPath } from '@qenex/engine';
import { UpdateRepository } from '../../../apps/server/src/update/repository';
import { dayMs, makeFixture, publishPolicyAndList, type Fixture } from './fixture';

let f: Fixture;

beforeAll(async () => {
  f = await makeFixture('race');
  await publishPolicyAndList(f);
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
}, 120_000);

afterAll(async () => f?.close());

describe('publish racing the online re-sign', () => {
  it('a publish that reports success is what the branches get next, whatever the server re-signs meanwhile', async () => {
    f.books.clock.advance(4 * dayMs); // the snapshot is past half its life: the server's refresh re-signs it
    await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    const now = f.books.clock.nowMs();
    const server = new UpdateRepository(f.repository.directory);
    const admin = f.repository as unknown as { signTimestamp: (...args: unknown[]) => Promise<void> };
    const original = admin.signTimestamp.bind(f.repository);
    let interleaved = false;
    let refreshing: Promise<unknown> | null = null;
    admin.signTimestamp = async (...args: unknown[]) => {
      if (!interleaved) {
        interleaved = true;
        refreshing = server.refresh(now);
        // Long enough for the refresh to reach the lock (and, without one, to write its snapshot).
        await new Promise((done) => setTimeout(done, 300));
      }
      return original(...args);
    };
    const published = await f.repository.publish(now);
    admin.signTimestamp = original;
    // The refresh waited for the publish, then found the snapshot publish had just signed: nothing due.
    expect(await refreshing).toBeNull();
    expect(published.published).toEqual(['targets']);
    const outcome = await f.client().check();
    const installed = await f.storage.read((tx) => tx.banking.get('installedContent', standInPath(f.books.bank.branchId)));
    expect({ outcome: outcome.kind === 'refused' ? outcome.refusal : outcome.kind, version: installed?.version }).toEqual({ outcome: 'up_to_date', version: 'v2' });
  });
});

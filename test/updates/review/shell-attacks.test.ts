/**
 * Review: the UpdateClient shell against a hostile mirror, a hostile server (its online key), and
 * an edited store. Most of these hold; one does not: installed content is never checked against
 * the sha256 it was installed under, so an edited `installedContent` body stays in force and the
 * next check does not repair it (the client compares only the stored sha256 field).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  encodeContentDocument,
  encodeHex,
  encodeMetadataFile,
  encodeSanctionsList,
  repositoryNames,
  sanctionsPath,
  signMetadata,
  standInPath,
  tufSpecVersion,
  type FetchResult,
  type TargetsMetadata,
} from '@qenex/engine';
import { HttpUpdateFetcher } from '@qenex/engine/http';
import { DirectoryFetcher } from '../../../apps/server/src/update/service';
import { amaraDeposit, makeFixture, MirrorFetcher, publishPolicyAndList, type Fixture } from './fixture';

let f: Fixture;

beforeAll(async () => {
  f = await makeFixture('shell');
  await publishPolicyAndList(f);
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
}, 120_000);

afterAll(async () => f?.close());

const inForce = (path: string) => f.storage.read((tx) => tx.banking.get('installedContent', path));

async function snapshotVersion(): Promise<number> {
  return (await f.repository.currentSnapshot())!.signed.version;
}

describe('a hostile mirror', () => {
  it('(holds) an older snapshot served under the name the timestamp points at is refused', async () => {
    const old = (await f.repository.readFile(repositoryNames.role('snapshot', 1)))!;
    await f.repository.signSnapshotAndTimestamp(f.books.clock.nowMs());
    const name = repositoryNames.role('snapshot', await snapshotVersion());
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked) => (asked === name ? { ok: true, bytes: old } : undefined));
    expect(await f.client({ fetcher: mirror }).check()).toMatchObject({ kind: 'refused', refusal: { role: 'snapshot' } });
    expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
  });

  it('(holds) an older targets file served under the current name is refused', async () => {
    const snapshot = (await f.repository.currentSnapshot())!;
    const current = snapshot.signed.meta['targets.json']!.version;
    const old = (await f.repository.readFile(repositoryNames.role('targets', current - 1)))!;
    // Make the client fetch targets again: forget them in the store.
    const record = (await f.storage.read((tx) => tx.banking.get('updateTrust', 'local')))!;
    await f.storage.transaction((tx) => tx.banking.put('updateTrust', { ...record, targets: null }));
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked) => (asked === repositoryNames.role('targets', current) ? { ok: true, bytes: old } : undefined));
    expect(await f.client({ fetcher: mirror }).check()).toMatchObject({ kind: 'refused', refusal: { role: 'targets' } });
    expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
  });

  it('(holds) a huge timestamp is refused unread past the cap', async () => {
    let capAsked = -1;
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked, maxBytes) => {
      if (asked !== repositoryNames.timestamp) return undefined;
      capAsked = maxBytes;
      return { ok: false, code: 'too_large' };
    });
    expect(await f.client({ fetcher: mirror }).check()).toMatchObject({ kind: 'refused', refusal: { role: 'timestamp' } });
    expect(capAsked).toBe(64 * 1024);
  });

  it('(holds) endless root files stop at the rotation cap', async () => {
    const junk = new TextEncoder().encode('{}');
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked) => (/^metadata\/\d+\.root\.json$/.test(asked) && asked !== repositoryNames.root(1) ? { ok: true, bytes: junk } : undefined));
    expect(await f.client({ fetcher: mirror }).check()).toMatchObject({ kind: 'refused', refusal: { code: 'too_many_roots' } });
    expect(mirror.asked.filter((name) => name.endsWith('.root.json')).length).toBeLessThanOrEqual(257);
    expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
  });

  it('(holds) HttpUpdateFetcher cuts an endless body and a lying content-length at the cap', async () => {
    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 1;
            controller.enqueue(new Uint8Array(16 * 1024));
          },
        }),
        { status: 200, headers: { 'content-length': '10' } },
      );
    const fetcher = new HttpUpdateFetcher('http://mirror.invalid', (async () => endless()) as typeof fetch);
    const result: FetchResult = await fetcher.fetch('metadata/timestamp.json', 64 * 1024);
    expect(result).toEqual({ ok: false, code: 'too_large' });
    expect(pulled).toBeLessThan(10);
    const declared = new HttpUpdateFetcher('http://mirror.invalid', (async () => new Response('x', { status: 200, headers: { 'content-length': String(10 ** 12) } })) as typeof fetch);
    expect(await declared.fetch('metadata/timestamp.json', 64 * 1024)).toEqual({ ok: false, code: 'too_large' });
  });
});

describe('an edited store', () => {
  it('(holds) a trust record whose timestamp was swapped for another file is not believed', async () => {
    const record = (await f.storage.read((tx) => tx.banking.get('updateTrust', 'local')))!;
    await f.storage.transaction((tx) => tx.banking.put('updateTrust', { ...record, timestamp: record.snapshot }));
    expect((await f.client().load()).state.timestamp).toBeNull();
    await f.storage.transaction((tx) => tx.banking.put('updateTrust', record));
  });

  it('an installed list whose body was edited in the store (sha256 field kept) must not stay in force', async () => {
    // The server's own books here; a workstation's SQLite file is the same shape.
    const listPath = sanctionsPath('review-list');
    // No money command has run in this process yet, so the screening index is built from the store (as after a restart).
    const installed = (await inForce(listPath))!;
    const edited = encodeSanctionsList(f.sanctions('review-list', '2026-11-30', ['Nobody At All']));
    await f.storage.transaction((tx) => tx.banking.put('installedContent', { ...installed, body: edited }));
    const outcome = await f.client().check();
    const deposit = await amaraDeposit(f);
    await f.storage.transaction((tx) => tx.banking.put('installedContent', installed));
    // Expected: the edited body is detected (its hash is not the signed one) and the signed file installed again, or the command refused.
    expect({ outcome: outcome.kind, deposit: deposit.ok ? 'ok' : deposit.code }).toEqual({ outcome: 'up_to_date', deposit: 'sanctions_match' });
  });
});

describe('a hostile server (online snapshot key) with the compliance key', () => {
  it('(holds) compliance-signed metadata naming a stand-in policy or an app build is refused; nothing of it installed', async () => {
    const previous = (await f.repository.currentTargets('compliance'))!.signed;
    const policy = encodeContentDocument(f.standIn(7, '999999999'));
    const build = new TextEncoder().encode('evil build');
    const list = new TextEncoder().encode(encodeSanctionsList(f.sanctions('review-list', '2026-12-02', ['Someone Else'])));
    const info = (bytes: Uint8Array) => ({ length: bytes.length, hashes: { sha256: encodeHex(sha256(bytes)) } });
    const signed: TargetsMetadata = {
      _type: 'targets',
      spec_version: tufSpecVersion,
      version: previous.version + 1,
      expires: '2027-06-01T00:00:00Z',
      targets: { [sanctionsPath('review-list')]: info(list), [standInPath(f.books.bank.branchId)]: info(policy), 'app/linux-x64/qenex-9.9.9.zip': info(build) },
    };
    const file = encodeMetadataFile({ signed, signatures: [signMetadata('compliance', signed, f.admins.dee)] });
    const dir = f.repository.directory;
    await writeFile(join(dir, 'metadata', `${signed.version}.compliance.json`), file);
    for (const [path, bytes] of [[sanctionsPath('review-list'), list], [standInPath(f.books.bank.branchId), policy], ['app/linux-x64/qenex-9.9.9.zip', build]] as const) {
      const name = join(dir, repositoryNames.target(path, info(bytes).hashes.sha256));
      await mkdir(dirname(name), { recursive: true });
      await writeFile(name, bytes);
    }
    await mkdir(join(dir, 'staged'), { recursive: true });
    await writeFile(join(dir, 'staged', 'compliance.json'), JSON.stringify({ signed, signatures: [] }));
    await f.repository.signSnapshotAndTimestamp(f.books.clock.nowMs(), ['compliance']);
    const staged: string[] = [];
    const outcome = await f.client({ wants: () => true, stageApp: async (path) => (staged.push(path), '9.9.9') }).check();
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'path_not_delegated', role: 'compliance' } });
    expect((await inForce(standInPath(f.books.bank.branchId)))?.version).toBe('v1');
    expect((await inForce(sanctionsPath('review-list')))?.version).toBe('2026-11-30');
    expect(staged).toEqual([]);
  });
});

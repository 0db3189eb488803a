/**
 * Review: the update client decides what is still published (and so what to withdraw) from the
 * paths listed in delegated targets files it has fetched but NOT verified (`targetsOf` in
 * app/update/client.ts reads any bytes). A delegated role is verified only when a wanted path
 * resolves through it, so a mirror that serves garbage for `metadata/N.compliance.json` makes the
 * client believe compliance lists nothing: every compliance-signed sanctions list is withdrawn, the
 * check reports `up_to_date`, and screening is off. The reverse (a forged file that lists a
 * withdrawn path) keeps withdrawn content in force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMetadataFile, repositoryNames, sanctionsPath, standInPath } from '@qenex/engine';
import { DirectoryFetcher } from '../../../apps/server/src/update/service';
import { amaraDeposit, makeFixture, MirrorFetcher, publishPolicyAndList, type Fixture } from './fixture';

let f: Fixture;

beforeAll(async () => {
  f = await makeFixture('delegation');
  await publishPolicyAndList(f);
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
  expect(await amaraDeposit(f)).toMatchObject({ ok: false, code: 'sanctions_match' });
}, 120_000);

afterAll(async () => f?.close());

/** The name of the compliance metadata the current snapshot points at. */
async function complianceName(): Promise<string> {
  const snapshot = (await f.repository.currentSnapshot())!;
  return repositoryNames.role('compliance', snapshot.signed.meta['compliance.json']!.version);
}

describe('delegated targets fetched but never verified', () => {
  it('a mirror serving garbage for the compliance metadata must not withdraw the sanctions list (it does: screening switched off, check says up_to_date)', async () => {
    const name = await complianceName();
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked) => (asked === name ? { ok: true, bytes: new TextEncoder().encode('x') } : undefined));
    const outcome = await f.client({ fetcher: mirror }).check();
    const installed = await f.storage.read((tx) => tx.banking.get('installedContent', sanctionsPath('review-list')));
    const deposit = await amaraDeposit(f);
    // Restore for later tests whatever happened.
    await f.client().check();
    // Expected of a TUF client: the forged compliance file is refused (hash_mismatch / malformed), nothing is withdrawn.
    expect({ outcome: outcome.kind, status: installed?.status, deposit: deposit.ok ? 'ok' : deposit.code }).toEqual({ outcome: 'refused', status: 'in_force', deposit: 'sanctions_match' });
  });

  it('a forged (unsigned) compliance file listing a withdrawn stand-in policy must not keep it in force', async () => {
    // The admins withdraw the branch's stand-in policy.
    await f.repository.removeTarget('targets', standInPath(f.books.bank.branchId), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    await f.repository.publish(f.books.clock.nowMs());
    const name = await complianceName();
    const forged = encodeMetadataFile({ signed: { targets: { [standInPath(f.books.bank.branchId)]: { length: 1, hashes: { sha256: '0'.repeat(64) } } } }, signatures: [] } as never);
    const mirror = new MirrorFetcher(new DirectoryFetcher(f.repository), (asked) => (asked === name ? { ok: true, bytes: forged } : undefined));
    const outcome = await f.client({ fetcher: mirror }).check();
    const installed = await f.storage.read((tx) => tx.banking.get('installedContent', standInPath(f.books.bank.branchId)));
    // Expected: refused, or the policy withdrawn; never "up to date" with the withdrawn policy still in force.
    expect(outcome.kind === 'refused' || installed?.status === 'withdrawn').toBe(true);
  });

  it('(holds) without the mirror, the same withdrawal goes through', async () => {
    expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
    const installed = await f.storage.read((tx) => tx.banking.get('installedContent', standInPath(f.books.bank.branchId)));
    expect(installed?.status).toBe('withdrawn');
    expect((await f.storage.read((tx) => tx.banking.get('installedContent', sanctionsPath('review-list'))))?.status).toBe('in_force');
  });
});

/**
 * Review: what `UpdateRepository.publish` accepts.
 *
 * Defect: a draft may list a target whose file is neither staged nor already published
 * (`stagedTargetFiles` skips a missing staged file with `continue`); publish succeeds and every
 * client's next check is refused (`not_found`) — and because one check installs everything or
 * nothing, no other update (a new sanctions list, a tighter stand-in policy) reaches any branch
 * until the admins notice and publish again.
 *
 * Holds: root rotation needs the old root threshold; a targets version cannot go back or skip; a
 * staged file changed after signing is refused; a draft changed after signing is refused.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContentDocument, encodeSanctionsList, repositoryNames, sanctionsPath, standInPath, tufKey } from '@qenex/engine';
import { RepositoryError } from '../../../apps/server/src/update/repository';
import { makeFixture, publishPolicyAndList, type Fixture } from './fixture';

let f: Fixture;

beforeAll(async () => {
  f = await makeFixture('publish');
  await publishPolicyAndList(f);
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
}, 120_000);

afterAll(async () => f?.close());

async function clearDrafts(): Promise<void> {
  await rm(join(f.repository.directory, 'staged'), { recursive: true, force: true });
}

describe('publish refuses', () => {
  it('(holds) a root rotation signed by the new root keys but only one of the old', async () => {
    await f.repository.draftRootRotation({ keys: [tufKey(f.admins.cy.publicKeys), tufKey(f.admins.dee.publicKeys)], threshold: 2 }, f.books.clock.nowMs());
    await f.sign('root', 'cy', 'dee');
    await expect(f.repository.publish(f.books.clock.nowMs())).rejects.toMatchObject({ code: 'threshold_not_met' });
    await clearDrafts();
  });

  it('(holds) a root draft whose version skips ahead, even signed by everyone', async () => {
    const file = await f.repository.draftRootRotation({ keys: [tufKey(f.admins.ada.publicKeys), tufKey(f.admins.ben.publicKeys)], threshold: 2 }, f.books.clock.nowMs());
    const draft = JSON.parse(await readFile(file, 'utf8'));
    draft.signed.version = 5;
    await writeFile(file, JSON.stringify(draft));
    await f.sign('root', 'ada', 'ben', 'cy');
    await expect(f.repository.publish(f.books.clock.nowMs())).rejects.toBeInstanceOf(RepositoryError);
    await clearDrafts();
  });

  it.each([1, 2, 4])('(holds) a targets draft of version %i (published is 2: it must be 3)', async (version) => {
    const file = await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    const draft = JSON.parse(await readFile(file, 'utf8'));
    draft.signed.version = version;
    await writeFile(file, JSON.stringify(draft));
    await f.sign('targets', 'ada');
    await expect(f.repository.publish(f.books.clock.nowMs())).rejects.toMatchObject({ code: 'version_mismatch' });
    await clearDrafts();
  });

  it('(holds) a staged file changed after the draft was signed', async () => {
    await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    await writeFile(join(f.repository.directory, 'staged', 'targets', standInPath(f.books.bank.branchId)), encodeContentDocument(f.standIn(2, '99999999')));
    await expect(f.repository.publish(f.books.clock.nowMs())).rejects.toMatchObject({ code: 'staged_file_changed' });
    await clearDrafts();
  });

  it('(holds) a draft whose signed part was edited after signing', async () => {
    const file = await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    const draft = JSON.parse(await readFile(file, 'utf8'));
    draft.signed.expires = '2099-01-01T00:00:00Z';
    await writeFile(file, JSON.stringify(draft));
    await expect(f.repository.publish(f.books.clock.nowMs())).rejects.toMatchObject({ code: 'bad_signature' });
    await clearDrafts();
  });

  it('a draft listing a target whose file is neither staged nor published (publish succeeds; every branch is then stuck)', async () => {
    // compliance stages a new list, and the targets admins a tighter policy whose staged file went missing.
    await f.repository.addTarget('compliance', sanctionsPath('review-list'), new TextEncoder().encode(encodeSanctionsList(f.sanctions('review-list', '2026-12-01', ['Amara Okafor', 'Lukas Brandt']))), f.books.clock.nowMs());
    await f.sign('compliance', 'dee');
    await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    await rm(join(f.repository.directory, 'staged', 'targets', standInPath(f.books.bank.branchId)));
    let publishError: unknown = null;
    try {
      await f.repository.publish(f.books.clock.nowMs());
    } catch (error) {
      publishError = error;
    }
    const info = (await f.repository.currentTargets('targets'))!.signed.targets[standInPath(f.books.bank.branchId)]!;
    const served = existsSync(join(f.repository.directory, repositoryNames.target(standInPath(f.books.bank.branchId), info.hashes.sha256)));
    const outcome = await f.client().check();
    // Expected: publish refuses (nothing written), so branches keep updating.
    expect({ refused: publishError instanceof RepositoryError, served, outcome: outcome.kind }).toEqual({ refused: true, served: true, outcome: 'up_to_date' });
  });
});

/**
 * Review: signed target files that verify (length, hash, signatures) but are not valid documents.
 *
 * Holds: a `content_invalid` document changes nothing of one check (the valid file beside it is
 * not installed either).
 * Defect 1: the refusal is not recorded and check() throws. UpdateClient.install retries with
 * `path = /^(\S+)/.exec(message)` and update.install's messages are "<path>: <reason>", so the
 * path keeps its ":"; refusalSchema's path regex refuses it (invalid_input) and install() throws.
 * Defect 2: a signed file that is not valid UTF-8 throws out of `check()` (TextDecoder fatal in
 * downloadTargets) instead of becoming a `content_invalid` refusal: no refusal is recorded, the
 * server's UpdateService only logs "update check failed", and the workstation's report says nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContentDocument, sanctionsPath, standInPath } from '@qenex/engine';
import { makeFixture, publishPolicyAndList, type Fixture } from './fixture';

let f: Fixture;

beforeAll(async () => {
  f = await makeFixture('content');
  await publishPolicyAndList(f);
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
}, 120_000);

afterAll(async () => f?.close());

const inForce = (path: string) => f.storage.read((tx) => tx.banking.get('installedContent', path));

describe('content that verifies but does not parse', () => {
  it('an invalid list beside a valid new policy: check() answers refused content_invalid (it throws: the retry\'s refusal.path keeps the ":" of "<path>: <message>")', async () => {
    await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(2, '15000')), f.books.clock.nowMs());
    await f.sign('targets', 'ada');
    await f.repository.addTarget('compliance', sanctionsPath('broken-list'), new TextEncoder().encode('{"kind":"qenex.sanctions-list","schema":1}'), f.books.clock.nowMs());
    await f.sign('compliance', 'dee');
    await f.repository.publish(f.books.clock.nowMs());
    let outcome: unknown;
    try {
      outcome = await f.client().check();
    } catch (error) {
      outcome = { threw: String(error) };
    }
    // Nothing of the check took effect, as intended…
    expect((await inForce(standInPath(f.books.bank.branchId)))?.version).toBe('v1');
    expect(await inForce(sanctionsPath('broken-list'))).toBeUndefined();
    const refusal = (await f.client().report('ws')).refusal;
    // Put the repository right for the next test whatever happened.
    await f.repository.removeTarget('compliance', sanctionsPath('broken-list'), f.books.clock.nowMs());
    await f.sign('compliance', 'dee');
    await f.repository.publish(f.books.clock.nowMs());
    expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
    expect((await inForce(standInPath(f.books.bank.branchId)))?.version).toBe('v2');
    // …but the refusal must be an answer and be recorded (the workstation agent sends no report when check() throws).
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'content_invalid', path: sanctionsPath('broken-list') } });
    expect(refusal).toMatchObject({ code: 'content_invalid' });
  });

  it('a signed file that is not UTF-8 is refused as content_invalid, not thrown', async () => {
    // "Müller" in Latin-1, as an export from an old system would write it.
    const latin1 = Uint8Array.from([...new TextEncoder().encode('{"name":"M'), 0xfc, ...new TextEncoder().encode('ller"}')]);
    await f.repository.addTarget('compliance', sanctionsPath('latin1-list'), latin1, f.books.clock.nowMs());
    await f.sign('compliance', 'dee');
    await f.repository.publish(f.books.clock.nowMs());
    await expect(f.client().check()).resolves.toMatchObject({ kind: 'refused', refusal: { code: 'content_invalid', path: sanctionsPath('latin1-list') } });
  });
});

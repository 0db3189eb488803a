/**
 * Review: the administrators' sealed key files (apps/server/src/update/admin-key.ts).
 * Holds: wrong passphrase, edited name/key id/salt/ciphertext/tag, another admin's public half
 * spliced in, a short passphrase, file modes, no secret in the public file.
 * Defect (low): an edited `kdf` that is not a valid scrypt cost (N not a power of two, N as a
 * string) escapes as a raw Node error instead of AdminKeyError, so `runUpdateCli` rethrows it
 * (a stack trace, exit by crash) rather than printing "key: …" and returning 1.
 */
import { stat, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminKeyError, createAdminKey, openAdminKey } from '../../../apps/server/src/update/admin-key';
import { runUpdateCli } from '../../../apps/server/src/update/cli';

const passphrase = 'correct horse battery staple';
let dir: string;
let original: Record<string, unknown>;
let other: Record<string, unknown>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qenex-review-keys-'));
  await createAdminKey(join(dir, 'ada.key'), 'ada', passphrase);
  await createAdminKey(join(dir, 'ben.key'), 'ben', passphrase);
  original = JSON.parse(await readFile(join(dir, 'ada.key'), 'utf8'));
  other = JSON.parse(await readFile(join(dir, 'ben.key'), 'utf8'));
}, 60_000);

afterAll(async () => rm(dir, { recursive: true, force: true }));

async function edited(change: (content: Record<string, any>) => void): Promise<string> {
  const copy = structuredClone(original) as Record<string, any>;
  change(copy);
  const file = join(dir, `edited-${Math.random().toString(36).slice(2)}.key`);
  await writeFile(file, JSON.stringify(copy));
  return file;
}

describe('sealed admin key files', () => {
  it('(holds) opens with the right passphrase, refuses a wrong one', async () => {
    expect((await openAdminKey(join(dir, 'ada.key'), passphrase)).name).toBe('ada');
    await expect(openAdminKey(join(dir, 'ada.key'), 'correct horse battery stapl')).rejects.toBeInstanceOf(AdminKeyError);
  });

  it.each([
    ['the name', (c: Record<string, any>) => (c.name = 'ben')],
    ['the salt', (c: Record<string, any>) => (c.kdf.salt = c.kdf.salt.replace(/^./, c.kdf.salt[0] === 'A' ? 'B' : 'A'))],
    ['the ciphertext', (c: Record<string, any>) => (c.sealed = c.sealed.replace(/^./, c.sealed[0] === 'A' ? 'B' : 'A'))],
    ['the tag', (c: Record<string, any>) => (c.tag = c.tag.replace(/^./, c.tag[0] === 'A' ? 'B' : 'A'))],
    ['a smaller N', (c: Record<string, any>) => (c.kdf.N = 2 ** 10)],
    ['key and key id swapped for another admin\'s', (c: Record<string, any>) => ((c.key = other.key), (c.keyid = other.keyid))],
  ])('(holds) an edit of %s is refused', async (_what, change) => {
    await expect(openAdminKey(await edited(change), passphrase)).rejects.toBeInstanceOf(AdminKeyError);
  });

  it('(holds) a short passphrase is refused; files are 0600 / public half has no sealed seed', async () => {
    await expect(createAdminKey(join(dir, 'short.key'), 'cy', 'short')).rejects.toBeInstanceOf(AdminKeyError);
    expect((await stat(join(dir, 'ada.key'))).mode & 0o777).toBe(0o600);
    const publicHalf = await readFile(join(dir, 'ada.key.pub.json'), 'utf8');
    expect(publicHalf).not.toContain(String(original.sealed));
    expect(publicHalf).not.toContain('"sealed"');
  });

  it.each([
    ['N not a power of two', (c: Record<string, any>) => (c.kdf.N = 3)],
    ['N as a string', (c: Record<string, any>) => (c.kdf.N = '32768')],
    ['an iv of the wrong length', (c: Record<string, any>) => (c.iv = 'AA')],
  ])('an edit of the kdf (%s) is an AdminKeyError, not a crash', async (_what, change) => {
    await expect(openAdminKey(await edited(change), passphrase)).rejects.toBeInstanceOf(AdminKeyError);
  });

  it('the CLI answers exit 1 for a damaged key file rather than throwing', async () => {
    const file = await edited((c) => (c.kdf.N = 3));
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), env: { QENEX_KEY_PASSPHRASE: passphrase }, nowMs: () => Date.now() };
    await writeFile(join(dir, 'draft.json'), JSON.stringify({ signed: {}, signatures: [] }));
    await expect(runUpdateCli('update', ['sign', '--draft', join(dir, 'draft.json'), '--key', file, '--role', 'targets'], io)).resolves.toBe(1);
  });
});

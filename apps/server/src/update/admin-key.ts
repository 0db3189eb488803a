/**
 * An administrator's own signing key for the update repository: a hybrid key (ML-DSA-65 + Ed25519)
 * whose seed is sealed under the administrator's passphrase (scrypt, then AES-256-GCM), in a file
 * that stays with that person — on their laptop or an offline machine. The server never holds it.
 * Beside it, `<file>.pub.json` holds the public key, which is all the repository needs to know.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { decodeBase64url, encodeBase64url, hybridKeyPair, tufKey, tufKeyid, type HybridKeyPair, type TufKey } from '@qenex/engine';

/** scrypt cost: about 0.1 s and 32 MiB here, so a stolen key file costs a guesser that much per passphrase. */
const scryptParameters = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
export const passphraseCharsMin = 12;

export interface AdminPublicKey {
  readonly kind: 'qenex.admin-public-key';
  readonly name: string;
  readonly keyid: string;
  readonly key: TufKey;
}

interface SealedKeyFile {
  readonly kind: 'qenex.admin-key';
  readonly schema: 1;
  readonly name: string;
  readonly keyid: string;
  readonly key: TufKey;
  readonly kdf: { readonly name: 'scrypt'; readonly N: number; readonly r: number; readonly p: number; readonly salt: string };
  readonly iv: string;
  readonly sealed: string;
  readonly tag: string;
}

export class AdminKeyError extends Error {}

function scrypt(passphrase: string, salt: Uint8Array, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error === null ? resolve(key) : reject(error))));
}

/** A new key for `name`, sealed under `passphrase`, written to `file` (never overwritten) and its public half to `<file>.pub.json`. */
export async function createAdminKey(file: string, name: string, passphrase: string): Promise<AdminPublicKey> {
  if (!/^[a-z][a-z0-9._-]{0,63}$/.test(name)) throw new AdminKeyError('A key name is 1-64 lowercase letters, digits, dot, dash or underscore, starting with a letter.');
  if (passphrase.length < passphraseCharsMin) throw new AdminKeyError(`The passphrase must be at least ${passphraseCharsMin} characters.`);
  const seed = randomBytes(64);
  const keyPair = hybridKeyPair(seed);
  const key = tufKey(keyPair.publicKeys);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrapping = await scrypt(passphrase, salt, scryptParameters);
  const cipher = createCipheriv('aes-256-gcm', wrapping, iv);
  cipher.setAAD(Buffer.from(`qenex-admin-key:${name}:${tufKeyid(key)}`));
  const sealed = Buffer.concat([cipher.update(seed), cipher.final()]);
  seed.fill(0);
  const content: SealedKeyFile = {
    kind: 'qenex.admin-key',
    schema: 1,
    name,
    keyid: tufKeyid(key),
    key,
    kdf: { name: 'scrypt', N: scryptParameters.N, r: scryptParameters.r, p: scryptParameters.p, salt: encodeBase64url(salt) },
    iv: encodeBase64url(iv),
    sealed: encodeBase64url(sealed),
    tag: encodeBase64url(cipher.getAuthTag()),
  };
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  const publicKey: AdminPublicKey = { kind: 'qenex.admin-public-key', name, keyid: content.keyid, key };
  await writeFile(`${file}.pub.json`, `${JSON.stringify(publicKey, null, 2)}\n`, { flag: 'wx' });
  return publicKey;
}

/** The key pair of a sealed key file; a wrong passphrase or an edited file is refused, never half-opened. */
export async function openAdminKey(file: string, passphrase: string): Promise<{ name: string; keyPair: HybridKeyPair; keyid: string }> {
  const content = JSON.parse(await readFile(file, 'utf8')) as Partial<SealedKeyFile>;
  if (content.kind !== 'qenex.admin-key' || content.schema !== 1 || content.kdf?.name !== 'scrypt') throw new AdminKeyError(`${file} is not a QENEX admin key file.`);
  const salt = decodeBase64url(content.kdf.salt);
  const iv = decodeBase64url(content.iv ?? '');
  const sealed = decodeBase64url(content.sealed ?? '');
  const tag = decodeBase64url(content.tag ?? '');
  if (salt === undefined || iv === undefined || sealed === undefined || tag === undefined) throw new AdminKeyError(`${file} is damaged.`);
  const { N, r, p } = content.kdf;
  const whole = (value: unknown, max: number) => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max;
  if (!whole(N, scryptParameters.N * 8) || (N & (N - 1)) !== 0 || N < 2 || !whole(r, 16) || !whole(p, 4)) {
    throw new AdminKeyError(`${file} names a key derivation this tool does not accept (scrypt with N a power of two up to ${scryptParameters.N * 8}, r ≤ 16, p ≤ 4): it was changed.`);
  }
  let wrapping: Buffer;
  try {
    wrapping = await scrypt(passphrase, salt, { N, r, p, maxmem: scryptParameters.maxmem * 8 });
  } catch {
    throw new AdminKeyError(`${file}: the key derivation it names cannot run; the file was changed.`);
  }
  const decipher = createDecipheriv('aes-256-gcm', wrapping, iv);
  decipher.setAAD(Buffer.from(`qenex-admin-key:${content.name}:${content.keyid}`));
  decipher.setAuthTag(tag);
  let seed: Buffer;
  try {
    seed = Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    throw new AdminKeyError('Wrong passphrase, or the key file was changed.');
  }
  const keyPair = hybridKeyPair(seed);
  seed.fill(0);
  if (tufKeyid(tufKey(keyPair.publicKeys)) !== content.keyid) throw new AdminKeyError(`${file} does not hold the key it names.`);
  return { name: content.name!, keyPair, keyid: content.keyid! };
}

export async function readAdminPublicKey(file: string): Promise<AdminPublicKey> {
  const content = JSON.parse(await readFile(file, 'utf8')) as Partial<AdminPublicKey> & Partial<SealedKeyFile>;
  if ((content.kind !== 'qenex.admin-public-key' && content.kind !== 'qenex.admin-key') || content.key === undefined || typeof content.name !== 'string') {
    throw new AdminKeyError(`${file} is not a QENEX admin public key.`);
  }
  const keyid = tufKeyid(content.key);
  if (keyid !== content.keyid) throw new AdminKeyError(`${file} names a key id that is not its key's.`);
  return { kind: 'qenex.admin-public-key', name: content.name, keyid, key: content.key };
}

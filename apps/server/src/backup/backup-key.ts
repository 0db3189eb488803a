/**
 * The backup key: an X-Wing key pair (ML-KEM-768 + X25519, the sync's sealed box) that every
 * backup's data key is sealed to. It is not the server's sync key (server-keys.json): a restore
 * happens when the server and its files may be gone, so the operator keeps a copy of this file
 * somewhere else, and a server that should not be able to read its own backups can hold the public
 * half only (a file with `publicKey` and no `seed`): it can still take backups, never restore one.
 *
 *   { "kind": "qenex-backup-key", "version": 1, "publicKey": base64url, "seed"?: base64url (32 bytes) }
 *
 * Made on first use with mode 0600. The seed is never printed or logged: what the tools show is
 * the key id (SHA-256 of the public key, the id each backup's header names) and the public key.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeBase64url, encodeBase64url, sealedBoxKeyPair, xWingPublicKeyBytes, type SealedBoxKeyPair } from '@qenex/engine';
import { recipientKeyId } from '@qenex/engine/node';

const keyFileKind = 'qenex-backup-key';
const keyFileVersion = 1;
const seedBytes = 32;
/** A key file is a few kilobytes; anything much larger is not one. */
const keyFileBytesMax = 64 * 1024;

export interface BackupKey {
  readonly path: string;
  readonly publicKey: Uint8Array;
  /** SHA-256 (hex) of the public key: what a backup's header names as its recipient. */
  readonly keyId: string;
  /** The whole pair, when the file holds the seed; null for a public-only file (backups, no restores). */
  readonly keyPair: SealedBoxKeyPair | null;
  /** Whether this call made the file. */
  readonly created: boolean;
}

export type BackupKeyRefusal =
  | { readonly ok: false; readonly code: 'backup_key_missing'; readonly message: string }
  | { readonly ok: false; readonly code: 'backup_key_damaged'; readonly message: string };

/** The key file's contents; with `create`, a new key is made when there is no file (never for a restore). */
export function loadBackupKey(file: string, options: { readonly create: boolean }): { readonly ok: true; readonly key: BackupKey } | BackupKeyRefusal {
  const path = resolve(file);
  let created = false;
  if (!existsSync(path)) {
    if (!options.create) return { ok: false, code: 'backup_key_missing', message: `there is no backup key at ${path} (QENEX_BACKUP_KEY_FILE)` };
    createKeyFile(path);
    created = true;
  }
  const parsed = parseKeyFile(path);
  if (!parsed.ok) return parsed;
  return { ok: true, key: { ...parsed.key, path, created } };
}

/** What a server that must not read its own backups holds: the same file without the seed. */
export function publicKeyFile(key: BackupKey): string {
  return `${JSON.stringify({ kind: keyFileKind, version: keyFileVersion, publicKey: encodeBase64url(key.publicKey) }, null, 2)}\n`;
}

function createKeyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const seed = randomBytes(seedBytes);
  const { publicKey } = sealedBoxKeyPair(seed);
  const contents = { kind: keyFileKind, version: keyFileVersion, publicKey: encodeBase64url(publicKey), seed: encodeBase64url(seed) };
  // 'wx': two processes making the first key at once must not each write their own.
  writeFileSync(path, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  seed.fill(0);
}

function parseKeyFile(path: string): { readonly ok: true; readonly key: Omit<BackupKey, 'path' | 'created'> } | BackupKeyRefusal {
  const damaged = (why: string): BackupKeyRefusal => ({ ok: false, code: 'backup_key_damaged', message: `the backup key file ${path} ${why}` });
  let stored: Record<string, unknown>;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > keyFileBytesMax) return damaged(`is larger than ${keyFileBytesMax} bytes: it is not a backup key`);
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return damaged('is not a JSON object');
    stored = value as Record<string, unknown>;
  } catch (error) {
    // The message of a JSON error quotes the text, which may be the seed: say only what kind of failure.
    return damaged(`cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  if (stored.kind !== keyFileKind || stored.version !== keyFileVersion) return damaged(`is not a ${keyFileKind} version ${keyFileVersion} file`);
  const publicKey = typeof stored.publicKey === 'string' ? decodeBase64url(stored.publicKey) : undefined;
  if (publicKey?.length !== xWingPublicKeyBytes) return damaged(`needs publicKey: ${xWingPublicKeyBytes} bytes, base64url`);
  if (stored.seed === undefined) return { ok: true, key: { publicKey, keyId: recipientKeyId(publicKey), keyPair: null } };
  const seed = typeof stored.seed === 'string' ? decodeBase64url(stored.seed) : undefined;
  if (seed?.length !== seedBytes) return damaged(`has a seed that is not ${seedBytes} bytes of base64url`);
  const keyPair = sealedBoxKeyPair(seed);
  seed.fill(0);
  if (!Buffer.from(keyPair.publicKey).equals(Buffer.from(publicKey))) return damaged('holds a publicKey that is not its seed\'s');
  // The file holds a secret: only the server's user may read it (as the server's own key file).
  chmodSync(path, 0o600);
  return { ok: true, key: { publicKey, keyId: recipientKeyId(publicKey), keyPair } };
}

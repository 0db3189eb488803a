import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeBase64url, encodeBase64url, hybridKeyPair, sealedBoxKeyPair, type ServerKeys } from '@qenex/engine';

/**
 * The server's sync identity: a hybrid signing key (ML-DSA-65 + Ed25519) and an X-Wing key, kept
 * as seeds in a file only the server's user can read (QENEX_SERVER_KEYS_FILE, or server-keys.json
 * in the data directory), made on first start. Workstations pin its public keys at enrolment.
 */
export function loadServerKeys(file: string): { keys: ServerKeys; created: boolean } {
  const path = resolve(file);
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const seeds = { keyVersion: 1, signingSeed: encodeBase64url(randomBytes(64)), kemSeed: encodeBase64url(randomBytes(32)) };
    writeFileSync(path, `${JSON.stringify(seeds, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  chmodSync(path, 0o600);
  return { keys: readServerKeys(path)!, created };
}

/** The keys of an existing key file; null when there is none (a tool that checks signatures must not make new keys). */
export function readServerKeys(file: string): ServerKeys | null {
  const path = resolve(file);
  if (!existsSync(path)) return null;
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { keyVersion?: unknown; signingSeed?: unknown; kemSeed?: unknown };
  const signingSeed = typeof stored.signingSeed === 'string' ? decodeBase64url(stored.signingSeed) : undefined;
  const kemSeed = typeof stored.kemSeed === 'string' ? decodeBase64url(stored.kemSeed) : undefined;
  if (signingSeed?.length !== 64 || kemSeed?.length !== 32 || !Number.isSafeInteger(stored.keyVersion)) {
    throw new Error(`the server key file ${path} is damaged: it needs keyVersion, a 64-byte signingSeed and a 32-byte kemSeed (base64url)`);
  }
  return { keyVersion: stored.keyVersion as number, signing: hybridKeyPair(signingSeed), kem: sealedBoxKeyPair(kemSeed) };
}

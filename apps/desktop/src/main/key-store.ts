import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';

/**
 * Where the workstation's device secrets (its signing and key-agreement keys, as one byte string)
 * are kept between runs. First choice: Electron's safeStorage, which encrypts with a key the
 * operating system holds for the signed-in user (Keychain, DPAPI, libsecret/KWallet). Where the OS
 * offers none (on Linux safeStorage then falls back to a fixed, public key: `basic_text`), the
 * secrets are sealed in a file under a key derived from an operator passphrase; with neither, the
 * workstation does not start.
 */
export interface KeyStore {
  readonly kind: 'safeStorage' | 'sealed-file';
  load(): Promise<Uint8Array | null>;
  save(secret: Uint8Array): Promise<void>;
}

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

export interface KeyStoreDeps {
  /** Electron's safeStorage (after `app.whenReady()`, as Linux needs), or null where there is none. */
  readonly safeStorage: SafeStorageLike | null;
  /** The app's userData directory. */
  readonly directory: string;
  /** QENEX_DEVICE_PASSPHRASE, if the operator set it. */
  readonly passphrase: string | undefined;
  readonly platform: NodeJS.Platform;
}

export type OpenedKeyStore =
  | { readonly ok: true; readonly store: KeyStore; readonly warning: string | null }
  | { readonly ok: false; readonly code: 'no_secret_storage' | 'passphrase_too_short' | 'secret_storage_unreachable'; readonly message: string };

export const safeStorageFileName = 'device-secrets.bin';
export const sealedFileName = 'device-secrets.sealed';
export const passphraseEnvironmentVariable = 'QENEX_DEVICE_PASSPHRASE';
/** A passphrase shorter than this is refused: scrypt slows guessing, it cannot make a short word strong. */
export const passphraseCharsMin = 12;
export const passphraseCharsMax = 1024;
/** The device secrets are a few keys; anything larger is not ours. */
export const secretBytesMax = 16 * 1024;
export const secretFileBytesMax = 64 * 1024;

/** scrypt N=2^15, r=8, p=1: about 32 MiB and a few tens of milliseconds, once per start. */
export const scryptParameters = { N: 2 ** 15, r: 8, p: 1 } as const;
const scryptMemoryBytesMax = 64 * 1024 * 1024;
const saltBytes = 16;
const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

export const sealedFileWarning =
  'The operating system offers no protected key storage here, so this workstation keeps its device keys in a file sealed with the passphrase in QENEX_DEVICE_PASSPHRASE. Anyone who has that passphrase and the file can act as this workstation: keep the passphrase out of reach of the teller account.';

/**
 * Chooses where the secrets live. A store already on disk decides (so a machine whose OS storage
 * went away is told so, rather than starting unenrolled): device-secrets.sealed → the sealed file,
 * device-secrets.bin → safeStorage. With neither file, safeStorage if the OS really protects it, else
 * the sealed file if a passphrase is set, else a refusal that says what to set.
 */
export async function openKeyStore(deps: KeyStoreDeps): Promise<OpenedKeyStore> {
  const safeStorageFile = join(deps.directory, safeStorageFileName);
  const sealedFile = join(deps.directory, sealedFileName);
  const protectedStorage = safeStorageProtects(deps.safeStorage, deps.platform);
  const sealedExists = await exists(sealedFile);
  const safeStorageFileExists = await exists(safeStorageFile);

  if (!sealedExists && (safeStorageFileExists || protectedStorage !== null)) {
    if (protectedStorage === null) {
      return {
        ok: false,
        code: 'secret_storage_unreachable',
        message: `${safeStorageFile} was encrypted with the operating system's key storage, which this session cannot reach (on Linux: no Secret Service or KWallet). Sign in to a desktop session that has it, or restore the workstation from its enrolment.`,
      };
    }
    return { ok: true, store: new SafeStorageKeyStore(protectedStorage, deps.directory, safeStorageFile), warning: null };
  }
  if (deps.passphrase === undefined || deps.passphrase === '') {
    return {
      ok: false,
      code: 'no_secret_storage',
      message: sealedExists
        ? `The device keys are in ${sealedFile}, sealed with a passphrase: set ${passphraseEnvironmentVariable} to it and start again.`
        : `The operating system offers no protected key storage here (Keychain, Windows DPAPI, or a Secret Service/KWallet on Linux). Set ${passphraseEnvironmentVariable} to a passphrase of at least ${passphraseCharsMin} characters to keep the device keys in a sealed file instead, and start again.`,
    };
  }
  if (deps.passphrase.length < passphraseCharsMin || deps.passphrase.length > passphraseCharsMax) {
    return { ok: false, code: 'passphrase_too_short', message: `${passphraseEnvironmentVariable} must be ${passphraseCharsMin} to ${passphraseCharsMax} characters long.` };
  }
  return { ok: true, store: new SealedFileKeyStore(deps.passphrase, deps.directory, sealedFile), warning: sealedFileWarning };
}

/** safeStorage when it is backed by a key the OS protects; null where it is missing or only obfuscates. */
function safeStorageProtects(safeStorage: SafeStorageLike | null, platform: NodeJS.Platform): SafeStorageLike | null {
  if (safeStorage === null || !safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux') {
    // basic_text encrypts with a hard-coded password: as good as clear text. unknown: asked before
    // the app was ready, so nothing is known yet.
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') return null;
  }
  return safeStorage;
}

class SafeStorageKeyStore implements KeyStore {
  readonly kind = 'safeStorage';

  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly directory: string,
    private readonly file: string,
  ) {}

  async load(): Promise<Uint8Array | null> {
    const encrypted = await readSmallFile(this.file);
    if (encrypted === null) return null;
    let text: string;
    try {
      text = this.safeStorage.decryptString(encrypted);
    } catch {
      throw new Error(`${this.file} could not be decrypted with this user's operating-system key storage (was it copied from another user or machine?).`);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`${this.file} does not hold device secrets.`);
    return new Uint8Array(Buffer.from(text, 'base64'));
  }

  async save(secret: Uint8Array): Promise<void> {
    checkSecret(secret);
    await writePrivateFile(this.directory, this.file, this.safeStorage.encryptString(Buffer.from(secret).toString('base64')));
  }
}

/**
 * The fallback file: JSON naming the KDF and cipher with their parameters, sealed by AES-256-GCM
 * under scrypt(passphrase, salt). The header is the cipher's additional data, so a changed parameter
 * fails to open just as a wrong passphrase does. Salt and IV are fresh for every save.
 */
class SealedFileKeyStore implements KeyStore {
  readonly kind = 'sealed-file';

  constructor(
    private readonly passphrase: string,
    private readonly directory: string,
    private readonly file: string,
  ) {}

  async load(): Promise<Uint8Array | null> {
    const bytes = await readSmallFile(this.file);
    if (bytes === null) return null;
    const sealed = parseSealed(bytes, this.file);
    const key = await deriveKey(this.passphrase, sealed.salt);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: tagBytes });
      decipher.setAAD(sealed.header);
      decipher.setAuthTag(sealed.tag);
      return new Uint8Array(Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]));
    } catch {
      throw new Error(`${this.file} could not be opened: ${passphraseEnvironmentVariable} is not the passphrase it was sealed with, or the file was altered.`);
    } finally {
      key.fill(0);
    }
  }

  async save(secret: Uint8Array): Promise<void> {
    checkSecret(secret);
    const salt = randomBytes(saltBytes);
    const iv = randomBytes(ivBytes);
    const header = headerBytes(salt, iv);
    const key = await deriveKey(this.passphrase, salt);
    try {
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
      cipher.setAAD(header);
      const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
      const body = JSON.stringify({ header: header.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') });
      await writePrivateFile(this.directory, this.file, Buffer.from(body, 'utf8'));
    } finally {
      key.fill(0);
    }
  }
}

interface SealedHeader {
  readonly v: 1;
  readonly kdf: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly cipher: 'aes-256-gcm';
  readonly iv: string;
}

function headerBytes(salt: Buffer, iv: Buffer): Buffer {
  const header: SealedHeader = { v: 1, kdf: 'scrypt', ...scryptParameters, salt: salt.toString('base64'), cipher: 'aes-256-gcm', iv: iv.toString('base64') };
  return Buffer.from(JSON.stringify(header), 'utf8');
}

function parseSealed(bytes: Buffer, file: string): { header: Buffer; salt: Buffer; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const unreadable = new Error(`${file} is not a QENEX sealed key file.`);
  let outer: unknown;
  let inner: unknown;
  try {
    outer = JSON.parse(bytes.toString('utf8'));
    if (typeof outer !== 'object' || outer === null) throw unreadable;
    inner = JSON.parse(Buffer.from(String((outer as Record<string, unknown>).header), 'base64').toString('utf8'));
  } catch {
    throw unreadable;
  }
  const o = outer as Record<string, unknown>;
  const h = inner as Partial<SealedHeader> | null;
  if (typeof o.header !== 'string' || typeof o.ciphertext !== 'string' || typeof o.tag !== 'string' || h === null || typeof h !== 'object') throw unreadable;
  // Only the parameters this build writes: a file may not choose a cost that stalls the start.
  if (h.v !== 1 || h.kdf !== 'scrypt' || h.cipher !== 'aes-256-gcm' || h.N !== scryptParameters.N || h.r !== scryptParameters.r || h.p !== scryptParameters.p) throw unreadable;
  if (typeof h.salt !== 'string' || typeof h.iv !== 'string') throw unreadable;
  const salt = Buffer.from(h.salt, 'base64');
  const iv = Buffer.from(h.iv, 'base64');
  const tag = Buffer.from(o.tag, 'base64');
  if (salt.length !== saltBytes || iv.length !== ivBytes || tag.length !== tagBytes) throw unreadable;
  return { header: Buffer.from(o.header, 'base64'), salt, iv, tag, ciphertext: Buffer.from(o.ciphertext, 'base64') };
}

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  const options: ScryptOptions = { ...scryptParameters, maxmem: scryptMemoryBytesMax };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, keyBytes, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length === 0 || secret.length > secretBytesMax) {
    throw new Error(`Device secrets are 1 to ${secretBytesMax} bytes.`);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function readSmallFile(file: string): Promise<Buffer | null> {
  try {
    const stats = await stat(file);
    if (stats.size > secretFileBytesMax) throw new Error(`${file} is larger than a key file can be.`);
    return await readFile(file);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Replaces the file whole: written beside it with mode 0600 from its creation (never readable by
 * others, not even for a moment), flushed, then renamed over the old one, so a crash leaves the old
 * secrets or the new, never half of either.
 */
async function writePrivateFile(directory: string, file: string, bytes: Buffer): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

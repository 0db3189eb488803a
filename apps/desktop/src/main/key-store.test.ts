import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyStore, safeStorageFileName, sealedFileName, type KeyStore, type KeyStoreDeps, type OpenedKeyStore, type SafeStorageLike } from './key-store';

/**
 * Electron's safeStorage stood in for: strings encrypted under a key "the operating system" holds
 * (here, one per fake), and the Linux backend it reports.
 */
function fakeSafeStorage(backend: ReturnType<NonNullable<SafeStorageLike['getSelectedStorageBackend']>> = 'gnome_libsecret', available = true): SafeStorageLike {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(text) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(3, 15));
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    },
  };
}

const passphrase = 'correct horse battery staple';
/** A secret as the host encodes it (JSON of the device keys), so a clear copy would be easy to spot. */
const secret = new TextEncoder().encode(JSON.stringify({ signingSeed: randomBytes(32).toString('base64'), kemSecretKey: randomBytes(64).toString('base64') }));

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'qenex-keys-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function deps(overrides: Partial<KeyStoreDeps>): KeyStoreDeps {
  return { safeStorage: fakeSafeStorage(), directory, passphrase: undefined, platform: 'linux', ...overrides };
}

function opened(result: OpenedKeyStore): { store: KeyStore; warning: string | null } {
  if (!result.ok) throw new Error(`expected a key store, got ${result.code}: ${result.message}`);
  return result;
}

async function expectNoClearSecret(file: string): Promise<void> {
  const bytes = await readFile(file);
  expect(bytes.indexOf(Buffer.from(secret))).toBe(-1);
  expect(bytes.indexOf(Buffer.from(Buffer.from(secret).toString('base64')))).toBe(-1);
  expect(bytes.indexOf(Buffer.from(Buffer.from(secret).toString('hex')))).toBe(-1);
  expect(bytes.indexOf(Buffer.from('signingSeed'))).toBe(-1);
}

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('the key store with the operating system protecting safeStorage', () => {
  it('round-trips the secret through safeStorage in device-secrets.bin, mode 0600, never in clear', async () => {
    const safeStorage = fakeSafeStorage('gnome_libsecret');
    const { store, warning } = opened(await openKeyStore(deps({ safeStorage })));
    expect(store.kind).toBe('safeStorage');
    expect(warning).toBeNull();
    expect(await store.load()).toBeNull();
    await store.save(secret);
    expect(await store.load()).toEqual(secret);
    const file = join(directory, safeStorageFileName);
    expect(await modeOf(file)).toBe(0o600);
    await expectNoClearSecret(file);
    const reopened = opened(await openKeyStore(deps({ safeStorage })));
    expect(await reopened.store.load()).toEqual(secret);
  });

  it('uses safeStorage on macOS and Windows without asking for a Linux backend', async () => {
    const { store } = opened(await openKeyStore(deps({ safeStorage: { ...fakeSafeStorage(), getSelectedStorageBackend: () => { throw new Error('Linux only'); } }, platform: 'darwin' })));
    expect(store.kind).toBe('safeStorage');
  });

  it('says clearly that the file cannot be decrypted with another user key', async () => {
    const { store } = opened(await openKeyStore(deps({ safeStorage: fakeSafeStorage() })));
    await store.save(secret);
    const other = opened(await openKeyStore(deps({ safeStorage: fakeSafeStorage() })));
    await expect(other.store.load()).rejects.toThrow(/could not be decrypted/);
  });

  it('replaces the file whole with mode 0600 and leaves no temporary file', async () => {
    const { store } = opened(await openKeyStore(deps({})));
    await store.save(secret);
    const file = join(directory, safeStorageFileName);
    await chmod(file, 0o644);
    await store.save(new Uint8Array([1, 2, 3]));
    expect(await modeOf(file)).toBe(0o600);
    expect(await readdir(directory)).toEqual([safeStorageFileName]);
    await expect(store.save(new Uint8Array())).rejects.toThrow(/1 to/);
  });
});

describe('the key store without protected OS storage', () => {
  for (const [why, safeStorage] of [
    ['Linux basic_text (a fixed, public key)', fakeSafeStorage('basic_text')],
    ['Linux before the backend is known', fakeSafeStorage('unknown')],
    ['encryption not available', fakeSafeStorage('gnome_libsecret', false)],
    ['no safeStorage at all', null],
  ] as const) {
    it(`keeps the secret in a passphrase-sealed file and says so: ${why}`, async () => {
      const { store, warning } = opened(await openKeyStore(deps({ safeStorage, passphrase })));
      expect(store.kind).toBe('sealed-file');
      expect(warning).toMatch(/QENEX_DEVICE_PASSPHRASE/);
      await store.save(secret);
      expect(await store.load()).toEqual(secret);
    });
  }

  it('writes device-secrets.sealed with mode 0600, the secret never in clear, fresh salt and IV each time', async () => {
    const { store } = opened(await openKeyStore(deps({ safeStorage: fakeSafeStorage('basic_text'), passphrase })));
    await store.save(secret);
    const file = join(directory, sealedFileName);
    expect(await modeOf(file)).toBe(0o600);
    await expectNoClearSecret(file);
    const first = await readFile(file);
    await store.save(secret);
    expect((await readFile(file)).equals(first)).toBe(false);
    const header = JSON.parse(Buffer.from(JSON.parse(first.toString('utf8')).header, 'base64').toString('utf8'));
    expect(header).toMatchObject({ kdf: 'scrypt', N: 2 ** 15, r: 8, p: 1, cipher: 'aes-256-gcm' });
    expect(Buffer.from(header.salt, 'base64')).toHaveLength(16);
  });

  it('refuses a wrong passphrase, and an altered file, with a clear error', async () => {
    const sealed = opened(await openKeyStore(deps({ safeStorage: null, passphrase })));
    await sealed.store.save(secret);
    const wrong = opened(await openKeyStore(deps({ safeStorage: null, passphrase: 'not the right passphrase' })));
    await expect(wrong.store.load()).rejects.toThrow(/QENEX_DEVICE_PASSPHRASE is not the passphrase it was sealed with/);

    const file = join(directory, sealedFileName);
    const outer = JSON.parse(await readFile(file, 'utf8'));
    const ciphertext = Buffer.from(outer.ciphertext, 'base64');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    await writeFile(file, JSON.stringify({ ...outer, ciphertext: ciphertext.toString('base64') }));
    await expect(sealed.store.load()).rejects.toThrow(/or the file was altered/);

    const header = JSON.parse(Buffer.from(outer.header, 'base64').toString('utf8'));
    await writeFile(file, JSON.stringify({ ...outer, header: Buffer.from(JSON.stringify({ ...header, N: 2 ** 24 })).toString('base64') }));
    await expect(sealed.store.load()).rejects.toThrow(/not a QENEX sealed key file/);
  });

  it('refuses to start with neither, and says what to set', async () => {
    const result = await openKeyStore(deps({ safeStorage: fakeSafeStorage('basic_text'), passphrase: undefined }));
    expect(result).toMatchObject({ ok: false, code: 'no_secret_storage' });
    expect(!result.ok && result.message).toMatch(/Set QENEX_DEVICE_PASSPHRASE/);
  });

  it('refuses a short passphrase', async () => {
    expect(await openKeyStore(deps({ safeStorage: null, passphrase: 'short' }))).toMatchObject({ ok: false, code: 'passphrase_too_short' });
  });
});

describe('a store already on disk decides', () => {
  it('a device-secrets.bin whose OS storage is gone is refused, not taken for an unenrolled workstation', async () => {
    const { store } = opened(await openKeyStore(deps({})));
    await store.save(secret);
    const result = await openKeyStore(deps({ safeStorage: fakeSafeStorage('basic_text'), passphrase }));
    expect(result).toMatchObject({ ok: false, code: 'secret_storage_unreachable' });
  });

  it('a sealed file stays in use when OS storage appears, and then needs its passphrase', async () => {
    const sealed = opened(await openKeyStore(deps({ safeStorage: null, passphrase })));
    await sealed.store.save(secret);
    const later = opened(await openKeyStore(deps({ safeStorage: fakeSafeStorage('kwallet6'), passphrase })));
    expect(later.store.kind).toBe('sealed-file');
    expect(await later.store.load()).toEqual(secret);
    const withoutPassphrase = await openKeyStore(deps({ safeStorage: fakeSafeStorage('kwallet6') }));
    expect(withoutPassphrase).toMatchObject({ ok: false, code: 'no_secret_storage' });
    expect(!withoutPassphrase.ok && withoutPassphrase.message).toMatch(/sealed with a passphrase: set QENEX_DEVICE_PASSPHRASE/);
  });
});

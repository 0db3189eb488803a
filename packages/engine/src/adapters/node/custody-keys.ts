import { gcm } from '@noble/ciphers/aes.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { decodeBase64url, encodeBase64url } from '../../core/crypto/encoding';
import type { CustodyKeys } from '../../ports/custody-keys';

/** The key-encryption key is 32 bytes (AES-256-GCM). */
export const custodyKekBytes = 32;
const nonceBytes = 12;
const sealedPrefix = 'qxck1';

/** A secp256k1 public key's chain address: the last 20 bytes of keccak-256 of its uncompressed point without the 0x04 prefix. */
export function addressOfPublicKey(uncompressed: Uint8Array): string {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) throw new Error('an uncompressed secp256k1 public key is 65 bytes starting 0x04');
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

export function addressOfSecretKey(secretKey: Uint8Array): string {
  return addressOfPublicKey(secp256k1.getPublicKey(secretKey, false));
}

/**
 * Custody keys sealed with AES-256-GCM under a key-encryption key the host holds (a file readable
 * only by the server, or a KMS in front of it). The address is the additional data: a sealed key
 * moved to another wallet's record fails to open rather than signing for the wrong customer.
 */
export class SealedCustodyKeys implements CustodyKeys {
  readonly #kek: Uint8Array;
  readonly #kekId: string;

  constructor(kek: Uint8Array) {
    if (kek.length !== custodyKekBytes) throw new Error(`the custody key-encryption key is ${custodyKekBytes} bytes`);
    this.#kek = kek.slice();
    // Which key sealed a record, so a rotated key-encryption key is told apart from a corrupt record.
    this.#kekId = bytesToHex(keccak_256(this.#kek)).slice(0, 8);
  }

  /** The key-encryption key in a file (32 raw bytes, base64url), made on first use with mode 0600. */
  static fromFile(path: string): SealedCustodyKeys {
    if (!existsSync(path)) writeFileSync(path, encodeBase64url(randomBytes(custodyKekBytes)), { mode: 0o600 });
    const kek = decodeBase64url(readFileSync(path, 'utf8').trim());
    if (kek === undefined || kek.length !== custodyKekBytes) throw new Error(`${path} does not hold a ${custodyKekBytes}-byte key (base64url)`);
    return new SealedCustodyKeys(kek);
  }

  async create(): Promise<{ address: string; sealedKey: string }> {
    const secretKey = secp256k1.utils.randomSecretKey();
    const address = addressOfSecretKey(secretKey);
    const sealedKey = this.seal(secretKey, address);
    secretKey.fill(0);
    return { address, sealedKey };
  }

  async sign(sealedKey: string, address: string, digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new Error('a transaction digest is 32 bytes');
    const secretKey = this.open(sealedKey, address);
    try {
      if (addressOfSecretKey(secretKey) !== address) throw new Error('the sealed key is not this wallet\'s');
      // noble answers recovery ‖ r ‖ s; a chain transaction carries r ‖ s ‖ recovery.
      const recovered = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
      const out = new Uint8Array(65);
      out.set(recovered.subarray(1, 65), 0);
      out[64] = recovered[0]!;
      return out;
    } finally {
      secretKey.fill(0);
    }
  }

  private seal(secretKey: Uint8Array, address: string): string {
    const nonce = randomBytes(nonceBytes);
    const sealed = gcm(this.#kek, nonce, utf8ToBytes(address)).encrypt(secretKey);
    return `${sealedPrefix}.${this.#kekId}.${encodeBase64url(nonce)}.${encodeBase64url(sealed)}`;
  }

  private open(sealedKey: string, address: string): Uint8Array {
    const [prefix, kekId, nonceText, sealedText, ...rest] = sealedKey.split('.');
    if (prefix !== sealedPrefix || rest.length > 0 || nonceText === undefined || sealedText === undefined) throw new Error('not a sealed custody key');
    if (kekId !== this.#kekId) throw new Error('the custody key was sealed under another key-encryption key');
    const nonce = decodeBase64url(nonceText);
    const sealed = decodeBase64url(sealedText);
    if (nonce === undefined || sealed === undefined || nonce.length !== nonceBytes) throw new Error('not a sealed custody key');
    return gcm(this.#kek, nonce, utf8ToBytes(address)).decrypt(sealed);
  }
}

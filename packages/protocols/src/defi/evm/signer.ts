/**
 * A DigestSigner over a raw secp256k1 key, for the devnet's own accounts and for tests. The bank's
 * custody keys go through the engine's sealed-key signer instead; this is the same wire shape.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Address, DigestSigner, Hex } from '../chain';

/** r ‖ s ‖ recovery bit, as the port's DigestSigner answers (noble's 'recovered' format puts the bit first). */
export function privateKeySigner(privateKey: Uint8Array): DigestSigner {
  return async (digest) => {
    if (digest.length !== 32) throw new RangeError(`digest of ${digest.length} bytes, 32 expected`);
    const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered' });
    const out = new Uint8Array(65);
    out.set(recovered.subarray(1, 65), 0);
    out[64] = recovered[0] ?? 0;
    return out;
  };
}

export function addressOfPrivateKey(privateKey: Uint8Array): Address {
  const publicKey = secp256k1.getPublicKey(privateKey, false);
  return `0x${bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12))}`;
}

/** A deterministic key from a label (keccak of it): the devnet's accounts are the same on every run. */
export function devKey(label: string): Uint8Array {
  return keccak_256(utf8ToBytes(`qenex devnet key: ${label}`));
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError(`not 0x-prefixed even-length hex: ${hex.slice(0, 20)}`);
  return hexToBytes(hex.slice(2));
}

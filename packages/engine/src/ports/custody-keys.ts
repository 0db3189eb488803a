/**
 * The host's custody keys: secp256k1 keys for the customers' wallets on a chain, made and used by
 * the host and stored by the engine only sealed (encrypted under the host's key-encryption key,
 * which never enters the books). The engine asks for a new wallet; the host's chain gateway asks
 * for a signature of a transaction's digest, opening the key only for that.
 */
export interface CustodyKeys {
  /** A new key: its chain address (lower-case 0x-hex) and the key sealed for the books. */
  create(): Promise<{ readonly address: string; readonly sealedKey: string }>;
  /**
   * Signs a 32-byte digest with a sealed key, after checking the key is the address's: 65 bytes,
   * r ‖ s ‖ recovery bit (the order a chain transaction carries them in).
   */
  sign(sealedKey: string, address: string, digest: Uint8Array): Promise<Uint8Array>;
}

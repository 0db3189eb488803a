/**
 * What the CBDC token tests and the benchmark share: an engine on a given storage with a USD token
 * issuer set (two treasurers), a small pool of key pairs made from fixed seeds (ML-DSA-65 keygen
 * costs about 29 ms), and a model of the unspent set that says what settlement must answer.
 */
import {
  Engine,
  ManualClock,
  SequentialIds,
  cbdcOwnerId,
  cbdcTransactionToJson,
  cbdcTxid,
  createdOutputHashes,
  hybridKeyPair,
  hybridPublicKeysToJson,
  inputHash,
  mustWithApproval,
  signCbdcTransaction,
  systemRole,
  type CbdcInput,
  type CbdcOutput,
  type CbdcTransaction,
  type Context,
  type HybridKeyPair,
  type Storage,
} from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';

export const settlerCtx: Context = { actor: 'cbdc-settlement', roles: [systemRole], deviceId: 'server' };
export const treasurer: Context = { actor: 'cb-treasurer-1', roles: ['treasury'], deviceId: 'server' };
const secondTreasurer: Context = { actor: 'cb-treasurer-2', roles: ['treasury'], deviceId: 'server' };

export const issuerKeys: HybridKeyPair = hybridKeyPair(new Uint8Array(64).fill(200));
/** Holders' key pairs, made once per process. */
export const holderKeys: readonly HybridKeyPair[] = Array.from({ length: 4 }, (_, index) => hybridKeyPair(new Uint8Array(64).fill(index + 1)));
export const ownerIds = holderKeys.map((keys) => cbdcOwnerId(keys.publicKeys));

export async function tokenEngine(storage: Storage): Promise<Engine> {
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 9, 0, 0));
  const engine = new Engine({ storage, clock, ids: new SequentialIds(clock), passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), paymentFormats: () => [] });
  await mustWithApproval(engine, 'cbdc.set_token_issuer', { currency: 'USD', publicKeys: hybridPublicKeysToJson(issuerKeys.publicKeys) }, treasurer, secondTreasurer);
  return engine;
}

export const usd = (value: bigint, holder: number): CbdcOutput => ({ value, currency: 'USD', owner: ownerIds[holder]! });

export function mintTx(nonce: number, outputs: readonly CbdcOutput[]): CbdcTransaction {
  return signCbdcTransaction({ kind: 'mint', inputs: [], outputs, redeemed: 0n, nonce: nonce.toString(16).padStart(32, '0') }, [issuerKeys]);
}

export interface Coin {
  readonly input: CbdcInput;
  readonly holder: number;
}

export function coinsOf(tx: CbdcTransaction, holders: readonly number[]): Coin[] {
  const txid = cbdcTxid(tx);
  return tx.outputs.map((output, index) => ({ input: { txid, index, output }, holder: holders[index]! }));
}

/** Signed by the coins' holders (or, to forge, by `signer` for every input). */
export function spendTx(coins: readonly Coin[], outputs: readonly CbdcOutput[], redeemed = 0n, signer?: number): CbdcTransaction {
  return signCbdcTransaction({ kind: 'transfer', inputs: coins.map((coin) => coin.input), outputs, redeemed }, coins.map((coin) => holderKeys[signer ?? coin.holder]!));
}

/** The unspent set as settlement must keep it: output hash → value. */
export class UnspentModel {
  readonly unspent = new Map<string, bigint>();
  readonly spent = new Set<string>();
  readonly settled = new Set<string>();
  minted = 0n;
  redeemed = 0n;

  /** What settlement must answer for a valid (signed, balanced) tx, applying it when it settles. */
  apply(tx: CbdcTransaction): 'settled' | 'already_settled' | 'input_spent_or_unknown' {
    const txid = cbdcTxid(tx);
    if (this.settled.has(txid)) return 'already_settled';
    const inputs = tx.inputs.map(inputHash);
    if (!inputs.every((hash) => this.unspent.has(hash))) return 'input_spent_or_unknown';
    for (const hash of inputs) {
      this.unspent.delete(hash);
      this.spent.add(hash);
    }
    createdOutputHashes(txid, tx).forEach((hash, index) => this.unspent.set(hash, tx.outputs[index]!.value));
    this.settled.add(txid);
    if (tx.kind === 'mint') this.minted += tx.outputs.reduce((total, output) => total + output.value, 0n);
    this.redeemed += tx.redeemed;
    return 'settled';
  }

  total(): bigint {
    return [...this.unspent.values()].reduce((total, value) => total + value, 0n);
  }
}

export const toJson = cbdcTransactionToJson;

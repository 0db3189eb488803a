import {
  cbdcOwnerId,
  cbdcTransactionToJson,
  demoUsers,
  hybridKeyPair,
  hybridPublicKeysToJson,
  signCbdcTransaction,
  type HybridKeyPair,
} from '@qenex/engine';
import type { MatrixWorld } from './world';

/**
 * The CBDC token commands' matrix samples. One issuer and one holder key pair (from fixed seeds)
 * serve every world; a world's USD issuer is set once, by tess with trent agreeing. The settlement
 * sample spends an output nobody created: the batch is accepted and its one transaction refused
 * (`input_spent_or_unknown`), which is a success of the command.
 */
let keys: { issuer: HybridKeyPair; holder: HybridKeyPair } | undefined;
const keysOf = () => (keys ??= { issuer: hybridKeyPair(new Uint8Array(64).fill(41)), holder: hybridKeyPair(new Uint8Array(64).fill(42)) });

const issuerSet = new WeakMap<MatrixWorld, Promise<unknown>>();
const issuerInput = () => ({ currency: 'USD', publicKeys: hybridPublicKeysToJson(keysOf().issuer.publicKeys) });

function withIssuer(w: MatrixWorld): Promise<unknown> {
  let set = issuerSet.get(w);
  if (set === undefined) {
    set = w.approved('cbdc.set_token_issuer', issuerInput(), demoUsers.tess, demoUsers.trent);
    issuerSet.set(w, set);
  }
  return set;
}

const owner = () => cbdcOwnerId(keysOf().holder.publicKeys);

export const cbdcTokenSamples = {
  'cbdc.set_token_issuer': async () => ({ input: issuerInput() }),
  'cbdc.mint': async (w: MatrixWorld) => {
    await withIssuer(w);
    const nonce = w.ids.next();
    const mint = signCbdcTransaction({ kind: 'mint', inputs: [], outputs: [{ value: 1000n, currency: 'USD', owner: owner() }], redeemed: 0n, nonce }, [keysOf().issuer]);
    return { input: { transaction: cbdcTransactionToJson(mint) } };
  },
  'cbdc.settle': async (w: MatrixWorld) => {
    const spend = signCbdcTransaction(
      { kind: 'transfer', inputs: [{ txid: w.ids.next().padEnd(64, '0'), index: 0, output: { value: 5n, currency: 'USD', owner: owner() } }], outputs: [{ value: 5n, currency: 'USD', owner: owner() }], redeemed: 0n },
      [keysOf().holder],
    );
    return { input: { transactions: [cbdcTransactionToJson(spend)] } };
  },
  'cbdc.unspent': async () => ({ input: { hashes: ['0'.repeat(64)] } }),
};

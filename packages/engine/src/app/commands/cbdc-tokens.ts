import { z } from 'zod';
import { assert } from '../../core/assert';
import {
  cbdcSettleBatchMax,
  cbdcTransactionFromJson,
  createdOutputHashes,
  inputHash,
  validateCbdcTransaction,
  type CbdcHash,
  type CbdcTransaction,
  type CbdcValidationCode,
} from '../../core/cbdc/tokens';
import { hybridPublicKeysFromJson, type HybridPublicKeys } from '../../core/crypto/hybrid-signature';
import { command, ok, refuse, type CommandEnv } from '../command';
import { currencySchema, tokenSchema } from '../schemas';

/**
 * Settlement of CBDC token transactions, after OpenCBDC's atomizer: every transaction of a batch
 * is validated (limits, sums, every signature) before anything is written; then, inside the
 * command's one storage transaction, each is checked against the unspent set in batch order and
 * the accepted ones' inputs are spent and outputs created in one set of writes.
 *
 * Check-then-apply, not savepoints: the command holds the writer lock (SQLite's BEGIN IMMEDIATE,
 * PostgreSQL's advisory lock), so what was unspent when read is unspent when written. A refused
 * transaction therefore leaves no trace while the others settle; a conflict inside the batch (two
 * transactions spending one output) is decided in batch order, first wins. A transaction may spend
 * an output created by an earlier one of the same batch (a payee paying on at once); such an
 * output is never written, only its spend's effect is. A crash before COMMIT loses the whole batch,
 * after it keeps the whole batch: each transaction wholly applied or not at all.
 *
 * Signatures are verified inside the write transaction (the engine parses a command's input
 * there): about 1.3 ms per owner, so a full batch holds the lock for some 330 ms.
 */

export type CbdcSettleCode = Exclude<CbdcValidationCode, 'ok'> | 'input_spent_or_unknown' | 'already_settled' | 'mint_not_permitted' | 'offline_coin';

export interface CbdcSettleResult {
  /** Null only for a transaction too malformed to have a txid. */
  readonly txid: CbdcHash | null;
  readonly result: 'settled' | CbdcSettleCode;
}

export interface CbdcSettleOptions {
  /** Whether mints may settle (cbdc.mint); a settlement batch refuses them: `mint_not_permitted`. */
  readonly mint?: boolean;
  /** Outputs that only another path may spend (offline coins, spent by an offline voucher): a transaction spending one is refused `offline_coin`. */
  readonly reserved?: ReadonlySet<CbdcHash>;
}

/** The most hashes one cbdc.unspent asks about. */
export const cbdcUnspentQueryMax = 1024;

const refused = (txid: CbdcHash | null, result: CbdcSettleCode): CbdcSettleResult => ({ txid, result });

async function issuersOf(env: CommandEnv, txs: ReadonlyArray<CbdcTransaction | undefined>): Promise<Map<string, HybridPublicKeys>> {
  const currencies = new Set(txs.flatMap((tx) => (tx?.kind === 'mint' && tx.outputs[0] !== undefined ? [tx.outputs[0].currency] : [])));
  const issuers = new Map<string, HybridPublicKeys>();
  for (const currency of currencies) {
    const keys = await env.tx.utxo.issuer(currency);
    if (keys !== undefined) issuers.set(currency, keys);
  }
  return issuers;
}

interface Checked {
  readonly tx: CbdcTransaction;
  readonly txid: CbdcHash;
}

/** Validation of every transaction, pure and before any write: the transaction and its txid where it passed. */
function validateAll(txs: ReadonlyArray<CbdcTransaction | undefined>, issuers: Map<string, HybridPublicKeys>): Array<CbdcSettleResult | Checked> {
  return txs.map((tx) => {
    if (tx === undefined) return refused(null, 'malformed');
    const { code, txid } = validateCbdcTransaction(tx, (currency) => issuers.get(currency));
    if (code !== 'ok') return refused(txid, code);
    assert(txid !== null, 'a valid transaction has a txid');
    return { tx, txid };
  });
}

/**
 * Settles a batch inside the caller's storage transaction (any command may call it); one result
 * per transaction, in order. `undefined` stands for a transaction that did not decode (malformed).
 */
export async function settleCbdcTransactions(env: CommandEnv, txs: ReadonlyArray<CbdcTransaction | undefined>, options: CbdcSettleOptions = {}): Promise<CbdcSettleResult[]> {
  assert(txs.length <= cbdcSettleBatchMax, `a settlement batch holds at most ${cbdcSettleBatchMax} transactions`);
  const checked = validateAll(txs, await issuersOf(env, txs));
  const candidates = checked.filter((item): item is Checked => 'tx' in item);
  const [settledBefore, unspentBefore] = await Promise.all([
    env.tx.utxo.settled(candidates.map((item) => item.txid)),
    env.tx.utxo.unspent(candidates.flatMap((item) => item.tx.inputs.map(inputHash))),
  ]);
  const settled = new Set(settledBefore);
  const available = new Set(unspentBefore);
  /** Outputs created by this batch and not (yet) spent by it: what will be written. */
  const created = new Set<CbdcHash>();
  const spentFromStore: CbdcHash[] = [];
  const newlySettled: CbdcHash[] = [];
  const results = checked.map((item): CbdcSettleResult => {
    if (!('tx' in item)) return item;
    if (settled.has(item.txid)) return refused(item.txid, 'already_settled');
    // After the replay check: a mint already settled answers as any replay does.
    if (item.tx.kind === 'mint' && options.mint !== true) return refused(item.txid, 'mint_not_permitted');
    const inputs = item.tx.inputs.map(inputHash);
    if (options.reserved !== undefined && inputs.some((hash) => options.reserved!.has(hash))) return refused(item.txid, 'offline_coin');
    if (!inputs.every((hash) => available.has(hash) || created.has(hash))) return refused(item.txid, 'input_spent_or_unknown');
    for (const hash of inputs) {
      if (created.delete(hash)) continue;
      available.delete(hash);
      spentFromStore.push(hash);
    }
    for (const hash of createdOutputHashes(item.txid, item.tx)) created.add(hash);
    settled.add(item.txid);
    newlySettled.push(item.txid);
    return { txid: item.txid, result: 'settled' };
  });
  const removed = await env.tx.utxo.spend(spentFromStore);
  // Under the writer lock nothing else spends: a shortfall is a broken store, and throwing rolls the batch back.
  assert(removed === spentFromStore.length, `spent ${removed} of ${spentFromStore.length} outputs read as unspent`);
  await env.tx.utxo.create([...created]);
  await env.tx.utxo.recordSettled(newlySettled);
  return results;
}

const transactionsSchema = z.array(z.unknown()).min(1).max(cbdcSettleBatchMax);

const hashSchema = tokenSchema(/^[0-9a-f]{64}$/, 64, 'must be 64 lowercase hex digits');

function settleAudit(results: readonly CbdcSettleResult[]): { outcome: string; detail: { [key: string]: string | number | string[] } } {
  const refusedResults = results.filter((result) => result.result !== 'settled');
  return {
    outcome: refusedResults[0]?.result ?? 'ok',
    detail: {
      settled: results.length - refusedResults.length,
      refused: refusedResults.length,
      refusedTxids: refusedResults.slice(0, 32).map((result) => `${result.txid ?? '-'}:${result.result}`),
    },
  };
}

/**
 * Settles a batch of transfers (and redemptions). Each transaction is JSON as
 * cbdcTransactionToJson writes it; one that does not decode is refused `malformed` on its own,
 * so one bad transaction of a workstation's sync does not sink the others.
 */
export const settleCbdc = command({
  kind: 'write',
  input: z.object({ transactions: transactionsSchema }),
  async run(env, input) {
    const txs = input.transactions.map(cbdcTransactionFromJson);
    // Offline coins are the offline account's on the ledger: they settle only as offline vouchers (cbdc.offline_pay), which move that account too.
    const hashes = [...new Set(txs.flatMap((tx) => tx?.inputs.map(inputHash) ?? []))];
    const coins = await Promise.all(hashes.map((hash) => env.tx.banking.get('cbdcCoin', hash)));
    const reserved = new Set(coins.flatMap((coin) => (coin === undefined ? [] : [coin.id])));
    const results = await settleCbdcTransactions(env, txs, { reserved });
    return ok({ results, settled: results.filter((result) => result.result === 'settled').length });
  },
  audit: (input) => ({ transactions: input.transactions.length }),
  auditResult: (value) => settleAudit(value.results),
});

/** Issuance: one mint transaction, signed by the currency's issuer key (cbdc.set_token_issuer). */
export const mintCbdc = command({
  kind: 'write',
  input: z.object({ transaction: z.unknown() }),
  async run(env, input) {
    const tx = cbdcTransactionFromJson(input.transaction);
    if (tx !== undefined && tx.kind !== 'mint') return refuse('not_a_mint', 'cbdc.mint takes a mint transaction; transfers settle through cbdc.settle.');
    const [result] = await settleCbdcTransactions(env, [tx], { mint: true });
    assert(result !== undefined, 'one result per transaction');
    if (result.result !== 'settled') return refuse(result.result, `The mint was refused: ${result.result}.`, { txid: result.txid });
    const outputs = createdOutputHashes(result.txid!, tx!);
    return ok({ txid: result.txid!, outputs, valueMinor: tx!.outputs.reduce((total, output) => total + output.value, 0n).toString() });
  },
  audit: () => ({}),
});

/** Which of the given output hashes are unspent. */
export const cbdcUnspent = command({
  kind: 'read',
  input: z.object({ hashes: z.array(hashSchema).min(1).max(cbdcUnspentQueryMax) }),
  async run(env, input) {
    return ok({ unspent: await env.tx.utxo.unspent(input.hashes) });
  },
});

/** The central bank's token issuer key of a currency: whoever holds its secret key can mint, so a second person agrees. */
export const setCbdcTokenIssuer = command({
  kind: 'write',
  input: z.object({ currency: currencySchema, publicKeys: z.object({ mlDsa65: z.string().max(4096), ed25519: z.string().max(64) }) }),
  async run(env, input) {
    const keys = hybridPublicKeysFromJson(input.publicKeys);
    if (keys === undefined) return refuse('public_keys_malformed', 'The issuer keys must be base64url ML-DSA-65 (1952 bytes) and Ed25519 (32 bytes) public keys.');
    await env.tx.utxo.setIssuer(input.currency, keys);
    return ok({ currency: input.currency });
  },
});

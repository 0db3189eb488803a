import { z } from 'zod';
import { AccountCodes } from '../../core/banking/types';
import { planLoadOffline, planOfflineSettle } from '../../core/cbdc/books';
import {
  cbdcLoadTxid,
  cbdcOwnerId,
  cbdcTransactionFromJson,
  cbdcWalletOwner,
  createdOutputHashes,
  certifyCbdcCoin,
  verifyCbdcCoin,
  verifyCbdcLoad,
  inputHash,
  outputHash,
  validateCbdcTransaction,
  type CbdcOutput,
  type CbdcTransaction,
} from '../../core/cbdc/tokens';
import type { CbdcBooks, CbdcCoin, CbdcWallet } from '../../core/cbdc/types';
import { cbdcLedgerOf, splitIncoming } from '../../core/cbdc/wallet';
import { hybridPublicKeysFromJson } from '../../core/crypto/hybrid-signature';
import { assert } from '../../core/assert';
import type { Id128 } from '../../core/ids';
import { formatMoney } from '../../core/money';
import { sarDueAtMs, openOrJoinCase } from '../cases';
import { command, ok, refuse, type CommandEnv, type Outcome, type Refusal } from '../command';
import { fraudQueue } from '../fraud';
import { applyAccounts } from '../ledger';
import { idSchema, moneySchema } from '../schemas';
import { settleCbdcTransactions } from './cbdc-tokens';
import { bankAccountFlags, book, isBooked, replayOf, walletState, walletSubject } from './cbdc-wallets';
import { derivedId } from './payments';
import { holdersOf, moneyMeasure, monitoredLegs } from './subjects';

/**
 * Offline CBDC payments, on the digital euro's offline model: value is loaded from a customer's
 * wallet onto their device as coins of the token model (unspent outputs owned by the device's
 * hybrid post-quantum key, the signature the sync already uses); at a counter without a link the
 * customer pays with a voucher — a token transaction spending their coins, one output to the
 * payee's wallet and change back to themselves, signed by the device. The workstation checks the
 * voucher (signatures, sums, the payee, value it already took at this counter) and queues it; at
 * sync the server settles it against the unspent set or, when the value was spent already by
 * another payment, refuses it and opens a case.
 *
 * The bank's books: the offline account on the CBDC ledger holds exactly the value of the unspent
 * offline coins. A load moves value there from the wallet; a settled payment moves the spent value
 * on to the payee's wallet (and what exceeds their limit on to their deposit); change stays as new
 * coins. A wallet's unspent coins count against its holding limit.
 */

const publicKeysSchema = z.object({ mlDsa65: z.string().max(4096), ed25519: z.string().max(64) }).strict();

const signatureSchema = z.object({ mlDsa65: z.string().max(4500), ed25519: z.string().max(100) }).strict();
/** `proof`: the device signs the load (signCbdcLoad), so value is only ever loaded onto a key someone holds. */
const loadInput = z.object({ operationId: idSchema, walletId: idSchema, money: moneySchema, device: publicKeysSchema, proof: signatureSchema }).strict();

async function offlineAccountOf(env: CommandEnv, books: CbdcBooks): Promise<Id128> {
  if (books.offlineAccountId !== undefined) return books.offlineAccountId;
  const id = env.ids.next();
  const results = await applyAccounts(env.tx.ledger, [{ id, ledger: cbdcLedgerOf(books.id), code: AccountCodes.cbdcOffline, flags: bankAccountFlags.noOverdraft }], env.nowNs);
  if (results[0] !== 'ok') throw new Error(`CBDC offline account refused: ${results[0]}`);
  await env.tx.banking.put('cbdcBooks', { ...books, offlineAccountId: id });
  return id;
}

async function addOffline(env: CommandEnv, walletId: Id128, deltaMinor: bigint): Promise<void> {
  const wallet = (await env.tx.banking.get('cbdcWallet', walletId))!;
  const offlineMinor = (wallet.offlineMinor ?? 0n) + deltaMinor;
  assert(offlineMinor >= 0n, 'a wallet never has negative offline value');
  await env.tx.banking.put('cbdcWallet', { ...wallet, offlineMinor });
}

const coinView = (coin: Pick<CbdcCoin, 'txid' | 'index' | 'owner' | 'valueMinor' | 'currency' | 'certificate'>) => ({
  txid: coin.txid,
  index: coin.index,
  output: { value: coin.valueMinor.toString(), currency: coin.currency, owner: coin.owner },
  certificate: coin.certificate ?? null,
});

/** The bank's signature of a coin it made, for counters without a link; none where this engine has no server keys. */
function certificateOf(env: CommandEnv, coinHash: string, walletId: Id128): NonNullable<CbdcCoin['certificate']> | null {
  const keys = env.serverKeys;
  return keys === null ? null : certifyCbdcCoin(keys.signing, keys.keyVersion, coinHash, walletId);
}

/**
 * Loads value from a wallet onto the customer's offline device: one coin, owned by the device's
 * key, of the amount. A replay with the same id answers the same coin and moves nothing.
 */
export const loadCbdcOffline = command({
  kind: 'write',
  input: loadInput,
  subject: (env, input) => walletSubject(env, input.walletId),
  // The customer's money leaves the bank's view of their wallet: it counts against the teller's transfer limit (a replay is not counted twice).
  measure: async (env, input) => ((await isBooked(env, input.operationId)) ? null : moneyMeasure(input.money)),
  async run(env, input) {
    const keys = hybridPublicKeysFromJson(input.device);
    if (keys === undefined) return refuse('public_keys_malformed', "The device's keys must be base64url ML-DSA-65 (1952 bytes) and Ed25519 (32 bytes) public keys.");
    const request = { operationId: input.operationId, walletId: input.walletId, amountMinor: input.money.amount, currency: input.money.currency };
    if (!verifyCbdcLoad(keys, request, input.proof)) return refuse('device_proof_invalid', "The device's signature of this load does not verify: load onto the customer's own device, which signs the request.");
    const owner = cbdcOwnerId(keys);
    const txid = cbdcLoadTxid(input.operationId);
    const output: CbdcOutput = { value: input.money.amount, currency: input.money.currency, owner };
    const id = outputHash(txid, 0, output);
    const replay = await replayOf(env, input.operationId, 'load_offline', input.money, input.walletId, owner);
    if (replay !== null) return replay.ok ? ok({ operation: replay.value, coin: coinView((await env.tx.banking.get('cbdcCoin', id))!) }) : replay;
    const state = await walletState(env, input.walletId, input.money.currency);
    if (!state.ok) return state;
    if (input.money.amount > state.value.balanceMinor) return refuse('insufficient_funds', 'Insufficient funds: the wallet holds less than this amount; fund it first.');
    const offlineAccountId = await offlineAccountOf(env, state.value.books);
    const booked = await book(env, input.operationId, { kind: 'load_offline', currency: input.money.currency, amountMinor: input.money.amount, walletId: input.walletId, fingerprint: owner, split: { fromWalletMinor: input.money.amount } }, planLoadOffline(input.money.currency, input.walletId, offlineAccountId, input.money.amount));
    if (!booked.ok) return booked;
    const coin: CbdcCoin = { id, walletId: input.walletId, currency: output.currency, valueMinor: output.value, txid, index: 0, owner, spentBy: null, certificate: certificateOf(env, id, input.walletId), createdAtMs: env.nowMs };
    await env.tx.utxo.create([coin.id]);
    await env.tx.utxo.recordSettled([txid]);
    await env.tx.banking.put('cbdcCoin', coin);
    await addOffline(env, input.walletId, input.money.amount);
    return ok({ operation: booked.value, coin: coinView(coin) });
  },
});

const certificateSchema = z.object({ keyVersion: z.number().int().min(1).max(1_000_000), mlDsa65: z.string().max(4500), ed25519: z.string().max(100) }).strict();
/** `certificates`: the bank's certificate of each input coin, in input order (as cbdc.offline_coins gave them), for a counter without a link to verify. */
const payInput = z.object({ paymentId: idSchema, payerWalletId: idSchema, payeeWalletId: idSchema, voucher: z.unknown(), certificates: z.array(certificateSchema.nullable()).max(16).optional() }).strict();
type PayInput = z.output<typeof payInput>;

interface Voucher {
  readonly tx: CbdcTransaction;
  readonly txid: string;
  readonly currency: string;
  readonly amountMinor: bigint;
  /** The output paid to the payee's wallet: index and hash. */
  readonly payeeOutput: { readonly index: number; readonly hash: string };
  readonly inputs: readonly string[];
}

/** What an offline payment answers: taken at a counter (to settle at sync), or settled by the bank's books. */
export interface OfflinePayment {
  readonly status: 'taken_offline' | 'settled';
  readonly paymentId: string;
  readonly txid: string;
  readonly amountMinor: string;
  readonly currency: string;
  /** Settled: what reached the payee's wallet, and what exceeded their limit and went on to their deposit account. */
  readonly toWalletMinor?: string;
  readonly toLinkedMinor?: string;
}

/**
 * The voucher of one request, checked once: the limit's measure, the monitoring and the run all
 * read it, and checking verifies every signature (milliseconds each). Keyed by the parsed input,
 * which is one object for the whole admission of a request.
 */
const checkedVouchers = new WeakMap<PayInput, Outcome<Voucher, string>>();
function voucherOf(input: PayInput): Outcome<Voucher, string> {
  let checked = checkedVouchers.get(input);
  if (checked === undefined) {
    checked = checkVoucher(input);
    checkedVouchers.set(input, checked);
  }
  return checked;
}

/** What any counter can check of a voucher alone: it decodes, its signatures and sums hold, it pays the payee's wallet once and returns change only to its payer. */
function checkVoucher(input: PayInput): Outcome<Voucher, string> {
  const tx = cbdcTransactionFromJson(input.voucher);
  if (tx === undefined) return refuse('voucher_malformed', 'The voucher is not a CBDC transaction; ask the customer to make the payment again on their device.');
  if (tx.kind !== 'transfer' || tx.redeemed !== 0n) return refuse('voucher_not_a_payment', 'A voucher is a transfer that redeems nothing.');
  const validation = validateCbdcTransaction(tx, () => undefined);
  if (validation.code !== 'ok') return refuse('voucher_invalid', `The voucher does not verify (${validation.code.replaceAll('_', ' ')}); nothing was taken.`, { reason: validation.code });
  const txid = validation.txid!;
  const payeeOwner = cbdcWalletOwner(input.payeeWalletId);
  const payerOwners = new Set(tx.inputs.map((coin) => coin.output.owner));
  const toPayee = tx.outputs.flatMap((output, index) => (output.owner === payeeOwner ? [index] : []));
  if (toPayee.length !== 1) return refuse('voucher_payee_mismatch', "The voucher does not pay this payee's wallet exactly once.");
  if (!tx.outputs.every((output, index) => index === toPayee[0] || payerOwners.has(output.owner))) return refuse('voucher_change_elsewhere', 'Change of a voucher goes back to its payer only.');
  const index = toPayee[0]!;
  const output = tx.outputs[index]!;
  return ok({ tx, txid, currency: output.currency, amountMinor: output.value, payeeOutput: { index, hash: createdOutputHashes(txid, tx)[index]! }, inputs: tx.inputs.map(inputHash) });
}

async function walletsOf(env: CommandEnv, input: PayInput, currency: string): Promise<Outcome<{ payer: CbdcWallet; payee: CbdcWallet }, string>> {
  if (input.payerWalletId === input.payeeWalletId) return refuse('accounts_must_be_different', 'A wallet cannot pay itself.');
  const [payer, payee] = await Promise.all([env.tx.banking.get('cbdcWallet', input.payerWalletId), env.tx.banking.get('cbdcWallet', input.payeeWalletId)]);
  if (payer === undefined || payee === undefined) return refuse('wallet_not_found', 'Both CBDC wallets must exist.');
  if (payer.currency !== currency || payee.currency !== currency) return refuse('currency_mismatch', `The voucher pays ${currency}; both wallets must hold it.`);
  return ok({ payer, payee });
}

/**
 * At a workstation: the value this counter already took from the same coins for another payment is
 * refused at once; otherwise the voucher is taken and its coins remembered as spent here. The
 * payee is credited when the server settles it.
 */
async function takeAtCounter(env: CommandEnv, input: PayInput, voucher: Voucher, payer: CbdcWallet): Promise<Outcome<OfflinePayment, string>> {
  const seen = await Promise.all(voucher.inputs.map((hash) => env.tx.banking.get('cbdcCoin', hash)));
  for (const coin of seen) {
    const spent = coin?.spentBy;
    if (spent === null || spent === undefined) continue;
    // Another transaction over the same value is a double spend, whatever payment id it comes under.
    if (spent.txid !== voucher.txid) return refuse('cbdc_double_spend', `This value was already paid at this counter (payment ${spent.paymentId}); refuse the voucher and call compliance.`, { firstPaymentId: spent.paymentId });
    if (spent.paymentId !== input.paymentId) return refuse('voucher_already_taken', `This voucher was taken already, as payment ${spent.paymentId}.`, { paymentId: spent.paymentId });
  }
  // Each coin is the bank's (its certificate verifies) or change of a voucher this counter took.
  const state = await env.tx.banking.get('workstation', 'local');
  const bankKeys = state === undefined ? undefined : hybridPublicKeysFromJson(state.serverPublicKeys);
  for (const [index, hash] of voucher.inputs.entries()) {
    const known = seen[index];
    if (known !== undefined) {
      if (known.walletId !== payer.id) return refuse('coin_of_another_wallet', "The voucher spends change of another customer's payment.");
      continue;
    }
    const certificate = input.certificates?.[index] ?? null;
    const verified = bankKeys !== undefined && certificate !== null && certificate.keyVersion === state!.serverKeyVersion && verifyCbdcCoin(bankKeys, certificate, hash, payer.id);
    if (!verified) return refuse('cbdc_coin_unverified', `Coin ${index + 1} of the voucher carries no certificate of the bank this counter can verify; without a link, only coins the bank loaded (or change of a voucher taken here) are taken.`);
  }
  const spentBy = { paymentId: input.paymentId, txid: voucher.txid, deviceId: env.ctx.deviceId, atMs: env.occurredAtMs };
  for (const [index, coin] of voucher.tx.inputs.entries()) {
    await env.tx.banking.put('cbdcCoin', { id: voucher.inputs[index]!, walletId: payer.id, currency: coin.output.currency, valueMinor: coin.output.value, txid: coin.txid, index: coin.index, owner: coin.output.owner, spentBy, createdAtMs: env.nowMs });
  }
  // The change is the payer's to spend on at this counter before the next sync.
  for (const [index, output] of voucher.tx.outputs.entries()) {
    if (index === voucher.payeeOutput.index) continue;
    await env.tx.banking.put('cbdcCoin', { id: outputHash(voucher.txid, index, output), walletId: payer.id, currency: output.currency, valueMinor: output.value, txid: voucher.txid, index, owner: output.owner, spentBy: null, createdAtMs: env.nowMs });
  }
  return ok({ status: 'taken_offline', paymentId: input.paymentId, txid: voucher.txid, amountMinor: voucher.amountMinor.toString(), currency: voucher.currency });
}

async function doubleSpend(env: CommandEnv, input: PayInput, voucher: Voucher, payer: CbdcWallet, first: NonNullable<CbdcCoin['spentBy']>): Promise<Refusal<'cbdc_double_spend'>> {
  const refusal = (found: { id: string; number: string }): Refusal<'cbdc_double_spend'> => ({
    ...refuse('cbdc_double_spend', `Refused: the voucher spends value the customer already spent (payment ${first.paymentId}). Compliance has case ${found.number}.`, { caseId: found.id, caseNumber: found.number, firstPaymentId: first.paymentId }),
    keep: true,
  });
  // The same refused payment presented again (a retried sync) is on its case already: no second alert.
  const cases = await env.tx.banking.findBy('complianceCase', 'customer', payer.customerId, 16);
  const known = cases.find((found) => found.alerts.some((alert) => alert.kind === 'double_spend' && alert.paymentId === input.paymentId && alert.txid === voucher.txid));
  if (known !== undefined) return refusal(known);
  const opened = await openOrJoinCase(env.tx, env.ids, {
    queue: fraudQueue,
    title: `Offline CBDC double spend: ${formatMoney(voucher.amountMinor, voucher.currency)} paid with value already spent by payment ${first.paymentId}`,
    branchId: payer.branchId,
    customerId: payer.customerId,
    partyName: null,
    alerts: [
      {
        kind: 'double_spend',
        paymentId: input.paymentId,
        txid: voucher.txid,
        firstPaymentId: first.paymentId,
        firstDeviceId: first.deviceId,
        valueMinor: voucher.amountMinor.toString(),
        currency: voucher.currency,
        deviceId: env.ctx.deviceId,
        atMs: env.occurredAtMs,
      },
    ],
    transactionIds: [input.paymentId, first.paymentId],
    dueAtMs: sarDueAtMs(env.nowMs),
    nowMs: env.nowMs,
    actor: env.ctx.actor,
    joinQueueOnly: fraudQueue,
  });
  return refusal(opened);
}

/** At the bank's books: settled against the unspent set, or refused (a double spend opens a case). */
async function settleOffline(env: CommandEnv, input: PayInput, voucher: Voucher, payer: CbdcWallet, payeeWallet: CbdcWallet): Promise<Outcome<OfflinePayment, string>> {
  const settledView = (toWalletMinor: string, toLinkedMinor: string): OfflinePayment => ({ status: 'settled', paymentId: input.paymentId, txid: voucher.txid, amountMinor: voucher.amountMinor.toString(), currency: voucher.currency, toWalletMinor, toLinkedMinor });
  const replay = await replayOf(env, input.paymentId, 'offline_pay', { amount: voucher.amountMinor, currency: voucher.currency }, payer.id, `${payeeWallet.id}:${voucher.txid}`);
  if (replay !== null) return replay.ok ? ok(settledView(replay.value.toWalletMinor, replay.value.toLinkedMinor)) : replay;
  const coins = await Promise.all(voucher.inputs.map((hash) => env.tx.banking.get('cbdcCoin', hash)));
  for (const coin of coins) {
    if (coin === undefined) return refuse('cbdc_coin_unknown', 'The voucher spends value the bank never loaded onto an offline device; nothing was paid.');
    if (coin.walletId !== payer.id) return refuse('coin_of_another_wallet', "The voucher spends value loaded from another customer's wallet.");
  }
  const spent = coins.find((coin) => coin!.spentBy !== null)?.spentBy;
  if (spent !== undefined && spent !== null) {
    if (spent.txid === voucher.txid) return refuse('voucher_already_settled', `This voucher was settled already, as payment ${spent.paymentId}.`, { paymentId: spent.paymentId });
    return doubleSpend(env, input, voucher, payer, spent);
  }
  const unspent = await env.tx.utxo.unspent(voucher.inputs);
  if (unspent.length !== voucher.inputs.length) return refuse('cbdc_coin_unavailable', 'A coin of the voucher is no longer in the unspent set; nothing was paid. Operations should reconcile the offline coins.');
  const [payerState, payee] = await Promise.all([walletState(env, payer.id, voucher.currency, "The payer's"), walletState(env, payeeWallet.id, voucher.currency, "The payee's")]);
  if (!payerState.ok) return payerState;
  if (!payee.ok) return payee;
  const offlineAccountId = payee.value.books.offlineAccountId;
  assert(offlineAccountId !== undefined, 'coins exist, so the offline account does');
  // Everything is checked: post (all or nothing), then settle the tokens, which cannot fail now.
  const split = splitIncoming(payee.value.holdingMinor, payee.value.limitMinor, voucher.amountMinor);
  const legs = planOfflineSettle(payee.value.books, voucher.currency, offlineAccountId, { walletId: payeeWallet.id, linkedAccountId: payee.value.linked.id }, split);
  const booked = await book(env, input.paymentId, { kind: 'offline_pay', currency: voucher.currency, amountMinor: voucher.amountMinor, walletId: payer.id, payeeWalletId: payeeWallet.id, fingerprint: `${payeeWallet.id}:${voucher.txid}`, split: { toWalletMinor: split.toWallet, toLinkedMinor: split.toLinked } }, legs);
  if (!booked.ok) return booked;
  const [settled] = await settleCbdcTransactions(env, [voucher.tx]);
  assert(settled?.result === 'settled', `a checked voucher settles (${settled?.result})`);
  // The payee's output is deposited into their wallet at once: it leaves the set as it enters.
  assert((await env.tx.utxo.spend([voucher.payeeOutput.hash])) === 1, "the payee's output was just created");
  const spentBy = { paymentId: input.paymentId, txid: voucher.txid, deviceId: env.ctx.deviceId, atMs: env.occurredAtMs };
  for (const coin of coins) await env.tx.banking.put('cbdcCoin', { ...coin!, spentBy });
  const change = voucher.tx.outputs.flatMap((output, index) => (index === voucher.payeeOutput.index ? [] : [{ output, index }]));
  for (const { output, index } of change) {
    const id = outputHash(voucher.txid, index, output);
    await env.tx.banking.put('cbdcCoin', { id, walletId: payer.id, currency: output.currency, valueMinor: output.value, txid: voucher.txid, index, owner: output.owner, spentBy: null, certificate: certificateOf(env, id, payer.id), createdAtMs: env.nowMs });
  }
  await addOffline(env, payer.id, -voucher.amountMinor);
  return ok(settledView(split.toWallet.toString(), split.toLinked.toString()));
}

/**
 * A payment with an offline voucher from one of the bank's CBDC wallets to another: taken at the
 * counter offline, settled (or refused) by the server at sync; online, settled at once.
 */
/** The amount a voucher pays the payee, or null when it is not one (run refuses it); null too for a payment already taken or settled, which is not counted twice. */
async function voucherMeasure(env: CommandEnv, input: PayInput) {
  const voucher = voucherOf(input);
  if (!voucher.ok || (await alreadyDecided(env, input, voucher.value))) return null;
  return moneyMeasure({ amount: voucher.value.amountMinor, currency: voucher.value.currency });
}

async function alreadyDecided(env: CommandEnv, input: PayInput, voucher: Voucher): Promise<boolean> {
  if (env.host !== 'workstation') return isBooked(env, input.paymentId);
  const first = await env.tx.banking.get('cbdcCoin', voucher.inputs[0]!);
  return first?.spentBy?.paymentId === input.paymentId;
}

async function linkedOf(env: CommandEnv, walletId: Id128): Promise<string> {
  return (await env.tx.banking.get('cbdcWallet', walletId))?.linkedAccountId ?? walletId;
}

export const payCbdcOffline = command({
  kind: 'write',
  input: payInput,
  subject: (env, input) => walletSubject(env, input.payerWalletId),
  // A teller's transfer limit bounds what they take at the counter, as for an online wallet payment; the parties are screened and the payment monitored.
  measure: (env, input) => voucherMeasure(env, input),
  parties: async (env, input) => holdersOf(env, derivedId(`cbdc-offline:${input.paymentId}`), [await linkedOf(env, input.payerWalletId), await linkedOf(env, input.payeeWalletId)]),
  monitored: async (env, input) => {
    const voucher = voucherOf(input);
    if (!voucher.ok || (await alreadyDecided(env, input, voucher.value))) return [];
    const money = { amount: voucher.value.amountMinor, currency: voucher.value.currency };
    return monitoredLegs(env, derivedId(`cbdc-offline:${input.paymentId}`), money, [
      { id: input.paymentId, accountId: await linkedOf(env, input.payerWalletId), kind: 'transfer_out', counterpartyAccountId: `cbdc:${input.payeeWalletId}` },
      { id: `${input.paymentId}:in`, accountId: await linkedOf(env, input.payeeWalletId), kind: 'transfer_in', counterpartyAccountId: `cbdc:${input.payerWalletId}` },
    ]);
  },
  async run(env, input): Promise<Outcome<OfflinePayment, string>> {
    const voucher = voucherOf(input);
    if (!voucher.ok) return voucher;
    const wallets = await walletsOf(env, input, voucher.value.currency);
    if (!wallets.ok) return wallets;
    if (env.host === 'workstation') return takeAtCounter(env, input, voucher.value, wallets.value.payer);
    return settleOffline(env, input, voucher.value, wallets.value.payer, wallets.value.payee);
  },
  audit: (input) => ({ paymentId: input.paymentId, payerWalletId: input.payerWalletId, payeeWalletId: input.payeeWalletId }),
});

/** The offline coins of a wallet not yet spent, as the customer's device would list them. */
export const cbdcOfflineCoins = command({
  kind: 'read',
  input: z.object({ walletId: idSchema }).strict(),
  subject: (env, input) => walletSubject(env, input.walletId),
  async run(env, input) {
    const coins = await env.tx.banking.findBy('cbdcCoin', 'wallet', input.walletId, 1_000);
    return ok({ coins: coins.map(coinView), totalMinor: coins.reduce((total, coin) => total + coin.valueMinor, 0n).toString() });
  },
});

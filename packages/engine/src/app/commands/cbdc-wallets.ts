import { z } from 'zod';
import { AccountCodes, type BankAccount, type Customer } from '../../core/banking/types';
import { planDefund, planFund, planIssue, planMoveReserves, planPay, planReceive, planRedeem, type Leg, type Payee } from '../../core/cbdc/books';
import type { CbdcBooks, CbdcOperation, CbdcOperationKind, CbdcPolicy, CbdcTier, CbdcWallet } from '../../core/cbdc/types';
import { cbdcLedgerOf, fiatLedgerOf, fundingRoom, holdingLimitOf, policyProblem, splitIncoming, splitPayment, tierOf } from '../../core/cbdc/wallet';
import type { Id128 } from '../../core/ids';
import { AccountFlags, TransferFlags, availableBalance, type Account, type TransferEvent } from '../../core/ledger';
import type { Subject } from '../../core/policy';
import { applyAccounts } from '../ledger';
import { command, ok, refuse, type CommandEnv, type Outcome, type Refusal } from '../command';
import { currencySchema, idSchema, moneySchema, nonNegativeAmountSchema, textSchema } from '../schemas';
import { branchAccountId } from './branches';
import { bicSchema, derivedId, referenceSchema } from './payments';
import { balancesOf, ledgerAccount, post } from './posting';
import { branchSubject, customerSubject, holdersOf, moneyMeasure, monitoredLegs, type MonitoredLeg } from './subjects';

/**
 * Retail CBDC wallets the bank distributes, on the digital euro's model: holding limits by tier
 * from the bank's published sheet; funding and defunding against the linked deposit account; the
 * waterfall (what an incoming payment brings above the limit goes on to the deposit account) and
 * the reverse waterfall (what a payment needs beyond the wallet comes from it); the central bank's
 * issuance and redemption against the bank's reserve account. Every operation is one linked chain
 * of ledger transfers (all or nothing) with ids derived from the operation's id, recorded as a
 * `cbdcOperation` so a replay answers as the first run did and moves nothing.
 *
 * Design choices:
 * - A float too short for a funding (or a reverse waterfall) is topped up by issuing the shortfall
 *   on demand against reserves, in the same chain: in the digital euro model an intermediary
 *   funds its customers' holdings from its central bank reserves, not from a pre-bought stock, so
 *   a customer is never refused for the bank's own inventory. Reserves short: `insufficient_reserves`.
 * - A lowered holding limit sweeps nothing retroactively (the holding is the customer's); it blocks
 *   further incoming money: funding is refused, and incoming payments go wholly to the deposit.
 */

type OperationInput = { operationId: Id128; money: { amount: bigint; currency: string } };

const operationView = (operation: CbdcOperation) => ({
  ...operation,
  amountMinor: operation.amountMinor.toString(),
  fromWalletMinor: operation.fromWalletMinor.toString(),
  fromLinkedMinor: operation.fromLinkedMinor.toString(),
  toWalletMinor: operation.toWalletMinor.toString(),
  toLinkedMinor: operation.toLinkedMinor.toString(),
  issuedOnDemandMinor: operation.issuedOnDemandMinor.toString(),
});
type OperationView = ReturnType<typeof operationView>;

const policyView = (policy: CbdcPolicy) => ({ ...policy, standardLimitMinor: policy.standardLimitMinor.toString(), reducedLimitMinor: policy.reducedLimitMinor.toString() });

// ——— reading the books ———

function creditBalance(account: Account): bigint {
  return account.creditsPosted - account.debitsPosted;
}

export async function accountOf(env: CommandEnv, id: Id128): Promise<Account> {
  const account = await ledgerAccount(env, id);
  if (account === undefined) throw new Error(`CBDC books: ledger account ${id} is missing`);
  return account;
}

async function booksOf(env: CommandEnv, currency: string): Promise<Outcome<{ books: CbdcBooks; policy: CbdcPolicy }, 'cbdc_not_offered'>> {
  const [books, policy] = await Promise.all([env.tx.banking.get('cbdcBooks', currency), env.tx.banking.get('cbdcPolicy', currency)]);
  if (books === undefined || policy === undefined) return refuse('cbdc_not_offered', `The bank offers no ${currency} CBDC wallets: treasury publishes a CBDC policy sheet for ${currency} first.`);
  return ok({ books, policy });
}

export interface WalletState {
  readonly wallet: CbdcWallet;
  readonly customer: Customer;
  readonly linked: BankAccount;
  readonly tier: CbdcTier;
  readonly limitMinor: bigint;
  readonly balanceMinor: bigint;
  /** What counts against the holding limit: the wallet's balance and its unspent offline coins. */
  readonly holdingMinor: bigint;
  readonly linkedAvailableMinor: bigint;
  readonly books: CbdcBooks;
  readonly policy: CbdcPolicy;
}

type WalletRefusal = 'wallet_not_found' | 'currency_mismatch' | 'no_linked_account' | 'cbdc_not_offered';

/** A wallet with everything its rules read: the customer's tier and limit now, its balance, the linked account's available money. */
export async function walletState(env: CommandEnv, walletId: Id128, currency: string, whose = 'The'): Promise<Outcome<WalletState, WalletRefusal>> {
  const wallet = await env.tx.banking.get('cbdcWallet', walletId);
  if (wallet === undefined) return refuse('wallet_not_found', `${whose} CBDC wallet does not exist.`);
  if (wallet.currency !== currency) return refuse('currency_mismatch', `${whose} wallet holds ${wallet.currency}; the amount is in ${currency}.`);
  const [customer, linked, found] = await Promise.all([env.tx.banking.get('customer', wallet.customerId), env.tx.banking.get('bankAccount', wallet.linkedAccountId), booksOf(env, currency)]);
  if (!found.ok) return found;
  if (customer === undefined) throw new Error(`CBDC wallet ${wallet.id} belongs to no customer`);
  if (linked === undefined || linked.status !== 'open') return refuse('no_linked_account', `${whose} wallet's linked deposit account is closed; the waterfall and reverse waterfall need an open one.`);
  const [walletAccount, linkedAccount] = await Promise.all([accountOf(env, wallet.id), accountOf(env, linked.id)]);
  const tier = tierOf(customer);
  return ok({
    wallet,
    customer,
    linked,
    tier,
    limitMinor: holdingLimitOf(found.value.policy, tier),
    balanceMinor: creditBalance(walletAccount),
    holdingMinor: creditBalance(walletAccount) + (wallet.offlineMinor ?? 0n),
    linkedAvailableMinor: availableBalance(linkedAccount, true),
    ...found.value,
  });
}

/** What CBDC the float lacks for `neededMinor`, to be issued on demand; refused when reserves cannot cover it. */
async function onDemandIssue(env: CommandEnv, books: CbdcBooks, neededMinor: bigint): Promise<Outcome<bigint, 'insufficient_reserves'>> {
  if (neededMinor === 0n) return ok(0n);
  const float = creditBalance(await accountOf(env, books.floatAccountId));
  const shortMinor = neededMinor > float ? neededMinor - float : 0n;
  if (shortMinor === 0n) return ok(0n);
  const reserves = await accountOf(env, books.reserveAccountId);
  if (reserves.debitsPosted - reserves.creditsPosted < shortMinor) {
    return refuse('insufficient_reserves', "The bank's reserves at the central bank cannot cover the CBDC this needs; treasury must add reserves.", { shortMinor: shortMinor.toString() });
  }
  return ok(shortMinor);
}

// ——— posting ———

/** The legs as one linked chain, each with an id derived from the operation's: a retry derives the same ids. */
function chain(operationId: Id128, legs: readonly Leg[]): TransferEvent[] {
  return legs.map((leg, index) => ({
    id: derivedId(`cbdc:${operationId}:${leg.leg}`),
    debitAccountId: leg.debitAccountId,
    creditAccountId: leg.creditAccountId,
    amount: leg.amount,
    ledger: leg.ledger,
    code: leg.code,
    userData128: operationId,
    ...(index < legs.length - 1 ? { flags: TransferFlags.linked } : {}),
  }));
}

interface Booking {
  readonly kind: CbdcOperationKind;
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly walletId: Id128 | null;
  readonly payeeWalletId?: Id128 | null;
  readonly fingerprint: string;
  readonly split?: Partial<Pick<CbdcOperation, 'fromWalletMinor' | 'fromLinkedMinor' | 'toWalletMinor' | 'toLinkedMinor' | 'issuedOnDemandMinor'>>;
}

export async function book(env: CommandEnv, operationId: Id128, booking: Booking, legs: readonly Leg[]) {
  const events = chain(operationId, legs);
  const posted = await post(env, events);
  if (!posted.ok) return posted;
  const operation: CbdcOperation = {
    id: operationId,
    kind: booking.kind,
    currency: booking.currency,
    amountMinor: booking.amountMinor,
    walletId: booking.walletId,
    payeeWalletId: booking.payeeWalletId ?? null,
    fingerprint: booking.fingerprint,
    fromWalletMinor: booking.split?.fromWalletMinor ?? 0n,
    fromLinkedMinor: booking.split?.fromLinkedMinor ?? 0n,
    toWalletMinor: booking.split?.toWalletMinor ?? 0n,
    toLinkedMinor: booking.split?.toLinkedMinor ?? 0n,
    issuedOnDemandMinor: booking.split?.issuedOnDemandMinor ?? 0n,
    transferIds: events.map((event) => event.id as Id128),
    bookedAtMs: env.nowMs,
    bookedBy: env.ctx.actor,
  };
  await env.tx.banking.put('cbdcOperation', operation);
  return ok({ ...operationView(operation), fresh: true });
}

/** A retry of a booked operation answers as the first run did; the same id for something else is refused. */
export async function replayOf(env: CommandEnv, operationId: Id128, kind: CbdcOperationKind, money: { amount: bigint; currency: string }, walletId: Id128 | null, fingerprint: string): Promise<Outcome<OperationView & { fresh: boolean }, 'transaction_id_reused'> | null> {
  const existing = await env.tx.banking.get('cbdcOperation', operationId);
  if (existing === undefined) return null;
  const same = existing.kind === kind && existing.amountMinor === money.amount && existing.currency === money.currency && existing.walletId === walletId && existing.fingerprint === fingerprint;
  return same ? ok({ ...operationView(existing), fresh: false }) : refuse('transaction_id_reused', 'This operation id was already used for a different CBDC operation; start a new one.');
}

export async function isBooked(env: CommandEnv, operationId: Id128): Promise<boolean> {
  return (await env.tx.banking.get('cbdcOperation', operationId)) !== undefined;
}

export async function walletSubject(env: CommandEnv, walletId: Id128): Promise<Subject | null> {
  const wallet = await env.tx.banking.get('cbdcWallet', walletId);
  return wallet === undefined ? null : { branchId: wallet.branchId };
}

/** What a wallet operation counts against the transfer limit: its amount, unless it is a retry (not counted twice). */
async function freshMeasure(env: CommandEnv, input: OperationInput) {
  return (await isBooked(env, input.operationId)) ? null : moneyMeasure(input.money);
}

const holdingRefusal = (state: WalletState, amount: bigint): Refusal<'exceeds_holding_limit'> =>
  refuse('exceeds_holding_limit', `This would take the wallet above its ${state.tier} holding limit; at most ${fundingRoom(state.holdingMinor, state.limitMinor)} more fits.`, {
    limitMinor: state.limitMinor.toString(),
    balanceMinor: state.balanceMinor.toString(),
    offlineMinor: (state.holdingMinor - state.balanceMinor).toString(),
    amountMinor: amount.toString(),
  });

// ——— the policy sheet and the books ———

export const bankAccountFlags = { noOverdraft: AccountFlags.debitsMustNotExceedCredits | AccountFlags.history, assetNoNegative: AccountFlags.creditsMustNotExceedDebits | AccountFlags.history };

async function openBooks(env: CommandEnv, currency: string): Promise<CbdcBooks> {
  const books: CbdcBooks = { id: currency, floatAccountId: env.ids.next(), issuanceAccountId: env.ids.next(), reserveAccountId: env.ids.next(), positionAccountId: env.ids.next(), openedAtMs: env.nowMs };
  const cbdc = cbdcLedgerOf(currency);
  const fiat = fiatLedgerOf(currency);
  const results = await applyAccounts(
    env.tx.ledger,
    [
      { id: books.floatAccountId, ledger: cbdc, code: AccountCodes.cbdcFloat, flags: bankAccountFlags.noOverdraft },
      // Its debit balance is all CBDC on the bank's books (float and wallets): never negative.
      { id: books.issuanceAccountId, ledger: cbdc, code: AccountCodes.cbdcIssuance, flags: bankAccountFlags.assetNoNegative },
      { id: books.reserveAccountId, ledger: fiat, code: AccountCodes.centralBankReserves, flags: bankAccountFlags.assetNoNegative },
      { id: books.positionAccountId, ledger: fiat, code: AccountCodes.cbdcPosition, flags: bankAccountFlags.assetNoNegative },
    ],
    env.nowNs,
  );
  if (results.some((result) => result !== 'ok')) throw new Error(`CBDC books refused: ${results.join(',')}`);
  await env.tx.banking.put('cbdcBooks', books);
  return books;
}

export const setCbdcPolicy = command({
  kind: 'write',
  input: z.object({ currency: currencySchema, standardLimit: nonNegativeAmountSchema, reducedLimit: nonNegativeAmountSchema }).strict(),
  async run(env, input) {
    const problem = policyProblem({ standardLimitMinor: input.standardLimit, reducedLimitMinor: input.reducedLimit });
    if (problem !== null) return refuse(problem, 'The reduced tier may not hold more than the standard tier, and no limit is negative.');
    const previous = await env.tx.banking.get('cbdcPolicy', input.currency);
    if ((await env.tx.banking.get('cbdcBooks', input.currency)) === undefined) await openBooks(env, input.currency);
    const policy: CbdcPolicy = {
      id: input.currency,
      currency: input.currency,
      standardLimitMinor: input.standardLimit,
      reducedLimitMinor: input.reducedLimit,
      version: (previous?.version ?? 0) + 1,
      publishedAtMs: env.nowMs,
      publishedBy: env.ctx.actor,
    };
    await env.tx.banking.put('cbdcPolicy', policy);
    return ok(policyView(policy));
  },
});

// ——— wallets ———

export const openCbdcWallet = command({
  kind: 'write',
  input: z.object({ walletId: idSchema, customerId: idSchema, currency: currencySchema, linkedAccountId: idSchema }).strict(),
  subject: (env, input) => customerSubject(env, input.customerId),
  async run(env, input) {
    const existing = await env.tx.banking.get('cbdcWallet', input.walletId);
    if (existing !== undefined) {
      const same = existing.customerId === input.customerId && existing.currency === input.currency && existing.linkedAccountId === input.linkedAccountId;
      return same ? ok(existing) : refuse('wallet_id_reused', 'A different wallet already has this id.');
    }
    const customer = await env.tx.banking.get('customer', input.customerId);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    const linked = await env.tx.banking.get('bankAccount', input.linkedAccountId);
    if (linked === undefined || linked.customerId !== customer.id || linked.status !== 'open') {
      return refuse('no_linked_account', "A wallet is linked to one of the customer's own open deposit accounts; this is none.");
    }
    if (linked.currency !== input.currency) return refuse('currency_mismatch', `The linked account is in ${linked.currency}; the wallet would hold ${input.currency}.`);
    const found = await booksOf(env, input.currency);
    if (!found.ok) return found;
    if (tierOf(customer) === 'none') return refuse('kyc_tier_has_no_wallet', `The customer's identity is ${customer.kycStatus}: only a verified customer may hold CBDC.`);
    if ((await env.tx.banking.findBy('cbdcWallet', 'holding', `${customer.id}:${input.currency}`, 1)).length > 0) {
      return refuse('wallet_exists', `The customer already holds a ${input.currency} CBDC wallet; one per customer and currency, so the holding limit means what it says.`);
    }
    const results = await applyAccounts(env.tx.ledger, [{ id: input.walletId, ledger: cbdcLedgerOf(input.currency), code: AccountCodes.cbdcWallet, flags: bankAccountFlags.noOverdraft, userData128: customer.id }], env.nowNs);
    if (results[0] !== 'ok') return refuse('wallet_id_reused', `The ledger already holds account ${input.walletId} (${results[0]}).`);
    const wallet: CbdcWallet = { id: input.walletId, customerId: customer.id, branchId: customer.branchId, currency: input.currency, linkedAccountId: linked.id, openedAtMs: env.nowMs };
    await env.tx.banking.put('cbdcWallet', wallet);
    return ok(wallet);
  },
});

export const getCbdcWallet = command({
  kind: 'read',
  input: z.object({ walletId: idSchema }).strict(),
  subject: (env, input) => walletSubject(env, input.walletId),
  async run(env, input) {
    const wallet = await env.tx.banking.get('cbdcWallet', input.walletId);
    if (wallet === undefined) return refuse('wallet_not_found', 'No CBDC wallet has this id.');
    const state = await walletState(env, wallet.id, wallet.currency);
    if (!state.ok) return state;
    const { tier, limitMinor, balanceMinor, holdingMinor, policy } = state.value;
    return ok({
      wallet: { ...wallet, offlineMinor: (wallet.offlineMinor ?? 0n).toString() },
      tier,
      balance: balanceMinor.toString(),
      offline: (holdingMinor - balanceMinor).toString(),
      limit: limitMinor.toString(),
      room: fundingRoom(holdingMinor, limitMinor).toString(),
      policyVersion: policy.version,
      linked: balancesOf(await accountOf(env, wallet.linkedAccountId)),
    });
  },
});

// ——— funding and defunding ———

const walletMoneyInput = z.object({ operationId: idSchema, walletId: idSchema, money: moneySchema }).strict();
type WalletMoneyInput = z.output<typeof walletMoneyInput>;

/** Everything a funding needs, or why it cannot be: shared by the precheck (before a hold) and the run. */
async function fundPlan(env: CommandEnv, input: WalletMoneyInput) {
  const state = await walletState(env, input.walletId, input.money.currency);
  if (!state.ok) return state;
  const amount = input.money.amount;
  if (amount > fundingRoom(state.value.holdingMinor, state.value.limitMinor)) return holdingRefusal(state.value, amount);
  if (amount > state.value.linkedAvailableMinor) return refuse('insufficient_funds', 'Insufficient funds: the linked account does not have enough available balance.');
  const issued = await onDemandIssue(env, state.value.books, amount);
  if (!issued.ok) return issued;
  return ok({ state: state.value, issueOnDemand: issued.value });
}

export const fundCbdcWallet = command({
  kind: 'write',
  input: walletMoneyInput,
  async run(env, input) {
    const replay = await replayOf(env, input.operationId, 'fund', input.money, input.walletId, '');
    if (replay !== null) return replay;
    const plan = await fundPlan(env, input);
    if (!plan.ok) return plan;
    const { state, issueOnDemand } = plan.value;
    const legs = planFund(state.books, input.money.currency, { walletId: state.wallet.id, linkedAccountId: state.linked.id }, input.money.amount, issueOnDemand);
    return book(env, input.operationId, { kind: 'fund', currency: input.money.currency, amountMinor: input.money.amount, walletId: state.wallet.id, fingerprint: '', split: { fromLinkedMinor: input.money.amount, toWalletMinor: input.money.amount, issuedOnDemandMinor: issueOnDemand } }, legs);
  },
  subject: (env, input) => walletSubject(env, input.walletId),
  precheck: async (env, input) => {
    if (await isBooked(env, input.operationId)) return null;
    const plan = await fundPlan(env, input);
    return plan.ok ? null : plan;
  },
  parties: async (env, input) => holdersOf(env, derivedId(`cbdc:${input.operationId}:fund:fiat`), [await linkedOf(env, input.walletId)]),
  monitored: async (env, input) => monitoredLegs(env, derivedId(`cbdc:${input.operationId}:fund:fiat`), input.money, [{ id: input.operationId, accountId: await linkedOf(env, input.walletId), kind: 'transfer_out', counterpartyAccountId: `cbdc:${input.walletId}` }]),
});

async function linkedOf(env: CommandEnv, walletId: Id128): Promise<string> {
  return (await env.tx.banking.get('cbdcWallet', walletId))?.linkedAccountId ?? walletId;
}

async function defundPlan(env: CommandEnv, input: WalletMoneyInput) {
  const state = await walletState(env, input.walletId, input.money.currency);
  if (!state.ok) return state;
  if (input.money.amount > state.value.balanceMinor) return refuse('insufficient_funds', 'Insufficient funds: the wallet holds less than this amount.');
  return state;
}

export const defundCbdcWallet = command({
  kind: 'write',
  input: walletMoneyInput,
  async run(env, input) {
    const replay = await replayOf(env, input.operationId, 'defund', input.money, input.walletId, '');
    if (replay !== null) return replay;
    const state = await defundPlan(env, input);
    if (!state.ok) return state;
    const { books, wallet, linked } = state.value;
    const legs = planDefund(books, input.money.currency, { walletId: wallet.id, linkedAccountId: linked.id }, input.money.amount);
    return book(env, input.operationId, { kind: 'defund', currency: input.money.currency, amountMinor: input.money.amount, walletId: wallet.id, fingerprint: '', split: { fromWalletMinor: input.money.amount, toLinkedMinor: input.money.amount } }, legs);
  },
  subject: (env, input) => walletSubject(env, input.walletId),
  precheck: async (env, input) => {
    if (await isBooked(env, input.operationId)) return null;
    const state = await defundPlan(env, input);
    return state.ok ? null : state;
  },
});

// ——— payments ———

const payeeSchema = z.union([
  z.object({ walletId: idSchema }).strict(),
  z.object({ intermediaryBic: bicSchema, walletReference: referenceSchema, name: textSchema(140) }).strict(),
]);
const payInput = walletMoneyInput.extend({ payee: payeeSchema }).strict();
type PayInput = z.output<typeof payInput>;

function payeeFingerprint(payee: PayInput['payee']): string {
  return 'walletId' in payee ? `wallet:${payee.walletId}` : `external:${payee.intermediaryBic}:${payee.walletReference}`;
}

async function payPlan(env: CommandEnv, input: PayInput) {
  const payer = await walletState(env, input.walletId, input.money.currency, "The payer's");
  if (!payer.ok) return payer;
  const split = splitPayment(payer.value.balanceMinor, payer.value.linkedAvailableMinor, input.money.amount);
  if (!split.ok) return refuse('insufficient_funds', 'Insufficient funds: the wallet and its linked account together hold less than this amount.', { shortMinor: split.shortMinor.toString() });
  let payee: Payee = { kind: 'external' };
  if ('walletId' in input.payee) {
    if (input.payee.walletId === input.walletId) return refuse('accounts_must_be_different', 'A wallet cannot pay itself.');
    const receiving = await walletState(env, input.payee.walletId, input.money.currency, "The payee's");
    if (!receiving.ok) return receiving;
    payee = { kind: 'wallet', side: { walletId: receiving.value.wallet.id, linkedAccountId: receiving.value.linked.id }, split: splitIncoming(receiving.value.holdingMinor, receiving.value.limitMinor, input.money.amount) };
  }
  const issued = await onDemandIssue(env, payer.value.books, split.fromLinked);
  if (!issued.ok) return issued;
  return ok({ payer: payer.value, split, payee, issueOnDemand: issued.value });
}

export const payFromCbdcWallet = command({
  kind: 'write',
  input: payInput,
  async run(env, input) {
    const fingerprint = payeeFingerprint(input.payee);
    const replay = await replayOf(env, input.operationId, 'pay', input.money, input.walletId, fingerprint);
    if (replay !== null) return replay;
    const plan = await payPlan(env, input);
    if (!plan.ok) return plan;
    const { payer, split, payee, issueOnDemand } = plan.value;
    const legs = planPay(payer.books, input.money.currency, { walletId: payer.wallet.id, linkedAccountId: payer.linked.id }, split, payee, issueOnDemand);
    const incoming = payee.kind === 'wallet' ? payee.split : { toWallet: 0n, toLinked: 0n };
    return book(
      env,
      input.operationId,
      {
        kind: 'pay',
        currency: input.money.currency,
        amountMinor: input.money.amount,
        walletId: payer.wallet.id,
        payeeWalletId: payee.kind === 'wallet' ? payee.side.walletId : null,
        fingerprint,
        split: { fromWalletMinor: split.fromWallet, fromLinkedMinor: split.fromLinked, toWalletMinor: incoming.toWallet, toLinkedMinor: incoming.toLinked, issuedOnDemandMinor: issueOnDemand },
      },
      legs,
    );
  },
  subject: (env, input) => walletSubject(env, input.walletId),
  measure: (env, input) => freshMeasure(env, input),
  precheck: async (env, input) => {
    if (await isBooked(env, input.operationId)) return null;
    const plan = await payPlan(env, input);
    return plan.ok ? null : plan;
  },
  parties: async (env, input) => {
    if (await isBooked(env, input.operationId)) return [];
    const payer = await holdersOf(env, input.operationId, [await linkedOf(env, input.walletId)]);
    if ('walletId' in input.payee) return [...payer, ...(await holdersOf(env, input.operationId, [await linkedOf(env, input.payee.walletId)]))];
    return [...payer, { name: input.payee.name, type: 'person' as const }];
  },
  monitored: async (env, input) => {
    if (await isBooked(env, input.operationId)) return [];
    const counterparty = 'walletId' in input.payee ? `cbdc:${input.payee.walletId}` : `cbdc:${input.payee.intermediaryBic}:${input.payee.walletReference}`;
    const legs: MonitoredLeg[] = [{ id: input.operationId, accountId: await linkedOf(env, input.walletId), kind: 'transfer_out', counterpartyAccountId: counterparty }];
    if ('walletId' in input.payee) legs.push({ id: `${input.operationId}:in`, accountId: await linkedOf(env, input.payee.walletId), kind: 'transfer_in', counterpartyAccountId: `cbdc:${input.walletId}` });
    return monitoredLegs(env, derivedId(`cbdc:${input.operationId}:none`), input.money, legs);
  },
});

const receiveInput = walletMoneyInput.extend({ payer: z.object({ name: textSchema(140), kind: z.enum(['person', 'company']), intermediaryBic: bicSchema }).strict() }).strict();

/** A payment from a holder at another intermediary, as the central bank's settlement reports it: the payee's waterfall applies. */
export const receiveCbdcPayment = command({
  kind: 'write',
  input: receiveInput,
  async run(env, input) {
    const fingerprint = `from:${input.payer.intermediaryBic}`;
    const replay = await replayOf(env, input.operationId, 'receive', input.money, input.walletId, fingerprint);
    if (replay !== null) return replay;
    const state = await walletState(env, input.walletId, input.money.currency);
    if (!state.ok) return state;
    const { books, wallet, linked, holdingMinor, limitMinor } = state.value;
    const split = splitIncoming(holdingMinor, limitMinor, input.money.amount);
    const legs = planReceive(books, input.money.currency, { walletId: wallet.id, linkedAccountId: linked.id }, split);
    return book(env, input.operationId, { kind: 'receive', currency: input.money.currency, amountMinor: input.money.amount, walletId: wallet.id, fingerprint, split: { toWalletMinor: split.toWallet, toLinkedMinor: split.toLinked } }, legs);
  },
  subject: (env, input) => walletSubject(env, input.walletId),
  parties: async (env, input) => ((await isBooked(env, input.operationId)) ? [] : [...(await holdersOf(env, input.operationId, [await linkedOf(env, input.walletId)])), { name: input.payer.name, type: input.payer.kind }]),
});

// ——— the central bank's operations ———

const bankOperationInput = z.object({ operationId: idSchema, money: moneySchema }).strict();

async function reservesProblem(env: CommandEnv, books: CbdcBooks, amount: bigint): Promise<Refusal<'insufficient_reserves'> | null> {
  const reserves = await accountOf(env, books.reserveAccountId);
  return reserves.debitsPosted - reserves.creditsPosted < amount ? refuse('insufficient_reserves', "The bank's reserves at the central bank are less than this amount.") : null;
}

async function floatProblem(env: CommandEnv, books: CbdcBooks, amount: bigint): Promise<Refusal<'insufficient_float'> | null> {
  return creditBalance(await accountOf(env, books.floatAccountId)) < amount ? refuse('insufficient_float', "The bank's own CBDC holdings are less than this amount; customers' wallets are theirs, never redeemed by the bank.") : null;
}

async function issuePlan(env: CommandEnv, input: z.output<typeof bankOperationInput>, kind: 'issue' | 'redeem') {
  const found = await booksOf(env, input.money.currency);
  if (!found.ok) return found;
  const problem = kind === 'issue' ? await reservesProblem(env, found.value.books, input.money.amount) : await floatProblem(env, found.value.books, input.money.amount);
  return problem ?? ok(found.value.books);
}

function centralBankOperation(kind: 'issue' | 'redeem') {
  return command({
    kind: 'write',
    input: bankOperationInput,
    async run(env, input) {
      const replay = await replayOf(env, input.operationId, kind, input.money, null, '');
      if (replay !== null) return replay;
      const books = await issuePlan(env, input, kind);
      if (!books.ok) return books;
      const legs = kind === 'issue' ? planIssue(books.value, input.money.currency, input.money.amount) : planRedeem(books.value, input.money.currency, input.money.amount);
      return book(env, input.operationId, { kind, currency: input.money.currency, amountMinor: input.money.amount, walletId: null, fingerprint: '' }, legs);
    },
    precheck: async (env, input) => {
      if (await isBooked(env, input.operationId)) return null;
      const books = await issuePlan(env, input, kind);
      return books.ok ? null : books;
    },
  });
}

/** The central bank converts the bank's reserves into CBDC (reserves down, float up). */
export const issueCbdc = centralBankOperation('issue');
/** The central bank converts the bank's CBDC float back into reserves. */
export const redeemCbdc = centralBankOperation('redeem');

const reservesInput = z.object({ operationId: idSchema, branchId: idSchema, money: moneySchema, direction: z.enum(['to_reserves', 'from_reserves']) }).strict();

async function reservesPlan(env: CommandEnv, input: z.output<typeof reservesInput>) {
  const found = await booksOf(env, input.money.currency);
  if (!found.ok) return found;
  const headOffice = await branchAccountId(env, input.branchId, 'head_office', input.money.currency);
  if (headOffice === undefined) return refuse('branch_has_no_vault_in_currency', `The branch has no ${input.money.currency} accounts.`);
  const problem = input.direction === 'from_reserves' ? await reservesProblem(env, found.value.books, input.money.amount) : null;
  return problem ?? ok({ books: found.value.books, headOffice });
}

/**
 * The bank's reserves at the central bank, from or back to its own funds (a branch's head-office
 * account, the counterpart of every central movement of the bank's money, as when a vault is funded).
 */
export const moveCbdcReserves = command({
  kind: 'write',
  input: reservesInput,
  async run(env, input) {
    const replay = await replayOf(env, input.operationId, 'move_reserves', input.money, null, `${input.direction}:${input.branchId}`);
    if (replay !== null) return replay;
    const plan = await reservesPlan(env, input);
    if (!plan.ok) return plan;
    const legs = planMoveReserves(plan.value.books, input.money.currency, plan.value.headOffice, input.direction, input.money.amount);
    const booked = await book(env, input.operationId, { kind: 'move_reserves', currency: input.money.currency, amountMinor: input.money.amount, walletId: null, fingerprint: `${input.direction}:${input.branchId}` }, legs);
    if (!booked.ok) return booked;
    return ok({ ...booked.value, reserves: balancesOf(await accountOf(env, plan.value.books.reserveAccountId)) });
  },
  subject: (env, input) => branchSubject(env, input.branchId),
  precheck: async (env, input) => {
    if (await isBooked(env, input.operationId)) return null;
    const plan = await reservesPlan(env, input);
    return plan.ok ? null : plan;
  },
});


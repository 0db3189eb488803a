import { z } from 'zod';
import { totalOfCount } from '../../core/banking/denominations';
import { TransferCodes, type Till, type TillSession } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import type { Measure } from '../../core/policy';
import type { Id128 } from '../../core/ids';
import { command, ok, refuse, type CommandEnv, type Outcome } from '../command';
import { denominationCountSchema, idSchema, moneySchema } from '../schemas';
import { branchAccountId } from './branches';
import { balancesOf, ledgerAccount, post } from './posting';
import { accountHolder, accountSubject, holdersOf, monitoredLegs, branchSubject, cashSubject, moneyMeasure, tillSessionSubject, tillSubject } from './subjects';

function ledgerOf(currency: string): number {
  return currencyByCode(currency)!.numeric;
}

/**
 * What a cash movement counts against the teller's limit: its amount, unless it is a retry of a
 * transaction already posted (the ledger answers that one; it is not counted or held again).
 */
async function freshMoney(env: CommandEnv, transferId: Id128, money: { amount: bigint; currency: string }): Promise<Measure | null> {
  return (await env.tx.ledger.transfers([transferId])).length > 0 ? null : moneyMeasure(money);
}

type SessionRefusal = 'session_not_found' | 'session_closed' | 'session_belongs_to_another_teller' | 'till_not_found';

async function openSessionOf(env: CommandEnv, sessionId: Id128): Promise<Outcome<{ session: TillSession; till: Till }, SessionRefusal>> {
  const session = await env.tx.banking.get('tillSession', sessionId);
  if (session === undefined) return refuse('session_not_found', 'No till session has this id; open the till first.');
  if (session.status !== 'open') return refuse('session_closed', 'This till session is closed; open a new one.');
  if (session.tellerId !== env.ctx.actor) {
    return refuse('session_belongs_to_another_teller', `This till is open under ${session.tellerId}; each teller works their own till.`);
  }
  const till = await env.tx.banking.get('till', session.tillId);
  if (till === undefined) return refuse('till_not_found', 'The session refers to a till that does not exist.');
  return ok({ session, till });
}

async function customerAccountFor(env: CommandEnv, accountId: Id128, currency: string) {
  const account = await env.tx.banking.get('bankAccount', accountId);
  if (account === undefined) return refuse('account_not_found', 'No account has this id.');
  if (account.status !== 'open') return refuse('account_closed', 'The account is closed.');
  if (account.currency !== currency) {
    return refuse('currency_mismatch', `The account is in ${account.currency}; the amount is in ${currency}.`);
  }
  return ok(account);
}

const cashInput = z.object({ transferId: idSchema, sessionId: idSchema, accountId: idSchema, money: moneySchema });

async function cashMovement(env: CommandEnv, input: z.output<typeof cashInput>, direction: 'deposit' | 'withdrawal') {
  const opened = await openSessionOf(env, input.sessionId);
  if (!opened.ok) return opened;
  const { session, till } = opened.value;
  if (till.currency !== input.money.currency) {
    return refuse('currency_mismatch', `Till ${till.code} holds ${till.currency}; the amount is in ${input.money.currency}.`);
  }
  const account = await customerAccountFor(env, input.accountId, input.money.currency);
  if (!account.ok) return account;
  const deposit = direction === 'deposit';
  const posted = await post(env, [
    {
      id: input.transferId,
      debitAccountId: deposit ? till.accountId : account.value.id,
      creditAccountId: deposit ? account.value.id : till.accountId,
      amount: input.money.amount,
      ledger: ledgerOf(till.currency),
      code: deposit ? TransferCodes.cashDeposit : TransferCodes.cashWithdrawal,
      userData128: session.id,
      // When the cash moved at the counter: the same on the workstation and when the server replays it.
      userData64: BigInt(env.occurredAtMs),
    },
  ]);
  if (!posted.ok) return posted;
  const balances = balancesOf((await ledgerAccount(env, account.value.id))!);
  return ok({ transferId: input.transferId, accountId: account.value.id, fresh: posted.value.fresh, balances });
}

export const cashDeposit = command({
  kind: 'write',
  input: cashInput,
  run: (env, input) => cashMovement(env, input, 'deposit'),
  subject: (env, input) => cashSubject(env, input.sessionId, input.accountId),
  parties: (env, input) => holdersOf(env, input.transferId, [input.accountId]),
  measure: (env, input) => freshMoney(env, input.transferId, input.money),
  monitored: (env, input) => monitoredLegs(env, input.transferId, input.money, [{ id: input.transferId, accountId: input.accountId, kind: 'cash_deposit' }]),
});

export const cashWithdrawal = command({
  kind: 'write',
  input: cashInput,
  run: (env, input) => cashMovement(env, input, 'withdrawal'),
  subject: (env, input) => cashSubject(env, input.sessionId, input.accountId),
  parties: (env, input) => holdersOf(env, input.transferId, [input.accountId]),
  measure: (env, input) => freshMoney(env, input.transferId, input.money),
  payee: (env, input) => accountHolder(env, input.accountId),
  monitored: (env, input) => monitoredLegs(env, input.transferId, input.money, [{ id: input.transferId, accountId: input.accountId, kind: 'cash_withdrawal' }]),
});

export const internalTransfer = command({
  kind: 'write',
  input: z.object({
    transferId: idSchema,
    fromAccountId: idSchema,
    toAccountId: idSchema,
    money: moneySchema,
    /**
     * Where the customer gave the instruction when it was not at the counter: the bank's online or
     * mobile channel, the device it came from and the country it was in. What the fraud model reads;
     * never a number that moves money.
     */
    origin: z
      .object({ channel: z.enum(['online', 'mobile']), deviceId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/), country: z.string().regex(/^[A-Z]{2}$/).optional() })
      .strict()
      .optional(),
  }),
  async run(env, input) {
    if (input.fromAccountId === input.toAccountId) return refuse('accounts_must_be_different', 'An account cannot pay itself.');

    const from = await customerAccountFor(env, input.fromAccountId, input.money.currency);
    if (!from.ok) return from;
    const to = await customerAccountFor(env, input.toAccountId, input.money.currency);
    if (!to.ok) return to;
    const posted = await post(env, [
      {
        id: input.transferId,
        debitAccountId: from.value.id,
        creditAccountId: to.value.id,
        amount: input.money.amount,
        ledger: ledgerOf(input.money.currency),
        code: TransferCodes.internalTransfer,
      },
    ]);
    if (!posted.ok) return posted;
    return ok({ transferId: input.transferId, fresh: posted.value.fresh });
  },
  // The fraud model reads where an instruction came from: a teller's comes from the counter, the digital channel's must name its device.
  guard: (ctx, input) => {
    if (input.origin !== undefined && ctx.roles.some((role) => role === 'teller' || role === 'head_teller')) {
      return refuse('origin_not_allowed', 'A transfer a teller makes comes from the counter; only the online and mobile channels name another origin.');
    }
    if (input.origin === undefined && ctx.roles.includes('digital_channel')) {
      return refuse('origin_required', 'A transfer from online or mobile banking names its origin: the channel, the device and, when known, the country.');
    }
    return null;
  },
  subject: (env, input) => accountSubject(env, input.fromAccountId),
  measure: (env, input) => freshMoney(env, input.transferId, input.money),
  parties: (env, input) => holdersOf(env, input.transferId, [input.fromAccountId, input.toAccountId]),
  monitored: (env, input) =>
    monitoredLegs(env, input.transferId, input.money, [
      { id: input.transferId, accountId: input.fromAccountId, kind: 'transfer_out', counterpartyAccountId: input.toAccountId },
      { id: `${input.transferId}:in`, accountId: input.toAccountId, kind: 'transfer_in', counterpartyAccountId: input.fromAccountId },
    ]),
});

/** The vault and head-office accounts a funding moves between, or why there are none. */
async function fundingAccounts(env: CommandEnv, input: { branchId: Id128; money: { currency: string } }) {
  if ((await env.tx.banking.get('branch', input.branchId)) === undefined) return refuse('branch_not_found', 'No branch has this id.');
  const vault = await branchAccountId(env, input.branchId, 'vault', input.money.currency);
  const headOffice = await branchAccountId(env, input.branchId, 'head_office', input.money.currency);
  if (vault === undefined || headOffice === undefined) return refuse('branch_has_no_vault_in_currency', `The branch holds no ${input.money.currency}.`);
  return ok({ vault, headOffice });
}

export const fundVault = command({
  kind: 'write',
  input: z.object({ transferId: idSchema, branchId: idSchema, money: moneySchema }),
  async run(env, input) {
    const accounts = await fundingAccounts(env, input);
    if (!accounts.ok) return accounts;
    const { vault, headOffice } = accounts.value;
    const posted = await post(env, [
      {
        id: input.transferId,
        debitAccountId: vault,
        creditAccountId: headOffice,
        amount: input.money.amount,
        ledger: ledgerOf(input.money.currency),
        code: TransferCodes.vaultFunding,
      },
    ]);
    if (!posted.ok) return posted;
    return ok({ transferId: input.transferId, vault: balancesOf((await ledgerAccount(env, vault))!) });
  },
  subject: (env, input) => branchSubject(env, input.branchId),
  precheck: async (env, input) => {
    const accounts = await fundingAccounts(env, input);
    return accounts.ok ? null : accounts;
  },
});

type VaultInput = { transferId: Id128; tillId: Id128; money: { amount: bigint; currency: string } };

/** The till and vault a movement is between, and the cash the giving side holds for it; or why it cannot be. */
async function vaultMovement(env: CommandEnv, input: VaultInput, toTill: boolean) {
  const till = await env.tx.banking.get('till', input.tillId);
  if (till === undefined) return refuse('till_not_found', 'No till has this id.');
  const open = (await env.tx.banking.findBy('tillSession', 'openTill', till.id, 1))[0];
  if (!toTill && open !== undefined && open.tellerId !== env.ctx.actor) {
    return refuse('session_belongs_to_another_teller', `Till ${till.code} is open under ${open.tellerId}; only they return its cash to the vault.`);
  }
  if (till.currency !== input.money.currency) {
    return refuse('currency_mismatch', `Till ${till.code} holds ${till.currency}; the amount is in ${input.money.currency}.`);
  }
  const vault = await branchAccountId(env, till.branchId, 'vault', till.currency);
  if (vault === undefined) return refuse('branch_has_no_vault_in_currency', `The branch vault holds no ${till.currency}.`);
  return ok({ till, vault });
}

async function moveVaultCash(env: CommandEnv, input: VaultInput, toTill: boolean) {
  const movement = await vaultMovement(env, input, toTill);
  if (!movement.ok) return movement;
  const { till, vault } = movement.value;
  const posted = await post(env, [
    {
      id: input.transferId,
      debitAccountId: toTill ? till.accountId : vault,
      creditAccountId: toTill ? vault : till.accountId,
      amount: input.money.amount,
      ledger: ledgerOf(till.currency),
      code: toTill ? TransferCodes.vaultToTill : TransferCodes.tillToVault,
    },
  ]);
  if (!posted.ok) return posted;
  return ok({ transferId: input.transferId, till: balancesOf((await ledgerAccount(env, till.accountId))!) });
}

/** Before a movement waits for the second person: it must be possible, and the giving side must hold the cash now. */
async function vaultMovementProblem(env: CommandEnv, input: VaultInput, toTill: boolean) {
  const movement = await vaultMovement(env, input, toTill);
  if (!movement.ok) return movement;
  if ((await env.tx.ledger.transfers([input.transferId])).length > 0) return null; // a retry: the ledger answers it
  const giving = (await ledgerAccount(env, toTill ? movement.value.vault : movement.value.till.accountId))!;
  if (giving.debitsPosted - giving.creditsPosted - giving.creditsPending < input.money.amount) {
    return refuse('insufficient_cash', 'Not enough cash: the till or vault holds less than this amount. Ask for a vault transfer.');
  }
  return null;
}

const vaultInput = z.object({ transferId: idSchema, tillId: idSchema, money: moneySchema });

export const vaultToTill = command({
  kind: 'write',
  input: vaultInput,
  run: (env, input) => moveVaultCash(env, input, true),
  subject: (env, input) => tillSubject(env, input.tillId),
  precheck: (env, input) => vaultMovementProblem(env, input, true),
});

export const tillToVault = command({
  kind: 'write',
  input: vaultInput,
  run: (env, input) => moveVaultCash(env, input, false),
  subject: (env, input) => tillSubject(env, input.tillId),
  precheck: (env, input) => vaultMovementProblem(env, input, false),
});

/** How far a count is from the till's book balance, either way: over/short needs a supervisor beyond the teller's tolerance. */
async function countVariance(env: CommandEnv, till: Till | undefined, count: Readonly<Record<string, number>>): Promise<Measure | null> {
  if (till === undefined) return null;
  const counted = totalOfCount(till.currency, count);
  if (!counted.ok) return null;
  const account = (await ledgerAccount(env, till.accountId))!;
  const variance = counted.value - (account.debitsPosted - account.creditsPosted);
  return { amountMinor: variance < 0n ? -variance : variance, currency: till.currency };
}

async function sessionTill(env: CommandEnv, sessionId: string): Promise<Till | undefined> {
  const session = await env.tx.banking.get('tillSession', sessionId);
  return session?.status === 'open' ? env.tx.banking.get('till', session.tillId) : undefined;
}

/** Posts the difference between the counted cash and the book balance to the branch's over/short account. */
async function postVariance(env: CommandEnv, till: Till, counted: bigint) {
  const tillAccount = (await ledgerAccount(env, till.accountId))!;
  const book = tillAccount.debitsPosted - tillAccount.creditsPosted;
  const variance = counted - book;
  if (variance === 0n) return ok({ book, variance });
  const varianceAccount = await branchAccountId(env, till.branchId, 'variance', till.currency);
  if (varianceAccount === undefined) return refuse('branch_has_no_vault_in_currency', `The branch has no ${till.currency} accounts.`);
  const over = variance > 0n;
  const posted = await post(env, [
    {
      id: env.ids.next(),
      debitAccountId: over ? till.accountId : varianceAccount,
      creditAccountId: over ? varianceAccount : till.accountId,
      amount: over ? variance : -variance,
      ledger: ledgerOf(till.currency),
      code: over ? TransferCodes.cashOver : TransferCodes.cashShort,
    },
  ]);
  if (!posted.ok) return posted;
  return ok({ book, variance });
}

export const openTillSession = command({
  kind: 'write',
  input: z.object({ sessionId: idSchema, tillId: idSchema, count: denominationCountSchema }),
  async run(env, input) {
    const existing = await env.tx.banking.get('tillSession', input.sessionId);
    if (existing !== undefined) {
      return existing.tillId === input.tillId && existing.tellerId === env.ctx.actor
        ? ok<{ session: TillSession; book: string | null }>({ session: existing, book: null })
        : refuse('session_id_reused', 'A different till session already has this id.');
    }
    const till = await env.tx.banking.get('till', input.tillId);
    if (till === undefined) return refuse('till_not_found', 'No till has this id.');
    const open = (await env.tx.banking.findBy('tillSession', 'openTill', till.id, 1))[0];
    if (open !== undefined) return refuse('till_already_open', `Till ${till.code} is already open under ${open.tellerId}.`);
    const counted = totalOfCount(till.currency, input.count);
    if (!counted.ok) return refuse(counted.error, `The opening count is not valid: ${counted.error.replaceAll('_', ' ')}.`);
    const variance = await postVariance(env, till, counted.value);
    if (!variance.ok) return variance;
    const session: TillSession = {
      id: input.sessionId,
      tillId: till.id,
      tellerId: env.ctx.actor,
      status: 'open',
      openedAtMs: env.nowMs,
      openingCount: input.count,
      openingCountedMinor: counted.value,
      openingVarianceMinor: variance.value.variance,
      closedAtMs: null,
      closingCount: null,
      closingCountedMinor: null,
      closingVarianceMinor: null,
    };
    await env.tx.banking.put('tillSession', session);
    return ok({ session, book: variance.value.book.toString() });
  },
  subject: (env, input) => tillSubject(env, input.tillId),
  measure: async (env, input) => ((await env.tx.banking.get('tillSession', input.sessionId)) !== undefined ? null : countVariance(env, await env.tx.banking.get('till', input.tillId), input.count)),
  // A till open under someone else cannot be opened, whatever a supervisor approves.
  precheck: async (env, input) => {
    if ((await env.tx.banking.get('tillSession', input.sessionId)) !== undefined) return null;
    const open = (await env.tx.banking.findBy('tillSession', 'openTill', input.tillId, 1))[0];
    return open === undefined ? null : refuse('till_already_open', `The till is already open under ${open.tellerId}.`);
  },
});

export const closeTillSession = command({
  kind: 'write',
  input: z.object({ sessionId: idSchema, count: denominationCountSchema }),
  async run(env, input) {
    const existing = await env.tx.banking.get('tillSession', input.sessionId);
    if (existing?.status === 'closed' && existing.tellerId === env.ctx.actor) {
      return ok<{ session: TillSession; book: string | null }>({ session: existing, book: null });
    }
    const opened = await openSessionOf(env, input.sessionId);
    if (!opened.ok) return opened;
    const { session, till } = opened.value;
    const counted = totalOfCount(till.currency, input.count);
    if (!counted.ok) return refuse(counted.error, `The closing count is not valid: ${counted.error.replaceAll('_', ' ')}.`);
    const variance = await postVariance(env, till, counted.value);
    if (!variance.ok) return variance;
    const closed: TillSession = {
      ...session,
      status: 'closed',
      closedAtMs: env.nowMs,
      closingCount: input.count,
      closingCountedMinor: counted.value,
      closingVarianceMinor: variance.value.variance,
    };
    await env.tx.banking.put('tillSession', closed);
    return ok({ session: closed, book: variance.value.book.toString() });
  },
  subject: (env, input) => tillSessionSubject(env, input.sessionId),
  measure: async (env, input) => countVariance(env, await sessionTill(env, input.sessionId), input.count),
});

/** The teller's open till session, with the till and its cash on the books. */
export const currentTillSession = command({
  kind: 'read',
  input: z.object({}),
  async run(env) {
    const session = (await env.tx.banking.findBy('tillSession', 'openTeller', env.ctx.actor, 1))[0];
    if (session === undefined) return refuse('no_open_session', 'You have no open till; open one with a counted float.');
    const till = (await env.tx.banking.get('till', session.tillId))!;
    return ok({ session, till, cash: balancesOf((await ledgerAccount(env, till.accountId))!) });
  },
});

export const listTills = command({
  kind: 'read',
  input: z.object({ branchId: idSchema }),
  subject: (env, input) => branchSubject(env, input.branchId),
  async run(env, input) {
    const tills = await env.tx.banking.findBy('till', 'branch', input.branchId, 100);
    return ok(
      await Promise.all(
        tills.map(async (till) => ({
          till,
          openSession: (await env.tx.banking.findBy('tillSession', 'openTill', till.id, 1))[0] ?? null,
          cash: balancesOf((await ledgerAccount(env, till.accountId))!),
        })),
      ),
    );
  },
});

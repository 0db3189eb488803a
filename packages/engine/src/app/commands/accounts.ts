import { z } from 'zod';
import { makeAccountNumber } from '../../core/banking/account-number';
import { AccountCodes, type BankAccount } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import { AccountFlags, TransferFlags, type BalanceRow, type Transfer } from '../../core/ledger';
import { TransferCodes } from '../../core/banking/types';
import { branchAccountId } from './branches';
import { post } from './posting';
import { applyAccounts } from '../ledger';
import { command, ok, refuse, type CommandEnv } from '../command';
import { idSchema, ledgerCursorSchema, limitSchema, textSchema, timestampMsSchema } from '../schemas';
import { balancesOf, ledgerAccount } from './posting';
import { accountSubject, customerSubject } from './subjects';

export const openAccount = command({
  kind: 'write',
  input: z.object({ accountId: idSchema, customerId: idSchema, productId: textSchema(24) }),
  subject: (env, input) => customerSubject(env, input.customerId),
  async run(env, input) {
    const existing = await env.tx.banking.get('bankAccount', input.accountId);
    if (existing !== undefined) {
      const same = existing.customerId === input.customerId && existing.productId === input.productId;
      return same ? ok(existing) : refuse('account_id_reused', 'A different account already has this id.');
    }
    const customer = await env.tx.banking.get('customer', input.customerId);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    if (customer.kycStatus !== 'verified') {
      return refuse('kyc_not_verified', `The customer's identity is ${customer.kycStatus}; a head teller or compliance officer must verify it first.`);
    }
    const product = await env.tx.banking.get('product', input.productId);
    if (product === undefined) return refuse('product_not_found', `No product ${input.productId}.`);
    const branch = await env.tx.banking.get('branch', customer.branchId);
    if (branch === undefined) return refuse('branch_not_found', "The customer's branch does not exist.");
    const flags = AccountFlags.debitsMustNotExceedCredits | AccountFlags.history;
    const results = await applyAccounts(
      env.tx.ledger,
      [
        {
          id: input.accountId,
          ledger: currencyByCode(product.currency)!.numeric,
          code: product.kind === 'savings' ? AccountCodes.customerSavings : AccountCodes.customerCurrent,
          flags,
          overdraftLimit: product.overdraftLimitMinor,
          userData128: customer.id,
        },
      ],
      env.nowNs,
    );
    if (results[0] !== 'ok') return refuse('account_id_reused', `The ledger already holds account ${input.accountId} (${results[0]}).`);
    const sequence = await env.tx.banking.nextSequence(`account-number:${branch.code}`);
    const account: BankAccount = {
      id: input.accountId,
      number: makeAccountNumber(branch.code, sequence),
      customerId: customer.id,
      productId: product.id,
      kind: product.kind,
      currency: product.currency,
      branchId: branch.id,
      status: 'open',
      openedAtMs: env.nowMs,
    };
    await env.tx.banking.put('bankAccount', account);
    return ok(account);
  },
});

async function findAccount(env: CommandEnv, accountId: string) {
  const account = await env.tx.banking.get('bankAccount', accountId);
  return account ?? (await env.tx.banking.findBy('bankAccount', 'number', accountId, 1))[0];
}

export const getAccount = command({
  kind: 'read',
  input: z.object({ accountId: textSchema(32) }),
  subject: (env, input) => accountSubject(env, input.accountId),
  async run(env, input) {
    const account = await findAccount(env, input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No account has this id or number.');
    const ledger = await ledgerAccount(env, account.id);
    if (ledger === undefined) return refuse('account_not_found', 'The account has no ledger entry.');
    return ok({ account, balances: balancesOf(ledger), overdraftLimit: ledger.overdraftLimit.toString() });
  },
});

export interface StatementLine {
  readonly transferId: string;
  readonly timestamp: string;
  readonly code: number;
  /** Signed from the holder's side: positive money in, negative money out, as minor units. */
  readonly amount: string;
  readonly pending: boolean;
  readonly balance: string;
  readonly available: string;
}

function statementLine(row: BalanceRow, transfer: Transfer | undefined, previous: BalanceRow | undefined): StatementLine {
  const postedNow = row.creditsPosted - row.debitsPosted;
  const postedBefore = previous === undefined ? 0n : previous.creditsPosted - previous.debitsPosted;
  const heldNow = row.debitsPending;
  const heldBefore = previous === undefined ? 0n : previous.debitsPending;
  const movedPosted = postedNow - postedBefore;
  return {
    transferId: row.transferId,
    timestamp: row.timestamp.toString(),
    code: transfer?.code ?? 0,
    amount: (movedPosted !== 0n ? movedPosted : -(heldNow - heldBefore)).toString(),
    pending: movedPosted === 0n,
    balance: postedNow.toString(),
    available: (postedNow - heldNow).toString(),
  };
}

/** Paged history with a running balance; the cursor is the last line's ledger timestamp. */
export const accountStatement = command({
  kind: 'read',
  input: z.object({
    accountId: idSchema,
    after: ledgerCursorSchema.default('0'),
    limit: limitSchema,
  }),
  subject: (env, input) => accountSubject(env, input.accountId),
  async run(env, input) {
    const account = await env.tx.banking.get('bankAccount', input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No account has this id.');
    const after = BigInt(input.after);
    const previous = after === 0n ? undefined : await env.tx.ledger.balanceAt(account.id, after);
    const rows = await env.tx.ledger.balanceRows(account.id, after, input.limit);
    const transfers = new Map((await env.tx.ledger.transfers(rows.map((row) => row.transferId))).map((t) => [t.id, t]));
    const lines: StatementLine[] = [];
    let before = previous;
    for (const row of rows) {
      lines.push(statementLine(row, transfers.get(row.transferId), before));
      before = row;
    }
    const last = rows.at(-1);
    const next = rows.length === input.limit && last !== undefined ? last.timestamp.toString() : null;
    const opening = previous === undefined ? '0' : (previous.creditsPosted - previous.debitsPosted).toString();
    return ok({ account, currency: account.currency, openingBalance: opening, lines, next });
  },
});

export const balanceAt = command({
  kind: 'read',
  input: z.object({ accountId: idSchema, atMs: timestampMsSchema }),
  subject: (env, input) => accountSubject(env, input.accountId),
  async run(env, input) {
    const account = await env.tx.banking.get('bankAccount', input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No account has this id.');
    const row = await env.tx.ledger.balanceAt(account.id, BigInt(input.atMs) * 1_000_000n + 999_999n);
    const posted = row === undefined ? 0n : row.creditsPosted - row.debitsPosted;
    const held = row === undefined ? 0n : row.debitsPending;
    return ok({ accountId: account.id, atMs: input.atMs, posted: posted.toString(), available: (posted - held).toString() });
  },
});

/**
 * Closes an account: only with nothing in it and nothing held, and only when a second supervisor
 * agrees (maker-checker). The ledger account is closed by a pending closing transfer, as
 * TigerBeetle closes accounts; voiding that transfer would reopen it.
 */
export const closeAccount = command({
  kind: 'write',
  input: z.object({ accountId: idSchema, closingTransferId: idSchema }),
  async run(env, input) {
    const account = await env.tx.banking.get('bankAccount', input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No account has this id.');
    if (account.status === 'closed') return ok(account);
    const ledger = await ledgerAccount(env, account.id);
    if (ledger === undefined) return refuse('account_not_found', 'The account has no ledger entry.');
    const notEmpty = nonZeroBalance(ledger);
    if (notEmpty !== null) return notEmpty;
    const counterparty = await branchAccountId(env, account.branchId, 'head_office', account.currency);
    if (counterparty === undefined) return refuse('branch_has_no_vault_in_currency', `The branch has no ${account.currency} accounts.`);
    const posted = await post(env, [
      {
        id: input.closingTransferId,
        debitAccountId: account.id,
        creditAccountId: counterparty,
        amount: 0n,
        ledger: ledger.ledger,
        code: TransferCodes.accountClosure,
        flags: TransferFlags.pending | TransferFlags.closingDebit,
      },
    ]);
    if (!posted.ok) return posted;
    const closed: BankAccount = { ...account, status: 'closed' };
    await env.tx.banking.put('bankAccount', closed);
    return ok(closed);
  },
  subject: (env, input) => accountSubject(env, input.accountId),
  precheck: async (env, input) => {
    const account = await env.tx.banking.get('bankAccount', input.accountId);
    const ledger = account === undefined ? undefined : await ledgerAccount(env, account.id);
    if (account === undefined || ledger === undefined) return refuse('account_not_found', 'No account has this id.');
    return account.status === 'open' ? nonZeroBalance(ledger) : null;
  },
});

function nonZeroBalance(ledger: { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }) {
  if (ledger.debitsPosted === ledger.creditsPosted && ledger.debitsPending === 0n && ledger.creditsPending === 0n) return null;
  return refuse('account_balance_not_zero', 'Pay out or transfer the balance, and release any holds, before closing the account.', {
    balance: (ledger.creditsPosted - ledger.debitsPosted).toString(),
  });
}

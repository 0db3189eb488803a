import { z } from 'zod';
import { AccountCodes, branchAccountKey, limitRuleId, type Branch, type BranchAccountPurpose, type LimitRule, type Till } from '../../core/banking/types';
import { limitKinds } from '../../core/policy';
import { assetCodeSchema, isAssetCode } from './asset-schemas';
import { roles } from '../../core/rbac';
import { usernameSchema } from './identity';
import { denominationsOf } from '../../core/banking/denominations';
import { currencyByCode } from '../../core/currencies';
import { AccountFlags, type AccountEvent } from '../../core/ledger';
import type { Id128 } from '../../core/ids';
import { applyAccounts } from '../ledger';
import { command, ok, refuse, type CommandEnv } from '../command';
import { currencySchema, idSchema, nonNegativeAmountSchema, productIdSchema, textSchema, tokenSchema } from '../schemas';

export const branchCurrenciesMax = 16;

/** The branch's own accounts per currency: what kind of ledger account each purpose is. */
const purposes: ReadonlyArray<{ purpose: BranchAccountPurpose; code: number; flags: number }> = [
  // Cash cannot go below zero: the vault and tills are asset accounts whose credits never exceed debits.
  { purpose: 'vault', code: AccountCodes.vaultCash, flags: AccountFlags.creditsMustNotExceedDebits | AccountFlags.history },
  { purpose: 'variance', code: AccountCodes.cashVariance, flags: AccountFlags.history },
  { purpose: 'head_office', code: AccountCodes.headOffice, flags: AccountFlags.history },
  { purpose: 'fx_position', code: AccountCodes.fxPosition, flags: AccountFlags.history },
  // What the server could not apply after the cash had already moved at an offline counter.
  { purpose: 'offline_exceptions', code: AccountCodes.offlineExceptions, flags: AccountFlags.history },
];

export async function branchAccountId(env: CommandEnv, branchId: string, purpose: BranchAccountPurpose, currency: string) {
  return (await env.tx.banking.get('branchAccount', branchAccountKey(branchId, purpose, currency)))?.accountId;
}

export async function openBranchCurrency(env: CommandEnv, branchId: Id128, currency: string): Promise<void> {
  const ledger = currencyByCode(currency)!.numeric;
  const events: AccountEvent[] = [];
  for (const { purpose, code, flags } of purposes) {
    const key = branchAccountKey(branchId, purpose, currency);
    if ((await env.tx.banking.get('branchAccount', key)) !== undefined) continue;
    const accountId = env.ids.next();
    events.push({ id: accountId, ledger, code, flags });
    await env.tx.banking.put('branchAccount', { id: key, branchId, purpose, currency, accountId });
  }
  const results = await applyAccounts(env.tx.ledger, events, env.nowNs);
  if (results.some((result) => result !== 'ok')) throw new Error(`branch accounts refused: ${results.join(',')}`);
}

export const createBranch = command({
  kind: 'write',
  input: z.object({
    branchId: idSchema,
    code: tokenSchema(/^\d{4}$/, 4, 'a branch code is four digits'),
    name: textSchema(120),
    currencies: z.array(currencySchema).min(1).max(branchCurrenciesMax),
  }),
  async run(env, input) {
    const existing = await env.tx.banking.get('branch', input.branchId);
    const sameCode = (await env.tx.banking.findBy('branch', 'code', input.code, 1))[0];
    if (sameCode !== undefined && sameCode.id !== input.branchId) {
      return refuse('branch_code_taken', `Branch code ${input.code} belongs to ${sameCode.name}.`);
    }
    if (existing !== undefined && (existing.code !== input.code || existing.name !== input.name)) {
      return refuse('branch_id_reused', 'A different branch already has this id.');
    }
    const branch: Branch = existing ?? { id: input.branchId, code: input.code, name: input.name, createdAtMs: env.nowMs };
    await env.tx.banking.put('branch', branch);
    for (const currency of new Set(input.currencies)) await openBranchCurrency(env, branch.id, currency);
    return ok(branch);
  },
});

export const createTill = command({
  kind: 'write',
  input: z.object({
    tillId: idSchema,
    branchId: idSchema,
    code: tokenSchema(/^[A-Z0-9-]{1,12}$/, 12, 'a till code is 1-12 capital letters, digits or dashes'),
    currency: currencySchema,
  }),
  async run(env, input) {
    const branch = await env.tx.banking.get('branch', input.branchId);
    if (branch === undefined) return refuse('branch_not_found', 'No branch has this id.');
    if (denominationsOf(input.currency) === undefined) {
      return refuse('currency_has_no_cash', `${input.currency} has no notes and coins configured for counting.`);
    }
    if ((await branchAccountId(env, branch.id, 'vault', input.currency)) === undefined) {
      return refuse('branch_has_no_vault_in_currency', `Branch ${branch.code} holds no ${input.currency}; add the currency to the branch first.`);
    }
    const existing = await env.tx.banking.get('till', input.tillId);
    if (existing !== undefined) {
      const same = existing.branchId === input.branchId && existing.code === input.code && existing.currency === input.currency;
      return same ? ok(existing) : refuse('till_id_reused', 'A different till already has this id.');
    }
    if ((await env.tx.banking.findBy('till', 'code', `${input.branchId}:${input.code}`, 1)).length > 0) {
      return refuse('till_code_taken', `Branch ${branch.code} already has a till ${input.code}.`);
    }
    const accountId = env.ids.next();
    const flags = AccountFlags.creditsMustNotExceedDebits | AccountFlags.history;
    const results = await applyAccounts(
      env.tx.ledger,
      [{ id: accountId, ledger: currencyByCode(input.currency)!.numeric, code: AccountCodes.tillCash, flags }],
      env.nowNs,
    );
    if (results[0] !== 'ok') throw new Error(`till account refused: ${results[0]}`);
    const till: Till = { id: input.tillId, branchId: branch.id, code: input.code, currency: input.currency, accountId };
    await env.tx.banking.put('till', till);
    return ok(till);
  },
});

export const defineProduct = command({
  kind: 'write',
  input: z.object({
    productId: productIdSchema,
    name: textSchema(120),
    kind: z.enum(['current', 'savings']),
    currency: currencySchema,
    overdraftLimit: nonNegativeAmountSchema.default(0n),
  }),
  async run(env, input) {
    const invalid = productProblem(input);
    if (invalid !== null) return invalid;
    const product = {
      id: input.productId,
      name: input.name,
      kind: input.kind,
      currency: input.currency,
      overdraftLimitMinor: input.overdraftLimit,
    };
    await env.tx.banking.put('product', product);
    return ok(product);
  },
  audit: (input) => ({ ...input, overdraftLimit: input.overdraftLimit.toString() }),
  precheck: async (_env, input) => productProblem(input),
});

function productProblem(input: { kind: string; overdraftLimit: bigint }) {
  return input.kind === 'savings' && input.overdraftLimit > 0n ? refuse('savings_cannot_overdraw', 'A savings product cannot carry an overdraft.') : null;
}

/**
 * What a role (or one user, overriding their roles) may do alone per kind and currency, per
 * transaction and per day; over it, a second person must agree. Changing a limit is itself held
 * for a second person (the policy's).
 */
export const setLimit = command({
  kind: 'write',
  input: z.object({
    holder: z.union([z.object({ role: z.enum(roles) }).strict(), z.object({ user: usernameSchema }).strict()]),
    kind: z.enum(limitKinds),
    /** A currency; for the `asset` kind, a registered digital asset's code. */
    currency: z.union([currencySchema, assetCodeSchema]),
    perTransaction: nonNegativeAmountSchema,
    perDay: nonNegativeAmountSchema,
  }),
  async run(env, input) {
    const invalid = await limitProblem(env, input);
    if (invalid !== null) return invalid;
    const rule: LimitRule = {
      id: limitRuleId(input.holder, input.kind, input.currency),
      holder: input.holder,
      kind: input.kind,
      currency: input.currency,
      perTransactionMinor: input.perTransaction,
      perDayMinor: input.perDay,
    };
    await env.tx.banking.put('limitRule', rule);
    return ok(rule);
  },
  precheck: limitProblem,
});

async function limitProblem(env: CommandEnv, input: { holder: { role: string } | { user: string }; kind: string; currency: string; perTransaction: bigint; perDay: bigint }) {
  if ((input.kind === 'asset') !== isAssetCode(input.currency)) {
    return refuse('limit_currency_mismatch', input.kind === 'asset' ? 'An asset limit names a digital asset\'s code.' : 'This limit names an ISO 4217 currency.');
  }
  if (input.kind === 'asset' && (await env.tx.banking.get('digitalAsset', input.currency)) === undefined) return refuse('asset_not_found', `${input.currency} is not a registered asset.`);
  if ('user' in input.holder && (await env.tx.banking.get('user', input.holder.user)) === undefined) {
    return refuse('user_not_found', `There is no user ${input.holder.user}.`);
  }
  if (input.perDay < input.perTransaction) return refuse('day_limit_below_transaction_limit', 'A day allows at least one transaction at the limit.');
  return null;
}

export const listBranches = command({
  kind: 'read',
  input: z.object({}),
  async run(env) {
    return ok(await env.tx.banking.list('branch', '', 100));
  },
});

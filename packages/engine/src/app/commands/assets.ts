/**
 * Digital assets in custody: the tokens a customer holds with the bank, on the same double-entry
 * ledger as everything else (one ledger per asset, at a scale chosen so amounts fit 64 bits; what
 * a chain amount has below that scale is tracked per holder, never dropped). Deposits are credited
 * only once the chain has buried them; withdrawals and swaps are admitted here (limits, a second
 * person, the destination screened) and held on the ledger until the chain confirms them (see
 * asset-chain.ts). No number that moves a token comes from the counter: a swap pays what the pair
 * contract paid, read from the receipt.
 */
import { z } from 'zod';
import { AccountCodes, type Customer } from '../../core/banking/types';
import type { Id128 } from '../../core/ids';
import { chooseScale, unitFactor } from '../../core/assets/units';
import type { CustodyWallet, DigitalAsset, SwapPool, TokenAccount } from '../../core/assets/types';
import { AccountFlags } from '../../core/ledger';
import { applyAccounts } from '../ledger';
import { command, ok, refuse, type CommandEnv, type Outcome } from '../command';
import { idSchema, limitSchema, textSchema } from '../schemas';
import { assetAccountsPageMax, assetCodeSchema, assetConfirmationsMax, chainAddressSchema, chainIdSchema, isAssetCode } from './asset-schemas';
import { derivedId } from './payments';
import { balancesOf } from './posting';
import { customerSubject } from './subjects';

/** Ledgers of digital assets are numbered from here (ISO 4217 numerics and the CBDC ledgers stay below). */
export const assetLedgerBase = 2_000_000;
export const assetsMax = 1_000;

export const registerAsset = command({
  kind: 'write',
  input: z
    .object({
      assetId: assetCodeSchema,
      name: textSchema(64),
      chainId: chainIdSchema,
      contract: chainAddressSchema,
      decimals: z.number().int().min(0).max(36),
      /** The most of it the bank will ever hold, in whole tokens: decides the books' scale. */
      maxHoldingTokens: z.string().regex(/^[1-9]\d{0,18}$/, 'whole tokens, decimal').transform((text) => BigInt(text)),
      confirmations: z.number().int().min(1).max(assetConfirmationsMax),
    })
    .strict(),
  async run(env, input) {
    if (!isAssetCode(input.assetId)) return refuse('asset_code_is_a_currency', `${input.assetId} is an ISO 4217 currency code; choose another code for the token.`);
    const existing = await env.tx.banking.get('digitalAsset', input.assetId);
    if (existing !== undefined) {
      const same = existing.chainId === input.chainId && existing.contract === input.contract && existing.decimals === input.decimals;
      return same ? ok(existing) : refuse('asset_exists', `${input.assetId} is registered already, for another contract.`);
    }
    const clash = await env.tx.banking.findBy('digitalAsset', 'contract', `${input.chainId}:${input.contract}`, 1);
    if (clash.length > 0) return refuse('asset_exists', `That contract is registered already, as ${clash[0]!.id}.`);
    const scale = chooseScale(input.decimals, input.maxHoldingTokens);
    if (!scale.ok) return refuse('holding_too_large', 'The largest holding cannot be booked in 64 bits at any scale; register a smaller one.');
    const sequence = await env.tx.banking.nextSequence('asset-ledger');
    if (sequence > assetsMax) return refuse('too_many_assets', `The bank books at most ${assetsMax} digital assets.`);
    const asset: DigitalAsset = {
      id: input.assetId,
      name: input.name,
      chainId: input.chainId,
      contract: input.contract,
      decimals: input.decimals,
      scale: scale.scale,
      maxHoldingTokens: input.maxHoldingTokens.toString(),
      ledger: assetLedgerBase + sequence,
      confirmations: input.confirmations,
      custodyAccountId: derivedId(`asset-custody:${input.assetId}`),
      registeredBy: env.ctx.actor,
    };
    // What the custody wallets hold is the bank's asset: debited as tokens arrive, credited as they leave.
    const opened = await applyAccounts(env.tx.ledger, [{ id: asset.custodyAccountId, ledger: asset.ledger, code: AccountCodes.tokenCustody, flags: AccountFlags.creditsMustNotExceedDebits | AccountFlags.history }], env.nowNs);
    if (opened[0] !== 'ok') return refuse('asset_exists', `The ledger already holds the custody account of ${input.assetId} (${opened[0]}).`);
    await env.tx.banking.put('digitalAsset', asset);
    return ok(asset);
  },
});

export const registerPool = command({
  kind: 'write',
  input: z
    .object({
      poolId: assetCodeSchema,
      assetA: assetCodeSchema,
      assetB: assetCodeSchema,
      pair: chainAddressSchema,
      router: chainAddressSchema,
      deadlineSecondsMax: z.number().int().min(15).max(3600),
    })
    .strict(),
  async run(env, input) {
    const [a, b] = await Promise.all([env.tx.banking.get('digitalAsset', input.assetA), env.tx.banking.get('digitalAsset', input.assetB)]);
    if (a === undefined || b === undefined) return refuse('asset_not_found', `Register ${a === undefined ? input.assetA : input.assetB} first.`);
    if (a.id === b.id) return refuse('same_asset', 'A pool swaps two different assets.');
    if (a.chainId !== b.chainId) return refuse('chain_mismatch', 'Both assets of a pool are on the same chain.');
    const pool: SwapPool = { id: input.poolId, chainId: a.chainId, assetA: a.id, assetB: b.id, pair: input.pair, router: input.router, deadlineSecondsMax: input.deadlineSecondsMax };
    await env.tx.banking.put('swapPool', pool);
    return ok(pool);
  },
});

export const listAssets = command({
  kind: 'read',
  input: z.object({ limit: limitSchema }).strict(),
  async run(env, input) {
    const [assets, pools] = await Promise.all([env.tx.banking.list('digitalAsset', '', input.limit), env.tx.banking.list('swapPool', '', input.limit)]);
    return ok({ assets, pools });
  },
});

/** The customer's wallet on a chain, made (its key sealed by the host) the first time one of their accounts needs it. */
async function walletFor(env: CommandEnv, chainId: string, customerId: string): Promise<Outcome<CustodyWallet, 'custody_unavailable'>> {
  const id = `${chainId}:${customerId}`;
  const existing = await env.tx.banking.get('custodyWallet', id);
  if (existing !== undefined) return ok(existing);
  if (env.custodyKeys === null) return refuse('custody_unavailable', 'This host keeps no custody keys; open token accounts on the server.');
  const made = await env.custodyKeys.create();
  const wallet: CustodyWallet = { id, chainId, customerId: customerId as CustodyWallet['customerId'], address: made.address, sealedKey: made.sealedKey, nextNonce: 0 };
  await env.tx.banking.put('custodyWallet', wallet);
  return ok(wallet);
}

export const openTokenAccount = command({
  kind: 'write',
  input: z.object({ accountId: idSchema, customerId: idSchema, assetId: assetCodeSchema }).strict(),
  subject: (env, input) => customerSubject(env, input.customerId),
  async run(env, input) {
    const existing = await env.tx.banking.get('tokenAccount', input.accountId);
    if (existing !== undefined) {
      return existing.customerId === input.customerId && existing.assetId === input.assetId ? ok(existing) : refuse('account_id_reused', 'A different account already has this id.');
    }
    const [customer, asset] = await Promise.all([env.tx.banking.get('customer', input.customerId), env.tx.banking.get('digitalAsset', input.assetId)]);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    if (customer.kycStatus !== 'verified') return refuse('kyc_not_verified', `The customer's identity is ${customer.kycStatus}; verify it before opening a token account.`);
    if (asset === undefined) return refuse('asset_not_found', `${input.assetId} is not a registered asset.`);
    const held = await env.tx.banking.findBy('tokenAccount', 'holding', `${customer.id}:${asset.id}`, 1);
    if (held.length > 0) return refuse('token_account_exists', `The customer already holds ${asset.id} in account ${held[0]!.id}.`);
    const wallet = await walletFor(env, asset.chainId, customer.id);
    if (!wallet.ok) return wallet;
    return openTokenAccountIn(env, input.accountId, customer, asset, wallet.value);
  },
});

/** Opens a customer's token account of an asset in their custody wallet: its ledger account and record. */
export async function openTokenAccountIn(env: CommandEnv, accountId: Id128, customer: Pick<Customer, 'id' | 'branchId'>, asset: DigitalAsset, wallet: CustodyWallet): Promise<Outcome<TokenAccount, 'account_id_reused'>> {
  const opened = await applyAccounts(
    env.tx.ledger,
    [{ id: accountId, ledger: asset.ledger, code: AccountCodes.customerTokens, flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.history, userData128: customer.id }],
    env.nowNs,
  );
  if (opened[0] !== 'ok') return refuse('account_id_reused', `The ledger already holds account ${accountId} (${opened[0]}).`);
  const account: TokenAccount = { id: accountId, customerId: customer.id, branchId: customer.branchId, assetId: asset.id, walletId: wallet.id, address: wallet.address, remainder: '0', openedAtMs: env.nowMs };
  await env.tx.banking.put('tokenAccount', account);
  return ok(account);
}

/** A token account's holding: ledger units and what is below the scale, and both as one chain amount. */
export async function tokenHolding(env: CommandEnv, account: TokenAccount, asset: DigitalAsset) {
  const ledger = (await env.tx.ledger.accounts([account.id]))[0];
  const balances = ledger === undefined ? { posted: '0', available: '0', pending: '0' } : balancesOf(ledger);
  const factor = unitFactor(asset.decimals, asset.scale);
  return {
    ...balances,
    remainder: account.remainder,
    /** What the customer owns on chain, exactly: posted units × factor + remainder. */
    chainAmount: (BigInt(balances.posted) * factor + BigInt(account.remainder)).toString(),
  };
}

export async function tokenAccountSubject(env: CommandEnv, accountId: string) {
  const account = await env.tx.banking.get('tokenAccount', accountId);
  return account === undefined ? null : { branchId: account.branchId };
}

export const getTokenAccount = command({
  kind: 'read',
  input: z.object({ accountId: idSchema }).strict(),
  subject: (env, input) => tokenAccountSubject(env, input.accountId),
  async run(env, input) {
    const account = await env.tx.banking.get('tokenAccount', input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No token account has this id.');
    const asset = (await env.tx.banking.get('digitalAsset', account.assetId))!;
    return ok({ account, asset: { id: asset.id, decimals: asset.decimals, scale: asset.scale, chainId: asset.chainId, contract: asset.contract }, balance: await tokenHolding(env, account, asset) });
  },
});

/** Every token account with its custody address and exact chain holding: what the gateway reconciles against the chain. */
export const custodyPositions = command({
  kind: 'read',
  input: z.object({ afterId: z.string().max(32).default(''), limit: z.number().int().min(1).max(assetAccountsPageMax).default(assetAccountsPageMax) }).strict(),
  async run(env, input) {
    const accounts = await env.tx.banking.list('tokenAccount', input.afterId, input.limit);
    const positions = [];
    for (const account of accounts) {
      const asset = (await env.tx.banking.get('digitalAsset', account.assetId))!;
      const holding = await tokenHolding(env, account, asset);
      positions.push({ accountId: account.id, assetId: asset.id, chainId: asset.chainId, contract: asset.contract, address: account.address, ...holding });
    }
    return ok({ positions });
  },
});

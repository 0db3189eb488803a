/**
 * What the chain does to the books, and what the books ask of the chain. The server's chain
 * gateway (apps/server/src/assets) is the only caller of the `asset.gateway` commands: it reports
 * transfers into custody wallets as blocks show them, the canonical hashes of the heights the books
 * are waiting on, and the transactions it signed and saw mined. The books decide: a deposit is
 * credited once buried under the asset's confirmations at an unchanged hash, dropped when its block
 * left the chain; a withdrawal's or swap's hold is posted or voided only on a confirmed receipt.
 */
import { z } from 'zod';
import { TransferCodes } from '../../core/banking/types';
import { addRemainder, splitChainAmount, unitFactor } from '../../core/assets/units';
import type { AssetDeposit, ChainOp, DigitalAsset, TokenAccount } from '../../core/assets/types';
import type { Id128 } from '../../core/ids';
import { TransferFlags, type TransferEvent } from '../../core/ledger';
import { command, ok, refuse, type CommandEnv, type Outcome } from '../command';
import { addressScreening } from '../content';
import { amountSchema, idSchema } from '../schemas';
import {
  assetBlocksPerCallMax,
  assetCodeSchema,
  assetConfirmationsPerCallMax,
  assetDepositsPerCallMax,
  assetOutboxMax,
  blockNumberSchema,
  chainAddressSchema,
  chainHashSchema,
  chainIdSchema,
  depositLogSchema,
  rawTxSchema,
  receiptSchema,
} from './asset-schemas';
import { openTokenAccountIn, tokenAccountSubject } from './assets';
import { derivedId } from './payments';
import { post } from './posting';

type Refused = Outcome<never, string>;

async function assetOf(env: CommandEnv, id: string): Promise<DigitalAsset> {
  const asset = await env.tx.banking.get('digitalAsset', id);
  if (asset === undefined) throw new Error(`asset ${id} of a token account is not registered`);
  return asset;
}

/**
 * Records an admitted withdrawal or swap and holds its tokens on the ledger (a pending transfer to
 * custody); refused, with nothing held or recorded, when they are not available.
 */
async function admitOp(
  env: CommandEnv,
  asset: DigitalAsset,
  account: TokenAccount,
  fields: Pick<ChainOp, 'id' | 'kind' | 'to' | 'poolId' | 'toAccountId' | 'minOut' | 'deadlineS'> & { readonly amountUnits: bigint },
): Promise<Outcome<ChainOp, string>> {
  const op: ChainOp = {
    ...fields,
    chainId: asset.chainId,
    walletId: account.walletId,
    customerId: account.customerId,
    branchId: account.branchId,
    fromAccountId: account.id,
    fromAssetId: asset.id,
    amountUnits: fields.amountUnits.toString(),
    holdTransferId: derivedId(`asset-hold:${fields.id}`),
    status: 'admitted',
    requestedBy: env.ctx.actor,
    requestedAtMs: env.nowMs,
  };
  const event: TransferEvent = {
    id: op.holdTransferId,
    debitAccountId: op.fromAccountId,
    creditAccountId: asset.custodyAccountId,
    amount: fields.amountUnits,
    ledger: asset.ledger,
    code: op.kind === 'withdrawal' ? TransferCodes.tokenWithdrawal : TransferCodes.tokenSwap,
    flags: TransferFlags.pending,
  };
  const posted = await post(env, [event]);
  if (!posted.ok) return posted;
  await env.tx.banking.put('chainOp', op);
  return ok(op);
}

/** What a withdrawal or swap weighs against the caller's `asset` limit: book units of the token, at its scale. */
async function assetMeasure(env: CommandEnv, accountId: string, amountUnits: bigint) {
  const account = await env.tx.banking.get('tokenAccount', accountId);
  if (account === undefined) return null;
  const asset = await assetOf(env, account.assetId);
  return { amountMinor: amountUnits, currency: account.assetId, exponent: asset.scale };
}

function opSubjectOf(env: CommandEnv, accountId: string) {
  return tokenAccountSubject(env, accountId);
}

async function existingOp(env: CommandEnv, id: Id128, same: (op: ChainOp) => boolean): Promise<Outcome<ChainOp, 'operation_id_reused'> | null> {
  const existing = await env.tx.banking.get('chainOp', id);
  if (existing === undefined) return null;
  return same(existing) ? ok(existing) : refuse('operation_id_reused', 'A different withdrawal or swap already has this id.');
}

export const withdrawTokens = command({
  kind: 'write',
  input: z.object({ withdrawalId: idSchema, accountId: idSchema, to: chainAddressSchema, amount: amountSchema }).strict(),
  subject: (env, input) => opSubjectOf(env, input.accountId),
  async measure(env, input) {
    return assetMeasure(env, input.accountId, input.amount);
  },
  // A sanctioned destination is refused whoever would approve it: before a hold is recorded, and
  // again when it runs (alone within the limit, or approved after a list named the address).
  precheck: (env, input) => addressScreening(env.tx, input.to),
  async run(env, input) {
    const again = await existingOp(env, input.withdrawalId, (op) => op.kind === 'withdrawal' && op.fromAccountId === input.accountId && op.to === input.to && op.amountUnits === input.amount.toString());
    if (again !== null) return again;
    const screened = await addressScreening(env.tx, input.to);
    if (screened !== null) return screened;
    const account = await env.tx.banking.get('tokenAccount', input.accountId);
    if (account === undefined) return refuse('account_not_found', 'No token account has this id.');
    const wallet = (await env.tx.banking.get('custodyWallet', account.walletId))!;
    if (input.to === wallet.address) return refuse('destination_is_custody', 'That is the customer\'s own custody address; nothing would leave.');
    const asset = await assetOf(env, account.assetId);
    return admitOp(env, asset, account, { id: input.withdrawalId, kind: 'withdrawal', amountUnits: input.amount, to: input.to });
  },
});

export const swapTokens = command({
  kind: 'write',
  input: z
    .object({
      swapId: idSchema,
      poolId: assetCodeSchema,
      fromAccountId: idSchema,
      toAccountId: idSchema,
      amountIn: amountSchema,
      /** The least the customer accepts, in the bought token's smallest chain unit: their slippage limit, enforced by the router. */
      minOut: z.string().regex(/^[1-9]\d{0,77}$/, 'a positive chain amount, decimal'),
      deadlineSeconds: z.number().int().min(15).max(3600),
    })
    .strict(),
  subject: (env, input) => opSubjectOf(env, input.fromAccountId),
  async measure(env, input) {
    return assetMeasure(env, input.fromAccountId, input.amountIn);
  },
  async run(env, input) {
    const again = await existingOp(env, input.swapId, (op) => op.kind === 'swap' && op.fromAccountId === input.fromAccountId && op.toAccountId === input.toAccountId && op.amountUnits === input.amountIn.toString());
    if (again !== null) return again;
    const [from, to, pool] = await Promise.all([
      env.tx.banking.get('tokenAccount', input.fromAccountId),
      env.tx.banking.get('tokenAccount', input.toAccountId),
      env.tx.banking.get('swapPool', input.poolId),
    ]);
    if (from === undefined || to === undefined) return refuse('account_not_found', 'Both token accounts must exist.');
    if (from.customerId !== to.customerId) return refuse('accounts_of_different_customers', 'A swap credits the same customer\'s other token account.');
    if (pool === undefined) return refuse('pool_not_found', `No pool ${input.poolId}.`);
    const pairOk = (pool.assetA === from.assetId && pool.assetB === to.assetId) || (pool.assetB === from.assetId && pool.assetA === to.assetId);
    if (!pairOk) return refuse('pool_does_not_swap_these', `Pool ${pool.id} swaps ${pool.assetA} and ${pool.assetB}.`);
    if (input.deadlineSeconds > pool.deadlineSecondsMax) return refuse('deadline_too_far', `Pool ${pool.id} allows at most ${pool.deadlineSecondsMax} s.`);
    const asset = await assetOf(env, from.assetId);
    const deadlineS = (BigInt(Math.floor(env.nowMs / 1000)) + BigInt(input.deadlineSeconds)).toString();
    return admitOp(env, asset, from, { id: input.swapId, kind: 'swap', amountUnits: input.amountIn, poolId: pool.id, toAccountId: to.id, minOut: input.minOut, deadlineS });
  },
});

/** What the gateway watches on a chain: the custody addresses and tokens, and the heights whose hashes the books wait on. */
export const assetWatch = command({
  kind: 'read',
  input: z.object({ chainId: chainIdSchema }).strict(),
  async run(env, input) {
    const assets = (await env.tx.banking.list('digitalAsset', '', 1_000)).filter((asset) => asset.chainId === input.chainId);
    const wallets = await env.tx.banking.findBy('custodyWallet', 'chain', input.chainId, 100_000);
    const seen = await env.tx.banking.findBy('assetDeposit', 'status', `${input.chainId}:seen`, assetConfirmationsPerCallMax);
    const mined = await env.tx.banking.findBy('chainOp', 'status', `${input.chainId}:mined`, assetConfirmationsPerCallMax);
    const heights = [...new Set([...seen.map((deposit) => deposit.blockNumber), ...mined.map((op) => op.blockNumber!)])].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    return ok({
      tokens: assets.map((asset) => ({ assetId: asset.id, contract: asset.contract })),
      addresses: wallets.map((wallet) => wallet.address),
      heights,
    });
  },
});

export const observeDeposits = command({
  kind: 'write',
  input: z.object({ chainId: chainIdSchema, logs: z.array(depositLogSchema).max(assetDepositsPerCallMax) }).strict(),
  async run(env, input) {
    let recorded = 0;
    let ignored = 0;
    for (const log of input.logs) {
      const id = `${input.chainId}:${log.txHash}:${log.logIndex}`;
      const existing = await env.tx.banking.get('assetDeposit', id);
      // A log seen again at another block is the same transfer mined again after a reorganisation: it waits again there.
      // A credited deposit is final; one dropped by a reorganisation and mined again (another block hash) waits again.
      if (existing !== undefined && (existing.status === 'credited' || existing.blockHash === log.blockHash)) continue;
      const account = await depositAccount(env, input.chainId, log.token, log.to);
      // A swap's proceeds to its own wallet are booked from the swap's receipt, never as a deposit
      // (a withdrawal to another customer's custody address is that customer's deposit).
      const op = (await env.tx.banking.findBy('chainOp', 'txHash', log.txHash, 1))[0];
      const ours = op !== undefined && op.kind === 'swap' && account !== null && account.walletId === op.walletId;
      if (account === null || ours) {
        ignored += 1;
        continue;
      }
      const deposit: AssetDeposit = {
        id,
        assetId: account.assetId,
        accountId: account.id,
        from: log.from,
        value: log.value,
        txHash: log.txHash,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        status: 'seen',
        seenAtMs: existing?.seenAtMs ?? env.nowMs,
      };
      await env.tx.banking.put('assetDeposit', deposit);
      recorded += 1;
    }
    return ok({ recorded, ignored });
  },
});

async function depositAccount(env: CommandEnv, chainId: string, token: string, to: string): Promise<TokenAccount | null> {
  const asset = (await env.tx.banking.findBy('digitalAsset', 'contract', `${chainId}:${token}`, 1))[0];
  if (asset === undefined) return null;
  const wallet = (await env.tx.banking.findBy('custodyWallet', 'address', `${chainId}:${to}`, 1))[0];
  if (wallet === undefined) return null;
  const held = (await env.tx.banking.findBy('tokenAccount', 'holding', `${wallet.customerId}:${asset.id}`, 1))[0];
  if (held !== undefined) return held;
  // A registered token sent to the customer's custody address before they had an account of it is
  // theirs all the same: the account is opened for it (one per customer and asset, its id derived).
  const customer = (await env.tx.banking.get('customer', wallet.customerId))!;
  const opened = await openTokenAccountIn(env, derivedId(`token-account:${wallet.customerId}:${asset.id}`), customer, asset, wallet);
  return opened.ok ? opened.value : null;
}

/**
 * Credits a chain amount to a customer's token account: whole ledger units from the custody
 * account, the rest added to the account's remainder (carried into a unit once it adds up to one).
 */
async function creditChainAmount(env: CommandEnv, account: TokenAccount, asset: DigitalAsset, chainAmount: bigint, transferId: Id128, code: number): Promise<Refused | null> {
  const factor = unitFactor(asset.decimals, asset.scale);
  const split = splitChainAmount(chainAmount, factor);
  const carried = addRemainder(BigInt(account.remainder), split.remainder, factor);
  const units = split.units + carried.carry;
  if (units > 0n) {
    const posted = await post(env, [{ id: transferId, debitAccountId: asset.custodyAccountId, creditAccountId: account.id, amount: units, ledger: asset.ledger, code }]);
    if (!posted.ok) return posted;
  }
  await env.tx.banking.put('tokenAccount', { ...account, remainder: carried.remainder.toString() });
  return null;
}

export const confirmOnChain = command({
  kind: 'write',
  input: z
    .object({
      chainId: chainIdSchema,
      head: blockNumberSchema,
      /** The canonical hash at each height asset.watch listed (a height above the head is left out). */
      blocks: z.array(z.object({ number: blockNumberSchema, hash: chainHashSchema }).strict()).max(assetBlocksPerCallMax),
    })
    .strict(),
  async run(env, input) {
    const hashAt = new Map(input.blocks.map((block) => [block.number, block.hash]));
    const head = BigInt(input.head);
    const counts = { credited: 0, dropped: 0, refused: 0, confirmed: 0, failed: 0, reorganised: 0 };
    for (const deposit of await env.tx.banking.findBy('assetDeposit', 'status', `${input.chainId}:seen`, assetConfirmationsPerCallMax)) {
      const hash = hashAt.get(deposit.blockNumber);
      if (hash === undefined) continue;
      if (hash !== deposit.blockHash) {
        // Its block left the chain: nothing was credited, nothing is. If the transfer is mined again, it is seen again.
        await env.tx.banking.put('assetDeposit', { ...deposit, status: 'dropped', decidedAtMs: env.nowMs });
        counts.dropped += 1;
        continue;
      }
      const asset = await assetOf(env, deposit.assetId);
      if (head - BigInt(deposit.blockNumber) + 1n < BigInt(asset.confirmations)) continue;
      const account = (await env.tx.banking.get('tokenAccount', deposit.accountId))!;
      const transferId = derivedId(`asset-deposit:${deposit.id}`);
      const refused = await creditChainAmount(env, account, asset, BigInt(deposit.value), transferId, TransferCodes.tokenDeposit);
      if (refused !== null && !refused.ok) {
        // Nothing was written for it (the credit posts first); it waits for operations, and holds back no other deposit.
        await env.tx.banking.put('assetDeposit', { ...deposit, status: 'refused', decidedAtMs: env.nowMs, refusal: { code: refused.code, message: refused.message } });
        counts.refused += 1;
        continue;
      }
      await env.tx.banking.put('assetDeposit', { ...deposit, status: 'credited', decidedAtMs: env.nowMs, transferId });
      counts.credited += 1;
    }
    for (const op of await env.tx.banking.findBy('chainOp', 'status', `${input.chainId}:mined`, assetConfirmationsPerCallMax)) {
      const hash = hashAt.get(op.blockNumber!);
      if (hash === undefined) continue;
      if (hash !== op.blockHash) {
        // Mined in a block that left the chain: signed still, so the gateway sends the same transaction again.
        const { blockNumber: _n, blockHash: _h, amountOut: _o, reverted: _r, ...signed } = op;
        await env.tx.banking.put('chainOp', { ...signed, status: 'signed' });
        counts.reorganised += 1;
        continue;
      }
      const asset = await assetOf(env, op.fromAssetId);
      if (head - BigInt(op.blockNumber!) + 1n < BigInt(asset.confirmations)) continue;
      const settled = await settleOp(env, op, asset);
      if (settled !== null) return settled;
      if (op.reverted === true) counts.failed += 1;
      else counts.confirmed += 1;
    }
    return ok(counts);
  },
});

/** A confirmed receipt: the hold posted (and a swap's proceeds credited), or, when the chain reverted it, voided. */
async function settleOp(env: CommandEnv, op: ChainOp, asset: DigitalAsset): Promise<Refused | null> {
  const code = op.kind === 'withdrawal' ? TransferCodes.tokenWithdrawal : TransferCodes.tokenSwap;
  const flag = op.reverted === true ? TransferFlags.voidPendingTransfer : TransferFlags.postPendingTransfer;
  const closing: TransferEvent = { id: derivedId(`asset-${op.reverted === true ? 'void' : 'post'}:${op.id}`), pendingId: op.holdTransferId, amount: 0n, ledger: asset.ledger, code, flags: flag };
  const closed = await post(env, [closing]);
  if (!closed.ok) return closed;
  if (op.kind === 'swap' && op.reverted !== true) {
    const account = (await env.tx.banking.get('tokenAccount', op.toAccountId!))!;
    const bought = await assetOf(env, account.assetId);
    const refused = await creditChainAmount(env, account, bought, BigInt(op.amountOut!), derivedId(`asset-proceeds:${op.id}`), TransferCodes.tokenSwap);
    if (refused !== null) return refused;
  }
  await env.tx.banking.put('chainOp', { ...op, status: op.reverted === true ? 'failed' : 'confirmed', decidedAtMs: env.nowMs });
  return null;
}

/** What the gateway has to sign or send: admitted operations with their wallet's next nonce, and signed ones not yet mined. */
export const assetOutbox = command({
  kind: 'read',
  input: z.object({ chainId: chainIdSchema }).strict(),
  async run(env, input) {
    const admitted = await env.tx.banking.findBy('chainOp', 'status', `${input.chainId}:admitted`, assetOutboxMax);
    const signed = await env.tx.banking.findBy('chainOp', 'status', `${input.chainId}:signed`, assetOutboxMax);
    const items = [];
    for (const op of admitted) {
      const wallet = (await env.tx.banking.get('custodyWallet', op.walletId))!;
      const asset = await assetOf(env, op.fromAssetId);
      const pool = op.poolId === undefined ? undefined : await env.tx.banking.get('swapPool', op.poolId);
      const bought = op.toAccountId === undefined ? undefined : await env.tx.banking.get('tokenAccount', op.toAccountId);
      const boughtAsset = bought === undefined ? undefined : await assetOf(env, bought.assetId);
      items.push({
        op,
        wallet: { address: wallet.address, sealedKey: wallet.sealedKey, nextNonce: wallet.nextNonce },
        token: asset.contract,
        chainAmount: (BigInt(op.amountUnits) * unitFactor(asset.decimals, asset.scale)).toString(),
        ...(pool === undefined || boughtAsset === undefined ? {} : { router: pool.router, pair: pool.pair, tokenOut: boughtAsset.contract }),
      });
    }
    // Oldest first within a wallet: nonces are handed out in that order.
    items.sort((a, b) => a.op.requestedAtMs - b.op.requestedAtMs);
    return ok({ toSign: items, toSend: signed.map((op) => ({ opId: op.id, rawTxs: op.rawTxs!, txHash: op.txHash! })) });
  },
});

/** Transactions one operation signs: a withdrawal one transfer; a swap the router's allowance, then the swap. */
export const chainTxsPerOpMax = 2;

export const recordSigned = command({
  kind: 'write',
  input: z
    .object({
      opId: idSchema,
      /** In nonce order, from the wallet's next nonce; the last is the operation's own (its receipt decides it). */
      txs: z.array(z.object({ nonce: z.number().int().min(0).max(2 ** 52), rawTx: rawTxSchema, txHash: chainHashSchema }).strict()).min(1).max(chainTxsPerOpMax),
    })
    .strict(),
  async run(env, input) {
    const op = await env.tx.banking.get('chainOp', input.opId);
    if (op === undefined) return refuse('operation_not_found', 'No withdrawal or swap has this id.');
    const last = input.txs[input.txs.length - 1]!;
    if (op.status !== 'admitted') {
      return op.txHash === last.txHash ? ok(op) : refuse('operation_already_signed', `The operation is ${op.status}, signed as ${op.txHash ?? 'nothing'}.`);
    }
    const wallet = (await env.tx.banking.get('custodyWallet', op.walletId))!;
    const inOrder = input.txs.every((tx, index) => tx.nonce === wallet.nextNonce + index);
    if (!inOrder) return refuse('nonce_mismatch', `The wallet's next nonce is ${wallet.nextNonce}; the transactions carry it and the ones after, in order.`);
    await env.tx.banking.put('custodyWallet', { ...wallet, nextNonce: wallet.nextNonce + input.txs.length });
    const signed: ChainOp = { ...op, status: 'signed', nonce: last.nonce, rawTxs: input.txs.map((tx) => tx.rawTx), txHash: last.txHash };
    await env.tx.banking.put('chainOp', signed);
    return ok(signed);
  },
});

export const recordReceipt = command({
  kind: 'write',
  input: z.object({ opId: idSchema, receipt: receiptSchema }).strict(),
  async run(env, input) {
    const op = await env.tx.banking.get('chainOp', input.opId);
    if (op === undefined) return refuse('operation_not_found', 'No withdrawal or swap has this id.');
    if (op.txHash !== input.receipt.txHash) return refuse('receipt_of_another_transaction', 'The receipt is not of the transaction signed for this operation.');
    if (op.status === 'mined' && op.blockHash === input.receipt.blockHash) return ok(op);
    if (op.status !== 'signed' && op.status !== 'mined') return ok(op);
    const reverted = input.receipt.status === 'reverted';
    let amountOut: string | undefined;
    if (op.kind === 'swap' && !reverted) {
      const wallet = (await env.tx.banking.get('custodyWallet', op.walletId))!;
      const pool = (await env.tx.banking.get('swapPool', op.poolId!))!;
      const bought = await assetOf(env, (await env.tx.banking.get('tokenAccount', op.toAccountId!))!.assetId);
      // What the pair paid the wallet, as the pair's own Transfer event says: the books credit exactly that.
      const proceeds = input.receipt.transfers.filter((log) => log.token === bought.contract && log.from === pool.pair && log.to === wallet.address);
      if (proceeds.length !== 1) return refuse('receipt_unreadable', `The swap's receipt shows ${proceeds.length} transfers of ${bought.id} from the pair to the wallet.`);
      if (BigInt(proceeds[0]!.value) < BigInt(op.minOut!)) return refuse('receipt_unreadable', 'The receipt pays less than the router was told to accept.');
      amountOut = proceeds[0]!.value;
    }
    const mined: ChainOp = {
      ...op,
      status: 'mined',
      blockNumber: input.receipt.blockNumber,
      blockHash: input.receipt.blockHash,
      ...(amountOut === undefined ? {} : { amountOut }),
      ...(reverted ? { reverted: true as const } : {}),
    };
    await env.tx.banking.put('chainOp', mined);
    return ok(mined);
  },
});

export const listChainOps = command({
  kind: 'read',
  input: z.object({ accountId: idSchema }).strict(),
  subject: (env, input) => tokenAccountSubject(env, input.accountId),
  async run(env, input) {
    const ops = await env.tx.banking.findBy('chainOp', 'account', input.accountId, 500);
    const deposits = await env.tx.banking.findBy('assetDeposit', 'account', input.accountId, 500);
    return ok({ operations: ops.map(({ rawTxs: _raw, ...op }) => op), deposits });
  },
});

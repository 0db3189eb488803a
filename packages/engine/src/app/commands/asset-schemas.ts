import { z } from 'zod';
import { currencyByCode } from '../../core/currencies';
import { int64Max } from '../../core/time';
import { tokenSchema } from '../schemas';

/** A bank's code for a digital asset: 4-12 capital letters and digits, so never an ISO 4217 currency code. */
export const assetCodeSchema = tokenSchema(/^[A-Z][A-Z0-9]{3,11}$/, 12, 'an asset code is 4-12 capital letters and digits, starting with a letter');
/** A chain address, 0x and 40 hex digits, in any case; the books keep it lower-case. */
export const chainAddressSchema = tokenSchema(/^0x[0-9a-fA-F]{40}$/, 42, 'an address is 0x and 40 hex digits').transform((text) => text.toLowerCase());
/** A block or transaction hash, 0x and 64 hex digits. */
export const chainHashSchema = tokenSchema(/^0x[0-9a-fA-F]{64}$/, 66, 'a hash is 0x and 64 hex digits').transform((text) => text.toLowerCase());
/** An EIP-155 chain id, decimal. */
export const chainIdSchema = tokenSchema(/^[1-9]\d{0,18}$/, 19, 'a chain id is a positive decimal number');
/** A block height, decimal, within 64 bits. */
export const blockNumberSchema = tokenSchema(/^\d{1,19}$/, 19, 'a block number is decimal digits').refine((text) => BigInt(text) <= int64Max, 'must fit 64 bits');
/** A chain amount (an ERC-20 value is a uint256): decimal digits. */
export const chainAmountSchema = tokenSchema(/^\d{1,78}$/, 78, 'a chain amount is decimal digits of the token\'s smallest unit').refine(
  (text) => BigInt(text) < 1n << 256n,
  'must fit 256 bits',
);
/** A signed raw transaction as a node takes it (EIP-2718 bytes, hex). A token transfer or a swap is a few hundred bytes. */
export const rawTxCharsMax = 16 * 1024;
export const rawTxSchema = tokenSchema(/^0x[0-9a-f]+$/, rawTxCharsMax, 'a raw transaction is 0x and lower-case hex');

/** An asset code must not be mistaken for a currency. */
export function isAssetCode(code: string): boolean {
  return /^[A-Z][A-Z0-9]{3,11}$/.test(code) && currencyByCode(code) === undefined;
}

export const assetDepositsPerCallMax = 500;
export const assetBlocksPerCallMax = 1_000;
export const assetOutboxMax = 100;
export const assetAccountsPageMax = 1_000;
/** Deposits and chain transactions one call of the confirmation pass decides at most. */
export const assetConfirmationsPerCallMax = 1_000;
/** Confirmations an asset may ask for (a day of Ethereum blocks is 7,200). */
export const assetConfirmationsMax = 10_000;

export const depositLogSchema = z
  .object({
    token: chainAddressSchema,
    from: chainAddressSchema,
    to: chainAddressSchema,
    value: chainAmountSchema,
    txHash: chainHashSchema,
    logIndex: z.number().int().min(0).max(1_000_000),
    blockNumber: blockNumberSchema,
    blockHash: chainHashSchema,
  })
  .strict();

export const receiptSchema = z
  .object({
    txHash: chainHashSchema,
    status: z.enum(['success', 'reverted']),
    blockNumber: blockNumberSchema,
    blockHash: chainHashSchema,
    transfers: z.array(depositLogSchema.omit({ txHash: true, blockNumber: true, blockHash: true })).max(64),
  })
  .strict();

import type { Id128 } from '../ids';

/** A token the bank keeps in custody: an ERC-20 contract on one chain, booked on a ledger of its own. */
export interface DigitalAsset {
  /** The bank's code for it (`USDC`, `WETH`): upper-case letters and digits, never an ISO 4217 code. */
  readonly id: string;
  readonly name: string;
  readonly chainId: string;
  /** The ERC-20 contract, lower-case 0x-hex. */
  readonly contract: string;
  /** The token's own decimals (what the contract says). */
  readonly decimals: number;
  /** The books' decimals: chosen so `maxHoldingTokens` fits a 64-bit ledger amount (see units.ts). */
  readonly scale: number;
  readonly maxHoldingTokens: string;
  /** The ledger the asset is booked on (one per asset, from 2,000,001). */
  readonly ledger: number;
  /** Blocks a deposit or the bank's own transaction must be buried under before it counts. */
  readonly confirmations: number;
  /** The ledger account of what the bank's custody wallets hold of it on chain (an asset of the bank). */
  readonly custodyAccountId: Id128;
  readonly registeredBy: string;
}

/** A pool the bank may swap through: a Uniswap v2 pair and the router that enforces a swap's slippage limit and deadline. */
export interface SwapPool {
  readonly id: string;
  readonly chainId: string;
  readonly assetA: string;
  readonly assetB: string;
  readonly pair: string;
  readonly router: string;
  /** The longest a swap may wait for the chain before the router refuses it. */
  readonly deadlineSecondsMax: number;
}

/** A customer's wallet on a chain: its key made and kept sealed by the host (see ports/custody-keys.ts). */
export interface CustodyWallet {
  /** `${chainId}:${customerId}` */
  readonly id: string;
  readonly chainId: string;
  readonly customerId: Id128;
  readonly address: string;
  /** The private key, encrypted at rest by the host's key-encryption key; the engine never sees it in the clear. */
  readonly sealedKey: string;
  /** The nonce the next transaction signed for this wallet carries: the bank is its only signer. */
  readonly nextNonce: number;
}

/** A customer's holding of one asset. */
export interface TokenAccount {
  readonly id: Id128;
  readonly customerId: Id128;
  readonly branchId: Id128;
  readonly assetId: string;
  readonly walletId: string;
  readonly address: string;
  /** Chain units below the books' scale the customer owns (0 ≤ remainder < factor), as a decimal string. */
  readonly remainder: string;
  readonly openedAtMs: number;
}

/** An ERC-20 transfer into a custody wallet, as a block recorded it: credited only once it is buried under enough blocks. */
export interface AssetDeposit {
  /** `${chainId}:${txHash}:${logIndex}` */
  readonly id: string;
  readonly assetId: string;
  readonly accountId: Id128;
  readonly from: string;
  readonly value: string;
  readonly txHash: string;
  readonly blockNumber: string;
  readonly blockHash: string;
  /** `refused`: confirmed on chain, but the books could not credit it (an amount beyond the account's ledger limits): operations decides. */
  readonly status: 'seen' | 'credited' | 'dropped' | 'refused';
  readonly seenAtMs: number;
  readonly decidedAtMs?: number;
  /** The ledger transfer that credited it. */
  readonly transferId?: Id128;
  /** Why the books refused it. */
  readonly refusal?: { readonly code: string; readonly message: string };
}

export type ChainOpKind = 'withdrawal' | 'swap';
export type ChainOpStatus = 'admitted' | 'signed' | 'mined' | 'confirmed' | 'failed';

/** A transaction the bank makes on a customer's behalf: a withdrawal or a swap, held on the ledger until the chain confirms it. */
export interface ChainOp {
  readonly id: Id128;
  readonly kind: ChainOpKind;
  readonly chainId: string;
  readonly walletId: string;
  readonly customerId: Id128;
  readonly branchId: Id128;
  /** What leaves the customer's account: asset, account, ledger units. */
  readonly fromAccountId: Id128;
  readonly fromAssetId: string;
  readonly amountUnits: string;
  /** The pending ledger transfer that holds it. */
  readonly holdTransferId: Id128;
  /** A withdrawal's destination. */
  readonly to?: string;
  /** A swap's pool, the account it credits, the least it accepts (chain units of the asset bought) and its deadline. */
  readonly poolId?: string;
  readonly toAccountId?: Id128;
  readonly minOut?: string;
  readonly deadlineS?: string;
  readonly status: ChainOpStatus;
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  readonly nonce?: number;
  /** The signed transactions, in nonce order (a swap's allowance, then the swap), sent again until one is mined. */
  readonly rawTxs?: readonly string[];
  readonly txHash?: string;
  readonly blockNumber?: string;
  readonly blockHash?: string;
  /** What the chain paid out (a swap's amount bought, chain units), read from the receipt's logs. */
  readonly amountOut?: string;
  readonly reverted?: true;
  readonly failure?: string;
  readonly decidedAtMs?: number;
}

/**
 * @qenex/protocols/defi-node: the chain adapters (the in-process EVM devnet, JSON-RPC through viem)
 * and the devnet's JSON-RPC server (node:http). Kept out of ./defi so the pure part (the port, the
 * arithmetic, the ABI helpers) loads without ethereumjs or an HTTP stack.
 */
export * from './evm/devnet';
export * from './evm/signer';
export * from './rpc/viem-chain';
export * from './rpc/devnet-rpc-server';

/** @qenex/protocols/defi: the chain port, Uniswap v2 arithmetic and the ABI helpers. Pure; the chain adapters are in ./defi-node. */
export * from './chain';
export * from './uniswap-v2';
export * from './abi';

/**
 * The creation bytecode the devnet deploys, exactly as the npm packages ship it: v2-core 1.0.1
 * (UniswapV2Factory, UniswapV2Pair which the factory deploys by CREATE2, and the test ERC20) and
 * v2-periphery 1.1.0-beta.0 (UniswapV2Router02 and WETH9). Nothing is recompiled.
 */
import routerJson from '@uniswap/v2-periphery/build/UniswapV2Router02.json' with { type: 'json' };
import wethJson from '@uniswap/v2-periphery/build/WETH9.json' with { type: 'json' };
import erc20Json from '@uniswap/v2-core/build/ERC20.json' with { type: 'json' };
import factoryJson from '@uniswap/v2-core/build/UniswapV2Factory.json' with { type: 'json' };
import pairJson from '@uniswap/v2-core/build/UniswapV2Pair.json' with { type: 'json' };
import type { Hex } from '../chain';

function bytecodeOf(artifact: { readonly bytecode: string }): Hex {
  return (artifact.bytecode.startsWith('0x') ? artifact.bytecode : `0x${artifact.bytecode}`) as Hex;
}

export const bytecode = {
  factory: bytecodeOf(factoryJson),
  pair: bytecodeOf(pairJson),
  erc20: bytecodeOf(erc20Json),
  router02: bytecodeOf(routerJson),
  weth9: bytecodeOf(wethJson),
} as const;

/**
 * The devnet behind Ethereum JSON-RPC 2.0 over HTTP (node:http, 127.0.0.1 only): the eth_* methods
 * the viem adapter calls, so the same contract suite runs against an adapter that speaks the real
 * wire format. Bad input answers a JSON-RPC error object; nothing a client sends crashes the server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address, BlockRef, Hex } from '../chain';
import { BroadcastRejected, priorityFeePerGasWei, type EvmDevnet } from '../evm/devnet';

export const requestBytesMax = 1_048_576;
export const batchLengthMax = 100;
/** Addresses one eth_getLogs filter may list. */
export const logFilterAddressesMax = 100;

const errors = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** What geth answers for a refused transaction or a failed call. */
  server: -32000,
  executionReverted: 3,
} as const;

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Hex,
  ) {
    super(message);
  }
}

export interface DevnetRpcServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDevnetRpcServer(devnet: EvmDevnet, options: { readonly port?: number } = {}): Promise<DevnetRpcServer> {
  const server = createServer((request, response) => {
    void handle(devnet, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(devnet: EvmDevnet, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST') return send(response, 405, { jsonrpc: '2.0', id: null, error: { code: errors.invalidRequest, message: 'POST only' } });
  const body = await readBody(request, requestBytesMax);
  if (body === null) return send(response, 413, { jsonrpc: '2.0', id: null, error: { code: errors.invalidRequest, message: `request above ${requestBytesMax} bytes` } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return send(response, 200, { jsonrpc: '2.0', id: null, error: { code: errors.parse, message: 'parse error' } });
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || parsed.length > batchLengthMax) {
      return send(response, 200, { jsonrpc: '2.0', id: null, error: { code: errors.invalidRequest, message: `batch of ${parsed.length} (1..${batchLengthMax})` } });
    }
    const answers = [];
    for (const item of parsed) answers.push(await answer(devnet, item));
    return send(response, 200, answers);
  }
  return send(response, 200, await answer(devnet, parsed));
}

function readBody(request: IncomingMessage, bytesMax: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > bytesMax) over = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
}

async function answer(devnet: EvmDevnet, message: unknown): Promise<object> {
  const id = isRecord(message) && (typeof message['id'] === 'string' || typeof message['id'] === 'number') ? message['id'] : null;
  if (!isRecord(message) || message['jsonrpc'] !== '2.0' || typeof message['method'] !== 'string') {
    return { jsonrpc: '2.0', id, error: { code: errors.invalidRequest, message: 'invalid request' } };
  }
  const params = message['params'] === undefined ? [] : message['params'];
  try {
    if (!Array.isArray(params)) throw new RpcError(errors.invalidParams, 'params must be an array');
    return { jsonrpc: '2.0', id, result: await dispatch(devnet, message['method'], params) };
  } catch (error) {
    if (error instanceof RpcError) return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) } };
    if (error instanceof BroadcastRejected) return { jsonrpc: '2.0', id, error: { code: errors.server, message: error.message } };
    return { jsonrpc: '2.0', id, error: { code: errors.internal, message: error instanceof Error ? error.message : 'internal error' } };
  }
}

async function dispatch(devnet: EvmDevnet, method: string, params: readonly unknown[]): Promise<unknown> {
  switch (method) {
    case 'eth_chainId':
      return quantity(devnet.chainId);
    case 'net_version':
      return devnet.chainId.toString();
    case 'eth_blockNumber':
      return quantity((await devnet.head()).number);
    case 'eth_getBlockByNumber': {
      const number = await blockNumberParam(devnet, params[0]);
      const block = await devnet.block(number);
      return block === null ? null : blockJson(devnet, block);
    }
    case 'eth_getBlockByHash': {
      const hash = hexParam(params[0], 'block hash');
      for (let number = (await devnet.head()).number; number >= 0n; number--) {
        const block = await devnet.block(number);
        if (block?.hash === hash) return blockJson(devnet, block);
      }
      return null;
    }
    case 'eth_getLogs':
      return getLogs(devnet, params[0]);
    case 'eth_call': {
      const call = callParam(params[0]);
      const outcome = await devnet.call(call);
      if (!outcome.ok) throw new RpcError(errors.executionReverted, `execution reverted${outcome.reason === null ? '' : `: ${outcome.reason}`}`, outcome.returnData);
      return outcome.returnData;
    }
    case 'eth_estimateGas': {
      const call = callParam(params[0]);
      try {
        return quantity(await devnet.estimateGas({ ...call, from: call.from ?? '0x0000000000000000000000000000000000000000' }));
      } catch (error) {
        throw new RpcError(errors.executionReverted, error instanceof Error ? error.message : 'execution reverted');
      }
    }
    case 'eth_getTransactionCount': {
      const address = addressParam(params[0]);
      return quantity(params[1] === 'pending' ? await devnet.pendingNonce(address) : await devnet.nonce(address));
    }
    case 'eth_sendRawTransaction':
      return devnet.broadcast(hexParam(params[0], 'raw transaction'));
    case 'eth_getTransactionReceipt':
      return receiptJson(devnet, hexParam(params[0], 'transaction hash'));
    case 'eth_gasPrice':
      return quantity(devnet.nextBaseFeePerGas() + priorityFeePerGasWei);
    case 'eth_maxPriorityFeePerGas':
      return quantity(priorityFeePerGasWei);
    default:
      throw new RpcError(errors.methodNotFound, `method not found: ${method.slice(0, 64)}`);
  }
}

function blockJson(devnet: EvmDevnet, block: BlockRef): object {
  const details = devnet.blockDetails(block.number);
  return {
    number: quantity(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: quantity(block.timestampS),
    gasLimit: quantity(details?.gasLimit ?? 0n),
    gasUsed: quantity(details?.gasUsed ?? 0n),
    baseFeePerGas: quantity(details?.baseFeePerGas ?? 0n),
    stateRoot: details?.stateRoot ?? '0x',
    miner: details?.miner ?? '0x0000000000000000000000000000000000000000',
    difficulty: '0x0',
    nonce: '0x0000000000000000',
    extraData: '0x',
    transactions: devnet.blockTransactions(block.number),
    uncles: [],
  };
}

async function getLogs(devnet: EvmDevnet, filter: unknown): Promise<object[]> {
  if (!isRecord(filter)) throw new RpcError(errors.invalidParams, 'filter object expected');
  if (filter['blockHash'] !== undefined) throw new RpcError(errors.invalidParams, 'blockHash filters are not supported; use fromBlock/toBlock');
  const fromBlock = await blockNumberParam(devnet, filter['fromBlock'] ?? 'latest');
  const toBlock = await blockNumberParam(devnet, filter['toBlock'] ?? 'latest');
  const address = filter['address'];
  const addresses = address === undefined || address === null ? undefined : (Array.isArray(address) ? address : [address]).map(addressParam);
  if (addresses !== undefined && addresses.length > logFilterAddressesMax) throw new RpcError(errors.invalidParams, `more than ${logFilterAddressesMax} addresses`);
  const topics = topicsParam(filter['topics']);
  let found;
  try {
    found = devnet.logs({ fromBlock, toBlock, ...(addresses === undefined ? {} : { addresses }) });
  } catch (error) {
    throw new RpcError(errors.server, error instanceof Error ? error.message : 'log query refused');
  }
  return found
    .filter(({ log }) => topics.every((wanted, position) => wanted === null || wanted.includes((log.topics[position] ?? '').toLowerCase())))
    .map(({ block, txHash, txIndex, log }) => ({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: quantity(block.number),
      blockHash: block.hash,
      transactionHash: txHash,
      transactionIndex: quantity(BigInt(txIndex)),
      logIndex: quantity(BigInt(log.logIndex)),
      removed: false,
    }));
}

function receiptJson(devnet: EvmDevnet, txHash: Hex): object | null {
  const mined = devnet.minedTransaction(txHash);
  if (mined === null) return null;
  const at = { blockNumber: quantity(mined.block.number), blockHash: mined.block.hash, transactionHash: mined.hash, transactionIndex: quantity(BigInt(mined.index)) };
  return {
    ...at,
    from: mined.from,
    to: mined.to,
    contractAddress: null,
    cumulativeGasUsed: quantity(mined.cumulativeGasUsed),
    gasUsed: quantity(mined.gasUsed),
    effectiveGasPrice: quantity(mined.effectiveGasPrice),
    status: mined.status === 'success' ? '0x1' : '0x0',
    type: '0x2',
    logsBloom: `0x${'0'.repeat(512)}`,
    logs: mined.logs.map((log) => ({ ...at, address: log.address, topics: log.topics, data: log.data, logIndex: quantity(BigInt(log.logIndex)), removed: false })),
  };
}

async function blockNumberParam(devnet: EvmDevnet, value: unknown): Promise<bigint> {
  // The devnet has no finality gadget: 'safe' and 'finalized' are the head, as on a single-node dev chain.
  if (value === undefined || value === 'latest' || value === 'pending' || value === 'safe' || value === 'finalized') return (await devnet.head()).number;
  if (value === 'earliest') return 0n;
  return quantityParam(value, 'block number');
}

function callParam(value: unknown): { readonly from?: Address; readonly to: Address; readonly data: Hex; readonly value?: bigint } {
  if (!isRecord(value)) throw new RpcError(errors.invalidParams, 'call object expected');
  const data = value['data'] ?? value['input'] ?? '0x';
  return {
    to: addressParam(value['to']),
    data: hexParam(data, 'data'),
    ...(value['from'] === undefined || value['from'] === null ? {} : { from: addressParam(value['from']) }),
    ...(value['value'] === undefined || value['value'] === null ? {} : { value: quantityParam(value['value'], 'value') }),
  };
}

function topicsParam(value: unknown): (string[] | null)[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 4) throw new RpcError(errors.invalidParams, 'topics: at most four positions');
  return value.map((position: unknown) => {
    if (position === null) return null;
    const options = Array.isArray(position) ? position : [position];
    if (options.length > logFilterAddressesMax) throw new RpcError(errors.invalidParams, 'too many topic options');
    return options.map((topic) => hexParam(topic, 'topic').toLowerCase());
  });
}

function addressParam(value: unknown): Address {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw new RpcError(errors.invalidParams, 'address expected');
  return value.toLowerCase() as Address;
}

function hexParam(value: unknown, name: string): Hex {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value) || value.length > requestBytesMax) throw new RpcError(errors.invalidParams, `${name}: 0x-prefixed hex expected`);
  return value.toLowerCase() as Hex;
}

function quantityParam(value: unknown, name: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) throw new RpcError(errors.invalidParams, `${name}: hex quantity expected`);
  return BigInt(value);
}

function quantity(value: bigint): Hex {
  return `0x${value.toString(16)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The custody books without a chain: what the gateway reports, decided by the engine. Deposits
 * wait for their confirmations and vanish with their block; withdrawals and swaps hold, then post
 * or void on a confirmed receipt; what is below the books' scale is kept, never lost.
 */
import { describe, expect, it } from 'vitest';
import { demoUsers, Engine, ManualClock, mustWithApproval, seedDemoBank, SequentialIds, systemRole, type Context } from '@qenex/engine';
import { ScryptPasswordHasher, SealedCustodyKeys } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { mustRun } from '../payments/support';
import { installSanctionsList } from '../support/sanctions';

const gateway: Context = { actor: 'custody-gateway', roles: [systemRole], deviceId: 'server' };
const token = '0x' + 'aa'.repeat(20);
const pair = '0x' + 'bb'.repeat(20);
const router = '0x' + 'cc'.repeat(20);
const tokenB = '0x' + 'dd'.repeat(20);
const hash = (n: number, salt = 0) => '0x' + (n * 1000 + salt).toString(16).padStart(64, '0');
const wei = 10n ** 18n;

async function books() {
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 9, 0, 0));
  const ids = new SequentialIds(clock);
  const storage = new SqliteStorage({ path: ':memory:' });
  const custodyKeys = new SealedCustodyKeys(new Uint8Array(32).fill(9));
  const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), custodyKeys });
  const bank = await seedDemoBank(engine, ids, { clock });
  for (const [assetId, contract] of [['QXTA', token], ['QXTB', tokenB]] as const) {
    await mustWithApproval(engine, 'asset.register', { assetId, name: assetId, chainId: '31337', contract, decimals: 18, maxHoldingTokens: '1000000000', confirmations: 3 }, demoUsers.olivia, demoUsers.adam);
  }
  await mustWithApproval(engine, 'asset.register_pool', { poolId: 'QXTAB', assetA: 'QXTA', assetB: 'QXTB', pair, router, deadlineSecondsMax: 600 }, demoUsers.olivia, demoUsers.adam);
  const customerId = bank.customers[0]!.id;
  const a = await mustRun(engine, 'asset.open_account', { accountId: ids.next(), customerId, assetId: 'QXTA' }, demoUsers.alice);
  const b = await mustRun(engine, 'asset.open_account', { accountId: ids.next(), customerId, assetId: 'QXTB' }, demoUsers.alice);
  return { engine, ids, clock, bank, a, b, address: a['address'] as string };
}

async function balance(engine: Engine, accountId: string) {
  const got = await mustRun(engine, 'asset.account', { accountId }, demoUsers.alice);
  return got['balance'] as { posted: string; available: string; remainder: string; chainAmount: string };
}

function log(to: string, value: bigint, block: number, salt = 0, from = '0x' + '11'.repeat(20), contract = token) {
  return { token: contract, from, to, value: value.toString(), txHash: hash(block, salt + 500), logIndex: 0, blockNumber: String(block), blockHash: hash(block, salt) };
}

describe('custody books', () => {
  it('credits a deposit only once buried under its confirmations, keeping what is below the scale', async () => {
    const { engine, a, address } = await books();
    // The customer's two wallets share one address per chain, and it is an address (sealed key, never in the clear).
    expect(address).toMatch(/^0x[0-9a-f]{40}$/);
    const value = 1n * wei + 123n; // 1 token and 123 wei: 10^9 units at scale 9, 123 below it
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, value, 10)] }, gateway);
    let decided = await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '11', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    expect(decided['credited']).toBe(0);
    expect((await balance(engine, a['id'] as string)).posted).toBe('0');
    decided = await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    expect(decided['credited']).toBe(1);
    const held = await balance(engine, a['id'] as string);
    expect(held).toMatchObject({ posted: '1000000000', remainder: '123', chainAmount: value.toString() });
    // Reported again, it is the same deposit: nothing more.
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, value, 10)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '20', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    expect((await balance(engine, a['id'] as string)).chainAmount).toBe(value.toString());
  });

  it('drops a deposit whose block left the chain, and waits again when it is mined elsewhere', async () => {
    const { engine, a, address } = await books();
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 5n * wei, 10)] }, gateway);
    const decided = await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '11', blocks: [{ number: '10', hash: hash(10, 7) }] }, gateway);
    expect(decided['dropped']).toBe(1);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '30', blocks: [] }, gateway);
    expect((await balance(engine, a['id'] as string)).posted).toBe('0');
    // The same transfer mined again at another block: seen, then credited once deep enough.
    const again = { ...log(address, 5n * wei, 12, 9), txHash: hash(10, 500) };
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [again] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '14', blocks: [{ number: '12', hash: hash(12, 9) }] }, gateway);
    expect((await balance(engine, a['id'] as string)).posted).toBe('5000000000');
  });

  it('holds a withdrawal for a head teller, then posts it on a confirmed receipt', async () => {
    const { engine, a, address } = await books();
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 10n * wei, 10)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    const input = { withdrawalId: 'a1'.padEnd(32, '0'), accountId: a['id'], to: '0x' + '22'.repeat(20), amount: '4000000000' };
    const held = await engine.execute('asset.withdraw', input as never, demoUsers.alice);
    expect(held.ok).toBe(false);
    expect(held.ok ? '' : held.code).toBe('approval_required');
    await mustWithApproval(engine, 'asset.withdraw', input as never, demoUsers.alice, demoUsers.bob);
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '10000000000', available: '6000000000' });
    const outbox = await mustRun(engine, 'asset.outbox', { chainId: '31337' }, gateway);
    const item = (outbox['toSign'] as { op: { id: string }; wallet: { nextNonce: number; sealedKey: string }; chainAmount: string }[])[0]!;
    expect(item.chainAmount).toBe((4n * wei).toString());
    expect(item.wallet.sealedKey).not.toContain('0x');
    await mustRun(engine, 'asset.record_signed', { opId: item.op.id, txs: [{ nonce: 0, rawTx: '0x02ab', txHash: hash(99) }] }, gateway);
    await mustRun(engine, 'asset.record_receipt', { opId: item.op.id, receipt: { txHash: hash(99), status: 'success', blockNumber: '13', blockHash: hash(13), transfers: [] } }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '15', blocks: [{ number: '13', hash: hash(13) }] }, gateway);
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '6000000000', available: '6000000000' });
  });

  it('voids a reverted swap\'s hold and credits a confirmed one exactly what the pair paid', async () => {
    const { engine, a, b, address } = await books();
    await mustWithApproval(engine, 'limit.set', { holder: { role: 'teller' }, kind: 'asset', currency: 'QXTA', perTransaction: '100000000000', perDay: '100000000000' }, demoUsers.olivia, demoUsers.adam);
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 10n * wei, 10)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    const swap = (id: string) => ({ swapId: id.padEnd(32, '0'), poolId: 'QXTAB', fromAccountId: a['id'], toAccountId: b['id'], amountIn: '1000000000', minOut: '1', deadlineSeconds: 300 });
    const first = await mustRun(engine, 'asset.swap', swap('b1'), demoUsers.alice);
    await mustRun(engine, 'asset.record_signed', { opId: first['id'], txs: [{ nonce: 0, rawTx: '0x02aa', txHash: hash(50) }, { nonce: 1, rawTx: '0x02ab', txHash: hash(51) }] }, gateway);
    await mustRun(engine, 'asset.record_receipt', { opId: first['id'], receipt: { txHash: hash(51), status: 'reverted', blockNumber: '13', blockHash: hash(13), transfers: [] } }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '16', blocks: [{ number: '13', hash: hash(13) }] }, gateway);
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '10000000000', available: '10000000000' });
    const second = await mustRun(engine, 'asset.swap', swap('b2'), demoUsers.alice);
    const paid = 1_662_497_915_624_478_906n;
    await mustRun(engine, 'asset.record_signed', { opId: second['id'], txs: [{ nonce: 2, rawTx: '0x02ac', txHash: hash(52) }, { nonce: 3, rawTx: '0x02ad', txHash: hash(53) }] }, gateway);
    const proceeds = { token: tokenB, from: pair, to: address, value: paid.toString(), logIndex: 3 };
    await mustRun(engine, 'asset.record_receipt', { opId: second['id'], receipt: { txHash: hash(53), status: 'success', blockNumber: '17', blockHash: hash(17), transfers: [proceeds] } }, gateway);
    // The proceeds' Transfer to the custody address is the swap's, never a deposit as well.
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [{ ...log(address, paid, 17, 0, pair, tokenB), txHash: hash(53) }] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '20', blocks: [{ number: '17', hash: hash(17) }] }, gateway);
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '9000000000' });
    expect(await balance(engine, b['id'] as string)).toMatchObject({ posted: '1662497915', remainder: '624478906', chainAmount: paid.toString() });
    const totals = (await engine.execute('ledger.totals', {}, demoUsers.lena)) as { ok: true; value: { ledger: number; balanced: boolean }[] };
    expect(totals.value.filter((ledger) => ledger.ledger > 2_000_000)).toHaveLength(2);
    for (const ledger of totals.value) expect(ledger.balanced).toBe(true);
  });

  it('refuses a nonce out of order and a receipt of another transaction', async () => {
    const { engine, a, address } = await books();
    await mustWithApproval(engine, 'limit.set', { holder: { role: 'teller' }, kind: 'asset', currency: 'QXTA', perTransaction: '100000000000', perDay: '100000000000' }, demoUsers.olivia, demoUsers.adam);
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 2n * wei, 10)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    const op = await mustRun(engine, 'asset.withdraw', { withdrawalId: 'c1'.padEnd(32, '0'), accountId: a['id'], to: '0x' + '22'.repeat(20), amount: '1' }, demoUsers.alice);
    const wrong = await engine.execute('asset.record_signed', { opId: op['id'], txs: [{ nonce: 5, rawTx: '0x02', txHash: hash(1) }] } as never, gateway);
    expect(wrong.ok ? '' : wrong.code).toBe('nonce_mismatch');
    await mustRun(engine, 'asset.record_signed', { opId: op['id'], txs: [{ nonce: 0, rawTx: '0x02', txHash: hash(1) }] }, gateway);
    const other = await engine.execute('asset.record_receipt', { opId: op['id'], receipt: { txHash: hash(2), status: 'success', blockNumber: '13', blockHash: hash(13), transfers: [] } } as never, gateway);
    expect(other.ok ? '' : other.code).toBe('receipt_of_another_transaction');
  });

  it('refuses a withdrawal to a sanctioned address before anything is held, whoever would approve it', async () => {
    const { engine, clock, a, address } = await books();
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 10n * wei, 10)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    // The list writes the address as its publisher does (EIP-55 mixed case); the customer types it in lower case.
    const listed = '0x8589427373D6D84E98730D7795D8f6f8731FDA16';
    await installSanctionsList(engine, clock, {
      kind: 'qenex.sanctions-list',
      schema: 1,
      listId: 'test-addresses',
      source: 'made for this test',
      publishedAt: '2026-12-01',
      entries: [{ id: 'A-1', type: 'entity', names: ['Mixer Example'], programs: ['CYBER2'], digitalCurrencyAddresses: [{ currency: 'ETH', address: listed }] }],
    });
    const input = { withdrawalId: 'd1'.padEnd(32, '0'), accountId: a['id'], to: listed.toLowerCase(), amount: '1000000000' };
    const refused = await engine.execute('asset.withdraw', input as never, demoUsers.alice);
    expect(refused).toMatchObject({ ok: false, code: 'destination_sanctioned', details: { listId: 'test-addresses', entryId: 'A-1' } });
    // Not even held for a supervisor: nothing is on hold, nothing waits for approval.
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '10000000000', available: '10000000000' });
    const pending = await engine.execute('approval.list', {} as never, demoUsers.bob);
    expect(JSON.stringify(pending)).not.toContain('asset.withdraw');
    // Within the teller's own limit (no approval, so no hold to screen before): refused all the same.
    await mustWithApproval(engine, 'limit.set', { holder: { role: 'teller' }, kind: 'asset', currency: 'QXTA', perTransaction: '100000000000', perDay: '100000000000' }, demoUsers.olivia, demoUsers.adam);
    const alone = await engine.execute('asset.withdraw', { ...input, withdrawalId: 'd3'.padEnd(32, '0') } as never, demoUsers.alice);
    expect(alone).toMatchObject({ ok: false, code: 'destination_sanctioned' });
    expect(await balance(engine, a['id'] as string)).toMatchObject({ available: '10000000000' });
    await mustWithApproval(engine, 'limit.set', { holder: { role: 'teller' }, kind: 'asset', currency: 'QXTA', perTransaction: '1', perDay: '1' }, demoUsers.olivia, demoUsers.adam);
    // Another address goes ahead to the usual approval.
    const clean = await engine.execute('asset.withdraw', { ...input, withdrawalId: 'd2'.padEnd(32, '0'), to: '0x' + '22'.repeat(20) } as never, demoUsers.alice);
    expect(clean).toMatchObject({ ok: false, code: 'approval_required' });
    expect(JSON.stringify(await engine.execute('approval.list', {} as never, demoUsers.bob))).toContain('asset.withdraw');
  });

  it('keeps a deposit the books cannot take (beyond the ledger) for operations, and credits the others', async () => {
    const { engine, a, address } = await books();
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 1n << 200n, 10), { ...log(address, 2n * wei, 10), logIndex: 1 }] }, gateway);
    const decided = await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    expect(decided).toMatchObject({ credited: 1, refused: 1 });
    expect(await balance(engine, a['id'] as string)).toMatchObject({ posted: '2000000000' });
    const ops = await mustRun(engine, 'asset.operations', { accountId: a['id'] }, demoUsers.alice);
    expect((ops['deposits'] as { status: string; refusal?: { code: string } }[]).find((deposit) => deposit.status === 'refused')?.refusal?.code).toBeTruthy();
    // Decided: a later confirmation looks at neither again.
    expect(await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '20', blocks: [{ number: '10', hash: hash(10) }] }, gateway)).toMatchObject({ credited: 0, refused: 0 });
  });

  it('opens the account of a registered token sent to the custody address before the customer had one', async () => {
    const { engine, bank, address } = await books();
    const tokenC = '0x' + 'ee'.repeat(20);
    await mustWithApproval(engine, 'asset.register', { assetId: 'QXTC', name: 'QXTC', chainId: '31337', contract: tokenC, decimals: 6, maxHoldingTokens: '1000000000', confirmations: 3 }, demoUsers.olivia, demoUsers.adam);
    await mustRun(engine, 'asset.observe_deposits', { chainId: '31337', logs: [log(address, 2_500_000n, 10, 0, '0x' + '11'.repeat(20), tokenC)] }, gateway);
    await mustRun(engine, 'asset.confirm', { chainId: '31337', head: '12', blocks: [{ number: '10', hash: hash(10) }] }, gateway);
    const { positions } = await mustRun(engine, 'asset.positions', {}, gateway) as { positions: { assetId: string; accountId: string; chainAmount: string }[] };
    const opened = positions.find((position) => position.assetId === 'QXTC');
    expect(opened?.chainAmount).toBe('2500000');
    expect(await balance(engine, opened!.accountId)).toMatchObject({ chainAmount: '2500000' });
    // The teller opening one now finds it there.
    const again = await engine.execute('asset.open_account', { accountId: 'f1'.padEnd(32, '0'), customerId: bank.customers[0]!.id, assetId: 'QXTC' } as never, demoUsers.alice);
    expect(again).toMatchObject({ ok: false, code: 'token_account_exists' });
  });
});

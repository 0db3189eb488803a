/**
 * Offline CBDC payments across the sync: the customer loads value from their wallet onto their
 * device (a coin of the token model, owned by the device's hybrid post-quantum key); two counters
 * of the branch, both without a link, each take a voucher that spends the same coin. At sync the
 * server settles the first (the payee's wallet is credited, the change stays an offline coin) and
 * refuses the second, opening a case for compliance. The offline account always holds exactly the
 * value of the unspent coins, and every ledger balances.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cbdcOwnerId,
  cbdcTransactionToJson,
  cbdcWalletOwner,
  demoUsers,
  Engine,
  hybridKeyPair,
  ManualClock,
  mustWithApproval,
  SequentialIds,
  signCbdcTransaction,
  systemRole,
  type CbdcTransaction,
  type Context,
  type HybridKeyPair,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { openBranch, world, type OpenedBranch, type World } from '../sync/simulation';
import { offlineLoad } from './support';

const usd = (amount: bigint | string) => ({ amount: amount.toString(), currency: 'USD' });
const teller = (index: number): Context => ({ actor: index === 0 ? 'alice' : 'tom', roles: ['teller'], deviceId: `ws-${index}` });

interface Coin {
  readonly txid: string;
  readonly index: number;
  readonly output: { readonly value: string; readonly currency: string; readonly owner: string };
  readonly certificate?: { readonly keyVersion: number; readonly mlDsa65: string; readonly ed25519: string } | null;
}

/** The customer's device pays `amount` of `coin` to a wallet, the rest back to itself. */
function voucher(device: HybridKeyPair, coin: Coin, payeeWalletId: string, amount: bigint): CbdcTransaction {
  const value = BigInt(coin.output.value);
  const owner = cbdcOwnerId(device.publicKeys);
  const outputs = [{ value: amount, currency: 'USD', owner: cbdcWalletOwner(payeeWalletId) }];
  if (value > amount) outputs.push({ value: value - amount, currency: 'USD', owner });
  const input = { txid: coin.txid, index: coin.index, output: { value, currency: coin.output.currency, owner: coin.output.owner } };
  return signCbdcTransaction({ kind: 'transfer', inputs: [input], outputs, redeemed: 0n }, [device]);
}

describe('offline CBDC vouchers', () => {
  let w: World;
  let server: SqliteStorage;
  let serverEngine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;
  let branch: OpenedBranch;
  let stations: OpenedBranch['stations'];

  beforeEach(async () => {
    w = await world(2);
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 73);
    branch = openBranch(w, clock, ids);
    ({ server, serverEngine, stations } = branch);
  });
  afterEach(() => branch.close());

  async function must(name: string, input: unknown, ctx: Context = demoUsers.alice): Promise<any> {
    const result = await serverEngine.executeAny(name, input, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.message}`);
    return result.value;
  }

  /** USD wallets for the first two demo customers, the payer's funded with 1,000.00, and 600.00 of it loaded onto their device. */
  async function setUp() {
    await mustWithApproval(serverEngine, 'cbdc.set_policy', { currency: 'USD', standardLimit: '300000', reducedLimit: '50000' }, demoUsers.tess, demoUsers.trent);
    await mustWithApproval(serverEngine, 'cbdc.move_reserves', { operationId: ids.next(), branchId: w.bank.branchId, money: usd(5_000_000n), direction: 'to_reserves' }, demoUsers.tess, demoUsers.trent);
    const [payer, payee] = w.bank.customers;
    const payerWallet = ids.next();
    const payeeWallet = ids.next();
    await must('cbdc.open_wallet', { walletId: payerWallet, customerId: payer!.id, currency: 'USD', linkedAccountId: payer!.accountIds[0] });
    await must('cbdc.open_wallet', { walletId: payeeWallet, customerId: payee!.id, currency: 'USD', linkedAccountId: payee!.accountIds[0] });
    await must('cbdc.fund', { operationId: ids.next(), walletId: payerWallet, money: usd(100_000n) });
    const device = hybridKeyPair(new Uint8Array(64).fill(77));
    const loadId = ids.next();
    const loaded = await must('cbdc.load_offline', offlineLoad(device, loadId, payerWallet, usd(60_000n)));
    for (const station of stations) expect(await station.sync.pull()).toBe('pulled');
    return { payer: payer!, payerWallet, payeeWallet, device, coin: loaded.coin as Coin, loadId };
  }

  async function offlineBooks(payerWallet: string) {
    const books = await server.read((tx) => tx.banking.get('cbdcBooks', 'USD'));
    const [offline] = await server.read((tx) => tx.ledger.accounts([books!.offlineAccountId!]));
    const coins = await must('cbdc.offline_coins', { walletId: payerWallet });
    const wallet = await must('cbdc.wallet', { walletId: payerWallet });
    const totals = await server.read((tx) => tx.ledger.ledgerTotals());
    return { offline: offline!.creditsPosted - offline!.debitsPosted, coins, wallet, balanced: totals.every((total) => total.debitsPosted === total.creditsPosted && total.debitsPending === total.creditsPending) };
  }

  /** At a counter: the voucher, and the bank's certificates of the coins it spends (as the customer's device keeps them). */
  const payOffline = (station: number, paymentId: string, payerWalletId: string, payeeWalletId: string, tx: CbdcTransaction, coins: readonly Coin[]) =>
    stations[station]!.engine.executeAny('cbdc.offline_pay', { paymentId, payerWalletId, payeeWalletId, voucher: cbdcTransactionToJson(tx), certificates: coins.map((coin) => coin.certificate ?? null) }, teller(station));

  it('loads value onto a device as one coin, counted against the holding limit, and a replayed load makes the same coin', async () => {
    const { payerWallet, device, coin, loadId } = await setUp();
    expect(coin.output).toEqual({ value: '60000', currency: 'USD', owner: cbdcOwnerId(device.publicKeys) });
    const again = await must('cbdc.load_offline', offlineLoad(device, loadId, payerWallet, usd(60_000n)));
    expect(again.coin).toEqual(coin);
    const books = await offlineBooks(payerWallet);
    expect(books).toMatchObject({ offline: 60_000n, balanced: true, coins: { totalMinor: '60000' }, wallet: { balance: '40000', offline: '60000', room: '200000' } });
    // More than the wallet holds cannot be loaded; the limit counts the device's value too.
    const tooMuch = await serverEngine.executeAny('cbdc.load_offline', offlineLoad(device, ids.next(), payerWallet, usd(40_001n)), demoUsers.alice);
    expect(tooMuch).toMatchObject({ ok: false, code: 'insufficient_funds' });
    const overLimit = await serverEngine.executeAny('cbdc.fund', { operationId: ids.next(), walletId: payerWallet, money: usd(200_001n) }, demoUsers.alice);
    expect(overLimit).toMatchObject({ ok: false, code: 'exceeds_holding_limit' });
  });

  it('counts a voucher against the teller\'s transfer limit: above it, a head teller agrees', async () => {
    const { payerWallet, payeeWallet, device, coin } = await setUp();
    // The world gives alice a transfer limit of her own; lowered here to 100.00 a transaction.
    await server.transaction(async (tx) => {
      const rule = (await tx.banking.list('limitRule', '', 1000)).find((found) => found.kind === 'transfer' && 'user' in found.holder && found.holder.user === 'alice')!;
      await tx.banking.put('limitRule', { ...rule, perTransactionMinor: 10_000n });
    });
    const held = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: ids.next(), payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(voucher(device, coin, payeeWallet, 25_000n)) }, teller(0));
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'per_transaction', checker: 'till.supervise' } });
    expect(await offlineBooks(payerWallet)).toMatchObject({ offline: 60_000n, coins: { totalMinor: '60000' } });
  });

  it('settles the honest voucher at sync and refuses the double spend from the other counter, opening its case', async () => {
    const { payer, payerWallet, payeeWallet, device, coin } = await setUp();
    const honest = voucher(device, coin, payeeWallet, 25_000n);
    const second = voucher(device, coin, payeeWallet, 40_000n);
    const honestId = ids.next();
    const secondId = ids.next();
    // Without the bank's certificate of the coin (or with one altered), a counter without a link cannot know the coin exists.
    expect(await payOffline(0, ids.next(), payerWallet, payeeWallet, honest, [{ ...coin, certificate: null }])).toMatchObject({ ok: false, code: 'cbdc_coin_unverified' });
    const altered = { ...coin.certificate!, ed25519: (coin.certificate!.ed25519.startsWith('A') ? 'B' : 'A') + coin.certificate!.ed25519.slice(1) };
    expect(await payOffline(0, ids.next(), payerWallet, payeeWallet, honest, [{ ...coin, certificate: altered }])).toMatchObject({ ok: false, code: 'cbdc_coin_unverified' });
    // Both counters are offline: each checks its voucher alone and takes it.
    expect(await payOffline(0, honestId, payerWallet, payeeWallet, honest, [coin])).toMatchObject({ ok: true, value: { status: 'taken_offline', amountMinor: '25000' } });
    expect(await payOffline(1, secondId, payerWallet, payeeWallet, second, [coin])).toMatchObject({ ok: true, value: { status: 'taken_offline', amountMinor: '40000' } });
    // The same counter recognises the value it already took.
    const again = await payOffline(0, ids.next(), payerWallet, payeeWallet, second, [coin]);
    expect(again).toMatchObject({ ok: false, code: 'cbdc_double_spend', details: { firstPaymentId: honestId } });
    // Under the first payment's own id it is the same double spend, not a replay.
    expect(await payOffline(0, honestId, payerWallet, payeeWallet, second, [coin])).toMatchObject({ ok: false, code: 'cbdc_double_spend' });
    // The honest voucher again under a new id is the same voucher, taken once.
    expect(await payOffline(0, ids.next(), payerWallet, payeeWallet, honest, [coin])).toMatchObject({ ok: false, code: 'voucher_already_taken', details: { paymentId: honestId } });

    expect(await stations[0]!.sync.push()).toBe('answered');
    expect(await stations[1]!.sync.push()).toBe('answered');
    const [first] = await stations[0]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(first).toMatchObject({ name: 'cbdc.offline_pay', status: 'accepted' });
    const [refused] = await stations[1]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(refused).toMatchObject({ name: 'cbdc.offline_pay', status: 'rejected', code: 'cbdc_double_spend' });

    // The case is on compliance's fraud queue, naming both payments.
    const cases = await server.read((tx) => tx.banking.findBy('complianceCase', 'customer', payer.id, 10));
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ status: 'open', queue: 'fraud', transactionIds: expect.arrayContaining([honestId, secondId]) });
    expect(cases[0]!.alerts).toEqual([expect.objectContaining({ kind: 'double_spend', paymentId: secondId, firstPaymentId: honestId, firstDeviceId: 'ws-0', deviceId: 'ws-1', valueMinor: '40000' })]);
    expect(refused!.message).toContain(cases[0]!.number);
    // Presented again (a retried sync), it is refused the same way and the case gains no second alert.
    const retried = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: secondId, payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(second) }, teller(1));
    expect(retried).toMatchObject({ ok: false, code: 'cbdc_double_spend', details: { caseNumber: cases[0]!.number } });
    const [caseNow] = await server.read((tx) => tx.banking.findBy('complianceCase', 'customer', payer.id, 10));
    expect(caseNow!.alerts).toHaveLength(1);

    // The payee has the honest payment; the change is the payer's offline coin; the books agree.
    const payee = await must('cbdc.wallet', { walletId: payeeWallet });
    expect(payee.balance).toBe('25000');
    const books = await offlineBooks(payerWallet);
    expect(books).toMatchObject({ offline: 35_000n, balanced: true, coins: { totalMinor: '35000' }, wallet: { balance: '40000', offline: '35000' } });
    const coins = books.coins.coins as Coin[];
    expect(coins).toHaveLength(1);
    const unspent = await must('cbdc.unspent', { hashes: [(await server.read((tx) => tx.banking.findBy('cbdcCoin', 'wallet', payerWallet, 10)))[0]!.id] }, { actor: 'cbdc-settlement', roles: [systemRole], deviceId: 'server' });
    expect(unspent.unspent).toHaveLength(1);

    // The change pays on: taken offline at the counter that refused, settled at its next sync.
    const onward = voucher(device, coins[0]!, payeeWallet, 35_000n);
    expect(await payOffline(1, ids.next(), payerWallet, payeeWallet, onward, [coins[0]!])).toMatchObject({ ok: true });
    expect(await stations[1]!.sync.push()).toBe('answered');
    const after = await offlineBooks(payerWallet);
    expect(after).toMatchObject({ offline: 0n, balanced: true, coins: { totalMinor: '0' }, wallet: { offline: '0' } });
    expect((await must('cbdc.wallet', { walletId: payeeWallet })).balance).toBe('60000');
  });

  it('refuses at settlement what no honest device makes: a forged signature, an unknown coin, a voucher to another payee', async () => {
    const { payerWallet, payeeWallet, device, coin } = await setUp();
    const thief = hybridKeyPair(new Uint8Array(64).fill(5));
    // Signed by a key that does not own the coin.
    const { witnesses: _witnesses, ...unsigned } = voucher(device, coin, payeeWallet, 100n);
    const forged = signCbdcTransaction(unsigned, [thief]);
    expect(await payOffline(0, ids.next(), payerWallet, payeeWallet, forged, [coin])).toMatchObject({ ok: false, code: 'voucher_invalid', details: { reason: 'signature_invalid' } });
    // A coin the bank never loaded, properly signed by its made-up owner.
    const madeUp = { txid: 'ab'.repeat(32), index: 0, output: { value: '5000', currency: 'USD', owner: cbdcOwnerId(thief.publicKeys) } };
    const fake = voucher(thief, madeUp, payeeWallet, 5000n);
    const direct = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: ids.next(), payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(fake) }, demoUsers.alice);
    expect(direct).toMatchObject({ ok: false, code: 'cbdc_coin_unknown' });
    // A voucher to one wallet presented as a payment to another.
    const [, , third] = w.bank.customers;
    const thirdWallet = ids.next();
    await must('cbdc.open_wallet', { walletId: thirdWallet, customerId: third!.id, currency: 'USD', linkedAccountId: third!.accountIds[0] });
    const redirected = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: ids.next(), payerWalletId: payerWallet, payeeWalletId: thirdWallet, voucher: cbdcTransactionToJson(voucher(device, coin, payeeWallet, 100n)) }, demoUsers.alice);
    expect(redirected).toMatchObject({ ok: false, code: 'voucher_payee_mismatch' });
    // A load onto keys nobody proves to hold (the proof signed by another key, or for another amount) is refused.
    const stolenProof = offlineLoad(thief, ids.next(), payerWallet, usd(100n));
    const unproven = await serverEngine.executeAny('cbdc.load_offline', { ...stolenProof, device: offlineLoad(device, ids.next(), payerWallet, usd(100n)).device }, demoUsers.alice);
    expect(unproven).toMatchObject({ ok: false, code: 'device_proof_invalid' });
    const otherAmount = offlineLoad(device, ids.next(), payerWallet, usd(100n));
    expect(await serverEngine.executeAny('cbdc.load_offline', { ...otherAmount, money: usd(10_000n) }, demoUsers.alice)).toMatchObject({ ok: false, code: 'device_proof_invalid' });
    // An offline coin settles only as a voucher: the token network's settlement refuses it.
    const viaNetwork = await serverEngine.executeAny('cbdc.settle', { transactions: [cbdcTransactionToJson(voucher(device, coin, payeeWallet, 100n))] }, { actor: 'cbdc-settlement', roles: [systemRole], deviceId: 'server' });
    expect(viaNetwork).toMatchObject({ ok: true, value: { settled: 0, results: [{ result: 'offline_coin' }] } });
    // Malformed input: a clear refusal, nothing changed.
    const malformed = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: ids.next(), payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: { kind: 'transfer' } }, demoUsers.alice);
    expect(malformed).toMatchObject({ ok: false, code: 'voucher_malformed' });
    expect(await offlineBooks(payerWallet)).toMatchObject({ offline: 60_000n, balanced: true, coins: { totalMinor: '60000' } });
    // Online, the honest voucher settles at once; presented again under another id, it is the same payment.
    const honest = voucher(device, coin, payeeWallet, 100n);
    const paymentId = ids.next();
    const settled = await serverEngine.executeAny('cbdc.offline_pay', { paymentId, payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(honest) }, demoUsers.alice);
    expect(settled).toMatchObject({ ok: true, value: { status: 'settled', toWalletMinor: '100' } });
    const replayed = await serverEngine.executeAny('cbdc.offline_pay', { paymentId, payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(honest) }, demoUsers.alice);
    expect(replayed).toEqual(settled);
    const twice = await serverEngine.executeAny('cbdc.offline_pay', { paymentId: ids.next(), payerWalletId: payerWallet, payeeWalletId: payeeWallet, voucher: cbdcTransactionToJson(honest) }, demoUsers.alice);
    expect(twice).toMatchObject({ ok: false, code: 'voucher_already_settled', details: { paymentId } });
    expect(await offlineBooks(payerWallet)).toMatchObject({ offline: 59_900n, balanced: true, coins: { totalMinor: '59900' } });
  });
});

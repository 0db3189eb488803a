import { cbdcOwnerId, cbdcTransactionToJson, cbdcWalletOwner, demoUsers, hybridKeyPair, signCbdcTransaction, systemRole, type Context, type Id128 } from '@qenex/engine';
import { offlineLoad } from '../cbdc/support';
import { sampleAmount, type MatrixWorld, type Size } from './world';

/**
 * The CBDC commands' matrix samples. The matrix decides in USD (its limits are the USD ones), so
 * the matrix bank offers USD CBDC wallets with a sheet generous enough for every sample. What they
 * need is made once per world by the demo's staff: the sheet (tess asks, trent agrees), reserves
 * and float, the rich customer's funded wallet, and a second customer's wallet to pay.
 */
interface CbdcFixture {
  readonly payer: Id128;
  readonly payee: Id128;
}

const fixtures = new WeakMap<MatrixWorld, Promise<CbdcFixture>>();
const usd = (amount: string) => ({ amount, currency: 'USD' });

function fixtureOf(w: MatrixWorld): Promise<CbdcFixture> {
  let found = fixtures.get(w);
  if (found === undefined) {
    found = buildFixture(w);
    fixtures.set(w, found);
  }
  return found;
}

async function buildFixture(w: MatrixWorld): Promise<CbdcFixture> {
  const { tess, trent, alice } = demoUsers;
  await w.approved('cbdc.set_policy', { currency: 'USD', standardLimit: '1000000000', reducedLimit: '100000000' }, tess, trent);
  await w.approved('cbdc.move_reserves', { operationId: w.ids.next(), branchId: w.bank.branchId, money: usd('500000000'), direction: 'to_reserves' }, tess, trent);
  await w.approved('cbdc.issue', { operationId: w.ids.next(), money: usd('100000000') }, tess, trent);
  const payer = w.ids.next();
  await w.must('cbdc.open_wallet', { walletId: payer, customerId: w.image.rich.customerId, currency: 'USD', linkedAccountId: w.image.rich.usd }, alice);
  await w.must('cbdc.fund', { operationId: w.ids.next(), walletId: payer, money: usd('20000000') }, alice);
  return { payer, payee: await freshWallet(w) };
}

/** A verified customer of the branch with a USD account and a wallet linked to it, opened by alice. */
async function freshWallet(w: MatrixWorld): Promise<Id128> {
  const { walletId, customerId, accountId } = await walletRequest(w);
  await w.must('cbdc.open_wallet', { walletId, customerId, currency: 'USD', linkedAccountId: accountId }, demoUsers.alice);
  return walletId;
}

async function walletRequest(w: MatrixWorld) {
  const customerId = await w.customer(true);
  const accountId = w.ids.next();
  await w.must('account.open', { accountId, customerId, productId: 'CURRENT-USD' }, demoUsers.alice);
  return { walletId: w.ids.next(), customerId, accountId };
}

/** The rich customer's phone: the key their offline coins belong to. */
const device = hybridKeyPair(new Uint8Array(64).fill(31));

/** A coin of the amount and 6.00 more freshly loaded onto the phone, and a voucher paying the amount of it to the payee's wallet. */
async function offlineVoucher(w: MatrixWorld, payer: Id128, payee: Id128, size: Size) {
  const amount = sampleAmount[size];
  const value = BigInt(amount) + 600n;
  // What is loaded first comes in to the wallet from another intermediary, so the samples never run the wallet dry.
  const incoming = { operationId: w.ids.next(), walletId: payer, money: usd(value.toString()), payer: { name: 'Matrix Payer', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } };
  await w.must('cbdc.receive', incoming, { actor: 'cbdc-gateway', roles: [systemRole], deviceId: 'server' });
  const load = offlineLoad(device, w.ids.next(), payer, usd(value.toString()));
  // A large load is over a teller's transfer limit: the head teller agrees, as at the counter.
  const answer = size === 'large' ? await w.approved('cbdc.load_offline', load, demoUsers.alice, demoUsers.bob) : await w.must('cbdc.load_offline', load, demoUsers.alice);
  const loaded = (size === 'large' ? answer.result : answer) as { coin: { txid: string; index: number } };
  const owner = cbdcOwnerId(device.publicKeys);
  const input = { txid: loaded.coin.txid, index: loaded.coin.index, output: { value, currency: 'USD', owner } };
  const outputs = [
    { value: BigInt(amount), currency: 'USD', owner: cbdcWalletOwner(payee) },
    { value: 600n, currency: 'USD', owner },
  ];
  return cbdcTransactionToJson(signCbdcTransaction({ kind: 'transfer', inputs: [input], outputs, redeemed: 0n }, [device]));
}

type SampleOf = (w: MatrixWorld, caller: Context, size: Size) => Promise<{ readonly input: unknown }>;
const only = (input: unknown) => ({ input });

export const cbdcSamples: Readonly<Record<string, SampleOf>> = {
  'cbdc.set_policy': async () => only({ currency: 'USD', standardLimit: '1000000000', reducedLimit: '100000000' }),
  'cbdc.open_wallet': async (w) => {
    await fixtureOf(w);
    const { walletId, customerId, accountId } = await walletRequest(w);
    return only({ walletId, customerId, currency: 'USD', linkedAccountId: accountId });
  },
  'cbdc.wallet': async (w) => only({ walletId: (await fixtureOf(w)).payer }),
  'cbdc.fund': async (w, _caller, size) => only({ operationId: w.ids.next(), walletId: (await fixtureOf(w)).payer, money: usd(sampleAmount[size]) }),
  'cbdc.defund': async (w, _caller, size) => only({ operationId: w.ids.next(), walletId: (await fixtureOf(w)).payer, money: usd(sampleAmount[size]) }),
  'cbdc.pay': async (w, _caller, size) => {
    const { payer, payee } = await fixtureOf(w);
    return only({ operationId: w.ids.next(), walletId: payer, money: usd(sampleAmount[size]), payee: { walletId: payee } });
  },
  // The settlement gateway's report: only the server's own process applies it (every matrix caller is refused).
  'cbdc.receive': async (w) => only({ operationId: w.ids.next(), walletId: (await fixtureOf(w)).payee, money: usd('1000'), payer: { name: 'Matrix Payer', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } }),
  'cbdc.issue': async (w) => {
    await fixtureOf(w);
    return only({ operationId: w.ids.next(), money: usd('1000') });
  },
  'cbdc.redeem': async (w) => {
    await fixtureOf(w);
    return only({ operationId: w.ids.next(), money: usd('1000') });
  },
  'cbdc.load_offline': async (w, _caller, size) => only(offlineLoad(device, w.ids.next(), (await fixtureOf(w)).payer, usd(sampleAmount[size]))),
  'cbdc.offline_pay': async (w, _caller, size) => {
    const { payer, payee } = await fixtureOf(w);
    return only({ paymentId: w.ids.next(), payerWalletId: payer, payeeWalletId: payee, voucher: await offlineVoucher(w, payer, payee, size) });
  },
  'cbdc.offline_coins': async (w) => only({ walletId: (await fixtureOf(w)).payer }),
  'cbdc.move_reserves': async (w) => {
    await fixtureOf(w);
    return only({ operationId: w.ids.next(), branchId: w.bank.branchId, money: usd('1000'), direction: 'to_reserves' });
  },
};

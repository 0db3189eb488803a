/** What the CBDC tests share: the demo bank on SQLite offering EUR wallets, with customers holding euros. */
import { Engine, ManualClock, SequentialIds, demoPassword, demoUsers, hybridPublicKeysToJson, mustWithApproval, seedDemoBank, signCbdcLoad, systemRole, type Context, type DemoBank, type HybridKeyPair, type Id128 } from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';

/** The central bank's settlement, reported to the bank by its own gateway process. */
export const settlementCtx: Context = { actor: 'cbdc-gateway', roles: [systemRole], deviceId: 'server' };
/** A teller of another branch (0002). */
export const otherTeller: Context = { actor: 'ivan', roles: ['teller'], deviceId: 'demo-workstation' };

/** The published sheet of the tests: 3,000.00 standard, 500.00 for high-risk customers. */
export const standardLimit = 300_000n;
export const reducedLimit = 50_000n;
/** What each test customer starts with in their EUR deposit account (4,000.00). */
export const openingDeposit = 400_000n;
/** The reserves the bank holds at the central bank at the start (100,000.00). */
export const openingReserves = 10_000_000n;

export interface CbdcCustomer {
  readonly customerId: Id128;
  readonly accountId: Id128;
  readonly walletId: Id128;
}

export interface CbdcBooksUnderTest {
  readonly engine: Engine;
  readonly storage: SqliteStorage;
  readonly ids: SequentialIds;
  readonly clock: ManualClock;
  readonly bank: DemoBank;
  /** The three demo customers, each with a EUR deposit account and an open wallet. */
  readonly customers: readonly CbdcCustomer[];
}

export async function must(engine: Engine, name: string, input: unknown, ctx: Context): Promise<any> {
  const result = await engine.executeAny(name, input, ctx);
  if (!result.ok) throw new Error(`${name} as ${ctx.actor}: ${result.code}: ${result.message}`);
  return result.value;
}

export const eur = (amount: bigint | string) => ({ amount: amount.toString(), currency: 'EUR' });

/**
 * The demo bank, a EUR till worked by tom from which each demo customer's EUR account gets its
 * opening deposit, the EUR CBDC sheet published (tess asks, trent agrees), reserves moved in from
 * head office, and a wallet opened for each customer.
 */
export async function cbdcBooks(): Promise<CbdcBooksUnderTest> {
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 9, 0, 0));
  const ids = new SequentialIds(clock);
  const storage = new SqliteStorage({ path: ':memory:' });
  const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), paymentFormats: () => [] });
  const bank = await seedDemoBank(engine, ids, { clock });
  const { olivia, bob, tom, alice, tess, trent } = demoUsers;
  const tillId = ids.next();
  await must(engine, 'till.create', { tillId, branchId: bank.branchId, code: 'TE', currency: 'EUR' }, olivia);
  await mustWithApproval(engine, 'vault.to_till', { transferId: ids.next(), tillId, money: eur('2000000') }, bob, tom);
  const sessionId = ids.next();
  await must(engine, 'till.open_session', { sessionId, tillId, count: { '10000': 200 } }, tom);
  await mustWithApproval(engine, 'cbdc.set_policy', { currency: 'EUR', standardLimit: standardLimit.toString(), reducedLimit: reducedLimit.toString() }, tess, trent);
  await mustWithApproval(engine, 'cbdc.move_reserves', { operationId: ids.next(), branchId: bank.branchId, money: eur(openingReserves), direction: 'to_reserves' }, tess, trent);
  const customers: CbdcCustomer[] = [];
  for (const customer of bank.customers) {
    const accountId = ids.next();
    await must(engine, 'account.open', { accountId, customerId: customer.id, productId: 'CURRENT-EUR' }, alice);
    await must(engine, 'cash.deposit', { transferId: ids.next(), sessionId, accountId, money: eur(openingDeposit) }, tom);
    const walletId = ids.next();
    await must(engine, 'cbdc.open_wallet', { walletId, customerId: customer.id, currency: 'EUR', linkedAccountId: accountId }, alice);
    customers.push({ customerId: customer.id, accountId, walletId });
  }
  await otherBranchTeller(engine, ids);
  return { engine, storage, ids, clock, bank, customers };
}

async function otherBranchTeller(engine: Engine, ids: SequentialIds): Promise<void> {
  const branchId = ids.next();
  await must(engine, 'branch.create', { branchId, code: '0002', name: 'Harbour Road', currencies: ['EUR'] }, demoUsers.olivia);
  const maker = { actor: 'bootstrap-1', roles: ['admin'], deviceId: 'bootstrap' };
  const checker = { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' };
  await must(engine, 'user.create', { username: otherTeller.actor, displayName: 'Ivan', password: demoPassword, branchId }, maker);
  await mustWithApproval(engine, 'user.set_roles', { username: otherTeller.actor, roles: ['teller'] } as never, maker, checker);
}

/** Balances (minor units) a test reads straight from the books. */
export async function balances(books: CbdcBooksUnderTest, customer: CbdcCustomer): Promise<{ wallet: bigint; deposit: bigint }> {
  return books.storage.read(async (tx) => {
    const [wallet, deposit] = await tx.ledger.accounts([customer.walletId, customer.accountId]);
    return { wallet: wallet!.creditsPosted - wallet!.debitsPosted, deposit: deposit!.creditsPosted - deposit!.debitsPosted };
  });
}

/** The bank's own CBDC books: float and issuance (CBDC ledger), reserves and position (fiat ledger), as balances from their own side. */
export async function bankBooks(books: CbdcBooksUnderTest): Promise<{ float: bigint; issuance: bigint; reserves: bigint; position: bigint }> {
  return books.storage.read(async (tx) => {
    const found = (await tx.banking.get('cbdcBooks', 'EUR'))!;
    const [float, issuance, reserves, position] = await tx.ledger.accounts([found.floatAccountId, found.issuanceAccountId, found.reserveAccountId, found.positionAccountId]);
    return {
      float: float!.creditsPosted - float!.debitsPosted,
      issuance: issuance!.debitsPosted - issuance!.creditsPosted,
      reserves: reserves!.debitsPosted - reserves!.creditsPosted,
      position: position!.debitsPosted - position!.creditsPosted,
    };
  });
}

/** Every ledger balanced (Σdebits = Σcredits, posted and pending), as ledger.totals reports it. */
export async function ledgersBalanced(books: CbdcBooksUnderTest): Promise<{ ledgers: number[]; balanced: boolean }> {
  const totals = (await must(books.engine, 'ledger.totals', {}, demoUsers.lena)) as Array<{ ledger: number; balanced: boolean }>;
  return { ledgers: totals.map((total) => total.ledger), balanced: totals.every((total) => total.balanced) };
}

/** Everything a refused command must leave as it was: every ledger account and every CBDC operation. */
export async function snapshot(books: CbdcBooksUnderTest): Promise<string> {
  const totals = await must(books.engine, 'ledger.totals', {}, demoUsers.lena);
  const people = await Promise.all(books.customers.map((customer) => balances(books, customer)));
  const own = await bankBooks(books);
  return JSON.stringify({ totals, people, own }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/** cbdc.load_offline's input: the customer's device asks for the load, signed with its key. */
export function offlineLoad(device: HybridKeyPair, operationId: string, walletId: string, money: { readonly amount: string; readonly currency: string }) {
  const proof = signCbdcLoad(device, { operationId, walletId, amountMinor: BigInt(money.amount), currency: money.currency });
  return { operationId, walletId, money, device: hybridPublicKeysToJson(device.publicKeys), proof };
}

import type { Id128 } from '../core/ids';
import type { LimitKind } from '../core/policy';
import type { IdSource } from '../ports/ids';
import type { Clock } from '../ports/clock';
import type { Context } from './command';
import { jsonSafe, type CommandInput, type CommandName, type Engine } from './engine';
import { defaultRules, defaultScenario, defaultUsdRates } from '../core/monitoring/pack';

/**
 * The people of the demo bank and what each may do: three at branch 0001 (tellers alice and tom,
 * head teller bob), the rest central staff. `branch` says who works at the branch.
 */
export const demoUsers = {
  alice: { actor: 'alice', roles: ['teller'], deviceId: 'demo-workstation', branch: true },
  tom: { actor: 'tom', roles: ['teller'], deviceId: 'demo-workstation', branch: true },
  bob: { actor: 'bob', roles: ['head_teller'], deviceId: 'demo-workstation', branch: true },
  carol: { actor: 'carol', roles: ['compliance_officer'], deviceId: 'demo-workstation', branch: false },
  dana: { actor: 'dana', roles: ['compliance_officer'], deviceId: 'demo-workstation', branch: false },
  olivia: { actor: 'olivia', roles: ['operations'], deviceId: 'demo-workstation', branch: false },
  adam: { actor: 'adam', roles: ['admin'], deviceId: 'demo-workstation', branch: false },
  tess: { actor: 'tess', roles: ['treasury'], deviceId: 'demo-workstation', branch: false },
  trent: { actor: 'trent', roles: ['treasury'], deviceId: 'demo-workstation', branch: false },
  lena: { actor: 'lena', roles: ['ledger_operator'], deviceId: 'demo-workstation', branch: false },
} as const satisfies Record<string, Context & { readonly branch: boolean }>;

/** The demo users' password: printed for demos; a real bank's users choose their own. */
export const demoPassword = 'Qenex-Demo-2026!';

export interface DemoBank {
  readonly branchId: Id128;
  readonly tillId: Id128;
  readonly sessionId: Id128;
  readonly customers: ReadonlyArray<{ readonly id: Id128; readonly name: string; readonly accountIds: readonly Id128[] }>;
}

async function must<N extends CommandName>(engine: Engine, name: N, input: CommandInput<N>, ctx: Context) {
  const result = await engine.execute(name, input, ctx);
  if (!result.ok) throw new Error(`demo step ${name} refused: ${result.code}: ${result.message}`);
  return result.value;
}

/** A command the policy holds for a second person: asked by `maker`, approved by `checker`. */
export async function mustWithApproval<N extends CommandName>(engine: Engine, name: N, input: CommandInput<N>, maker: Context, checker: Context) {
  const held = await engine.execute(name, input, maker);
  const approvalId = held.ok ? undefined : held.details?.approvalId;
  if (typeof approvalId !== 'string') throw new Error(`demo step ${name} was not held for approval: ${JSON.stringify(held)}`);
  return must(engine, 'approval.decide', { approvalId, decision: 'approve', note: 'demo bootstrap' }, checker);
}

/**
 * The demo users, created as any user is: two bootstrap administrators create them and approve
 * each other's role grants (maker-checker), all in the audit log as `bootstrap-1` and `bootstrap-2`.
 * The engine needs a password hasher for this.
 */
async function seedDemoUsers(engine: Engine, password: string, branchOf: (user: { branch: boolean }) => Id128 | null): Promise<void> {
  const maker = { actor: 'bootstrap-1', roles: ['admin'], deviceId: 'bootstrap' };
  const checker = { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' };
  for (const user of Object.values(demoUsers)) {
    await must(engine, 'user.create', { username: user.actor, displayName: user.actor, password, branchId: branchOf(user) }, maker);
    await mustWithApproval(engine, 'user.set_roles', { username: user.actor, roles: [...user.roles] as never }, maker, checker);
  }
}

const demoCustomers = [
  { fullName: 'Amara Okafor', dateOfBirth: '1984-03-12', nationalId: 'P-4471-0934', phone: '+1 415 555 0134', email: 'amara@example.com' },
  { fullName: 'Lukas Brandt', dateOfBirth: '1979-11-02', nationalId: 'D-7782-1190', phone: '+1 415 555 0178', email: 'lukas@example.com' },
  { fullName: 'Mei Tanaka', dateOfBirth: '1992-06-27', nationalId: 'J-2231-5508', phone: '+1 415 555 0112', email: '' },
];

/** What each branch role may do alone, per transaction and per day, in each currency the branch holds (minor units). */
const demoLimits: ReadonlyArray<{ role: string; kind: LimitKind; perTransaction: string; perDay: string }> = [
  { role: 'teller', kind: 'cash', perTransaction: '500000', perDay: '2500000' },
  { role: 'teller', kind: 'transfer', perTransaction: '500000', perDay: '2500000' },
  { role: 'teller', kind: 'fx', perTransaction: '500000', perDay: '2500000' },
  { role: 'teller', kind: 'variance', perTransaction: '0', perDay: '0' },
  { role: 'head_teller', kind: 'cash', perTransaction: '2000000', perDay: '10000000' },
  { role: 'head_teller', kind: 'transfer', perTransaction: '2000000', perDay: '10000000' },
  { role: 'head_teller', kind: 'fx', perTransaction: '2000000', perDay: '10000000' },
  { role: 'head_teller', kind: 'variance', perTransaction: '10000', perDay: '20000' },
];

/** The demo's rate sheet lasts its longest (seven days); treasury republishes it after. */
const demoRateValidityMs = 7 * 24 * 60 * 60 * 1000 - 60_000;

/**
 * A branch on its first morning: users, limits and rates set under maker-checker, vault funded by
 * head office, a USD till with its float, three verified customers with accounts, and a teller's
 * session open. Everything goes through commands, as a bank's first day would.
 */
export async function seedDemoBank(engine: Engine, ids: IdSource, options: { readonly clock: Clock; readonly password?: string }): Promise<DemoBank> {
  const password = options.password ?? demoPassword;
  const nowMs = options.clock.nowMs();
  const { alice, bob, olivia, adam, tess, trent, carol, dana } = demoUsers;
  const product = (input: CommandInput<'product.define'>) => mustWithApproval(engine, 'product.define', input, olivia, adam);
  const branchId = ids.next();
  const bootstrap = { actor: 'bootstrap-1', roles: ['operations'], deviceId: 'bootstrap' };
  await must(engine, 'branch.create', { branchId, code: '0001', name: 'Main Street', currencies: ['USD', 'EUR'] }, bootstrap);
  await seedDemoUsers(engine, password, (user) => (user.branch ? branchId : null));
  await product({ productId: 'CURRENT-USD', name: 'Everyday current account', kind: 'current', currency: 'USD', overdraftLimit: '50000' });
  await product({ productId: 'SAVINGS-USD', name: 'Savings account', kind: 'savings', currency: 'USD' });
  await product({ productId: 'CURRENT-EUR', name: 'Euro current account', kind: 'current', currency: 'EUR' });
  for (const currency of ['USD', 'EUR']) {
    for (const { role, ...limit } of demoLimits) {
      await mustWithApproval(engine, 'limit.set', { holder: { role: role as 'teller' }, currency, ...limit }, olivia, adam);
    }
  }
  await mustWithApproval(
    engine,
    'fx.publish_rates',
    { base: 'EUR', quote: 'USD', mid: '1.0850', buyMarginBasisPoints: 150, sellMarginBasisPoints: 150, validFromMs: nowMs - 60_000, validUntilMs: nowMs + demoRateValidityMs },
    tess,
    trent,
  );
  // Cash from head office, counted in by the head teller with operations; the float handed to alice, who confirms it.
  await mustWithApproval(engine, 'vault.fund', { transferId: ids.next(), branchId, money: { amount: '10000000', currency: 'USD' } }, bob, olivia);
  await mustWithApproval(engine, 'vault.fund', { transferId: ids.next(), branchId, money: { amount: '5000000', currency: 'EUR' } }, bob, olivia);
  const tillId = ids.next();
  await must(engine, 'till.create', { tillId, branchId, code: 'T1', currency: 'USD' }, olivia);
  await mustWithApproval(engine, 'vault.to_till', { transferId: ids.next(), tillId, money: { amount: '1000000', currency: 'USD' } }, bob, alice);
  const sessionId = ids.next();
  await must(engine, 'till.open_session', { sessionId, tillId, count: { '10000': 80, '5000': 30, '2000': 25 } }, alice);

  // Transaction monitoring from the first day: the bank's rule pack goes live, agreed by a second compliance officer.
  await mustWithApproval(engine, 'monitoring.publish_live', defaultScenarioInput(nowMs), carol, dana);
  await must(engine, 'compliance.set_reporting_profile', demoReportingProfile(branchId), carol);

  const customers = [];
  for (const person of demoCustomers) {
    const customerId = ids.next();
    await must(engine, 'customer.create', { customerId, branchId, address: '1 Market Street, San Francisco', ...person }, alice);
    await must(engine, 'customer.review_kyc', { customerId, kycStatus: 'verified', riskRating: 'low' }, bob);
    const current = ids.next();
    const savings = ids.next();
    await must(engine, 'account.open', { accountId: current, customerId, productId: 'CURRENT-USD' }, alice);
    await must(engine, 'account.open', { accountId: savings, customerId, productId: 'SAVINGS-USD' }, alice);
    await must(engine, 'cash.deposit', { transferId: ids.next(), sessionId, accountId: current, money: { amount: '250000', currency: 'USD' } }, alice);
    customers.push({ id: customerId, name: person.fullName, accountIds: [current, savings] });
  }
  const [first, second] = customers;
  await must(engine, 'transfer.internal', { transferId: ids.next(), fromAccountId: first!.accountIds[0]!, toAccountId: first!.accountIds[1]!, money: { amount: '100000', currency: 'USD' } }, alice);
  await must(engine, 'cash.withdraw', { transferId: ids.next(), sessionId, accountId: second!.accountIds[0]!, money: { amount: '40000', currency: 'USD' } }, alice);
  return { branchId, tillId, sessionId, customers };
}

/** The default rule pack as `monitoring.publish_live` takes it (amounts as decimal strings). */
export function defaultScenarioInput(effectiveFromMs: number, version = 1): CommandInput<'monitoring.publish_live'> {
  const { status: _status, ...scenario } = defaultScenario(version);
  return { scenario: { ...scenario, rules: [...scenario.rules] }, rules: jsonSafe(defaultRules(effectiveFromMs)) as CommandInput<'monitoring.publish_live'>['rules'], usdRates: { ...defaultUsdRates } };
}

const demoAddress = { street: '1 Market Street', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

/** The demo bank as it files with FinCEN (made-up identifiers of the right shape). */
export function demoReportingProfile(branchId: string): CommandInput<'compliance.set_reporting_profile'> {
  return {
    institution: {
      name: 'QENEX Demo Bank',
      tin: '941234567',
      address: demoAddress,
      primaryRegulator: 'OCC',
      contactOffice: { name: 'BSA Compliance Office', phone: '4155550100' },
      transmitter: { name: 'QENEX Demo Bank', tcc: 'PQENX001', tin: '941234567', address: demoAddress, phone: '4155550100', contactName: 'Carol Compliance' },
    },
    branches: [{ branchId, name: 'Main Street', address: { ...demoAddress, street: '100 Main Street' } }],
  };
}

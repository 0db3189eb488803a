import type { CommandPolicy, Runs, Scope, SecondPerson } from './types';
import type { Permission } from '../rbac';

/**
 * The bank's authorisation policy as data: for every command, who may run it (permission), over
 * what (scope), against which limit, when a second person must agree and who that may be, and
 * where it may run. The engine decides every command — direct, grouped, approved, replayed from a
 * workstation's batch — with this table and nothing else (see admit.ts), so it can be listed,
 * tested and reviewed apart from the code.
 */
const never: SecondPerson = { when: 'never' };
const always = (checker: Permission): SecondPerson => ({ when: 'always', checker });
const aboveLimit = (checker: Permission): SecondPerson => ({ when: 'above_limit', checker });

function rule(permission: Permission, runs: Runs, scope: Scope = 'any', extra: Partial<CommandPolicy> = {}): CommandPolicy {
  return { permission, scope, limit: null, secondPerson: never, runs, ...extra };
}

/** A rate sheet whose mid moves more than this from the last one needs a second treasurer. */
export const rateMoveBasisPointsMax = 500n;

export const commandPolicies = {
  'branch.create': rule('branch.manage', 'server'),
  'branch.list': rule('branch.read', 'local'),
  'till.create': rule('branch.manage', 'server'),
  // A product's terms (an overdraft every new account gets) are the bank's money: a second person agrees.
  'product.define': rule('product.manage', 'server', 'any', { secondPerson: always('product.manage') }),
  'limit.set': rule('limits.manage', 'server', 'any', { secondPerson: always('limits.manage') }),
  'customer.create': rule('customer.write', 'online', 'own_branch'),
  'customer.review_kyc': rule('customer.verify', 'online', 'own_branch', { notBySubjectCreator: true }),
  'customer.get': rule('customer.read', 'local', 'own_branch', { accessLogged: true }),
  'customer.search': rule('customer.read', 'local', 'own_branch', { accessLogged: true }),
  'customer.directory': rule('customer.read', 'local', 'own_branch', { accessLogged: true }),
  'account.open': rule('account.open', 'online', 'own_branch'),
  'account.close': rule('account.close', 'online', 'own_branch', { secondPerson: always('account.close') }),
  'account.get': rule('account.read', 'local', 'own_branch', { accessLogged: true }),
  'account.statement': rule('account.read', 'local', 'own_branch', { accessLogged: true }),
  'account.balance_at': rule('account.read', 'local', 'own_branch', { accessLogged: true }),
  // Cash between the vault and a till changes hands between two people, each confirming (dual control):
  // one alone could book cash into the vault and keep it, and close the till level.
  'vault.fund': rule('vault.operate', 'online', 'own_branch', { secondPerson: always('vault.operate') }),
  'vault.to_till': rule('vault.operate', 'online', 'own_branch', { secondPerson: always('till.operate') }),
  'till.to_vault': rule('till.operate', 'online', 'own_branch', { secondPerson: always('vault.operate') }),
  'till.open_session': rule('till.operate', 'online', 'own_branch', { limit: 'variance', secondPerson: aboveLimit('till.supervise') }),
  'till.close_session': rule('till.operate', 'online', 'own_till', { limit: 'variance', secondPerson: aboveLimit('till.supervise') }),
  'till.current_session': rule('till.operate', 'local', 'self'),
  'till.list': rule('till.operate', 'local', 'own_branch'),
  'cash.deposit': rule('till.operate', 'offline', 'own_till', { limit: 'cash', secondPerson: aboveLimit('till.supervise') }),
  'cash.withdraw': rule('till.operate', 'offline', 'own_till', { limit: 'cash', secondPerson: aboveLimit('till.supervise'), standIn: true }),
  'transfer.internal': rule('transfer.create', 'offline', 'own_branch', { limit: 'transfer', secondPerson: aboveLimit('till.supervise') }),
  'fx.exchange': rule('fx.exchange', 'online', 'own_branch', { limit: 'fx', secondPerson: aboveLimit('till.supervise') }),
  'fx.publish_rates': rule('fx.rates.publish', 'server', 'any', {
    limit: { kind: 'rate_move', maxBasisPoints: rateMoveBasisPointsMax },
    secondPerson: aboveLimit('fx.rates.publish'),
  }),
  'fx.rates': rule('fx.rates.read', 'local'),
  'approval.list': rule('approval.decide', 'local', 'own_branch'),
  'approval.decide': rule('approval.decide', 'local'),
  'ledger.create_accounts': rule('ledger.write', 'server'),
  'ledger.create_transfers': rule('ledger.write', 'server'),
  'ledger.expire_pending': rule('ledger.write', 'server'),
  'ledger.lookup': rule('ledger.read', 'online'),
  'ledger.totals': rule('ledger.read', 'online'),
  'audit.verify': rule('audit.read', 'online'),
  'audit.log': rule('audit.read', 'online'),
  'audit.head': rule('audit.read', 'online'),
  'audit.anchor': rule('audit.anchor', 'server'),
  'access.log': rule('access.read', 'online'),
  'user.create': rule('user.manage', 'server'),
  'user.set_roles': rule('user.manage', 'server', 'any', { secondPerson: always('user.manage') }),
  'user.set_status': rule('user.manage', 'server'),
  'session.create': rule('session.create', 'local'),
  'session.revoke': rule('session.create', 'local', 'self'),
  'device.enrol': rule('device.manage', 'server'),
  'device.approve': rule('device.manage', 'server', 'any', { notBySubjectCreator: true }),
  'device.revoke': rule('device.manage', 'server'),
  'device.register_user': rule('device.manage', 'server'),
  'device.rotate_keys': rule('sync.push', 'server'),
  'device.approve_rotation': rule('device.manage', 'server'),
  'sync.push': rule('sync.push', 'server'),
  'sync.pull': rule('sync.push', 'server'),
  'sync.subscribe': rule('sync.push', 'server'),
  'sync.exceptions': rule('sync.exceptions', 'online', 'own_branch'),
  'standin.set_policy': rule('limits.manage', 'server', 'any', { secondPerson: always('limits.manage') }),
  // A host's own update client, after it verified the signed metadata from the pinned root: offline too.
  'update.install': rule('update.install', 'local'),
  'update.report': rule('sync.push', 'server'),
  'update.status': rule('update.status', 'online'),
  // Every customer of every branch, against the lists in force: compliance's, and logged as a read of each customer with a match.
  'screening.rescreen': rule('compliance.screen', 'online', 'any', { accessLogged: true }),
  // After a list changes: the server's own sweep (or an officer) opens a case for each customer it now names.
  'screening.sweep': rule('screening.sweep', 'server'),
  'screening.sweep_status': rule('compliance.screen', 'online'),
  // The live scenario decides every payment: a second compliance officer agrees to what goes live; a draft only runs in shadow.
  'monitoring.publish_live': rule('compliance.rules', 'online', 'any', { secondPerson: always('compliance.rules') }),
  'monitoring.set_draft': rule('compliance.rules', 'online'),
  'monitoring.settings': rule('compliance.review', 'local'),
  // Both show customers' transactions: logged as reads of customer data.
  'monitoring.shadow': rule('compliance.rules', 'online', 'any', { accessLogged: true }),
  'monitoring.replay': rule('compliance.rules', 'online', 'any', { accessLogged: true }),
  // Cases: an officer's own cases are on their workstation, worked offline too; assignment needs the server, so two people cannot take one case.
  'case.list': rule('compliance.review', 'local', 'any', { accessLogged: true }),
  'case.get': rule('compliance.review', 'local', 'any', { accessLogged: true }),
  'case.assign': rule('compliance.review', 'online'),
  'case.note': rule('compliance.review', 'offline'),
  'case.investigate': rule('compliance.review', 'offline'),
  'case.close': rule('compliance.review', 'offline'),
  'case.propose_report': rule('compliance.review', 'offline'),
  // A workstation that refused a payment offline (a sanctions hit, a monitoring block) reports it as the teller who met it.
  'compliance.report_refusal': rule('customer.read', 'offline'),
  // Filing a report with FinCEN: one officer proposes, a second one approves, on the server.
  'case.file_report': rule('compliance.review', 'online', 'any', { secondPerson: always('compliance.review') }),
  'report.get': rule('compliance.review', 'online', 'any', { accessLogged: true }),
  'compliance.set_reporting_profile': rule('compliance.rules', 'online'),
  // The fraud models' drift and the challenger's shadow results: read where the tallies are; the alert is raised on the server.
  'fraud.drift': rule('compliance.review', 'local'),
  'fraud.check_drift': rule('compliance.rules', 'online'),
  'fraud.shadow_report': rule('compliance.rules', 'online', 'any', { accessLogged: true }),
  // SWIFT payments: sent only on the live books (the correspondent is reached from the server), within the transfer limit.
  'payment.set_correspondent': rule('payment.manage', 'online'),
  'payment.send': rule('payment.send', 'online', 'own_branch', { limit: 'transfer', secondPerson: aboveLimit('till.supervise') }),
  'payment.recall': rule('payment.recall', 'online', 'own_branch'),
  'payment.list': rule('payment.read', 'online', 'own_branch', { accessLogged: true }),
  'payment.get': rule('payment.read', 'online', 'own_branch', { accessLogged: true }),
  'payment.reconciliation': rule('payment.manage', 'online'),
  'payment.exceptions': rule('payment.manage', 'online'),
  'payment.record_exception': rule('payment.gateway', 'server'),
  // What the correspondent's messages do to the books: the server's payment gateway alone applies them.
  'payment.outbox': rule('payment.gateway', 'server'),
  'payment.mark_sent': rule('payment.gateway', 'server'),
  'payment.apply_status': rule('payment.gateway', 'server'),
  'payment.apply_return': rule('payment.gateway', 'server'),
  'payment.receive': rule('payment.gateway', 'server'),
  'payment.receive_recall': rule('payment.gateway', 'server'),
  'payment.reconcile_nostro': rule('payment.gateway', 'server'),
  // The end-of-day camt.053 of every customer account: the server's own run; it reads customers' movements.
  'payment.customer_statements': rule('payment.gateway', 'server', 'any', { accessLogged: true }),
  // Retail CBDC (the digital euro model): the holding limits are the bank's published sheet, agreed by a second person;
  // funding and defunding move a customer's money between their own deposit and wallet (bounded by the holding limit),
  // a payment leaves them as a transfer does (the transfer limit, a supervisor above it); reserves move only with two treasurers.
  'cbdc.set_policy': rule('cbdc.manage', 'server', 'any', { secondPerson: always('cbdc.manage') }),
  'cbdc.open_wallet': rule('account.open', 'online', 'own_branch'),
  'cbdc.wallet': rule('account.read', 'online', 'own_branch', { accessLogged: true }),
  'cbdc.fund': rule('transfer.create', 'online', 'own_branch'),
  'cbdc.defund': rule('transfer.create', 'online', 'own_branch'),
  'cbdc.pay': rule('transfer.create', 'online', 'own_branch', { limit: 'transfer', secondPerson: aboveLimit('till.supervise') }),
  'cbdc.receive': rule('cbdc.gateway', 'server'),
  'cbdc.issue': rule('cbdc.treasury', 'server', 'any', { secondPerson: always('cbdc.treasury') }),
  'cbdc.redeem': rule('cbdc.treasury', 'server', 'any', { secondPerson: always('cbdc.treasury') }),
  'cbdc.move_reserves': rule('cbdc.treasury', 'server', 'any', { secondPerson: always('cbdc.treasury') }),
  // CBDC tokens (OpenCBDC's model): whoever holds the issuer's secret key can mint, so setting it takes two;
  // a mint needs no second person here because the issuer's own signature over it is the second authority.
  'cbdc.set_token_issuer': rule('cbdc.manage', 'server', 'any', { secondPerson: always('cbdc.manage') }),
  'cbdc.mint': rule('cbdc.treasury', 'server'),
  'cbdc.settle': rule('cbdc.settle', 'server'),
  'cbdc.unspent': rule('cbdc.settle', 'server'),
  // Value onto a customer's device and offline vouchers count against the teller's transfer limit as a wallet payment does; the server settles a voucher again.
  'cbdc.load_offline': rule('transfer.create', 'online', 'own_branch', { limit: 'transfer', secondPerson: aboveLimit('till.supervise') }),
  'cbdc.offline_pay': rule('transfer.create', 'offline', 'own_branch', { limit: 'transfer', secondPerson: aboveLimit('till.supervise') }),
  'cbdc.offline_coins': rule('account.read', 'online', 'own_branch', { accessLogged: true }),
  // Digital assets: a token registered or a pool allowed is the bank's money at stake: a second person agrees.
  'asset.register': rule('asset.manage', 'server', 'any', { secondPerson: always('asset.manage') }),
  'asset.register_pool': rule('asset.manage', 'server', 'any', { secondPerson: always('asset.manage') }),
  'asset.list': rule('asset.read', 'online'),
  'asset.open_account': rule('account.open', 'online', 'own_branch'),
  'asset.account': rule('asset.read', 'online', 'own_branch', { accessLogged: true }),
  'asset.operations': rule('asset.read', 'online', 'own_branch', { accessLogged: true }),
  // Tokens leave custody within the caller's asset limit; over it (and with none set, always) a head teller agrees.
  'asset.withdraw': rule('asset.withdraw', 'online', 'own_branch', { limit: 'asset', secondPerson: aboveLimit('till.supervise') }),
  'asset.swap': rule('asset.swap', 'online', 'own_branch', { limit: 'asset', secondPerson: aboveLimit('till.supervise') }),
  'asset.watch': rule('asset.gateway', 'server'),
  'asset.observe_deposits': rule('asset.gateway', 'server'),
  'asset.confirm': rule('asset.gateway', 'server'),
  'asset.outbox': rule('asset.gateway', 'server'),
  'asset.record_signed': rule('asset.gateway', 'server'),
  'asset.record_receipt': rule('asset.gateway', 'server'),
  'asset.positions': rule('asset.gateway', 'server'),
} as const satisfies Readonly<Record<string, CommandPolicy>>;

export type PolicyTable = Readonly<Record<string, CommandPolicy>>;
export type PolicedCommand = keyof typeof commandPolicies;

import type { CommandName } from '@qenex/engine';

type Params = Readonly<Record<string, string>>;
/** A query value is a string, or a list of them when the parameter is repeated. */
type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The API, one line per route: which command it runs and how the request becomes the command's
 * input. Routes only parse, call and map; the command's schema validates and documents the input.
 */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly command: CommandName;
  readonly summary: string;
  readonly tag: string;
  /** The OpenAPI operation id when the command has a second route (ids are unique); the command's name otherwise. */
  readonly operationId?: string;
  /** Reachable without a session (signing in). */
  readonly public?: true;
  /** Authenticated by the workstation's hybrid signature in the body, not a session. */
  readonly device?: true;
  /** Status of a success: 201 for what creates a resource. */
  readonly status?: 200 | 201;
  /** Input fields taken from the path, not the body. */
  readonly pathFields?: readonly string[];
  /** Input fields taken from the query string (numbers named in `numericQuery` are converted). */
  readonly queryFields?: readonly string[];
  readonly numericQuery?: readonly string[];
  readonly input?: (body: unknown, params: Params, query: Query) => unknown;
}

export const routes: readonly RouteSpec[] = [
  { method: 'POST', url: '/api/v1/sessions', command: 'session.create', summary: 'Sign in; returns a bearer token', tag: 'identity', public: true, status: 201 },
  { method: 'DELETE', url: '/api/v1/sessions/current', command: 'session.revoke', summary: 'Sign out of this session', tag: 'identity', input: () => ({}) },
  { method: 'POST', url: '/api/v1/users', command: 'user.create', summary: 'Create a user (no roles yet)', tag: 'identity', status: 201 },
  { method: 'PUT', url: '/api/v1/users/:username/roles', command: 'user.set_roles', summary: 'Change roles (held for a second administrator)', tag: 'identity', pathFields: ['username'] },
  { method: 'PUT', url: '/api/v1/users/:username/status', command: 'user.set_status', summary: 'Enable or disable a user', tag: 'identity', pathFields: ['username'] },
  { method: 'GET', url: '/api/v1/approvals', command: 'approval.list', summary: 'Held commands', tag: 'approvals', queryFields: ['status', 'limit'], numericQuery: ['limit'] },
  { method: 'POST', url: '/api/v1/approvals/:approvalId/decision', command: 'approval.decide', summary: 'Approve or reject a held command (maker-checker)', tag: 'approvals', pathFields: ['approvalId'] },
  { method: 'POST', url: '/api/v1/branches', command: 'branch.create', summary: 'Open a branch with its vault and cash accounts', tag: 'branches', status: 201 },
  { method: 'GET', url: '/api/v1/branches', command: 'branch.list', summary: 'Branches', tag: 'branches' },
  { method: 'POST', url: '/api/v1/tills', command: 'till.create', summary: 'Add a till to a branch', tag: 'tills', status: 201 },
  { method: 'GET', url: '/api/v1/branches/:branchId/tills', command: 'till.list', summary: 'Tills of a branch with their cash', tag: 'tills', pathFields: ['branchId'] },
  { method: 'POST', url: '/api/v1/tills/:tillId/sessions', command: 'till.open_session', summary: 'Open a till with a counted float', tag: 'tills', pathFields: ['tillId'], status: 201 },
  { method: 'GET', url: '/api/v1/till-sessions/current', command: 'till.current_session', summary: "The caller's open till session", tag: 'tills' },
  { method: 'POST', url: '/api/v1/till-sessions/:sessionId/close', command: 'till.close_session', summary: 'Close a till with a count; over/short is posted', tag: 'tills', pathFields: ['sessionId'] },
  { method: 'POST', url: '/api/v1/till-sessions/:sessionId/deposits', command: 'cash.deposit', summary: 'Cash deposit at the till', tag: 'cash', pathFields: ['sessionId'], status: 201 },
  { method: 'POST', url: '/api/v1/till-sessions/:sessionId/withdrawals', command: 'cash.withdraw', summary: 'Cash withdrawal at the till', tag: 'cash', pathFields: ['sessionId'], status: 201 },
  { method: 'POST', url: '/api/v1/vault/fundings', command: 'vault.fund', summary: 'Cash received into a branch vault', tag: 'cash', status: 201 },
  { method: 'POST', url: '/api/v1/vault/to-till', command: 'vault.to_till', summary: 'Vault to till', tag: 'cash', status: 201 },
  { method: 'POST', url: '/api/v1/vault/from-till', command: 'till.to_vault', summary: 'Till to vault', tag: 'cash', status: 201 },
  { method: 'POST', url: '/api/v1/products', command: 'product.define', summary: 'Define a product', tag: 'products', status: 201 },
  { method: 'POST', url: '/api/v1/limits', command: 'limit.set', summary: "A role's or a user's limit per kind and currency (held for a second person)", tag: 'limits' },
  { method: 'POST', url: '/api/v1/customers', command: 'customer.create', summary: 'Register a customer', tag: 'customers', status: 201 },
  { method: 'GET', url: '/api/v1/customers', command: 'customer.search', summary: 'Find customers', tag: 'customers', queryFields: ['nationalId', 'fullName', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/customer-directory', command: 'customer.directory', summary: "The branch's customers, a page at a time", tag: 'customers', queryFields: ['after', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/customers/:customerId', command: 'customer.get', summary: 'A customer and their accounts', tag: 'customers', pathFields: ['customerId'] },
  { method: 'POST', url: '/api/v1/customers/:customerId/kyc', command: 'customer.review_kyc', summary: 'Record identity verification and risk rating', tag: 'customers', pathFields: ['customerId'] },
  { method: 'POST', url: '/api/v1/accounts', command: 'account.open', summary: 'Open an account', tag: 'accounts', status: 201 },
  { method: 'POST', url: '/api/v1/accounts/:accountId/closure', command: 'account.close', summary: 'Close an empty account (held for a second supervisor)', tag: 'accounts', pathFields: ['accountId'] },
  { method: 'GET', url: '/api/v1/accounts/:accountId', command: 'account.get', summary: 'An account with its balances', tag: 'accounts', pathFields: ['accountId'] },
  { method: 'GET', url: '/api/v1/accounts/:accountId/statement', command: 'account.statement', summary: 'Paged history with running balance', tag: 'accounts', pathFields: ['accountId'], queryFields: ['after', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/accounts/:accountId/balance', command: 'account.balance_at', summary: 'Balance at a point in time', tag: 'accounts', pathFields: ['accountId'], queryFields: ['atMs'], numericQuery: ['atMs'] },
  { method: 'POST', url: '/api/v1/internal-transfers', command: 'transfer.internal', summary: "Move money between customers' accounts", tag: 'transfers', status: 201 },
  { method: 'POST', url: '/api/v1/exchanges', command: 'fx.exchange', summary: "Currency exchange between a customer's accounts, at the bank's published rate", tag: 'transfers', status: 201 },
  { method: 'POST', url: '/api/v1/rate-sheets', command: 'fx.publish_rates', summary: "Publish a currency pair's rate (a large move is held for a second treasurer)", tag: 'rates', status: 201 },
  { method: 'GET', url: '/api/v1/rate-sheets', command: 'fx.rates', summary: "The bank's current rates, and the rate a customer gets each way", tag: 'rates' },
  { method: 'POST', url: '/api/v1/devices', command: 'device.enrol', summary: 'Enrol a workstation (its public keys); it waits for approval', tag: 'sync', status: 201 },
  { method: 'POST', url: '/api/v1/devices/:deviceId/approval', command: 'device.approve', summary: "Approve a workstation (another administrator); returns its credential", tag: 'sync', pathFields: ['deviceId'] },
  { method: 'POST', url: '/api/v1/devices/:deviceId/revocation', command: 'device.revoke', summary: 'Revoke a workstation', tag: 'sync', pathFields: ['deviceId'] },
  { method: 'POST', url: '/api/v1/devices/:deviceId/users', command: 'device.register_user', summary: 'Register a user on a workstation (the server replays its batches only as its users)', tag: 'sync', pathFields: ['deviceId'], status: 201 },
  { method: 'POST', url: '/api/v1/sync/push', command: 'sync.push', summary: 'A signed, sealed batch of offline commands; a signed answer per command', tag: 'sync', device: true },
  { method: 'POST', url: '/api/v1/sync/pull', command: 'sync.pull', summary: "A signed pull; the branch's books sealed to the device", tag: 'sync', device: true },
  { method: 'POST', url: '/api/v1/sync/key-rotation', command: 'device.rotate_keys', summary: 'New device keys, signed with the current ones; they wait for an administrator', tag: 'sync', device: true },
  { method: 'POST', url: '/api/v1/devices/:deviceId/key-rotation-approval', command: 'device.approve_rotation', summary: "Approve a workstation's new keys; returns its new credential", tag: 'sync', pathFields: ['deviceId'] },
  { method: 'POST', url: '/api/v1/updates/reports', command: 'update.report', summary: 'A workstation reports the versions of everything it runs, signed with its device key', tag: 'updates', device: true },
  { method: 'GET', url: '/api/v1/updates/status', command: 'update.status', summary: 'Which branch runs which version of everything, and which updates were refused', tag: 'updates', input: () => ({}) },
  { method: 'GET', url: '/api/v1/screening/customers', command: 'screening.rescreen', summary: 'Every customer against the sanctions lists in force, a page at a time, with each match explained', tag: 'compliance', queryFields: ['after', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/screening/sweep', command: 'screening.sweep_status', summary: 'How far the re-screen of every customer after the last list change got', tag: 'compliance', input: () => ({}) },
  { method: 'GET', url: '/api/v1/cases', command: 'case.list', summary: "Compliance cases: the officer's own, a queue, all open or closed, most urgent filing first", tag: 'compliance', queryFields: ['view', 'queue', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/cases/:caseId', command: 'case.get', summary: 'A case with its notes, the decisions and hits behind it, its customers and reports', tag: 'compliance', pathFields: ['caseId'] },
  { method: 'POST', url: '/api/v1/cases/:caseId/assignment', command: 'case.assign', summary: 'Give a case to a compliance officer, or back to a queue', tag: 'compliance', pathFields: ['caseId'] },
  { method: 'POST', url: '/api/v1/cases/:caseId/notes', command: 'case.note', summary: 'Append a note to a case (notes are never edited)', tag: 'compliance', pathFields: ['caseId'], status: 201 },
  { method: 'POST', url: '/api/v1/cases/:caseId/investigation', command: 'case.investigate', summary: 'Start investigating a case', tag: 'compliance', pathFields: ['caseId'] },
  { method: 'POST', url: '/api/v1/cases/:caseId/closure', command: 'case.close', summary: 'Close a case as confirmed or a false positive', tag: 'compliance', pathFields: ['caseId'] },
  { method: 'POST', url: '/api/v1/cases/:caseId/report-proposals', command: 'case.propose_report', summary: "Propose the case's CTR or SAR; a second officer files it", tag: 'compliance', pathFields: ['caseId'], status: 201 },
  { method: 'POST', url: '/api/v1/cases/:caseId/reports', command: 'case.file_report', summary: "File the case's proposed report (held for a second compliance officer)", tag: 'compliance', pathFields: ['caseId'] },
  { method: 'GET', url: '/api/v1/reports/:reportId', command: 'report.get', summary: 'A filed report with its FinCEN batch XML, counts and totals', tag: 'compliance', pathFields: ['reportId'] },
  { method: 'PUT', url: '/api/v1/reporting-profile', command: 'compliance.set_reporting_profile', summary: "Who files the bank's reports with FinCEN, and each branch's address", tag: 'compliance' },
  { method: 'POST', url: '/api/v1/compliance/refusal-reports', command: 'compliance.report_refusal', summary: 'Report a payment refused for compliance (a sanctions hit, a monitoring block), opening its case', tag: 'compliance', status: 201 },
  { method: 'GET', url: '/api/v1/fraud/drift', command: 'fraud.drift', summary: "The fraud model's drift: its score's and each feature's population stability index over the last days", tag: 'compliance', queryFields: ['days'], numericQuery: ['days'] },
  { method: 'POST', url: '/api/v1/fraud/drift-checks', command: 'fraud.check_drift', summary: 'Check the fraud model for drift, raising a case when it has drifted', tag: 'compliance' },
  { method: 'GET', url: '/api/v1/fraud/shadow', command: 'fraud.shadow_report', summary: "The challenger model's shadow scores beside the champion's, with what each caught on labelled payments", tag: 'compliance', queryFields: ['limit'], numericQuery: ['limit'] },
  { method: 'PUT', url: '/api/v1/correspondents/:currency', command: 'payment.set_correspondent', summary: "Set the correspondent holding the bank's nostro in a currency (its nostro and suspense accounts are opened the first time)", tag: 'payments', pathFields: ['currency'] },
  { method: 'POST', url: '/api/v1/payments', command: 'payment.send', summary: "Send a customer's cross-border payment: admitted, screened, checked as the pacs.008 it makes, and held on the account until the correspondent answers", tag: 'payments', status: 201 },
  { method: 'GET', url: '/api/v1/payments', command: 'payment.list', summary: 'SWIFT payments, outgoing and incoming, with where each stands', tag: 'payments', queryFields: ['status', 'after', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/payments/:paymentId', command: 'payment.get', summary: 'One payment with every message it exchanged and the reason for any reject or return', tag: 'payments', pathFields: ['paymentId'] },
  { method: 'POST', url: '/api/v1/payments/:paymentId/recall', command: 'payment.recall', summary: 'Ask the correspondent for an outgoing payment back (a camt.056)', tag: 'payments', pathFields: ['paymentId'] },
  { method: 'GET', url: '/api/v1/payment-exceptions', command: 'payment.exceptions', summary: 'Messages from the correspondent the books could not apply, kept as they came with why', tag: 'payments', queryFields: ['after', 'limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/nostro-reconciliations/:currency/:statementId', command: 'payment.reconciliation', summary: "The nostro against the correspondent's statement: what matched, and every break", tag: 'payments', pathFields: ['currency', 'statementId'] },
  { method: 'PUT', url: '/api/v1/cbdc/policies/:currency', command: 'cbdc.set_policy', summary: 'Publish the CBDC holding limits per tier for a currency (a second person agrees); the first sheet opens the bank\'s CBDC books', tag: 'cbdc', pathFields: ['currency'] },
  { method: 'POST', url: '/api/v1/cbdc/wallets', command: 'cbdc.open_wallet', summary: "Open a customer's CBDC wallet, linked to their deposit account in the same currency", tag: 'cbdc', status: 201 },
  { method: 'GET', url: '/api/v1/cbdc/wallets/:walletId', command: 'cbdc.wallet', summary: "A CBDC wallet's balance, tier, holding limit and room, with its linked account's balances", tag: 'cbdc', pathFields: ['walletId'] },
  { method: 'POST', url: '/api/v1/cbdc/wallets/:walletId/fundings', command: 'cbdc.fund', summary: 'Fund a wallet from its linked deposit account, up to its holding limit', tag: 'cbdc', status: 201, pathFields: ['walletId'] },
  { method: 'POST', url: '/api/v1/cbdc/wallets/:walletId/defundings', command: 'cbdc.defund', summary: 'Move CBDC from a wallet back to its linked deposit account', tag: 'cbdc', status: 201, pathFields: ['walletId'] },
  { method: 'POST', url: '/api/v1/cbdc/wallets/:walletId/payments', command: 'cbdc.pay', summary: "Pay from a wallet (reverse waterfall from the linked account) to another wallet here (the payee's waterfall applies) or at another intermediary", tag: 'cbdc', status: 201, pathFields: ['walletId'] },
  { method: 'POST', url: '/api/v1/cbdc/wallets/:walletId/offline-loads', command: 'cbdc.load_offline', summary: "Load value from a wallet onto the customer's offline device: one coin owned by the device's hybrid post-quantum key, counted against the holding limit", tag: 'cbdc', status: 201, pathFields: ['walletId'] },
  { method: 'GET', url: '/api/v1/cbdc/wallets/:walletId/offline-coins', command: 'cbdc.offline_coins', summary: "A wallet's unspent offline coins and their total", tag: 'cbdc', pathFields: ['walletId'] },
  { method: 'POST', url: '/api/v1/cbdc/offline-payments', command: 'cbdc.offline_pay', summary: "Settle an offline voucher between two of the bank's wallets: signatures and the unspent set checked; value spent twice is refused and a case opened", tag: 'cbdc', status: 201 },
  { method: 'POST', url: '/api/v1/cbdc/issuances', command: 'cbdc.issue', summary: "The central bank converts the bank's reserves into CBDC float (two treasurers)", tag: 'cbdc', status: 201 },
  { method: 'POST', url: '/api/v1/cbdc/redemptions', command: 'cbdc.redeem', summary: "The central bank converts the bank's CBDC float back into reserves (two treasurers)", tag: 'cbdc', status: 201 },
  { method: 'POST', url: '/api/v1/cbdc/reserve-movements', command: 'cbdc.move_reserves', summary: "Move the bank's own funds to or from its reserve account at the central bank (two treasurers)", tag: 'cbdc', status: 201 },
  { method: 'POST', url: '/api/v1/digital-assets', command: 'asset.register', summary: 'Register an ERC-20 the bank keeps in custody: its chain, contract, the books\' scale and the confirmations a deposit needs (a second person agrees)', tag: 'digital-assets', status: 201 },
  { method: 'POST', url: '/api/v1/swap-pools', command: 'asset.register_pool', summary: 'Allow swaps through a Uniswap v2 pair and its router (a second person agrees)', tag: 'digital-assets', status: 201 },
  { method: 'GET', url: '/api/v1/digital-assets', command: 'asset.list', summary: 'The digital assets and swap pools the bank has registered', tag: 'digital-assets', queryFields: ['limit'], numericQuery: ['limit'] },
  { method: 'POST', url: '/api/v1/token-accounts', command: 'asset.open_account', summary: "Open a customer's token account, with its custody address on the asset's chain", tag: 'digital-assets', status: 201 },
  { method: 'GET', url: '/api/v1/token-accounts/:accountId', command: 'asset.account', summary: 'A token account: ledger units, what is below the scale, and the exact chain amount', tag: 'digital-assets', pathFields: ['accountId'] },
  { method: 'GET', url: '/api/v1/token-accounts/:accountId/operations', command: 'asset.operations', summary: "A token account's deposits, withdrawals and swaps, with where each stands on chain", tag: 'digital-assets', pathFields: ['accountId'] },
  { method: 'POST', url: '/api/v1/token-withdrawals', command: 'asset.withdraw', summary: 'Withdraw tokens to an address: admitted (limit, second person, the destination screened), held until the chain confirms it', tag: 'digital-assets', status: 201 },
  { method: 'POST', url: '/api/v1/token-swaps', command: 'asset.swap', summary: 'Swap tokens through a registered pool with a slippage limit and a deadline the router enforces; credited what the pair paid', tag: 'digital-assets', status: 201 },
  { method: 'GET', url: '/api/v1/monitoring/scenarios', command: 'monitoring.settings', summary: 'The live monitoring scenario and the draft in shadow, with their rules', tag: 'compliance', input: () => ({}) },
  { method: 'PUT', url: '/api/v1/monitoring/scenarios/live', command: 'monitoring.publish_live', summary: 'Publish the live scenario (held for a second compliance officer)', tag: 'compliance' },
  { method: 'PUT', url: '/api/v1/monitoring/scenarios/draft', command: 'monitoring.set_draft', summary: 'Set the draft scenario that runs in shadow beside the live one', tag: 'compliance' },
  { method: 'GET', url: '/api/v1/monitoring/shadow', command: 'monitoring.shadow', summary: "The draft's shadow decisions beside the live ones", tag: 'compliance', queryFields: ['limit'], numericQuery: ['limit'] },
  { method: 'GET', url: '/api/v1/monitoring/replay', command: 'monitoring.replay', summary: 'A scenario replayed over the stored history, a page at a time: what it would have flagged', tag: 'compliance', queryFields: ['which', 'after', 'limit'], numericQuery: ['limit'] },
  { method: 'POST', url: '/api/v1/stand-in-policies', command: 'standin.set_policy', summary: "A branch's offline limits, signed into every pull", tag: 'sync' },
  { method: 'GET', url: '/api/v1/branches/:branchId/sync-exceptions', command: 'sync.exceptions', summary: 'Commands refused after the cash had moved', tag: 'sync', pathFields: ['branchId'] },
  { method: 'POST', url: '/api/v1/ledger/accounts', command: 'ledger.create_accounts', summary: 'Ledger accounts, one result per event', tag: 'ledger' },
  { method: 'POST', url: '/api/v1/ledger/expire-pending', command: 'ledger.expire_pending', summary: 'Void pending transfers past their timeout', tag: 'ledger' },
  { method: 'GET', url: '/api/v1/ledger/totals', command: 'ledger.totals', summary: 'Σdebits and Σcredits per ledger', tag: 'ledger' },
  {
    method: 'GET',
    url: '/api/v1/ledger/lookup',
    command: 'ledger.lookup',
    summary: 'Ledger accounts and transfers by id (ids: comma-separated)',
    tag: 'ledger',
    queryFields: ['ids'],
    input: (_body, _params, query) => ({ ids: typeof query.ids === 'string' ? query.ids.split(',') : (query.ids ?? []) }),
  },
  { method: 'GET', url: '/api/v1/audit/verify', command: 'audit.verify', summary: 'Verify the hash-chained audit log and its stored signed anchors', tag: 'audit' },
  { method: 'POST', url: '/api/v1/audit/verify', command: 'audit.verify', summary: 'Verify the audit log, also against signed anchors the caller kept', tag: 'audit', operationId: 'audit.verify_with_anchors' },
  { method: 'GET', url: '/api/v1/audit/head', command: 'audit.head', summary: 'A signed anchor of the audit head, for an auditor to keep', tag: 'audit' },
  { method: 'GET', url: '/api/v1/audit', command: 'audit.log', summary: 'Audit records', tag: 'audit', queryFields: ['after', 'limit'], numericQuery: ['after', 'limit'] },
  { method: 'GET', url: '/api/v1/access-log', command: 'access.log', summary: 'Who read whose records (customers, accounts), for compliance and audit', tag: 'audit', queryFields: ['after', 'limit', 'subject'], numericQuery: ['after', 'limit'] },
];

/** The input a route passes to its command: body fields, then path and query fields. */
export function commandInput(route: RouteSpec, body: unknown, params: Params, query: Query): unknown {
  if (route.input !== undefined) return route.input(body, params, query);
  const fromBody = route.method === 'GET' || route.method === 'DELETE' ? {} : body;
  if (fromBody === null || typeof fromBody !== 'object' || Array.isArray(fromBody)) return fromBody;
  const input: Record<string, unknown> = { ...(fromBody as Record<string, unknown>) };
  for (const field of route.pathFields ?? []) input[field] = params[field];
  for (const field of route.queryFields ?? []) {
    const raw = query[field];
    if (raw === undefined) continue;
    input[field] = route.numericQuery?.includes(field) && typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return input;
}

import { createHash } from 'node:crypto';
import { defaultScenarioInput, demoPassword, demoReportingProfile, demoUsers, type Context } from '@qenex/engine';
import { cbdcSamples } from './cbdc-samples';
import { cbdcTokenSamples } from './cbdc-token-samples';
import { matrixAssets, matrixCorrespondent, paymentSample, reconcileSample, sampleAmount, sampleVariance, userOf, workstationId, type MatrixWorld, type Size } from './world';

/**
 * For every command, a request that succeeds when the policy lets the caller make it: fresh ids,
 * and whatever must exist first made by the demo's staff. `size` picks an amount inside every
 * limit or above a teller's, for the commands the policy limits. A sample may give the context it
 * needs (signing out needs the caller's own session).
 */
export interface Sample {
  readonly input: unknown;
  readonly ctx?: Context;
}

type SampleOf = (w: MatrixWorld, caller: Context, size: Size) => Promise<Sample>;

const usd = (amount: string) => ({ amount, currency: 'USD' });
const only = (input: unknown): Sample => ({ input });

export const samples: Readonly<Record<string, SampleOf>> = {
  'branch.create': async (w) => only({ branchId: w.ids.next(), code: String(5000 + w.next()), name: 'Matrix Branch', currencies: ['USD'] }),
  'branch.list': async () => only({}),
  'till.create': async (w) => only({ tillId: w.ids.next(), branchId: w.bank.branchId, code: `MXN${w.next()}`, currency: 'USD' }),
  'product.define': async (w) => only({ productId: `MX-${w.next()}`, name: 'Matrix product', kind: 'current', currency: 'USD' }),
  'limit.set': async () => only({ holder: { role: 'auditor' }, kind: 'cash', currency: 'USD', perTransaction: '100', perDay: '100' }),
  'customer.create': async (w) => {
    const n = w.next();
    return only({ customerId: w.ids.next(), branchId: w.bank.branchId, fullName: `Matrix Person ${n}`, dateOfBirth: '1990-01-01', nationalId: `MX-P-${n}`, address: '3 Policy Street', phone: '+1 415 555 0142' });
  },
  'customer.review_kyc': async (w) => only({ customerId: await w.customer(false), kycStatus: 'verified', riskRating: 'low' }),
  'customer.get': async (w) => only({ customerId: w.bank.customers[0]!.id }),
  'customer.search': async () => only({ limit: 5 }),
  'customer.directory': async () => only({ limit: 5 }),
  'account.open': async (w) => only({ accountId: w.ids.next(), customerId: await w.customer(true), productId: 'CURRENT-USD' }),
  'account.close': async (w) => only({ accountId: await w.emptyAccount(), closingTransferId: w.ids.next() }),
  'account.get': async (w) => only({ accountId: w.bank.customers[0]!.accountIds[0]! }),
  'account.statement': async (w) => only({ accountId: w.bank.customers[0]!.accountIds[0]!, limit: 5 }),
  'account.balance_at': async (w) => only({ accountId: w.bank.customers[0]!.accountIds[0]!, atMs: w.clock.nowMs() }),
  'vault.fund': async (w) => only({ transferId: w.ids.next(), branchId: w.bank.branchId, money: usd('1000') }),
  'vault.to_till': async (w) => only({ transferId: w.ids.next(), tillId: w.bank.tillId, money: usd('1000') }),
  'till.to_vault': async (w, caller) => only({ transferId: w.ids.next(), tillId: await tillOf(w, caller), money: usd('1000') }),
  'till.open_session': async (w, _caller, size) => only({ sessionId: w.ids.next(), tillId: await w.emptyTill(), count: sampleVariance[size] }),
  'till.close_session': async (w, caller, size) => only({ sessionId: await openedBy(w, caller), count: sampleVariance[size] }),
  'till.current_session': async () => only({}),
  'till.list': async (w) => only({ branchId: w.bank.branchId }),
  'cash.deposit': async (w, caller, size) => only({ transferId: w.ids.next(), sessionId: w.sessionOf(caller.actor), accountId: w.image.rich.usd, money: usd(sampleAmount[size]) }),
  'cash.withdraw': async (w, caller, size) => only({ transferId: w.ids.next(), sessionId: w.sessionOf(caller.actor), accountId: w.image.rich.usd, money: usd(sampleAmount[size]) }),
  // Online banking names where the instruction came from (a teller's transfer comes from the counter).
  'transfer.internal': async (w, caller, size) =>
    only({ transferId: w.ids.next(), fromAccountId: w.image.rich.usd, toAccountId: w.bank.customers[0]!.accountIds[0]!, money: usd(sampleAmount[size]), ...(caller.roles.includes('digital_channel') ? { origin: { channel: 'online' as const, deviceId: 'matrix-laptop' } } : {}) }),
  'fx.exchange': async (w, _caller, size) => only({ sellTransferId: w.ids.next(), buyTransferId: w.ids.next(), fromAccountId: w.image.rich.usd, toAccountId: w.image.rich.eur, money: usd(sampleAmount[size]) }),
  // The demo's EUR/USD mid is 1.0850: a move to 1.0851 is within tolerance, to 2.0000 far beyond it.
  'fx.publish_rates': async (w, _caller, size) =>
    only({ base: 'EUR', quote: 'USD', mid: size === 'small' ? '1.0851' : '2.0000', buyMarginBasisPoints: 150, sellMarginBasisPoints: 150, validFromMs: w.clock.nowMs() - 1000, validUntilMs: w.clock.nowMs() + 86_400_000 }),
  'fx.rates': async () => only({}),
  'approval.list': async () => only({ status: 'pending', limit: 10 }),
  'approval.decide': async (w) => only({ approvalId: await w.pendingApproval(), decision: 'reject', note: 'matrix' }),
  'ledger.create_accounts': async (w) => only({ accounts: [{ id: w.ids.next(), ledger: 840, code: 1 }] }),
  'ledger.create_transfers': async (w) => {
    const [a, b] = await w.rawAccounts();
    return only({ transfers: [{ id: w.ids.next(), debitAccountId: a, creditAccountId: b, amount: '1', ledger: 840, code: 1 }] });
  },
  'ledger.expire_pending': async () => only({}),
  'ledger.lookup': async (w) => only({ ids: [w.bank.customers[0]!.accountIds[0]!] }),
  'ledger.totals': async () => only({}),
  'audit.verify': async () => only({}),
  'audit.log': async () => only({ after: 0, limit: 5 }),
  'audit.head': async () => only({}),
  'audit.anchor': async () => only({}),
  'access.log': async () => only({ limit: 5 }),
  'user.create': async (w) => only({ username: `mx-new-${w.next()}`, displayName: 'New Matrix User', password: 'Matrix-Password-2026!' }),
  'user.set_roles': async () => only({ username: userOf('none'), roles: [] }),
  'user.set_status': async (w) => {
    const username = `mx-status-${w.next()}`;
    await w.must('user.create', { username, displayName: username, password: 'Matrix-Password-2026!' }, { actor: 'bootstrap-1', roles: ['admin'], deviceId: 'bootstrap' });
    return only({ username, status: 'active' });
  },
  'session.create': async () => only({ username: userOf('none'), password: demoPassword, deviceId: 'matrix-console' }),
  'session.revoke': async (w, caller) => {
    const session = await w.must('session.create', { username: userOf('none'), password: demoPassword, deviceId: 'matrix-console' }, { actor: 'anonymous', roles: [], deviceId: 'matrix-console' });
    return { input: {}, ctx: { ...caller, sessionId: createHash('sha256').update(session.token as string).digest('hex') } };
  },
  'device.enrol': async (w) => only({ deviceId: `mx-dev-${w.next()}`, branchId: w.bank.branchId, ...w.deviceKeys() }),
  'device.approve': async (w) => only({ deviceId: await w.device(false) }),
  'device.revoke': async (w) => only({ deviceId: await w.device(false) }),
  'device.register_user': async () => only({ deviceId: workstationId, username: userOf('none') }),
  'device.rotate_keys': async (w) => only({ message: w.rotation(await w.device(true)) }),
  'device.approve_rotation': async (w) => {
    const deviceId = await w.device(true);
    await w.must('device.rotate_keys', { message: w.rotation(deviceId) }, { actor: 'device', roles: ['device'], deviceId: 'network' });
    return only({ deviceId });
  },
  'sync.push': async (w) => only({ message: await w.freshBatch() }),
  'sync.pull': async (w) => only({ message: w.signedRequest('pull', workstationId, { cursor: '0' }) }),
  'sync.subscribe': async (w) => only({ message: w.signedRequest('subscribe', workstationId) }),
  'sync.exceptions': async (w) => only({ branchId: w.bank.branchId }),
  'standin.set_policy': async (w) => only({ branchId: w.bank.branchId, currency: 'EUR', perTransaction: '100', perCustomerPerDay: '100', perTellerPerDay: '100', validForMs: 86_400_000 }),
  'update.install': async (w) =>
    only({ trust: { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: w.clock.nowMs() }, install: [], remove: [], checkedAtMs: w.clock.nowMs(), refusal: null, appStaged: null }),
  'update.report': async (w) => {
    const report = { deviceId: workstationId, atMs: w.clock.nowMs(), metadata: { root: 1, timestamp: null, snapshot: null, targets: null, delegated: {} }, content: [], app: { running: '0.1.0', staged: null }, lastCheckedAtMs: null, lastInstalledAtMs: null, refusal: null };
    return only({ message: w.signedRequest('update_report', workstationId, { report }) });
  },
  'update.status': async () => only({}),
  'screening.rescreen': async () => only({ limit: 5 }),
  'screening.sweep': async () => only({ limit: 5 }),
  'screening.sweep_status': async () => only({}),
  'monitoring.publish_live': async (w) => only(defaultScenarioInput(0, 10 + w.next())),
  'monitoring.set_draft': async (w) => only(defaultScenarioInput(0, 100_000 + w.next())),
  'monitoring.settings': async () => only({}),
  'monitoring.shadow': async () => only({ limit: 5 }),
  'monitoring.replay': async () => only({ which: 'live', limit: 5 }),
  'fraud.drift': async () => only({ days: 7 }),
  'fraud.check_drift': async () => only({ days: 7 }),
  'fraud.shadow_report': async () => only({ limit: 10 }),
  'case.list': async () => only({ view: 'open' }),
  'case.get': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles) }),
  'case.assign': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles), assignee: 'dana' }),
  'case.note': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles), noteId: w.ids.next(), text: 'Matrix note.' }),
  'case.investigate': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles) }),
  'case.close': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles), outcome: 'false_positive', reason: 'Matrix: salary.' }),
  'compliance.report_refusal': async (w) => only({ reportId: w.ids.next(), command: 'cash.deposit', code: 'monitoring_block', message: 'Blocked by transaction monitoring at the counter.', customerId: w.bank.customers[0]!.id, details: { rules: ['structuring'], score: 60 } }),
  'case.file_report': async (w, caller) => {
    // A proposal waiting on the case (filing one that is not is refused before anyone is asked).
    const officer = caller.roles.includes('compliance_officer') ? caller : demoUsers.carol;
    const caseId = await w.openCase(officer.actor, officer.roles);
    const proposalId = w.ids.next();
    await w.must('case.propose_report', { caseId, proposalId, form: 'CTRX' }, { ...officer, deviceId: 'hq' });
    return only({ caseId, proposalId });
  },
  'report.get': async (w) => only({ reportId: await w.filedReport() }),
  'compliance.set_reporting_profile': async (w) => only(demoReportingProfile(w.bank.branchId)),
  'case.propose_report': async (w, caller) => only({ caseId: await w.openCase(caller.actor, caller.roles), proposalId: w.ids.next(), form: 'CTRX' }),
  'payment.set_correspondent': async () => only(matrixCorrespondent),
  'payment.send': async (w, _caller, size) => only(paymentSample(w.image.rich.usd, w.ids.next(), sampleAmount[size])),
  'payment.recall': async (w) => only({ paymentId: await w.sentPayment(), reasonCode: 'DUPL' }),
  'payment.list': async () => only({ limit: 5 }),
  'payment.get': async (w) => only({ paymentId: await w.sentPayment() }),
  'payment.reconciliation': async (w) => only({ currency: 'USD', statementId: await w.reconciliation() }),
  // The gateway's commands: only the server's own process applies them (every caller of the matrix is refused).
  'payment.outbox': async () => only({ limit: 5 }),
  'payment.mark_sent': async (w) => only({ paymentId: await w.sentPayment(), type: 'pacs.008', messageId: `MXS${w.next()}`, xml: '<Envelope/>' }),
  'payment.apply_status': async (w) => only({ messageId: `MXA${w.next()}`, xml: '<Envelope/>', uetr: '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'ACSC' }),
  'payment.apply_return': async (w) => only({ messageId: `MXR${w.next()}`, xml: '<Envelope/>', uetr: '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', returned: usd('100'), reasonCode: 'AC01' }),
  'payment.receive': async (w) =>
    only({
      messageId: `MXI${w.next()}`, xml: '<Envelope/>', uetr: '9a8b7c6d-5e4f-4a3b-9c1d-0e9f8a7b6c5d', instructionId: 'THEIRS1', endToEndId: 'E2E1', money: usd('100'), settlementDate: '2026-12-02',
      debtor: { name: 'Matrix Payer', kind: 'person' }, debtorAgentBic: 'ITAUBRSPXXX', creditor: { name: 'Rich Matrix', kind: 'person', account: { other: '1' } }, creditorAgentBic: 'QENXGB2LXXX', chargeBearer: 'SHAR',
    }),
  'payment.receive_recall': async (w) => only({ messageId: `MXC${w.next()}`, xml: '<Envelope/>', uetr: '9a8b7c6d-5e4f-4a3b-9c1d-0e9f8a7b6c5d', reasonCode: 'DUPL' }),
  'payment.exceptions': async () => only({ limit: 5 }),
  'payment.record_exception': async () => only({ messageType: 'unreadable', messageId: null, xml: '<x/>', code: 'message_invalid', message: 'Matrix.' }),
  'payment.customer_statements': async (w) => only({ date: new Date(w.clock.nowMs()).toISOString().slice(0, 10), limit: 5 }),
  'payment.reconcile_nostro': async (w) => only(reconcileSample(`MXN${w.next()}`, new Date(w.clock.nowMs()).toISOString().slice(0, 10))),
  'asset.register': async (w) => only({ assetId: `MXR${w.next()}`, name: 'Matrix token', chainId: '31337', contract: `0x${w.next().toString(16).padStart(40, '0')}`, decimals: 6, maxHoldingTokens: '1000000', confirmations: 2 }),
  'asset.register_pool': async (w) => only({ poolId: `MXP${w.next()}`, assetA: 'MXTA', assetB: 'MXTB', pair: matrixAssets.pair, router: matrixAssets.router, deadlineSecondsMax: 300 }),
  'asset.list': async () => only({ limit: 5 }),
  'asset.open_account': async (w) => only({ accountId: w.ids.next(), customerId: await w.customer(true), assetId: 'MXTA' }),
  'asset.account': async (w) => only({ accountId: w.image.rich.tokenA }),
  'asset.operations': async (w) => only({ accountId: w.image.rich.tokenA }),
  'asset.withdraw': async (w, _caller, size) => only({ withdrawalId: w.ids.next(), accountId: w.image.rich.tokenA, to: `0x${'12'.repeat(20)}`, amount: sampleAmount[size] }),
  'asset.swap': async (w, _caller, size) => only({ swapId: w.ids.next(), poolId: 'MXTAB', fromAccountId: w.image.rich.tokenA, toAccountId: w.image.rich.tokenB, amountIn: sampleAmount[size], minOut: '1', deadlineSeconds: 120 }),
  // The custody gateway's commands: only the server's own process runs them.
  'asset.watch': async () => only({ chainId: '31337' }),
  'asset.observe_deposits': async () => only({ chainId: '31337', logs: [] }),
  'asset.confirm': async () => only({ chainId: '31337', head: '5', blocks: [] }),
  'asset.outbox': async () => only({ chainId: '31337' }),
  'asset.record_signed': async (w) => {
    const { opId, nonce, txHash } = await w.tokenWithdrawal();
    return only({ opId, txs: [{ nonce, rawTx: '0x02f8', txHash }] });
  },
  'asset.record_receipt': async (w) => {
    const { opId, txHash } = await w.tokenWithdrawal(true);
    return only({ opId, receipt: { txHash, status: 'success', blockNumber: '3', blockHash: `0x${'8'.repeat(64)}`, transfers: [] } });
  },
  'asset.positions': async () => only({}),
  ...cbdcSamples,
  ...cbdcTokenSamples,
};

/** A till the caller may return cash from: their own (or T1, for a caller who has none). */
async function tillOf(w: MatrixWorld, caller: Context): Promise<string> {
  const session = await w.storage.read((tx) => tx.banking.get('tillSession', w.sessionOf(caller.actor)));
  return session!.tillId;
}

/**
 * A session the caller may close: a fresh till opened by them (when they may open one), so the
 * caller's own session stays open for the other samples; for anyone else, alice's session.
 */
async function openedBy(w: MatrixWorld, caller: Context): Promise<string> {
  const sessionId = w.ids.next();
  const opened = await w.engine.executeAny('till.open_session', { sessionId, tillId: await w.emptyTill(), count: {} }, caller);
  return opened.ok ? sessionId : w.bank.sessionId;
}

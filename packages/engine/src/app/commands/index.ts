import { checkFraudDrift, fraudDrift, fraudShadowReport } from './fraud';
import { openAccount, getAccount, accountStatement, balanceAt, closeAccount } from './accounts';
import { decideApproval, listApprovals } from './approvals';
import { createBranch, createTill, defineProduct, listBranches, setLimit } from './branches';
import {
  cashDeposit,
  cashWithdrawal,
  closeTillSession,
  currentTillSession,
  listTills,
  fundVault,
  internalTransfer,
  openTillSession,
  tillToVault,
  vaultToTill,
} from './cash';
import { createCustomer, customerDirectory, getCustomer, reviewCustomerKyc, searchCustomers } from './customers';
import { exchange, listRates, publishRates } from './fx';
import { approveDevice, approveKeyRotation, enrolDevice, registerDeviceUser, revokeDevice, rotateDeviceKeys } from './devices';
import { listSyncExceptions, pullBranch, pushBatch, setStandInPolicy, subscribeChanges } from './sync';
import { createSession, createUser, revokeSession, setUserRoles, setUserStatus } from './identity';
import { createLedgerAccounts, createLedgerTransfers, expirePendingTransfers, ledgerTotals, lookupLedger } from './ledger';
import { installUpdate, reportUpdateVersions, updateStatus } from './updates';
import { rescreenCustomers, sweepCustomers, sweepStatus } from './screening';
import { monitoringSettings, publishLiveScenario, replayScenarioOverHistory, setDraftScenario, shadowResults } from './monitoring';
import { fileReport, getReport, setReportingProfile } from './reports';
import { addCaseNote, assignCase, closeCase, getCase, listCases, proposeReport, reportRefusal, startInvestigation } from './cases';
import { recallPayment, receivePayment, receiveRecall, applyPaymentReturn, applyPaymentStatus, markPaymentSent } from './payment-events';
import { getPayment, getReconciliation, listPayments, paymentOutbox, reconcileNostro } from './payment-reads';
import { sendPayment, setCorrespondent } from './payments';
import { accessLog, anchorAudit, auditHead, auditLog, verifyAudit } from './audit';

/** The engine's one entry point: every change of state is one of these commands. */
export const commands = {
  'branch.create': createBranch,
  'branch.list': listBranches,
  'till.create': createTill,
  'product.define': defineProduct,
  'limit.set': setLimit,
  'customer.create': createCustomer,
  'customer.review_kyc': reviewCustomerKyc,
  'customer.get': getCustomer,
  'customer.search': searchCustomers,
  'customer.directory': customerDirectory,
  'account.open': openAccount,
  'account.close': closeAccount,
  'account.get': getAccount,
  'account.statement': accountStatement,
  'account.balance_at': balanceAt,
  'vault.fund': fundVault,
  'vault.to_till': vaultToTill,
  'till.to_vault': tillToVault,
  'till.open_session': openTillSession,
  'till.close_session': closeTillSession,
  'till.current_session': currentTillSession,
  'till.list': listTills,
  'cash.deposit': cashDeposit,
  'cash.withdraw': cashWithdrawal,
  'transfer.internal': internalTransfer,
  'fx.exchange': exchange,
  'fx.publish_rates': publishRates,
  'fx.rates': listRates,
  'approval.list': listApprovals,
  'approval.decide': decideApproval,
  'ledger.create_accounts': createLedgerAccounts,
  'ledger.create_transfers': createLedgerTransfers,
  'ledger.expire_pending': expirePendingTransfers,
  'ledger.lookup': lookupLedger,
  'ledger.totals': ledgerTotals,
  'audit.verify': verifyAudit,
  'audit.log': auditLog,
  'audit.head': auditHead,
  'audit.anchor': anchorAudit,
  'access.log': accessLog,
  'user.create': createUser,
  'user.set_roles': setUserRoles,
  'user.set_status': setUserStatus,
  'session.create': createSession,
  'session.revoke': revokeSession,
  'device.enrol': enrolDevice,
  'device.approve': approveDevice,
  'device.revoke': revokeDevice,
  'device.register_user': registerDeviceUser,
  'device.rotate_keys': rotateDeviceKeys,
  'device.approve_rotation': approveKeyRotation,
  'sync.push': pushBatch,
  'sync.pull': pullBranch,
  'sync.subscribe': subscribeChanges,
  'sync.exceptions': listSyncExceptions,
  'standin.set_policy': setStandInPolicy,
  'update.install': installUpdate,
  'update.report': reportUpdateVersions,
  'update.status': updateStatus,
  'screening.rescreen': rescreenCustomers,
  'screening.sweep': sweepCustomers,
  'screening.sweep_status': sweepStatus,
  'monitoring.publish_live': publishLiveScenario,
  'monitoring.set_draft': setDraftScenario,
  'monitoring.settings': monitoringSettings,
  'monitoring.shadow': shadowResults,
  'monitoring.replay': replayScenarioOverHistory,
  'fraud.drift': fraudDrift,
  'fraud.check_drift': checkFraudDrift,
  'fraud.shadow_report': fraudShadowReport,
  'case.list': listCases,
  'case.get': getCase,
  'case.assign': assignCase,
  'case.note': addCaseNote,
  'case.investigate': startInvestigation,
  'case.close': closeCase,
  'case.propose_report': proposeReport,
  'compliance.report_refusal': reportRefusal,
  'case.file_report': fileReport,
  'report.get': getReport,
  'compliance.set_reporting_profile': setReportingProfile,
  'payment.set_correspondent': setCorrespondent,
  'payment.send': sendPayment,
  'payment.recall': recallPayment,
  'payment.list': listPayments,
  'payment.get': getPayment,
  'payment.outbox': paymentOutbox,
  'payment.mark_sent': markPaymentSent,
  'payment.apply_status': applyPaymentStatus,
  'payment.apply_return': applyPaymentReturn,
  'payment.receive': receivePayment,
  'payment.receive_recall': receiveRecall,
  'payment.reconcile_nostro': reconcileNostro,
  'payment.reconciliation': getReconciliation,
} as const;

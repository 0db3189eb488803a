/** @qenex/engine: the domain core. Apps reach it through the command map (`Engine`). */
export { Engine, type Preview, type WriteHooks, type WriteMeta, type CommandName, type CommandInput, type CommandResult, type CommandValue, type EngineDeps } from './app/engine';
export type { Context, Outcome, Refusal, Success } from './app/command';
export { commands } from './app/commands';
export { storedPayments, fraudScoreBudgetMsDefault, fraudQueue, type FraudRuntime, type FraudRuntimeFactory, type FraudOptions, type PaymentOrigin } from './app/fraud';
export { driftAlertPsi, driftStablePsi, type DriftReport } from './app/commands/fraud';
export * from './core/money';
export * from './core/currencies';
export * from './core/ids';
export * from './core/ledger';
export * from './core/rbac';
export * from './core/identity';
export * from './core/policy';
export * from './core/canonical-json';
export * from './core/audit';
export * from './core/audit-anchor';
export * from './core/banking/types';
export * from './core/banking/denominations';
export * from './core/banking/account-number';
export * from './core/banking/fx';
export { cbdcLedgerOf, cbdcLedgerOffset, holdingLimitOf, splitIncoming, splitPayment, tierOf, type IncomingSplit, type PaymentSplit } from './core/cbdc/wallet';
export type { CbdcBooks, CbdcCoin, CbdcOperation, CbdcPolicy, CbdcTier, CbdcWallet } from './core/cbdc/types';
export * from './core/cbdc/index';
export { settleCbdcTransactions, cbdcUnspentQueryMax, type CbdcSettleCode, type CbdcSettleOptions, type CbdcSettleResult } from './app/commands/cbdc-tokens';
export type { Clock } from './ports/clock';
export type { IdSource } from './ports/ids';
export type { Storage, StorageTx, LedgerStore, LedgerTotals, AccessRecord, AccessEntry } from './ports/storage';
export type { BankingStore } from './ports/banking-store';
export type { AuditStore } from './ports/audit-store';
export { RandomIds, SequentialIds } from './adapters/in-process/ids';
export { ManualClock, systemClock } from './adapters/in-process/clock';
export { seedDemoBank, demoUsers, demoPassword, mustWithApproval, defaultScenarioInput, demoReportingProfile, type DemoBank } from './app/demo';
export {
  kvLimits,
  KvLimitError,
  type KvLimitName,
  type Cache,
  type IdempotencyBegin,
  type IdempotencyStore,
  type RateLimitDecision,
  type RateLimiter,
  type MessageBus,
  type MessageHandler,
  type Unsubscribe,
  type KvPorts,
  type KvErrorReporter,
} from './ports/kv';
export {
  InProcessKvStore,
  InProcessKvPorts,
  consoleKvErrorReporter,
  inProcessEntriesMax,
  inProcessBusQueueMax,
  type InProcessKvOptions,
  type InProcessConnectOptions,
} from './adapters/in-process/kv';
export * from './core/crypto';
export * from './core/update';
export * from './core/sync';
export type { ServerKeys, CommandEnv } from './app/command';
export { compensableRefusals, type BranchSnapshot } from './app/commands/sync';
export { auditAnchorsSuppliedMax, type AuditVerdict } from './app/commands/audit';
export { encodeJson, decodeJson } from './core/json-codec';
export { WorkstationSync, signingKeys as deviceSigningKeys, type DeviceSecrets, type SyncTransport, type TransportResult } from './app/sync/workstation';
export type { MirrorStore } from './ports/mirror';
export { UpdateClient, repositoryNames, timestampBytesMax, rootBytesMax, type UpdateFetcher, type FetchResult, type UpdateClientDeps, type CheckOutcome } from './app/update/client';
export * from './core/screening';
export * from './core/monitoring';
export * from './core/ai/model';
export * from './core/ai/random';
export * from './core/ai/scorer';
export * from './core/ai/linear';
export * from './core/ai/gbdt';
export * from './core/ai/isolation-forest';
export * from './core/ai/treeshap';
export * from './core/ai/metrics';
export * from './core/ai/features';
export * from './core/ai/onnx';
export * from './core/ai/training';
export * from './core/ai/deployment';
export * from './core/ai/reasons';
export { simulate, splitByTime, fraudTypologies, defaultFraudRate, simulationCustomersMax, simulationDaysMax, fraudRateMax, type Typology, type LabelledEvent, type CustomerProfile, type Bill, type Payday, type FraudEpisode, type Simulation, type SimulationOptions, type SimulationProgress, type TimeSplit, type TimeSplitOptions, type TimeSplitPart } from './core/ai/simulator';
export * from './core/reports';
export * from './core/payments';
export type { PaymentFormats, PaymentFormatIssue } from './ports/payment-formats';
export type { CustodyKeys } from './ports/custody-keys';
export * from './core/assets/units';
export type * from './core/assets/types';
export { uetrOf, instructionIdOf, paymentView, paymentMessageCharsMax } from './app/commands/payments';
export type { MessageApplied } from './app/commands/payment-events';

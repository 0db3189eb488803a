export { ManualClock, systemClock } from '../adapters/in-process/clock';
export { RandomIds, SequentialIds } from '../adapters/in-process/ids';
export { applyAccounts, applyTransfers, expirePendings } from '../app/ledger';
export {
  AccountFlags,
  TransferFlags,
  batchEventsMax,
  type Account,
  type AccountEvent,
  type CreateTransferResult,
  type Transfer,
  type TransferEvent,
} from '../core/ledger';
export { seededFraction, seededRandom } from './random';
export { kvContract, type KvContractTarget, type PurgeableKvPorts } from './kv-contract';
export { describeStorageContract } from './storage-contract';
export { ManualTimer } from './manual-timer';

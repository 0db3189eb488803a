export * from './types';
export * from './results';
export { createTransfers, type CreateTransfersOutcome } from './transfers';
export { createAccounts, type CreateAccountsOutcome } from './accounts';
export { emptySnapshot, type LedgerChanges, type LedgerSnapshot } from './working';
export * from './balances';

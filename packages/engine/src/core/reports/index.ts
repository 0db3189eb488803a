/** FinCEN BSA E-Filing batch XML (CTR and SAR) from a typed model, refused with named errors, and read back to check its counts and totals. */
export type {
  PostalAddress,
  PrimaryRegulator,
  FilingInstitution,
  BranchLocation,
  IdentificationType,
  PersonParty,
  EntityParty,
  ReportParty,
  CtrCashInKind,
  CtrCashOutKind,
  CtrPerson,
  CtrReport,
  SarCategory,
  SarCategoryEntry,
  SarReport,
  FincenForm,
  BuiltBatch,
  ReportRule,
  ReportError,
  BatchResult,
} from './types';
export {
  reportsPerBatchMax,
  personsPerCtrMax,
  subjectsPerSarMax,
  accountsPerCtrPersonMax,
  accountsPerSarMax,
  categoriesPerSarMax,
  narrativeCharsMax,
  narrativeBlockCharsMax,
  amountDollarsMax,
  ctrThresholdMinor,
  elementCharsMax,
  sarTypes,
} from './fincen-codes';
export { validateCtrReports, validateSarReports, dollarsRoundedUp, narrativeBlocks, reportIdCharsMax } from './fincen-rules';
export { buildCtrBatch, buildSarBatch } from './fincen-xml';
export { checkBatch, type BatchExpectation } from './fincen-check';
export { fincenNamespace } from './xml-writer';

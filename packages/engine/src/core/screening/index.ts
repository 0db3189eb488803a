/** Sanctions lists as branches receive them, their converters, and first (exact) name screening. */
export {
  sanctionsListKind,
  sanctionsListSchema,
  sanctionsEntryTypes,
  sanctionsEntriesMax,
  sanctionsNamesMax,
  namesPerEntryMax,
  nameCharsMax,
  programsPerEntryMax,
  programCharsMax,
  entryIdCharsMax,
  sourceCharsMax,
  parseSanctionsList,
  encodeSanctionsList,
  type SanctionsList,
  type SanctionsEntry,
  type SanctionsEntryType,
  type SanctionsListResult,
} from './list';
export { parseCsv, type CsvOptions, type CsvResult } from './csv';
export { parseOfacSdnCsv, ofacSdnSource, ofacSdnFields, ofacAltFields, ofacFieldCharsMax, type OfacListMeta } from './ofac';
export { normalizeName, nameKey, nameTokens } from './names';
export {
  buildScreeningIndex,
  screenName,
  screeningListsMax,
  screeningMatchesMax,
  screenedNameCharsMax,
  screenedLettersMin,
  type ScreeningIndex,
  type ScreeningMatch,
} from './screen';

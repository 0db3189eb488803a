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
  birthDatesPerEntryMax,
  birthYearMin,
  birthYearMax,
  nationalitiesPerEntryMax,
  weakNamesPerEntryMax,
  digitalCurrencyAddressesPerEntryMax,
  digitalCurrencyCodeCharsMax,
  digitalCurrencyAddressCharsMax,
  isDigitalCurrencyAddress,
  isDigitalCurrencyCode,
  countryCodes,
  countryCodeOfName,
  isBirthDate,
  parseSanctionsList,
  encodeSanctionsList,
  sanctionsEntry,
  type SanctionsList,
  type SanctionsEntry,
  type SanctionsEntryParts,
  type SanctionsEntryType,
  type DigitalCurrencyAddress,
  type SanctionsListResult,
  type PublishedListMeta,
} from './list';
export { parseCsv, type CsvOptions, type CsvResult } from './csv';
export { parseOfacSdnCsv, ofacSdnSource, ofacSdnFields, ofacAltFields, ofacCommentsFields, ofacFieldCharsMax, type OfacListMeta } from './ofac';
export {
  parseXml,
  xmlLimits,
  xmlCharsMax,
  xmlDepthMax,
  xmlElementsMax,
  xmlAttributesPerElementMax,
  xmlNameCharsMax,
  type XmlElement,
  type XmlLimits,
  type XmlResult,
} from './xml';
export { parseUnConsolidatedXml, unConsolidatedSource } from './un';
export { parseOfacXml, ofacXmlSource } from './ofac-xml';
export { parseEuFsfXml, euFsfSource, type EuFsfConversion } from './eu';
export { diffSanctionsLists, sanctionsEntryFields, type SanctionsEntryField, type SanctionsListDiff } from './diff';
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
export { buildFuzzyIndex, screenFuzzy, screenFuzzyByScan, scorePair, shippedThreshold, weakAliasFactor, fuzzyQueryCharsMax, fuzzyMatchesMax, fuzzyMatchesDefault, nearMissMargin, nameTokensMax, type FuzzyIndex, type FuzzyMatch, type FuzzyQuery, type FuzzyOptions, type FuzzyExplanationPart, type FuzzyQueryType, type PairOptions, type PairScore } from './fuzzy';
export {
  buildDigitalAddressIndex,
  screenDigitalAddress,
  screenDigitalAddressIn,
  digitalAddressKey,
  isEvmAddress,
  digitalAddressesIndexMax,
  screenedAddressCharsMax,
  digitalAddressMatchesMax,
  networkCharsMax,
  type DigitalAddressIndex,
  type DigitalAddressMatch,
  type DigitalAddressScreening,
} from './digital-address';

/**
 * What FinCEN would reject, refused on the model before any XML is written, each refusal naming
 * the input path and the rule. The rules are the batch schemas' (lengths, date patterns, codes,
 * party counts) and FinCEN's user guides' (no leading or trailing spaces and no tabs, carriage
 * returns or line feeds in any value; whole dollars). libxml2 accepts a leading space against the
 * schemas' `\S+( +\S+)*|` pattern, so that one is checked here and only here.
 */
import {
  accountsPerCtrPersonMax,
  accountsPerSarMax,
  amountDollarsMax,
  categoriesPerSarMax,
  cashInCode,
  cashOutCode,
  ctrThresholdMinor,
  documentCode,
  elementCharsMax,
  narrativeBlockCharsMax,
  narrativeCharsMax,
  personsPerCtrMax,
  regulatorCode,
  reportsPerBatchMax,
  sarTypes,
  subjectsPerSarMax,
  usStateCodes,
  type StringElement,
} from './fincen-codes';
import type {
  BranchLocation,
  CtrPerson,
  CtrReport,
  FilingInstitution,
  PersonParty,
  PostalAddress,
  ReportError,
  ReportParty,
  ReportRule,
  SarCategoryEntry,
  SarReport,
} from './types';

/** The bank's own report id is only for naming errors and acknowledgements: kept short. */
export const reportIdCharsMax = 64;

type Errors = ReportError[];

function fail(errors: Errors, path: string, rule: ReportRule, message: string): void {
  errors.push({ path, rule, message });
}

/** Characters as XML and the schemas count them (code points, not UTF-16 units). */
export function charCount(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

// XSD's \s is space, tab, CR and LF only: every other character is \S.
const fincenTextPattern = /^[^ \t\n\r]+(?: +[^ \t\n\r]+)*$/u;
// Control characters (FinCEN: "non-printable"), lone surrogates and the non-characters XML forbids.
const forbiddenCharacter = /[\p{Cc}\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** True when a value may be written as it is into a FinCEN string element (empty excluded). */
export function isFincenText(value: string): boolean {
  return !forbiddenCharacter.test(value) && fincenTextPattern.test(value);
}

function checkText(errors: Errors, path: string, value: unknown, element: StringElement): boolean {
  if (typeof value !== 'string' || value === '') {
    fail(errors, path, 'required', 'is required');
    return false;
  }
  if (forbiddenCharacter.test(value)) {
    fail(errors, path, 'character', 'contains a control character (tab, carriage return, line feed or other) or an invalid code point');
    return false;
  }
  if (!fincenTextPattern.test(value)) {
    fail(errors, path, 'whitespace', 'has a leading or trailing space');
    return false;
  }
  const charsMax = elementCharsMax[element];
  if (charCount(value) > charsMax) {
    fail(errors, path, 'too_long', `is longer than ${charsMax} characters (${element})`);
    return false;
  }
  return true;
}

function checkOptionalText(errors: Errors, path: string, value: string | undefined, element: StringElement): void {
  if (value !== undefined) checkText(errors, path, value, element);
}

function checkPattern(errors: Errors, path: string, value: unknown, pattern: RegExp, rule: ReportRule, message: string): boolean {
  if (typeof value === 'string' && pattern.test(value)) return true;
  fail(errors, path, rule, message);
  return false;
}

const dateShape = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' of a real calendar day in 1900–2099 (the schemas' (19|20)YYMMDD) as 'YYYYMMDD', else undefined. */
export function fincenDate(value: string): string | undefined {
  const match = dateShape.exec(value);
  if (match === null) return undefined;
  const [, yearText = '', monthText = '', dayText = ''] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day > daysInMonth ? undefined : yearText + monthText + dayText;
}

function checkDate(errors: Errors, path: string, value: unknown): string | undefined {
  const date = typeof value === 'string' ? fincenDate(value) : undefined;
  if (date === undefined) fail(errors, path, 'date', 'is not a calendar date YYYY-MM-DD between 1900 and 2099');
  return date;
}

/** Dates in order (the later one not before the earlier), when both are valid. */
function checkDateOrder(errors: Errors, path: string, earlier: string | undefined, later: string | undefined, message: string): void {
  if (earlier !== undefined && later !== undefined && later < earlier) fail(errors, path, 'date_order', message);
}

const nineDigits = /^\d{9}$/;

/** A 9-digit TIN, not one digit repeated and not 123456789 (FinCEN treats both as invalid TINs). */
function isTin(value: unknown): boolean {
  return typeof value === 'string' && nineDigits.test(value) && !/^(\d)\1{8}$/.test(value) && value !== '123456789';
}

function checkTin(errors: Errors, path: string, value: unknown, rule: 'ein' | 'tin'): void {
  if (isTin(value)) return;
  const what = rule === 'ein' ? 'an EIN' : 'a TIN';
  fail(errors, path, rule, `is not ${what} of 9 digits (no hyphen; not one digit repeated, not 123456789)`);
}

function checkPhone(errors: Errors, path: string, value: unknown): void {
  checkPattern(errors, path, value, /^\d{10,16}$/, 'phone', 'is not a phone number of 10 to 16 digits, digits only');
}

function checkRssd(errors: Errors, path: string, value: string | undefined): void {
  if (value !== undefined) checkPattern(errors, path, value, /^\d{1,10}$/, 'rssd', 'is not an RSSD id of 1 to 10 digits');
}

function checkCountry(errors: Errors, path: string, value: unknown): boolean {
  return checkPattern(errors, path, value, /^[A-Z]{2}$/, 'country', 'is not an ISO 3166-1 alpha-2 code in capitals');
}

export function checkAddress(errors: Errors, path: string, address: PostalAddress): void {
  checkText(errors, `${path}.street`, address.street, 'RawStreetAddress1Text');
  checkText(errors, `${path}.city`, address.city, 'RawCityText');
  if (!checkCountry(errors, `${path}.country`, address.country)) return;
  if (address.country === 'US') {
    if (!usStateCodes.has(address.state)) fail(errors, `${path}.state`, 'state', 'is not a US state or territory code (USPS, two capitals)');
    checkPattern(errors, `${path}.zip`, address.zip, /^\d{5}(?:\d{4})?$/, 'zip', 'is not a US ZIP code of 5 or 9 digits, no hyphen');
    return;
  }
  checkPattern(errors, `${path}.state`, address.state, /^(?:[A-Z0-9]{1,3})?$/, 'state', "is not '' or a province code of up to 3 capitals or digits");
  if (address.zip !== '') checkText(errors, `${path}.zip`, address.zip, 'RawZIPCode');
}

function checkInstitution(errors: Errors, path: string, institution: FilingInstitution): void {
  checkText(errors, `${path}.name`, institution.name, 'RawPartyFullName');
  checkTin(errors, `${path}.tin`, institution.tin, 'ein');
  checkAddress(errors, `${path}.address`, institution.address);
  if (regulatorCode[institution.primaryRegulator] === undefined) fail(errors, `${path}.primaryRegulator`, 'code', 'is not FDIC, FRB, NCUA, OCC or IRS');
  checkRssd(errors, `${path}.rssd`, institution.rssd);
  checkText(errors, `${path}.contactOffice.name`, institution.contactOffice.name, 'RawPartyFullName');
  checkPhone(errors, `${path}.contactOffice.phone`, institution.contactOffice.phone);
  const transmitter = institution.transmitter;
  const at = `${path}.transmitter`;
  checkText(errors, `${at}.name`, transmitter.name, 'RawPartyFullName');
  checkPattern(errors, `${at}.tcc`, transmitter.tcc, /^P[A-Z0-9]{7}$/, 'tcc', 'is not a Transmitter Control Code (8 capitals or digits, starting with P)');
  checkTin(errors, `${at}.tin`, transmitter.tin, 'tin');
  checkAddress(errors, `${at}.address`, transmitter.address);
  checkPhone(errors, `${at}.phone`, transmitter.phone);
  checkText(errors, `${at}.contactName`, transmitter.contactName, 'RawPartyFullName');
}

function checkBranch(errors: Errors, path: string, branch: BranchLocation): void {
  checkText(errors, `${path}.name`, branch.name, 'RawPartyFullName');
  checkAddress(errors, `${path}.address`, branch.address);
  checkRssd(errors, `${path}.rssd`, branch.rssd);
}

/** A US driver's licence or state id names its state; elsewhere a state or province is optional. */
function checkIssuerState(errors: Errors, path: string, identification: NonNullable<PersonParty['identification']>): void {
  const state = identification.issuerState;
  if (identification.issuerCountry === 'US') {
    if (state === undefined && identification.type === 'drivers_license') fail(errors, path, 'required', "is required for a US driver's licence or state id");
    else if (state !== undefined && !usStateCodes.has(state)) fail(errors, path, 'state', 'is not a US state or territory code (USPS, two capitals)');
  } else if (state !== undefined) {
    checkPattern(errors, path, state, /^[A-Z0-9]{1,3}$/, 'state', 'is not a state or province code of up to 3 capitals or digits');
  }
}

function checkIdentification(errors: Errors, path: string, identification: NonNullable<PersonParty['identification']>): void {
  if (documentCode[identification.type] === undefined) fail(errors, `${path}.type`, 'code', 'is not passport, drivers_license or other');
  checkText(errors, `${path}.number`, identification.number, 'PartyIdentificationNumberText');
  checkCountry(errors, `${path}.issuerCountry`, identification.issuerCountry);
  checkIssuerState(errors, `${path}.issuerState`, identification);
  if (identification.type === 'other') {
    if (identification.description === undefined) fail(errors, `${path}.description`, 'detail_required', "is required for an identification of type 'other'");
    else checkText(errors, `${path}.description`, identification.description, 'OtherPartyIdentificationTypeText');
  } else if (identification.description !== undefined) {
    fail(errors, `${path}.description`, 'detail_not_allowed', "is only for an identification of type 'other'");
  }
}

function checkPerson(errors: Errors, path: string, person: PersonParty, filingDate: string | undefined): void {
  checkText(errors, `${path}.lastName`, person.lastName, 'RawEntityIndividualLastName');
  checkText(errors, `${path}.firstName`, person.firstName, 'RawIndividualFirstName');
  checkOptionalText(errors, `${path}.middleName`, person.middleName, 'RawIndividualMiddleName');
  if (person.birthDate !== undefined) {
    const birthDate = checkDate(errors, `${path}.birthDate`, person.birthDate);
    checkDateOrder(errors, `${path}.birthDate`, birthDate, filingDate, 'is after the filing date');
  }
  if (person.gender !== undefined && person.gender !== 'female' && person.gender !== 'male') fail(errors, `${path}.gender`, 'code', 'is not female or male');
  if (person.tin !== undefined) checkTin(errors, `${path}.tin`, person.tin, 'tin');
  if (person.address !== undefined) checkAddress(errors, `${path}.address`, person.address);
  if (person.identification !== undefined) checkIdentification(errors, `${path}.identification`, person.identification);
  checkOptionalText(errors, `${path}.occupation`, person.occupation, 'OccupationBusinessText');
}

export function checkParty(errors: Errors, path: string, party: ReportParty, filingDate: string | undefined): void {
  switch (party.kind) {
    case 'person':
      checkPerson(errors, path, party, filingDate);
      return;
    case 'entity':
      checkText(errors, `${path}.name`, party.name, 'RawEntityIndividualLastName');
      if (party.tin !== undefined) checkTin(errors, `${path}.tin`, party.tin, 'ein');
      if (party.address !== undefined) checkAddress(errors, `${path}.address`, party.address);
      return;
    default:
      fail(errors, `${path}.kind`, 'code', 'is not person or entity');
  }
}

/** Whole US dollars, rounded up to the next dollar (FinCEN's rule for every recorded amount). */
export function dollarsRoundedUp(amountMinor: bigint): bigint {
  return (amountMinor + 99n) / 100n;
}

/** A non-negative amount in cents whose whole dollars fit the schema's 15 characters. */
function checkAmount(errors: Errors, path: string, amountMinor: unknown): amountMinor is bigint {
  if (typeof amountMinor !== 'bigint') {
    fail(errors, path, 'required', 'is not an amount in cents (bigint)');
    return false;
  }
  if (amountMinor < 0n) {
    fail(errors, path, 'amount_negative', 'is negative');
    return false;
  }
  if (dollarsRoundedUp(amountMinor) > amountDollarsMax) {
    fail(errors, path, 'amount_too_large', 'has more than 15 digits of whole dollars');
    return false;
  }
  return true;
}

function checkCount(errors: Errors, path: string, items: readonly unknown[] | undefined, min: number, max: number): items is readonly unknown[] {
  if (!Array.isArray(items)) {
    fail(errors, path, 'required', 'is not a list');
    return false;
  }
  if (items.length < min) {
    fail(errors, path, 'count_min', `needs at least ${min}`);
    return false;
  }
  if (items.length > max) {
    fail(errors, path, 'count_max', `has more than ${max}`);
    return false;
  }
  return true;
}

function checkAccounts(errors: Errors, path: string, accounts: readonly string[], max: number): void {
  if (!checkCount(errors, path, accounts, 0, max)) return;
  const seen = new Set<string>();
  accounts.forEach((account, index) => {
    if (!checkText(errors, `${path}[${index}]`, account, 'AccountNumberText')) return;
    if (seen.has(account)) fail(errors, `${path}[${index}]`, 'duplicate', 'is listed twice');
    seen.add(account);
  });
}

function checkReportId(errors: Errors, path: string, reportId: unknown, seen: Set<string>): void {
  if (typeof reportId !== 'string' || reportId === '') {
    fail(errors, path, 'required', 'is required');
  } else if (charCount(reportId) > reportIdCharsMax) {
    fail(errors, path, 'too_long', `is longer than ${reportIdCharsMax} characters`);
  } else if (seen.has(reportId)) {
    fail(errors, path, 'duplicate', 'is the id of another report in the batch');
  } else {
    seen.add(reportId);
  }
}

function checkBatchSize(errors: Errors, reports: readonly unknown[]): boolean {
  return checkCount(errors, 'reports', reports, 1, reportsPerBatchMax);
}

/** Each person's cash in and out, and the report's totals against the CTR threshold. */
function checkCtrCash(errors: Errors, path: string, persons: readonly CtrPerson[]): void {
  let cashInMinor = 0n;
  let cashOutMinor = 0n;
  let amountsValid = true;
  persons.forEach((person, index) => {
    const at = `${path}[${index}]`;
    const inValid = checkAmount(errors, `${at}.cashInMinor`, person.cashInMinor);
    const outValid = checkAmount(errors, `${at}.cashOutMinor`, person.cashOutMinor);
    if (!inValid || !outValid) {
      amountsValid = false;
      return;
    }
    if (person.cashInMinor === 0n && person.cashOutMinor === 0n) fail(errors, at, 'no_cash', 'has neither cash in nor cash out');
    cashInMinor += person.cashInMinor;
    cashOutMinor += person.cashOutMinor;
  });
  if (!amountsValid) return;
  if (dollarsRoundedUp(cashInMinor) > amountDollarsMax || dollarsRoundedUp(cashOutMinor) > amountDollarsMax) {
    fail(errors, path, 'amount_too_large', 'total cash in or out has more than 15 digits of whole dollars');
  } else if (cashInMinor <= ctrThresholdMinor && cashOutMinor <= ctrThresholdMinor) {
    fail(errors, path, 'below_ctr_threshold', 'neither total cash in nor total cash out is more than $10,000');
  }
}

function checkCtrReport(errors: Errors, path: string, report: CtrReport): void {
  const filingDate = checkDate(errors, `${path}.filingDate`, report.filingDate);
  const transactionDate = checkDate(errors, `${path}.transactionDate`, report.transactionDate);
  checkDateOrder(errors, `${path}.transactionDate`, transactionDate, filingDate, 'is after the filing date');
  checkInstitution(errors, `${path}.institution`, report.institution);
  checkBranch(errors, `${path}.location`, report.location);
  if (report.cashInKind !== undefined && cashInCode[report.cashInKind] === undefined) fail(errors, `${path}.cashInKind`, 'code', 'is not a cash-in kind');
  if (report.cashOutKind !== undefined && cashOutCode[report.cashOutKind] === undefined) fail(errors, `${path}.cashOutKind`, 'code', 'is not a cash-out kind');
  if (!checkCount(errors, `${path}.persons`, report.persons, 1, personsPerCtrMax)) return;
  report.persons.forEach((person, index) => {
    checkParty(errors, `${path}.persons[${index}].party`, person.party, filingDate);
    checkAccounts(errors, `${path}.persons[${index}].accountNumbers`, person.accountNumbers, accountsPerCtrPersonMax);
  });
  checkCtrCash(errors, `${path}.persons`, report.persons);
}

/** Every refusal for a batch of CTRs; empty when FinCEN's rules that the builder knows all hold. */
export function validateCtrReports(reports: readonly CtrReport[]): ReportError[] {
  const errors: Errors = [];
  if (!checkBatchSize(errors, reports)) return errors;
  const ids = new Set<string>();
  reports.forEach((report, index) => {
    checkReportId(errors, `reports[${index}].reportId`, report.reportId, ids);
    checkCtrReport(errors, `reports[${index}]`, report);
  });
  return errors;
}

/**
 * The SuspiciousActivitySubtypeID an entry stands for: its own (which must be of the category's
 * type), the type's "Other" when a detail is given, else the category's default.
 */
export function resolveSubtype(entry: SarCategoryEntry): number | undefined {
  const type = sarTypes[entry.category];
  if (type === undefined) return undefined;
  if (entry.subtypeId !== undefined) return type.subtypeIds.includes(entry.subtypeId) ? entry.subtypeId : undefined;
  return entry.detail !== undefined ? type.otherSubtypeId : type.defaultSubtypeId;
}

function checkCategory(errors: Errors, path: string, entry: SarCategoryEntry, seen: Set<number>): void {
  const type = sarTypes[entry.category];
  if (type === undefined) return fail(errors, `${path}.category`, 'code', 'is not a SAR category');
  if (entry.subtypeId !== undefined && !type.subtypeIds.includes(entry.subtypeId)) {
    return fail(errors, `${path}.subtypeId`, 'subtype', `is not a FinCEN subtype of suspicious activity type ${type.typeId} (${entry.category})`);
  }
  const subtypeId = resolveSubtype(entry);
  if (subtypeId === undefined) return fail(errors, `${path}.detail`, 'detail_required', `is required: ${entry.category} has no default subtype`);
  if (subtypeId === type.otherSubtypeId) {
    if (entry.detail === undefined) fail(errors, `${path}.detail`, 'detail_required', `is required for the "Other" subtype ${subtypeId}`);
    else checkText(errors, `${path}.detail`, entry.detail, 'OtherSuspiciousActivityTypeText');
  } else if (entry.detail !== undefined) {
    fail(errors, `${path}.detail`, 'detail_not_allowed', `is only for an "Other" subtype; ${subtypeId} is specific`);
  }
  if (seen.has(subtypeId)) fail(errors, path, 'duplicate', `repeats subtype ${subtypeId} (FinCEN takes each subtype once a report)`);
  seen.add(subtypeId);
}

const narrativeWhitespace = /^[ ]|[ ]$/;

function isSpace(character: string | undefined): boolean {
  return character === ' ';
}

/**
 * The narrative in blocks of at most 4,000 characters (ActivityNarrativeText), at most five.
 * FinCEN numbers the blocks as one character stream, so a block may end inside a word; it may not
 * begin or end with a space (no value may), so a cut next to a space moves back into the word
 * before it. Undefined when no such cut exists (a run of 4,000 characters with a space every other one).
 */
export function narrativeBlocks(narrative: string): string[] | undefined {
  const characters = Array.from(narrative);
  const blocks: string[] = [];
  let start = 0;
  while (characters.length - start > narrativeBlockCharsMax) {
    let end = start + narrativeBlockCharsMax;
    while (end > start && (isSpace(characters[end - 1]) || isSpace(characters[end]))) end -= 1;
    if (end === start) return undefined;
    blocks.push(characters.slice(start, end).join(''));
    start = end;
  }
  blocks.push(characters.slice(start).join(''));
  return blocks.length <= 5 ? blocks : undefined;
}

function checkNarrative(errors: Errors, path: string, narrative: unknown): void {
  if (typeof narrative !== 'string' || narrative === '') return fail(errors, path, 'required', 'is required');
  if (forbiddenCharacter.test(narrative)) {
    return fail(errors, path, 'character', 'contains a tab, carriage return, line feed or other control character (FinCEN refuses them)');
  }
  if (narrativeWhitespace.test(narrative)) return fail(errors, path, 'whitespace', 'has a leading or trailing space');
  if (charCount(narrative) > narrativeCharsMax) return fail(errors, path, 'too_long', `is longer than ${narrativeCharsMax} characters`);
  if (narrativeBlocks(narrative) === undefined) fail(errors, path, 'narrative_split', 'cannot be cut into five blocks of 4,000 characters without a block beginning or ending with a space');
}

function checkSarReport(errors: Errors, path: string, report: SarReport): void {
  const filingDate = checkDate(errors, `${path}.filingDate`, report.filingDate);
  const from = checkDate(errors, `${path}.activityFrom`, report.activityFrom);
  const to = checkDate(errors, `${path}.activityTo`, report.activityTo);
  checkDateOrder(errors, `${path}.activityTo`, from, to, 'is before activityFrom');
  checkDateOrder(errors, `${path}.activityTo`, to, filingDate, 'is after the filing date');
  checkInstitution(errors, `${path}.institution`, report.institution);
  checkBranch(errors, `${path}.branch`, report.branch);
  if (checkCount(errors, `${path}.subjects`, report.subjects, 1, subjectsPerSarMax)) {
    report.subjects.forEach((subject, index) => checkParty(errors, `${path}.subjects[${index}]`, subject, filingDate));
  }
  checkAmount(errors, `${path}.amountMinor`, report.amountMinor);
  if (checkCount(errors, `${path}.categories`, report.categories, 1, categoriesPerSarMax)) {
    const seen = new Set<number>();
    report.categories.forEach((entry, index) => checkCategory(errors, `${path}.categories[${index}]`, entry, seen));
  }
  checkNarrative(errors, `${path}.narrative`, report.narrative);
  checkAccounts(errors, `${path}.accountNumbers`, report.accountNumbers, accountsPerSarMax);
}

/** Every refusal for a batch of SARs; empty when FinCEN's rules that the builder knows all hold. */
export function validateSarReports(reports: readonly SarReport[]): ReportError[] {
  const errors: Errors = [];
  if (!checkBatchSize(errors, reports)) return errors;
  const ids = new Set<string>();
  reports.forEach((report, index) => {
    checkReportId(errors, `reports[${index}].reportId`, report.reportId, ids);
    checkSarReport(errors, `reports[${index}]`, report);
  });
  return errors;
}

/**
 * Reports for the FinCEN batch tests: a plain CTR and SAR, arbitraries for random valid ones
 * (names with diacritics, other scripts, emoji and the XML specials & < > " '), what a batch's
 * root must say computed from the model independently of the builder, and FinCEN's schemas read
 * in place from ../shared/vectors/fincen-xsd (never copied here).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
// The engine's package exports do not list the reports yet: imported from source until they do.
import { sarTypes, type BatchExpectation, type CtrPerson, type CtrReport, type FilingInstitution, type PostalAddress, type ReportParty, type SarCategoryEntry, type SarReport } from '../../packages/engine/src/core/reports/index';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const schemaDir = path.resolve(repositoryRoot, '../shared/vectors/fincen-xsd');
export const schemaFiles = { CTRX: 'EFL_CTRXBatchSchema.xsd', SARX: 'EFL_SARXBatchSchema.xsd' } as const;

export function missingSchemas(): string[] {
  return Object.values(schemaFiles)
    .map((file) => path.join(schemaDir, file))
    .filter((file) => !existsSync(file));
}

export function readSchema(form: keyof typeof schemaFiles): string {
  return readFileSync(path.join(schemaDir, schemaFiles[form]), 'utf8');
}

export const bankAddress: PostalAddress = { street: '100 Main Street', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };

export const institution: FilingInstitution = {
  name: 'QENEX Bank & Trust, N.A.',
  tin: '364455667',
  address: bankAddress,
  primaryRegulator: 'OCC',
  rssd: '1234567',
  contactOffice: { name: 'BSA/AML Compliance Office', phone: '2175550100' },
  transmitter: { name: 'QENEX Bank & Trust, N.A.', tcc: 'PQNX0001', tin: '364455667', address: bankAddress, phone: '2175550100', contactName: 'Morgan Lee' },
};

export const branch = { name: 'Downtown branch', address: { street: '2 Elm Avenue', city: 'Springfield', state: 'IL', zip: '627019999', country: 'US' }, rssd: '7654321' };

export const person: ReportParty = {
  kind: 'person',
  lastName: 'Ødegård-Müller',
  firstName: 'Zoë',
  middleName: 'Ann',
  birthDate: '1984-02-29',
  gender: 'female',
  tin: '512345678',
  address: { street: '9 Rue <des> Fleurs & Co', city: 'Montréal', state: 'QC', zip: 'H2X1Y4', country: 'CA' },
  identification: { type: 'passport', number: 'X1234567', issuerCountry: 'CA' },
  occupation: 'Chef',
};

export function ctrReport(overrides: Partial<CtrReport> = {}): CtrReport {
  return {
    reportId: 'ctr-1',
    filingDate: '2024-05-10',
    transactionDate: '2024-05-02',
    institution,
    location: branch,
    persons: [{ party: person, cashInMinor: 1_526_525n, cashOutMinor: 0n, accountNumbers: ['000123456789'] }],
    ...overrides,
  };
}

export function sarReport(overrides: Partial<SarReport> = {}): SarReport {
  return {
    reportId: 'sar-1',
    filingDate: '2024-06-01',
    institution,
    branch,
    subjects: [person],
    activityFrom: '2024-04-01',
    activityTo: '2024-04-30',
    amountMinor: 2_850_075n,
    categories: [{ category: 'structuring' }, { category: 'money_laundering', subtypeId: 807 }],
    narrative: 'The subject made nine cash deposits of $9,500 to $9,900 between April 1 and April 30, 2024, at the Downtown branch.',
    accountNumbers: ['000123456789'],
    ...overrides,
  };
}

/** Whole dollars rounded up, written differently from the builder's so the two can disagree. */
export function dollarsUp(cents: bigint): bigint {
  return cents / 100n + (cents % 100n === 0n ? 0n : 1n);
}

export function ctrExpectation(reports: readonly CtrReport[]): BatchExpectation {
  let totalAmountDollars = 0n;
  for (const report of reports) {
    totalAmountDollars += dollarsUp(report.persons.reduce((sum, p) => sum + p.cashInMinor, 0n));
    totalAmountDollars += dollarsUp(report.persons.reduce((sum, p) => sum + p.cashOutMinor, 0n));
  }
  // transmitter, transmitter contact, filing institution, contact office, location, and the persons
  const partyCount = reports.reduce((sum, report) => sum + 5 + report.persons.length, 0);
  return { activityCount: reports.length, partyCount, totalAmountDollars };
}

export function sarExpectation(reports: readonly SarReport[]): BatchExpectation {
  return {
    activityCount: reports.length,
    partyCount: reports.reduce((sum, report) => sum + report.subjects.length, 0),
    totalAmountDollars: reports.reduce((sum, report) => sum + dollarsUp(report.amountMinor), 0n),
  };
}

const nameCharacters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëçñøåäöüßŁłŠšŽžĆćİıÆæ', ...'&<>"\'-.,/#()', 'Ω', 'Ж', 'я', 'م', 'ع', '中', '村', 'ö', '😀', '𝔸'];
const word = fc.string({ unit: fc.constantFrom(...nameCharacters), minLength: 1, maxLength: 12 });

/** Words joined by single spaces, within `charsMax` code points (so no leading or trailing space). */
function text(charsMax: number): fc.Arbitrary<string> {
  return fc
    .array(word, { minLength: 1, maxLength: 4 })
    .map((words) => Array.from(words.join(' ')).slice(0, charsMax).join('').trimEnd())
    .filter((value) => value !== '');
}

const digits = (length: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: length, maxLength: length }).map((chars) => chars.join(''));
const tin = digits(9).filter((value) => !/^(\d)\1{8}$/.test(value) && value !== '123456789');
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** Birth dates end before report dates begin, so no one is born after their report is filed. */
const birthDate = fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2005-12-31T00:00:00Z'), noInvalidDate: true }).map(isoDay);
const reportDate = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map(isoDay);

const usAddress: fc.Arbitrary<PostalAddress> = fc.record({
  street: text(100),
  city: text(50),
  state: fc.constantFrom('IL', 'NY', 'CA', 'PR', 'DC', 'TX'),
  zip: fc.oneof(digits(5), digits(9)),
  country: fc.constant('US'),
});
const foreignAddress: fc.Arbitrary<PostalAddress> = fc.record({
  street: text(100),
  city: text(50),
  state: fc.constantFrom('', 'ON', 'BY'),
  zip: fc.oneof(fc.constant(''), fc.constantFrom('SW1A1AA', '75001', '10-001', 'H2X 1Y4')),
  country: fc.constantFrom('CA', 'DE', 'FR', 'GB', 'JP', 'MX'),
});
const address = fc.oneof(usAddress, foreignAddress);

const personParty: fc.Arbitrary<ReportParty> = fc.record(
  {
    kind: fc.constant('person' as const),
    lastName: text(150),
    firstName: text(35),
    middleName: text(35),
    birthDate,
    gender: fc.constantFrom('female' as const, 'male' as const),
    tin,
    address,
    identification: fc.oneof(
      fc.record({ type: fc.constant('passport' as const), number: text(25), issuerCountry: fc.constantFrom('US', 'CA', 'DE') }),
      fc.record({ type: fc.constant('drivers_license' as const), number: text(25), issuerCountry: fc.constant('US'), issuerState: fc.constantFrom('IL', 'NY') }),
      fc.record({ type: fc.constant('other' as const), number: text(25), issuerCountry: fc.constant('MX'), description: text(50) }),
    ),
    occupation: text(50),
  },
  { requiredKeys: ['kind', 'lastName', 'firstName'] },
);
const entityParty: fc.Arbitrary<ReportParty> = fc.record(
  { kind: fc.constant('entity' as const), name: text(150), tin, address },
  { requiredKeys: ['kind', 'name'] },
);
const party = fc.oneof(personParty, entityParty);

const accounts = fc.uniqueArray(text(40), { maxLength: 3 });
const cents = fc.bigInt({ min: 0n, max: 10n ** 11n });

/** A person with some cash, and the report's first person over the CTR threshold (so the report is due). */
const ctrPerson = (first: boolean): fc.Arbitrary<CtrPerson> =>
  fc
    .record({ party, cashInMinor: first ? fc.bigInt({ min: 1_000_001n, max: 10n ** 12n }) : cents, cashOutMinor: cents, accountNumbers: accounts })
    .filter((p) => p.cashInMinor + p.cashOutMinor > 0n);

const reportDates = fc.tuple(reportDate, fc.integer({ min: 0, max: 30 })).map(([from, days]) => {
  const later = new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return [from, later] as const;
});

export const ctrReportArbitrary: fc.Arbitrary<CtrReport> = fc
  .record({
    dates: reportDates,
    persons: fc.tuple(ctrPerson(true), fc.array(ctrPerson(false), { maxLength: 4 })).map(([first, rest]) => [first, ...rest]),
    aggregated: fc.boolean(),
    cashInKind: fc.constantFrom('deposit' as const, 'payment' as const, 'currency_exchange' as const),
    cashOutKind: fc.constantFrom('withdrawal' as const, 'wire_in' as const, 'negotiable_instrument_cashed' as const),
    location: fc.record({ name: text(150), address, rssd: digits(7) }),
  })
  .map(({ dates: [transactionDate, filingDate], ...rest }) => ({ reportId: 'ctr', institution, filingDate, transactionDate, ...rest }));

const category: fc.Arbitrary<SarCategoryEntry> = fc.oneof(
  fc.constant({ category: 'structuring' as const }),
  fc.constant({ category: 'terrorist_financing' as const }),
  fc.record({ category: fc.constantFrom('fraud' as const, 'money_laundering' as const, 'identity' as const, 'other' as const), detail: text(50) }),
  fc.constantFrom<SarCategoryEntry>({ category: 'fraud', subtypeId: 312 }, { category: 'other', subtypeId: 905 }, { category: 'structuring', subtypeId: 112 }),
);

/** The subtype FinCEN will see for an entry: categories of a report must not repeat one. */
function subtypeOf(entry: SarCategoryEntry): number | undefined {
  const type = sarTypes[entry.category];
  return entry.subtypeId ?? (entry.detail !== undefined ? type.otherSubtypeId : type.defaultSubtypeId);
}
const categories = fc.uniqueArray(category, { minLength: 1, maxLength: 4, selector: subtypeOf });

const narrative = fc
  .array(text(200), { minLength: 1, maxLength: 120 })
  .map((sentences) => Array.from(sentences.join(' ')).slice(0, 17_000).join('').trimEnd());

export const sarReportArbitrary: fc.Arbitrary<SarReport> = fc
  .record({
    activity: reportDates,
    filingDays: fc.integer({ min: 0, max: 60 }),
    subjects: fc.array(party, { minLength: 1, maxLength: 5 }),
    amountMinor: fc.oneof(fc.constant(0n), cents),
    categories,
    narrative,
    accountNumbers: accounts,
    branch: fc.record({ name: text(150), address, rssd: digits(6) }),
  })
  .map(({ activity: [activityFrom, activityTo], filingDays, ...rest }) => ({
    reportId: 'sar',
    institution,
    activityFrom,
    activityTo,
    filingDate: new Date(Date.parse(`${activityTo}T00:00:00Z`) + filingDays * 86_400_000).toISOString().slice(0, 10),
    ...rest,
  }));

/** Gives each report of a batch its own id. */
export function withIds<T extends { readonly reportId: string }>(reports: readonly T[]): T[] {
  return reports.map((report, index) => ({ ...report, reportId: `${report.reportId}-${index + 1}` }));
}

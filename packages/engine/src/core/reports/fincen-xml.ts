/**
 * FinCEN BSA E-Filing batch XML from the typed model: one <Activity> a report, in the order of
 * the schema (EFL_CTRXBatchSchema.xsd / EFL_SARXBatchSchema.xsd v1.2) and of FinCEN's XML user
 * guides. The model is refused first (fincen-rules.ts), with every error, and no XML is written
 * for a refused batch. The root's ActivityCount, PartyCount and TotalAmount are computed from what
 * was written, as FinCEN defines them (see BuiltBatch).
 */
import { assert } from '../assert';
import { cashInCode, cashOutCode, ctrAccountCode, identificationCode, partyType, regulatorCode, sarAccountCode, sarTypes } from './fincen-codes';
import {
  startParty,
  writeAddress,
  writeDepositoryInstitution,
  writeDocument,
  writeFilerParties,
  writeIdentification,
  writeOccupation,
  writeOrganizationName,
  writePartyName,
  writePartyTin,
  writeTransmitterParties,
  partyFieldsOf,
  type PartyFields,
} from './fincen-parties';
import { dollarsRoundedUp, fincenDate, narrativeBlocks, resolveSubtype, validateCtrReports, validateSarReports } from './fincen-rules';
import type { BatchResult, CtrPerson, CtrReport, ReportParty, SarReport } from './types';
import { FincenXmlWriter } from './xml-writer';

/** A model date the rules accepted, as the schema's YYYYMMDD. */
function dateText(value: string): string {
  const date = fincenDate(value);
  assert(date !== undefined, `date ${value} passed the rules`);
  return date;
}

/** Whole dollars as FinCEN records them: '' for none (the element's null value). */
function dollarsText(dollars: bigint): string {
  return dollars === 0n ? '' : dollars.toString();
}

function birthDateOf(party: ReportParty): string | undefined {
  return party.kind === 'person' && party.birthDate !== undefined ? dateText(party.birthDate) : undefined;
}

function writeCtrAccounts(w: FincenXmlWriter, person: CtrPerson): void {
  const directions = [
    [person.cashInMinor > 0n, ctrAccountCode.cashIn],
    [person.cashOutMinor > 0n, ctrAccountCode.cashOut],
  ] as const;
  for (const [used, code] of directions) {
    if (!used) continue;
    for (const account of person.accountNumbers) {
      w.start('Account');
      w.leaf('AccountNumberText', account);
      w.start('PartyAccountAssociation');
      w.leaf('PartyAccountAssociationTypeCode', code);
      w.end('PartyAccountAssociation');
      w.end('Account');
    }
  }
}

/** A person conducting the transaction on their own behalf (50), with their own cash in and out. */
function writeCtrPerson(w: FincenXmlWriter, person: CtrPerson): void {
  const fields: PartyFields = partyFieldsOf(person.party, birthDateOf(person.party));
  const cashIn = dollarsRoundedUp(person.cashInMinor);
  const cashOut = dollarsRoundedUp(person.cashOutMinor);
  if (cashIn > 0n) fields.IndividualEntityCashInAmountText = cashIn.toString();
  if (cashOut > 0n) fields.IndividualEntityCashOutAmountText = cashOut.toString();
  startParty(w, partyType.ctrPerson, fields);
  writePartyName(w, person.party);
  writeAddress(w, person.party.address);
  writePartyTin(w, person.party);
  writeDocument(w, person.party);
  writeOccupation(w, person.party);
  writeCtrAccounts(w, person);
  w.end('Party');
}

/** The transaction location (34): the institution's legal name at the branch's address. */
function writeCtrLocation(w: FincenXmlWriter, report: CtrReport, cashIn: bigint, cashOut: bigint): void {
  const fields: PartyFields = { PrimaryRegulatorTypeCode: regulatorCode[report.institution.primaryRegulator] };
  if (cashIn > 0n) fields.IndividualEntityCashInAmountText = cashIn.toString();
  if (cashOut > 0n) fields.IndividualEntityCashOutAmountText = cashOut.toString();
  startParty(w, partyType.activityLocation, fields);
  writeOrganizationName(w, report.institution.name);
  writeAddress(w, report.location.address);
  writeIdentification(w, report.institution.tin, identificationCode.ein);
  if (report.location.rssd !== undefined) writeIdentification(w, report.location.rssd, identificationCode.rssd);
  writeDepositoryInstitution(w);
  w.end('Party');
}

function writeCtrDetail(w: FincenXmlWriter, code: string, dollars: bigint): void {
  w.start('CurrencyTransactionActivityDetail');
  w.leaf('CurrencyTransactionActivityDetailTypeCode', code);
  w.leaf('DetailTransactionAmountText', dollars.toString());
  w.leaf('OtherCurrencyTransactionActivityDetailText', '');
  w.leaf('OtherForeignCurrencyCountryText', '');
  w.end('CurrencyTransactionActivityDetail');
}

function writeCurrencyTransaction(w: FincenXmlWriter, report: CtrReport, cashIn: bigint, cashOut: bigint): void {
  w.start('CurrencyTransactionActivity');
  w.leaf('AggregateTransactionIndicator', report.aggregated === true ? 'Y' : '');
  for (const indicator of ['ArmoredCarServiceIndicator', 'ATMIndicator', 'MailDepositShipmentIndicator', 'NightDepositIndicator', 'SharedBranchingIndicator']) {
    w.leaf(indicator, '');
  }
  w.leaf('TotalCashInReceiveAmountText', dollarsText(cashIn));
  w.leaf('TotalCashOutAmountText', dollarsText(cashOut));
  w.leaf('TransactionDateText', dateText(report.transactionDate));
  if (cashIn > 0n) writeCtrDetail(w, cashInCode[report.cashInKind ?? 'deposit'], cashIn);
  if (cashOut > 0n) writeCtrDetail(w, cashOutCode[report.cashOutKind ?? 'withdrawal'], cashOut);
  w.end('CurrencyTransactionActivity');
}

interface ActivityTotals {
  readonly partyCount: number;
  readonly amountDollars: bigint;
}

/** One CTR: its totals are the persons' cash summed in cents, then rounded up once. */
function writeCtrActivity(w: FincenXmlWriter, report: CtrReport): ActivityTotals {
  const cashIn = dollarsRoundedUp(report.persons.reduce((sum, person) => sum + person.cashInMinor, 0n));
  const cashOut = dollarsRoundedUp(report.persons.reduce((sum, person) => sum + person.cashOutMinor, 0n));
  w.start('Activity');
  w.leaf('FilingDateText', dateText(report.filingDate));
  w.start('ActivityAssociation');
  w.leaf('CorrectsAmendsPriorReportIndicator', '');
  w.leaf('FinCENDirectBackFileIndicator', '');
  w.leaf('InitialReportIndicator', 'Y');
  w.end('ActivityAssociation');
  writeTransmitterParties(w, report.institution);
  writeFilerParties(w, report.institution);
  writeCtrLocation(w, report, cashIn, cashOut);
  for (const person of report.persons) writeCtrPerson(w, person);
  writeCurrencyTransaction(w, report, cashIn, cashOut);
  w.end('Activity');
  // Every <Party> counts for a CTR: the five written above and one a person.
  return { partyCount: 5 + report.persons.length, amountDollars: cashIn + cashOut };
}

/** A batch of CTRs (form CTRX), or every reason FinCEN would refuse it. */
export function buildCtrBatch(reports: readonly CtrReport[]): BatchResult {
  const errors = validateCtrReports(reports);
  if (errors.length > 0) return { ok: false, errors };
  const w = new FincenXmlWriter();
  w.leaf('FormTypeCode', 'CTRX');
  const totals = reports.map((report) => writeCtrActivity(w, report));
  return finish(w, 'CTRX', totals, []);
}

/** The financial institution where the activity occurred (34), with its branch (46) inside. */
function writeSarLocation(w: FincenXmlWriter, report: SarReport): void {
  const institution = report.institution;
  startParty(w, partyType.activityLocation, { PrimaryRegulatorTypeCode: regulatorCode[institution.primaryRegulator] });
  writeOrganizationName(w, institution.name);
  writeAddress(w, institution.address);
  writeIdentification(w, institution.tin, identificationCode.ein);
  if (institution.rssd !== undefined) writeIdentification(w, institution.rssd, identificationCode.rssd);
  writeDepositoryInstitution(w);
  w.start('PartyAssociation');
  startParty(w, partyType.sarBranch);
  writeAddress(w, report.branch.address);
  if (report.branch.rssd !== undefined) writeIdentification(w, report.branch.rssd, identificationCode.rssd);
  w.end('Party');
  w.end('PartyAssociation');
  w.end('Party');
}

/** The accounts affected, held at the filing institution (41 inside the subject's PartyAccountAssociation). */
function writeSarAccounts(w: FincenXmlWriter, report: SarReport): void {
  w.start('PartyAccountAssociation');
  w.leaf('PartyAccountAssociationTypeCode', sarAccountCode.institutionHoldingAccount);
  startParty(w, partyType.sarAccountInstitution);
  writeIdentification(w, report.institution.tin, identificationCode.ein);
  for (const account of report.accountNumbers) {
    w.start('Account');
    w.leaf('AccountNumberText', account);
    w.start('PartyAccountAssociation');
    w.leaf('PartyAccountAssociationTypeCode', sarAccountCode.activityAffected);
    w.end('PartyAccountAssociation');
    w.end('Account');
  }
  w.end('Party');
  w.end('PartyAccountAssociation');
}

function writeSarSubject(w: FincenXmlWriter, report: SarReport, subject: ReportParty): void {
  const fields = partyFieldsOf(subject, birthDateOf(subject));
  if (report.accountNumbers.length === 0) fields.NoKnownAccountInvolvedIndicator = 'Y';
  startParty(w, partyType.sarSubject, fields);
  writePartyName(w, subject);
  writeAddress(w, subject.address);
  writePartyTin(w, subject);
  writeDocument(w, subject);
  writeOccupation(w, subject);
  if (report.accountNumbers.length > 0) writeSarAccounts(w, report);
  w.end('Party');
}

function writeSuspiciousActivity(w: FincenXmlWriter, report: SarReport, amountDollars: bigint): void {
  w.start('SuspiciousActivity');
  w.flag('NoAmountInvolvedIndicator', amountDollars === 0n);
  w.leaf('SuspiciousActivityFromDateText', dateText(report.activityFrom));
  w.leaf('SuspiciousActivityToDateText', dateText(report.activityTo));
  if (amountDollars > 0n) w.leaf('TotalSuspiciousAmountText', amountDollars.toString());
  for (const entry of report.categories) {
    const subtypeId = resolveSubtype(entry);
    assert(subtypeId !== undefined, `category ${entry.category} passed the rules`);
    const type = sarTypes[entry.category];
    w.start('SuspiciousActivityClassification');
    if (subtypeId === type.otherSubtypeId && entry.detail !== undefined) w.leaf('OtherSuspiciousActivityTypeText', entry.detail);
    w.leaf('SuspiciousActivitySubtypeID', subtypeId.toString());
    w.leaf('SuspiciousActivityTypeID', type.typeId.toString());
    w.end('SuspiciousActivityClassification');
  }
  w.end('SuspiciousActivity');
}

function writeNarrative(w: FincenXmlWriter, narrative: string): void {
  const blocks = narrativeBlocks(narrative);
  assert(blocks !== undefined, 'the narrative passed the rules');
  blocks.forEach((block, index) => {
    w.start('ActivityNarrativeInformation');
    w.leaf('ActivityNarrativeSequenceNumber', String(index + 1));
    w.leaf('ActivityNarrativeText', block);
    w.end('ActivityNarrativeInformation');
  });
}

function writeSarActivity(w: FincenXmlWriter, report: SarReport): ActivityTotals {
  const amountDollars = dollarsRoundedUp(report.amountMinor);
  w.start('Activity');
  w.leaf('FilingDateText', dateText(report.filingDate));
  w.start('ActivityAssociation');
  w.leaf('InitialReportIndicator', 'Y');
  w.end('ActivityAssociation');
  writeTransmitterParties(w, report.institution);
  writeFilerParties(w, report.institution);
  writeSarLocation(w, report);
  for (const subject of report.subjects) writeSarSubject(w, report, subject);
  writeSuspiciousActivity(w, report, amountDollars);
  writeNarrative(w, report.narrative);
  w.end('Activity');
  // A SAR's PartyCount counts its subjects (33) only.
  return { partyCount: report.subjects.length, amountDollars };
}

/** A batch of SARs (form SARX), or every reason FinCEN would refuse it. No attachments are sent. */
export function buildSarBatch(reports: readonly SarReport[]): BatchResult {
  const errors = validateSarReports(reports);
  if (errors.length > 0) return { ok: false, errors };
  const w = new FincenXmlWriter();
  w.leaf('FormTypeCode', 'SARX');
  const totals = reports.map((report) => writeSarActivity(w, report));
  return finish(w, 'SARX', totals, [
    ['ActivityAttachmentCount', '0'],
    ['AttachmentCount', '0'],
  ]);
}

function finish(w: FincenXmlWriter, form: 'CTRX' | 'SARX', totals: readonly ActivityTotals[], extra: readonly (readonly [string, string])[]): BatchResult {
  const activityCount = totals.length;
  const partyCount = totals.reduce((sum, activity) => sum + activity.partyCount, 0);
  const totalAmountDollars = totals.reduce((sum, activity) => sum + activity.amountDollars, 0n);
  const xml = w.document([
    ['TotalAmount', totalAmountDollars.toString()],
    ['PartyCount', String(partyCount)],
    ['ActivityCount', String(activityCount)],
    ...extra,
  ]);
  return { ok: true, value: { xml, form, activityCount, partyCount, totalAmountDollars } };
}

/**
 * The <Party> elements both forms share (transmitter 35, transmitter contact 37, filing
 * institution 30, contact office 8) and the parts of a party both schemas define alike (names,
 * addresses, phone numbers, identifications), each in its schema's element order.
 */
import { depositoryInstitutionTypeId, documentCode, identificationCode, partyType, regulatorCode } from './fincen-codes';
import type { FilingInstitution, PostalAddress, ReportParty } from './types';
import type { FincenXmlWriter } from './xml-writer';

/** PartyType's simple children the builders write, in the order both schemas give them. */
const partyFieldOrder = [
  'BirthDateUnknownIndicator',
  'FemaleGenderIndicator',
  'IndividualBirthDateText',
  'IndividualEntityCashInAmountText',
  'IndividualEntityCashOutAmountText',
  'MaleGenderIndicator',
  'NoKnownAccountInvolvedIndicator',
  'PartyAsEntityOrganizationIndicator',
  'PrimaryRegulatorTypeCode',
  'UnknownGenderIndicator',
] as const;

export type PartyFields = Partial<Record<(typeof partyFieldOrder)[number], string>>;

/** Opens a <Party> with its type code and simple fields; the caller writes the rest and closes it. */
export function startParty(w: FincenXmlWriter, typeCode: string, fields: PartyFields = {}): void {
  w.start('Party');
  w.leaf('ActivityPartyTypeCode', typeCode);
  for (const field of partyFieldOrder) {
    const value = fields[field];
    if (value !== undefined) w.leaf(field, value);
  }
}

export function writeOrganizationName(w: FincenXmlWriter, name: string): void {
  w.start('PartyName');
  w.leaf('PartyNameTypeCode', 'L');
  w.leaf('RawPartyFullName', name);
  w.end('PartyName');
}

/** A person's or entity's legal name (entities in RawEntityIndividualLastName, as FinCEN asks for subjects and persons). */
export function writePartyName(w: FincenXmlWriter, party: ReportParty): void {
  w.start('PartyName');
  w.leaf('PartyNameTypeCode', 'L');
  if (party.kind === 'entity') {
    w.leaf('RawEntityIndividualLastName', party.name);
  } else {
    w.leaf('RawEntityIndividualLastName', party.lastName);
    w.leaf('RawIndividualFirstName', party.firstName);
    if (party.middleName !== undefined) w.leaf('RawIndividualMiddleName', party.middleName);
  }
  w.end('PartyName');
}

/** An address, or with every part marked unknown when there is none. */
export function writeAddress(w: FincenXmlWriter, address: PostalAddress | undefined): void {
  w.start('Address');
  if (address === undefined) {
    for (const unknown of ['CityUnknownIndicator', 'CountryCodeUnknownIndicator', 'StateCodeUnknownIndicator', 'StreetAddressUnknownIndicator', 'ZIPCodeUnknownIndicator']) {
      w.flag(unknown, true);
    }
  } else {
    w.leaf('RawCityText', address.city);
    w.leaf('RawCountryCodeText', address.country);
    if (address.state !== '') w.leaf('RawStateCodeText', address.state);
    w.leaf('RawStreetAddress1Text', address.street);
    if (address.zip !== '') w.leaf('RawZIPCode', address.zip);
  }
  w.end('Address');
}

export function writePhone(w: FincenXmlWriter, phone: string): void {
  w.start('PhoneNumber');
  w.leaf('PhoneNumberText', phone);
  w.end('PhoneNumber');
}

export function writeIdentification(w: FincenXmlWriter, number: string, typeCode: string): void {
  w.start('PartyIdentification');
  w.leaf('PartyIdentificationNumberText', number);
  w.leaf('PartyIdentificationTypeCode', typeCode);
  w.end('PartyIdentification');
}

/** The party's TIN (SSN/ITIN for a person, EIN for an entity), or "TIN unknown". */
export function writePartyTin(w: FincenXmlWriter, party: ReportParty): void {
  if (party.tin === undefined) {
    w.start('PartyIdentification');
    w.flag('TINUnknownIndicator', true);
    w.end('PartyIdentification');
    return;
  }
  writeIdentification(w, party.tin, party.kind === 'person' ? identificationCode.ssnItin : identificationCode.ein);
}

/** A person's identifying document, when known. */
export function writeDocument(w: FincenXmlWriter, party: ReportParty): void {
  if (party.kind !== 'person' || party.identification === undefined) return;
  const document = party.identification;
  w.start('PartyIdentification');
  w.leaf('OtherIssuerCountryText', document.issuerCountry);
  if (document.issuerState !== undefined) w.leaf('OtherIssuerStateText', document.issuerState);
  if (document.description !== undefined) w.leaf('OtherPartyIdentificationTypeText', document.description);
  w.leaf('PartyIdentificationNumberText', document.number);
  w.leaf('PartyIdentificationTypeCode', documentCode[document.type]);
  w.end('PartyIdentification');
}

export function writeOccupation(w: FincenXmlWriter, party: ReportParty): void {
  if (party.kind !== 'person' || party.occupation === undefined) return;
  w.start('PartyOccupationBusiness');
  w.leaf('OccupationBusinessText', party.occupation);
  w.end('PartyOccupationBusiness');
}

/** Birth date, gender and entity indicators of a person or entity party. */
export function partyFieldsOf(party: ReportParty, birthDate: string | undefined): PartyFields {
  if (party.kind === 'entity') return { PartyAsEntityOrganizationIndicator: 'Y' };
  const fields: PartyFields = birthDate === undefined ? { BirthDateUnknownIndicator: 'Y' } : { IndividualBirthDateText: birthDate };
  if (party.gender === 'female') fields.FemaleGenderIndicator = 'Y';
  else if (party.gender === 'male') fields.MaleGenderIndicator = 'Y';
  else fields.UnknownGenderIndicator = 'Y';
  return fields;
}

export function writeDepositoryInstitution(w: FincenXmlWriter): void {
  w.start('OrganizationClassificationTypeSubtype');
  w.leaf('OrganizationTypeID', depositoryInstitutionTypeId);
  w.end('OrganizationClassificationTypeSubtype');
}

/** Transmitter (35) and transmitter contact (37): who sends the batch. */
export function writeTransmitterParties(w: FincenXmlWriter, institution: FilingInstitution): void {
  const transmitter = institution.transmitter;
  startParty(w, partyType.transmitter);
  writeOrganizationName(w, transmitter.name);
  writeAddress(w, transmitter.address);
  writePhone(w, transmitter.phone);
  writeIdentification(w, transmitter.tin, identificationCode.tin);
  writeIdentification(w, transmitter.tcc, identificationCode.transmitterControlCode);
  w.end('Party');
  startParty(w, partyType.transmitterContact);
  writeOrganizationName(w, transmitter.contactName);
  w.end('Party');
}

/** Filing (reporting) institution (30) and its contact office (8). */
export function writeFilerParties(w: FincenXmlWriter, institution: FilingInstitution): void {
  startParty(w, partyType.filingInstitution, { PrimaryRegulatorTypeCode: regulatorCode[institution.primaryRegulator] });
  writeOrganizationName(w, institution.name);
  writeAddress(w, institution.address);
  writeIdentification(w, institution.tin, identificationCode.ein);
  if (institution.rssd !== undefined) writeIdentification(w, institution.rssd, identificationCode.rssd);
  writeDepositoryInstitution(w);
  w.end('Party');
  startParty(w, partyType.contactOffice);
  writeOrganizationName(w, institution.contactOffice.name);
  writePhone(w, institution.contactOffice.phone);
  w.end('Party');
}

/**
 * The builders' codes and lengths against FinCEN's schemas themselves (read in place): every
 * length limit is the element's RestrictStringN, every code is in the schema's enumeration with
 * the meaning we give it, and each SAR category's subtypes are all of its type's subtypes.
 */
import { describe, expect, it } from 'vitest';
import { elementCharsMax, sarTypes } from '../../packages/engine/src/core/reports/index';
import {
  cashInCode,
  cashOutCode,
  ctrAccountCode,
  documentCode,
  identificationCode,
  partyType,
  regulatorCode,
  sarAccountCode,
} from '../../packages/engine/src/core/reports/fincen-codes';
import { missingSchemas, readSchema } from './fixtures';

const missing = missingSchemas();
const describeWithSchemas = missing.length > 0 && !process.env.CI ? describe.skip : describe;

/** The enumeration of a named simple type: value → its documentation. */
function enumeration(schema: string, typeName: string): Map<string, string> {
  const body = new RegExp(`<xsd:simpleType name="${typeName}">([\\s\\S]*?)</xsd:simpleType>`).exec(schema)?.[1];
  if (body === undefined) throw new Error(`no simple type ${typeName}`);
  const values = new Map<string, string>();
  for (const match of body.matchAll(/<xsd:enumeration value="([^"]*)">\s*<xsd:annotation>\s*<xsd:documentation>([^<]*)</g)) values.set(match[1] ?? '', (match[2] ?? '').trim());
  return values;
}

function elementTypes(schema: string, element: string): string[] {
  return [...schema.matchAll(new RegExp(`<xsd:element name="${element}" type="([A-Za-z0-9]+)"`, 'g'))].map((match) => match[1] ?? '');
}

describeWithSchemas("codes and lengths are FinCEN's", () => {
  const ctr = missing.length === 0 ? readSchema('CTRX') : '';
  const sar = missing.length === 0 ? readSchema('SARX') : '';

  it('every length limit is the RestrictStringN of the element wherever a schema declares it', () => {
    for (const [element, charsMax] of Object.entries(elementCharsMax)) {
      const types = [...elementTypes(ctr, element), ...elementTypes(sar, element)];
      expect(types.length, element).toBeGreaterThan(0);
      for (const type of types) expect(type, element).toBe(`RestrictString${charsMax}`);
    }
  });

  it('party types are those of the schemas, with their meaning', () => {
    const ctrParties = enumeration(ctr, 'ValidateActivityPartyCodeType');
    const sarParties = enumeration(sar, 'ValidateActivityPartyCodeType');
    for (const parties of [ctrParties, sarParties]) {
      expect(parties.get(partyType.transmitter)).toBe('Transmitter');
      expect(parties.get(partyType.transmitterContact)).toBe('Transmitter Contact');
      expect(parties.get(partyType.filingInstitution)).toBe('Reporting financial institution');
      expect(parties.get(partyType.contactOffice)).toBe('Contact for assistance');
      expect(parties.get(partyType.activityLocation)).toBe('Transaction location business');
    }
    expect(ctrParties.get(partyType.ctrPerson)).toBe('Person conducting transaction on own behalf');
    expect(ctrParties.has(partyType.sarSubject)).toBe(false);
    expect(sarParties.get(partyType.sarSubject)).toBe('Subject');
    expect(sarParties.get(partyType.sarBranch)).toBe('Transaction location branch');
    expect(sarParties.get(partyType.sarAccountInstitution)).toBe('Financial Institution in which account is held');
  });

  it('regulators, identifications and account associations are in both schemas with their meaning', () => {
    const regulatorNames = { FRB: 'Federal Reserve', FDIC: 'FDIC', NCUA: 'NCUA', OCC: 'OCC', IRS: 'IRS' } as const;
    for (const schema of [ctr, sar]) {
      const regulators = enumeration(schema, 'ValidateFederalRegulatorCodeType');
      for (const [regulator, code] of Object.entries(regulatorCode)) expect(regulators.get(code)).toBe(regulatorNames[regulator as keyof typeof regulatorNames]);
      const identifications = enumeration(schema, 'ValidatePartyIdentificationCodeType');
      expect(identifications.get(identificationCode.ssnItin)).toBe('SSN/ITIN');
      expect(identifications.get(identificationCode.ein)).toBe('EIN');
      expect(identifications.get(identificationCode.tin)).toBe('TIN');
      expect(identifications.get(identificationCode.rssd)).toBe('RSSD number');
      expect(identifications.get(identificationCode.transmitterControlCode)).toBe('Transmitter Control Code');
      expect(identifications.get(documentCode.passport)).toBe('Passport');
      expect(identifications.get(documentCode.drivers_license)).toBe("Driver's license/State ID");
      expect(identifications.get(documentCode.other)).toBe('Other');
      expect(enumeration(schema, 'ValidateOrganizationCodeType').get('2')).toBe('Depository institution');
    }
    const ctrAccounts = enumeration(ctr, 'ValidatePartyAccountAssociationCodeType');
    expect(ctrAccounts.get(ctrAccountCode.cashIn)).toBe('Activity affected account - Cash in');
    expect(ctrAccounts.get(ctrAccountCode.cashOut)).toBe('Activity affected account - Cash out');
    const sarAccounts = enumeration(sar, 'ValidatePartyAccountAssociationCodeType');
    expect(sarAccounts.get(sarAccountCode.institutionHoldingAccount)).toBe('Institution in which account is held');
    expect(sarAccounts.get(sarAccountCode.activityAffected)).toBe('Activity affected account');
  });

  it('CTR cash-in and cash-out kinds are the detail codes of that direction', () => {
    const details = enumeration(ctr, 'ValidateCurrencyTransactionActvityDetailCodeType');
    expect(Object.fromEntries(Object.entries(cashInCode).map(([kind, code]) => [kind, details.get(code)]))).toEqual({
      deposit: 'Deposit(s)',
      payment: 'Payment(s)',
      wire_out: 'Currency received from wire transfer(s) out',
      negotiable_instrument_purchase: 'Negotiable instrument(s) purchased',
      currency_exchange: 'Currency exchange in',
      prepaid_access: 'Currency to prepaid access',
    });
    expect(Object.fromEntries(Object.entries(cashOutCode).map(([kind, code]) => [kind, details.get(code)]))).toEqual({
      withdrawal: 'Withdrawal(s)',
      advance_on_credit: 'Advance(s) on credit (including markers)',
      wire_in: 'Currency paid from wire transfer(s) in',
      negotiable_instrument_cashed: 'Negotiable instrument(s) cashed',
      currency_exchange: 'Currency exchange out',
      prepaid_access: 'Currency from prepaid access',
    });
  });

  it("each SAR category is a suspicious activity type of the schema and lists all of that type's subtypes", () => {
    const typeNames = enumeration(sar, 'ValidateSuspiciousActivityTypeID');
    const subtypes = [...enumeration(sar, 'ValidateSuspiciousActivitySubtypeID').keys()].map(Number);
    // FinCEN numbers a subtype by its type: 114 is type 1, 1005 type 10; the "Other" ones are T999.
    const typeOf = (subtype: number) => (subtype % 1000 === 999 ? Math.floor(subtype / 1000) : Math.floor(subtype / 100));
    const names = { structuring: 'Structuring', fraud: 'Fraud', identity: 'Identification documentation', terrorist_financing: 'Terrorist financing', money_laundering: 'Money laundering', other: 'Other suspicious activities' };
    for (const [category, type] of Object.entries(sarTypes)) {
      expect(typeNames.get(String(type.typeId))).toBe(names[category as keyof typeof names]);
      expect([...type.subtypeIds].sort((a, b) => a - b)).toEqual(subtypes.filter((subtype) => typeOf(subtype) === type.typeId).sort((a, b) => a - b));
      expect(type.otherSubtypeId).toBe(type.typeId * 1000 + 999);
    }
    const subtypeNames = enumeration(sar, 'ValidateSuspiciousActivitySubtypeID');
    expect(subtypeNames.get(String(sarTypes.structuring.defaultSubtypeId))).toBe('Transaction(s) below CTR threshold');
    expect(subtypeNames.get(String(sarTypes.terrorist_financing.defaultSubtypeId))).toBe('Known or suspected terrorist/terrorist organization');
    expect(subtypeNames.get('905')).toBe('Identity theft');
  });

  it('a narrative is at most five blocks of 4,000 characters, the fifth for characters 16,001–17,000', () => {
    expect(elementTypes(sar, 'ActivityNarrativeText')).toEqual(['RestrictString4000']);
    const blocks = enumeration(sar, 'ValidateActivityNarrativeSequenceNumber');
    expect([...blocks.keys()]).toEqual(['1', '2', '3', '4', '5']);
    expect(blocks.get('5')).toContain('16001-17000');
  });
});

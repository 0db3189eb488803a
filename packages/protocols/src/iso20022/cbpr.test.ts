/** Each CBPR+ rule fires on what it forbids and stays quiet on the nearest thing it allows. */
import { describe, expect, it } from 'vitest';
import {
  addressFindings,
  agentBicOnly,
  agentIdentified,
  amountIntegerDigits,
  amountPositive,
  dateTimeWithOffset,
  extendedCharacterSet,
  partyNamed,
  referenceSlashes,
  restrictedCharacterSet,
  settlementMethodRule,
  statusReasonRequired,
} from './cbpr';

describe('CBPR+ character sets', () => {
  it('restricted FIN-X refuses a character outside a-z A-Z 0-9 / - ? : ( ) . , \' + space, accepts all of those', () => {
    expect(restrictedCharacterSet.test("Az09/-?:().,'+ ")).toBeUndefined();
    expect(restrictedCharacterSet.test('ACME & CO')).toMatch(/restricted FIN-X/);
    expect(restrictedCharacterSet.test('ACME_CO')).toBeDefined();
    expect(restrictedCharacterSet.test('Müller')).toBeDefined();
  });

  it('the extended set adds ! # $ % & * = ^ _ ` { | } ~ " ; < > @ [ \\ ] and nothing else', () => {
    expect(extendedCharacterSet.test('ACME & CO <Ltd> "x" @[a\\b] {c|d} ~^_`!#$%*=;')).toBeUndefined();
    expect(extendedCharacterSet.test('Müller')).toMatch(/extended/);
    expect(extendedCharacterSet.test('tab\there')).toBeDefined();
    expect(extendedCharacterSet.test('line\nbreak')).toBeDefined();
  });
});

describe('CBPR+ references and dates', () => {
  it("a :20:-bound reference may hold a single '/' inside, never at either end or doubled", () => {
    expect(referenceSlashes.test('A/B')).toBeUndefined();
    expect(referenceSlashes.test('/AB')).toBeDefined();
    expect(referenceSlashes.test('AB/')).toBeDefined();
    expect(referenceSlashes.test('A//B')).toBeDefined();
  });

  it('a date-time needs an explicit offset up to ±14:00 and a real calendar date', () => {
    expect(dateTimeWithOffset.test('2025-11-24T10:15:00+01:00')).toBeUndefined();
    expect(dateTimeWithOffset.test('2025-11-24T10:15:00.123-14:00')).toBeUndefined();
    expect(dateTimeWithOffset.test('2025-11-24T10:15:00Z')).toBeDefined();
    expect(dateTimeWithOffset.test('2025-11-24T10:15:00')).toBeDefined();
    expect(dateTimeWithOffset.test('2025-11-24T10:15:00+15:00')).toBeDefined();
    expect(dateTimeWithOffset.test('2025-02-29T10:15:00+01:00')).toBe('not a calendar date');
    expect(dateTimeWithOffset.test('2024-02-29T10:15:00+01:00')).toBeUndefined();
  });
});

describe('CBPR+ amounts and settlement', () => {
  it('an amount has at most 14 digits before the separator', () => {
    expect(amountIntegerDigits.test('99999999999999.99')).toBeUndefined();
    expect(amountIntegerDigits.test('100000000000000.00')).toBeDefined();
    expect(amountIntegerDigits.test('100000000000000')).toBeDefined();
  });

  it('an amount is greater than zero', () => {
    expect(amountPositive.test(1n)).toBeUndefined();
    expect(amountPositive.test(0n)).toBeDefined();
    expect(amountPositive.test(-1n)).toBeDefined();
  });

  it('settlement is INDA or INGA, not COVE or CLRG', () => {
    expect(settlementMethodRule.test('INDA')).toBeUndefined();
    expect(settlementMethodRule.test('INGA')).toBeUndefined();
    expect(settlementMethodRule.test('COVE')).toBeDefined();
    expect(settlementMethodRule.test('CLRG')).toBeDefined();
  });

  it('a rejected or pending status names its reason', () => {
    expect(statusReasonRequired.test({ status: 'RJCT', reasonCode: 'AC01' })).toBeUndefined();
    expect(statusReasonRequired.test({ status: 'ACSC' })).toBeUndefined();
    expect(statusReasonRequired.test({ status: 'RJCT' })).toBeDefined();
    expect(statusReasonRequired.test({ status: 'PDNG' })).toBeDefined();
  });
});

describe('CBPR+ postal addresses (structured, hybrid, unstructured)', () => {
  const keys = (findings: ReturnType<typeof addressFindings>) => findings.map((finding) => `${finding.key}:${finding.rule}`);

  it('a structured address names its town and country', () => {
    expect(addressFindings({ streetName: 'Main St', townName: 'Berlin', country: 'DE' })).toEqual([]);
    expect(keys(addressFindings({ streetName: 'Main St', townName: 'Berlin' }))).toEqual(['country:cbpr.address_structured']);
    expect(keys(addressFindings({ country: 'DE' }))).toEqual(['townName:cbpr.address_structured']);
  });

  it('a hybrid address adds at most two lines of 70', () => {
    expect(addressFindings({ townName: 'Berlin', country: 'DE', addressLines: ['a'.repeat(70), 'b'] })).toEqual([]);
    expect(keys(addressFindings({ townName: 'Berlin', country: 'DE', addressLines: ['a', 'b', 'c'] }))).toEqual(['addressLines:cbpr.address_hybrid']);
    expect(keys(addressFindings({ townName: 'Berlin', country: 'DE', addressLines: ['a'.repeat(71)] }))).toEqual(['addressLines:cbpr.address_hybrid']);
  });

  it('an unstructured address has at most three lines of 35, and an address is never empty', () => {
    expect(addressFindings({ addressLines: ['1 Main St', 'Springfield', 'US'] })).toEqual([]);
    expect(keys(addressFindings({ addressLines: ['1', '2', '3', '4'] }))).toEqual(['addressLines:cbpr.address_unstructured']);
    expect(keys(addressFindings({ addressLines: ['x'.repeat(36)] }))).toEqual(['addressLines:cbpr.address_unstructured']);
    expect(keys(addressFindings({}))).toEqual(['addressLines:cbpr.address_empty']);
  });
});

describe('CBPR+ agents and parties', () => {
  it('instructing and instructed agents are a BICFI (and LEI) only', () => {
    expect(agentBicOnly.test({ bic: 'BANKDEFF', lei: '5299000J2N45DDNE4Y28' })).toBeUndefined();
    expect(agentBicOnly.test({ name: 'Bank', postalAddress: {} })).toBeDefined();
    expect(agentBicOnly.test({ bic: 'BANKDEFF', name: 'Bank' })).toBeDefined();
  });

  it('another agent has a BIC, a clearing member id, or a name with an address', () => {
    expect(agentIdentified.test({ bic: 'BANKDEFF' })).toBeUndefined();
    expect(agentIdentified.test({ clearingMemberId: { system: 'USABA', memberId: '026009593' } })).toBeUndefined();
    expect(agentIdentified.test({ name: 'Bank', postalAddress: { townName: 'X', country: 'DE' } })).toBeUndefined();
    expect(agentIdentified.test({ name: 'Bank' })).toBeDefined();
    expect(agentIdentified.test({ lei: '5299000J2N45DDNE4Y28' })).toBeDefined();
  });

  it('a debtor or creditor has a name unless an AnyBIC identifies it', () => {
    expect(partyNamed.test({ name: 'ACME' })).toBeUndefined();
    expect(partyNamed.test({ bic: 'ACMEDEFF' })).toBeUndefined();
    expect(partyNamed.test({})).toBeDefined();
  });
});

import { describe, expect, it } from 'vitest';
import { checkBatch } from './fincen-check';
import { personsPerCtrMax, reportsPerBatchMax } from './fincen-codes';
import { buildCtrBatch, buildSarBatch } from './fincen-xml';
import type { BatchResult, BuiltBatch, CtrReport, FilingInstitution, PostalAddress, ReportParty, SarReport } from './types';

const address: PostalAddress = { street: '100 Main Street', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };
const institution: FilingInstitution = {
  name: 'QENEX Bank',
  tin: '364455667',
  address,
  primaryRegulator: 'FDIC',
  contactOffice: { name: 'BSA Office', phone: '2175550100' },
  transmitter: { name: 'QENEX Bank', tcc: 'PQNX0001', tin: '364455667', address, phone: '2175550100', contactName: 'Morgan Lee' },
};
const person: ReportParty = { kind: 'person', lastName: 'Doe', firstName: 'Jane', birthDate: '1980-01-31', tin: '512345678', address };

function ctr(overrides: Partial<CtrReport> = {}): CtrReport {
  return {
    reportId: 'ctr-1',
    filingDate: '2024-05-10',
    transactionDate: '2024-05-02',
    institution,
    location: { name: 'Main', address },
    persons: [{ party: person, cashInMinor: 1_000_001n, cashOutMinor: 0n, accountNumbers: ['12345'] }],
    ...overrides,
  };
}

function sar(overrides: Partial<SarReport> = {}): SarReport {
  return {
    reportId: 'sar-1',
    filingDate: '2024-06-01',
    institution,
    branch: { name: 'Main', address, rssd: '7654321' },
    subjects: [person],
    activityFrom: '2024-04-01',
    activityTo: '2024-04-30',
    amountMinor: 2_850_075n,
    categories: [{ category: 'structuring' }],
    narrative: 'Nine cash deposits of $9,500 to $9,900 in April.',
    accountNumbers: ['12345'],
    ...overrides,
  };
}

function built(result: BatchResult): BuiltBatch {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function refusal(result: BatchResult): { path: string; rule: string }[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map(({ path, rule }) => ({ path, rule }));
}

describe('CTR batch', () => {
  it('writes the root counts FinCEN defines: every party, and cash in plus cash out in whole dollars rounded up', () => {
    const batch = built(
      buildCtrBatch([
        ctr({
          persons: [
            { party: person, cashInMinor: 500_001n, cashOutMinor: 0n, accountNumbers: [] },
            { party: { kind: 'entity', name: 'Acme LLC' }, cashInMinor: 500_001n, cashOutMinor: 150n, accountNumbers: ['9'] },
          ],
        }),
      ]),
    );
    // Cash in 10,000.02 USD is 10001 (rounded once, not 5001 + 5001); cash out 1.50 is 2.
    expect(batch).toMatchObject({ form: 'CTRX', activityCount: 1, partyCount: 7, totalAmountDollars: 10_003n });
    expect(batch.xml).toContain('<fc2:TotalCashInReceiveAmountText>10001</fc2:TotalCashInReceiveAmountText>');
    expect(batch.xml).toContain('<fc2:IndividualEntityCashInAmountText>5001</fc2:IndividualEntityCashInAmountText>');
    expect(batch.xml).toMatch(/<fc2:EFilingBatchXML xmlns:fc2="www.fincen.gov\/base" TotalAmount="10003" PartyCount="7" ActivityCount="1">/);
    expect(checkBatch(batch, { activityCount: 1, partyCount: 7, totalAmountDollars: 10_003n })).toEqual([]);
  });

  it('numbers every element of the batch with its own SeqNum', () => {
    const batch = built(buildCtrBatch([ctr({ reportId: 'a' }), ctr({ reportId: 'b' }), ctr({ reportId: 'c' })]));
    const seqNums = [...batch.xml.matchAll(/SeqNum="(\d+)"/g)].map((match) => Number(match[1]));
    expect(new Set(seqNums).size).toBe(seqNums.length);
    expect(seqNums).toEqual(seqNums.map((_, index) => index + 1));
  });

  it('escapes the XML specials in names and writes other scripts as they are', () => {
    const party: ReportParty = { kind: 'person', lastName: 'Smith & <Sons> "Ltd"', firstName: 'Zoë 中村' };
    const batch = built(buildCtrBatch([ctr({ persons: [{ party, cashInMinor: 2_000_000n, cashOutMinor: 0n, accountNumbers: [] }] })]));
    expect(batch.xml).toContain('<fc2:RawEntityIndividualLastName>Smith &amp; &lt;Sons&gt; "Ltd"</fc2:RawEntityIndividualLastName>');
    expect(batch.xml).toContain('<fc2:RawIndividualFirstName>Zoë 中村</fc2:RawIndividualFirstName>');
  });

  it('writes unknown indicators where the model has nothing (address, TIN, birth date)', () => {
    const party: ReportParty = { kind: 'person', lastName: 'Doe', firstName: 'John' };
    const batch = built(buildCtrBatch([ctr({ persons: [{ party, cashInMinor: 2_000_000n, cashOutMinor: 0n, accountNumbers: [] }] })]));
    for (const indicator of ['BirthDateUnknownIndicator', 'UnknownGenderIndicator', 'CityUnknownIndicator', 'ZIPCodeUnknownIndicator', 'TINUnknownIndicator']) {
      expect(batch.xml).toContain(`<fc2:${indicator}>Y</fc2:${indicator}>`);
    }
  });
});

describe('CTR refusals', () => {
  it('names the path and rule of each problem and writes no XML', () => {
    const result = buildCtrBatch([
      ctr({
        filingDate: '2024-02-30',
        persons: [{ party: { kind: 'person', lastName: ' Doe', firstName: 'J'.repeat(36) }, cashInMinor: -1n, cashOutMinor: 0n, accountNumbers: [] }],
        institution: { ...institution, tin: '12-3456789' },
      }),
    ]);
    expect(result).not.toHaveProperty('value');
    expect(refusal(result)).toEqual([
      { path: 'reports[0].filingDate', rule: 'date' },
      { path: 'reports[0].institution.tin', rule: 'ein' },
      { path: 'reports[0].persons[0].party.lastName', rule: 'whitespace' },
      { path: 'reports[0].persons[0].party.firstName', rule: 'too_long' },
      { path: 'reports[0].persons[0].cashInMinor', rule: 'amount_negative' },
    ]);
  });

  it('refuses a report without persons, a batch without reports, and more than the limits', () => {
    expect(refusal(buildCtrBatch([ctr({ persons: [] })]))).toEqual([{ path: 'reports[0].persons', rule: 'count_min' }]);
    expect(refusal(buildCtrBatch([]))).toEqual([{ path: 'reports', rule: 'count_min' }]);
    const many = Array.from({ length: reportsPerBatchMax + 1 }, (_, index) => ctr({ reportId: `r${index}` }));
    expect(refusal(buildCtrBatch(many))).toEqual([{ path: 'reports', rule: 'count_max' }]);
    const crowd = Array.from({ length: personsPerCtrMax + 1 }, () => ({ party: person, cashInMinor: 1_000_001n, cashOutMinor: 0n, accountNumbers: [] }));
    expect(refusal(buildCtrBatch([ctr({ persons: crowd })]))).toEqual([{ path: 'reports[0].persons', rule: 'count_max' }]);
  });

  it('refuses cash of $10,000 or less, a person with no cash, dates out of order, a repeated report id', () => {
    expect(refusal(buildCtrBatch([ctr({ persons: [{ party: person, cashInMinor: 1_000_000n, cashOutMinor: 1_000_000n, accountNumbers: [] }] })]))).toEqual([
      { path: 'reports[0].persons', rule: 'below_ctr_threshold' },
    ]);
    const idle = { party: person, cashInMinor: 0n, cashOutMinor: 0n, accountNumbers: [] };
    expect(refusal(buildCtrBatch([ctr({ persons: [ctr().persons[0]!, idle] })]))).toEqual([{ path: 'reports[0].persons[1]', rule: 'no_cash' }]);
    expect(refusal(buildCtrBatch([ctr({ transactionDate: '2024-05-11' })]))).toEqual([{ path: 'reports[0].transactionDate', rule: 'date_order' }]);
    expect(refusal(buildCtrBatch([ctr(), ctr()]))).toEqual([{ path: 'reports[1].reportId', rule: 'duplicate' }]);
  });

  it('refuses addresses, phones and codes FinCEN would reject', () => {
    const badAddress = { street: 'x', city: 'y', state: 'ZZ', zip: '62701-1234', country: 'us' };
    expect(refusal(buildCtrBatch([ctr({ location: { name: 'Main', address: badAddress } })]))).toEqual([{ path: 'reports[0].location.address.country', rule: 'country' }]);
    expect(refusal(buildCtrBatch([ctr({ location: { name: 'Main', address: { ...badAddress, country: 'US' } } })]))).toEqual([
      { path: 'reports[0].location.address.state', rule: 'state' },
      { path: 'reports[0].location.address.zip', rule: 'zip' },
    ]);
    const transmitter = { ...institution.transmitter, tcc: 'TQNX0001', phone: '555-0100' };
    expect(refusal(buildCtrBatch([ctr({ institution: { ...institution, transmitter, rssd: 'R1' } })]))).toEqual([
      { path: 'reports[0].institution.rssd', rule: 'rssd' },
      { path: 'reports[0].institution.transmitter.tcc', rule: 'tcc' },
      { path: 'reports[0].institution.transmitter.phone', rule: 'phone' },
    ]);
    const tabbed: ReportParty = { kind: 'entity', name: 'Acme\tLLC', tin: '111111111' };
    expect(refusal(buildCtrBatch([ctr({ persons: [{ party: tabbed, cashInMinor: 1_000_001n, cashOutMinor: 0n, accountNumbers: ['1', '1'] }] })]))).toEqual([
      { path: 'reports[0].persons[0].party.name', rule: 'character' },
      { path: 'reports[0].persons[0].party.tin', rule: 'ein' },
      { path: 'reports[0].persons[0].accountNumbers[1]', rule: 'duplicate' },
    ]);
  });

  it("needs the issuing state of a US driver's licence, and a description for (only) an 'other' document", () => {
    const withDocument = (identification: NonNullable<Extract<ReportParty, { kind: 'person' }>['identification']>) =>
      ctr({ persons: [{ party: { ...person, kind: 'person', identification } as ReportParty, cashInMinor: 1_000_001n, cashOutMinor: 0n, accountNumbers: [] }] });
    const at = 'reports[0].persons[0].party.identification';
    expect(refusal(buildCtrBatch([withDocument({ type: 'drivers_license', number: 'D1', issuerCountry: 'US' })]))).toEqual([{ path: `${at}.issuerState`, rule: 'required' }]);
    expect(buildCtrBatch([withDocument({ type: 'drivers_license', number: 'D1', issuerCountry: 'CA', issuerState: 'ON' })]).ok).toBe(true);
    expect(refusal(buildCtrBatch([withDocument({ type: 'other', number: 'N1', issuerCountry: 'MX' })]))).toEqual([{ path: `${at}.description`, rule: 'detail_required' }]);
    expect(refusal(buildCtrBatch([withDocument({ type: 'passport', number: 'P1', issuerCountry: 'MX', description: 'x' })]))).toEqual([{ path: `${at}.description`, rule: 'detail_not_allowed' }]);
  });

  it('counts a length limit in characters (code points): 150 emoji fit a last name, 151 do not', () => {
    const named = (lastName: string) => ctr({ persons: [{ party: { kind: 'person', lastName, firstName: 'A' }, cashInMinor: 1_000_001n, cashOutMinor: 0n, accountNumbers: [] }] });
    expect(buildCtrBatch([named('😀'.repeat(150))]).ok).toBe(true);
    expect(refusal(buildCtrBatch([named('😀'.repeat(151))]))).toEqual([{ path: 'reports[0].persons[0].party.lastName', rule: 'too_long' }]);
  });
});

describe('SAR batch', () => {
  it("counts the subjects only, and the suspicious amounts in whole dollars rounded up", () => {
    const batch = built(buildSarBatch([sar(), sar({ reportId: 'sar-2', subjects: [person, { kind: 'entity', name: 'Shell Co' }], amountMinor: 0n })]));
    expect(batch).toMatchObject({ form: 'SARX', activityCount: 2, partyCount: 3, totalAmountDollars: 28_501n });
    expect(batch.xml).toContain('<fc2:NoAmountInvolvedIndicator>Y</fc2:NoAmountInvolvedIndicator>');
    expect(batch.xml).toMatch(/TotalAmount="28501" PartyCount="3" ActivityCount="2" ActivityAttachmentCount="0" AttachmentCount="0">/);
    expect(checkBatch(batch, { activityCount: 2, partyCount: 3, totalAmountDollars: 28_501n })).toEqual([]);
  });

  it("maps categories to FinCEN's type and subtype codes", () => {
    const categories = [{ category: 'structuring' }, { category: 'terrorist_financing' }, { category: 'fraud', detail: 'Check kiting' }, { category: 'other', subtypeId: 905 }] as const;
    const batch = built(buildSarBatch([sar({ categories })]));
    const classified = [...batch.xml.matchAll(/<fc2:SuspiciousActivitySubtypeID>(\d+)<\/fc2:SuspiciousActivitySubtypeID>\s*<fc2:SuspiciousActivityTypeID>(\d+)</g)].map((m) => [m[1], m[2]]);
    expect(classified).toEqual([['114', '1'], ['701', '7'], ['3999', '3'], ['905', '9']]);
    expect(batch.xml).toContain('<fc2:OtherSuspiciousActivityTypeText>Check kiting</fc2:OtherSuspiciousActivityTypeText>');
  });
});

describe('SAR refusals', () => {
  it('names the path and rule and writes no XML', () => {
    const result = buildSarBatch([
      sar({
        subjects: [],
        activityTo: '2024-03-01',
        amountMinor: -5n,
        categories: [{ category: 'fraud' }, { category: 'money_laundering', subtypeId: 114 }, { category: 'structuring', detail: 'x' }, { category: 'structuring', subtypeId: 1999, detail: 'x' }],
        narrative: 'Line one.\nLine two.',
      }),
    ]);
    expect(result).not.toHaveProperty('value');
    expect(refusal(result)).toEqual([
      { path: 'reports[0].activityTo', rule: 'date_order' },
      { path: 'reports[0].subjects', rule: 'count_min' },
      { path: 'reports[0].amountMinor', rule: 'amount_negative' },
      { path: 'reports[0].categories[0].detail', rule: 'detail_required' },
      { path: 'reports[0].categories[1].subtypeId', rule: 'subtype' },
      { path: 'reports[0].categories[3]', rule: 'duplicate' },
      { path: 'reports[0].narrative', rule: 'character' },
    ]);
  });

  it('refuses a narrative over 17,000 characters, a detail on a specific subtype, no categories', () => {
    expect(refusal(buildSarBatch([sar({ narrative: 'a'.repeat(17_001) })]))).toEqual([{ path: 'reports[0].narrative', rule: 'too_long' }]);
    expect(refusal(buildSarBatch([sar({ categories: [{ category: 'other', subtypeId: 905, detail: 'ID theft' }] })]))).toEqual([
      { path: 'reports[0].categories[0].detail', rule: 'detail_not_allowed' },
    ]);
    expect(refusal(buildSarBatch([sar({ categories: [] })]))).toEqual([{ path: 'reports[0].categories', rule: 'count_min' }]);
    expect(refusal(buildSarBatch([sar({ narrative: 'Trailing space ' })]))).toEqual([{ path: 'reports[0].narrative', rule: 'whitespace' }]);
  });
});

describe('checkBatch', () => {
  const batch = () => built(buildCtrBatch([ctr()]));
  const expected = { activityCount: 1, partyCount: 6, totalAmountDollars: 10_001n };

  it('finds nothing wrong with a batch as built', () => {
    expect(checkBatch(batch(), expected)).toEqual([]);
  });

  it('reports a root attribute that disagrees with the body and the model', () => {
    const tampered = { ...batch(), xml: batch().xml.replace('TotalAmount="10001"', 'TotalAmount="10000"') };
    expect(checkBatch(tampered, expected)).toEqual(['TotalAmount attribute is 10000, expected 10001']);
  });

  it('reports a party taken away: the count, the minimum of six and the missing type', () => {
    const xml = batch().xml.replace(/\n {4}<fc2:Party SeqNum="\d+">\n {6}<fc2:ActivityPartyTypeCode>8<[\s\S]*?\n {4}<\/fc2:Party>/, '');
    expect(checkBatch({ ...batch(), xml }, expected)).toEqual(['<Party> elements is 5, expected 6', 'Activity 1 has 5 parties, fewer than 6', 'Activity 1 has no party of type 8']);
  });

  it('reports a repeated SeqNum, a changed amount and an expectation the batch does not meet', () => {
    const xml = batch().xml.replace('SeqNum="4"', 'SeqNum="3"').replace('<fc2:DetailTransactionAmountText>10001<', '<fc2:DetailTransactionAmountText>10002<');
    expect(checkBatch({ ...batch(), xml }, expected)).toEqual(['sum of DetailTransactionAmountText is 10002, expected 10001', 'SeqNum 3 repeats']);
    expect(checkBatch(batch(), { ...expected, partyCount: 7 })).toEqual([
      'PartyCount attribute is 6, expected 7',
      '<Party> elements is 6, expected 7',
      'partyCount of the built batch is 6, expected 7',
    ]);
  });

  it('reports a document that is not a batch the builder wrote', () => {
    expect(checkBatch({ ...batch(), xml: '<EFilingBatchXML/>' }, expected)).toEqual(['the document does not begin with the FinCEN batch root the builder writes']);
    expect(checkBatch({ ...batch(), form: 'SARX' }, expected)).toContain('FormTypeCode is not SARX');
  });
});

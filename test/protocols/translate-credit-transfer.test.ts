/**
 * MT103 ↔ pacs.008 translation: messages composed here from the standards' field rules, round
 * trips in both directions that keep amount, currency, value date, parties, references and the
 * UETR, every truncation and drop of a rich pacs.008 reported, and properties over random models:
 * the MT103 written is valid, the pacs.008 written validates against the official schemas, and
 * every field that differs after a round trip is named by a note.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPacs008, parsePacs008 } from '../../packages/protocols/src/iso20022/index';
import { creditTransferArbitrary, exampleCreditTransfer } from '../../packages/protocols/src/iso20022/testing/arbitraries';
import { missingSchemaFiles, validateBatchAgainstSchema } from '../../packages/protocols/src/node/index';
import type { Checked, CreditTransfer, TranslationNote } from '../../packages/protocols/src/payment/model';
import { creditTransferToMt103, mt103ToCreditTransfer, parseFin, validateFin } from '../../packages/protocols/src/swift-mt/index';
import { creditTransfer as mtCreditTransfer, differingPaths } from '../../packages/protocols/src/swift-mt/test-arbitraries';
import { editMt103, finText, sampleUetr } from '../../packages/protocols/src/swift-mt/test-messages';
import { translateMt103ToPacs008, translatePacs008ToMt103, type Translation } from '../../packages/protocols/src/translate/index';

const propertyRuns = 150;
const schemaMissing = missingSchemaFiles(['pacs.008.001.08']).length > 0 && !process.env.CI;

function ok<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function pacs008Of(model: CreditTransfer): string {
  return ok(buildPacs008(model));
}

function mt103ModelOf(text: string): CreditTransfer {
  return ok(mt103ToCreditTransfer(ok(parseFin(text)))).model;
}

/** A path that differs is named when a note's field is that path, or one inside the other (the test's diff stops at an object one side lacks). */
function unnamed(paths: readonly string[], notes: readonly TranslationNote[]): string[] {
  const inside = (outer: string, inner: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return paths.filter((path) => !notes.some((note) => inside(note.field, path) || inside(path, note.field)));
}

const fieldsOf = (translation: Translation) => translation.notes.map((note) => `${note.field} ${note.kind}`);

/** An MT103 with most of its fields, composed from the MT103 field specifications. */
const richMt103 = finText(
  editMt103({
    set: [
      ['23E', 'SDVA'],
      ['23E', 'INTC'],
      ['23E', 'HOLD'],
      ['33B', 'USD2750,00'],
      ['36', '0,9090909'],
      ['52A', 'BANKDEFF100'],
      ['56A', 'INTMGB2L'],
      ['57A', '//SC123456\nBENEGB2L'],
      ['71F', 'EUR10,00'],
      ['72', '/INS/PREVDEFF\n/ACC/PLEASE CREDIT TODAY'],
      ['77B', '/ORDERRES/DE//SALARY'],
    ],
  }),
  { userHeader: `{108:MUR0001}{121:${sampleUetr}}` },
);

describe('MT103 to pacs.008 and back', () => {
  it('carries amount, currency, value date, parties, agents, references, charges and the UETR, and comes back byte for byte', () => {
    const mx = ok(translateMt103ToPacs008(richMt103, { creationDateTime: '2024-01-15T09:00:00+01:00' }));
    const model = ok(parsePacs008(mx.output));
    expect(model).toMatchObject({
      messageId: 'MUR0001',
      creationDateTime: '2024-01-15T09:00:00+01:00',
      instructionId: 'PAYREF240115A',
      endToEndId: 'ORDER-2024-17',
      uetr: sampleUetr,
      settlementAmount: { amountMinor: 250_000n, currency: 'EUR' },
      settlementDate: '2024-01-15',
      instructedAmount: { amountMinor: 275_000n, currency: 'USD' },
      exchangeRate: '0.9090909',
      chargeBearer: 'SHAR',
      charges: [{ amount: { amountMinor: 1_000n, currency: 'EUR' }, agent: { bic: 'BANKDEFF' } }],
      instructingAgent: { bic: 'BANKDEFF' },
      instructedAgent: { bic: 'BANKITRR' },
      previousInstructingAgent: { bic: 'PREVDEFF' },
      debtorAgent: { bic: 'BANKDEFF100' },
      intermediaryAgent: { bic: 'INTMGB2L' },
      creditorAgent: { bic: 'BENEGB2L', clearingMemberId: { system: 'GBDSC', memberId: '123456' } },
      debtor: { name: 'ANNA SCHMIDT', postalAddress: { addressLines: ['LINDENALLEE 12', '60311 FRANKFURT'] } },
      debtorAccount: { iban: 'DE44500105175407324931' },
      creditor: { name: 'MARCO ROSSI' },
      creditorAccount: { iban: 'IT60X0542811101000000123456' },
      serviceLevel: 'SDVA',
      categoryPurpose: 'INTC',
      instructionCodes: ['HOLD'],
      instructionsForNextAgent: ['/ACC/PLEASE CREDIT TODAY'],
      remittanceInformation: 'RENT JANUARY',
      regulatoryReporting: ['/ORDERRES/DE//SALARY'],
    });
    expect(fieldsOf(mx)).toEqual(expect.arrayContaining(['instructionCodes[0] restructured', 'instructionCodes[1] restructured', 'charges[0].type dropped', 'creationDateTime restructured']));
    const back = ok(translatePacs008ToMt103(mx.output));
    expect(back.output).toBe(richMt103);
  });

  it('reads the end-to-end id from :20: when 70 has no /ROC/, and writes no /ROC/ for it on the way back', () => {
    const text = finText(editMt103({ set: [['70', 'RENT JANUARY']] }));
    const mx = ok(translateMt103ToPacs008(text));
    expect(ok(parsePacs008(mx.output))).toMatchObject({ instructionId: 'PAYREF240115A', endToEndId: 'PAYREF240115A', messageId: 'PAYREF240115A' });
    expect(ok(translatePacs008ToMt103(mx.output)).output).toBe(text);
  });

  it('marks a possible duplicate (trailer PDE) in the AppHdr and back', () => {
    const text = finText(editMt103({}), { trailer: '{5:{PDE:}}' });
    const mx = ok(translateMt103ToPacs008(text));
    expect(mx.output).toContain('<PssblDplct>true</PssblDplct>');
    expect(ok(translatePacs008ToMt103(mx.output)).output).toContain('{5:{PDE:}}');
  });

  it('refuses what it cannot translate, naming the field', () => {
    const notMt103 = translateMt103ToPacs008(finText(editMt103({}), { type: '202' }));
    expect(notMt103.ok ? [] : notMt103.issues.map((entry) => entry.rule)).toContain('message_type');
    const broken = translateMt103ToPacs008(finText(editMt103({ remove: ['59'] })));
    expect(broken.ok).toBe(false);
    const notMx = translatePacs008ToMt103('<Document/>');
    expect(notMx.ok).toBe(false);
  });
});

describe('pacs.008 to MT103 and back', () => {
  it('keeps amount, currency, value date, parties, references and the UETR; what changes is noted', () => {
    const mt = ok(translatePacs008ToMt103(pacs008Of(exampleCreditTransfer)));
    expect(validateFin(ok(parseFin(mt.output)))).toEqual([]);
    expect(mt.output).toContain(':32A:251124EUR12500,75');
    expect(mt.output).toContain('{121:3f1b6a0e-2c4d-4e8f-9a1b-5c6d7e8f9a0b}');
    expect(mt.output).toContain(':70:/ROC/INVOICE 2025/117');
    const back = ok(translateMt103ToPacs008(mt.output, { creationDateTime: exampleCreditTransfer.creationDateTime }));
    const model = ok(parsePacs008(back.output));
    const kept = (value: CreditTransfer) => ({
      amount: value.settlementAmount,
      date: value.settlementDate,
      uetr: value.uetr,
      references: [value.instructionId, value.endToEndId],
      accounts: [value.debtorAccount, value.creditorAccount],
      creditor: value.creditor,
      debtorTown: value.debtor.postalAddress?.country,
    });
    expect(kept(model)).toEqual(kept(exampleCreditTransfer));
    // The debtor's & and <> are outside the X set; the message id is longer than 108's 16 characters.
    expect(model.debtor.name).toBe('Mueller . Soehne .GmbH.');
    expect(unnamed(differingPaths(exampleCreditTransfer, model), [...mt.notes, ...back.notes])).toEqual([]);
    expect(fieldsOf(mt)).toEqual(expect.arrayContaining(['debtor.name restructured', 'messageId dropped', 'creationDateTime dropped', 'instructedAmount restructured']));
  });

  it('reports each truncation and drop of a 140-character name, a structured address, LEIs, an ultimate debtor and a long remittance', () => {
    const name = 'Internationale Handelsgesellschaft fuer Maschinenbau und Anlagentechnik Nord-West Kommanditgesellschaft a. Aktien Zweigniederlassung Hamburg';
    expect(name).toHaveLength(140);
    const rich: CreditTransfer = {
      ...exampleCreditTransfer,
      debtor: { name, lei: '529900T8BM49AURSDO55', postalAddress: { department: 'Treasury', streetName: 'Grosse Elbstrasse', buildingNumber: '145', postCode: '22767', townName: 'Hamburg', countrySubDivision: 'HH', country: 'DE' } },
      creditor: { name: "O'Neil Trading Ltd", lei: '213800LBQA1Y9L22JB70', countryOfResidence: 'GB', postalAddress: { townName: 'London', country: 'GB' } },
      ultimateDebtor: { name: 'Nordwind Holding SE', lei: '529900T8BM49AURSDO55' },
      ultimateCreditor: { name: 'ONeil Group' },
      purpose: 'SUPP',
      categoryPurpose: 'SUPP',
      transactionId: 'TX-2025-11-24-0042',
      remittanceInformation: 'Invoices 2025-0101, 2025-0102, 2025-0103, 2025-0104, 2025-0105, 2025-0106, 2025-0107 and credit note 2025-CN-0007, all settled in full',
    };
    const mt = ok(translatePacs008ToMt103(pacs008Of(rich)));
    expect(validateFin(ok(parseFin(mt.output)))).toEqual([]);
    expect(fieldsOf(mt)).toEqual(
      expect.arrayContaining([
        'debtor.name truncated',
        'debtor.lei dropped',
        'debtor.postalAddress restructured',
        'creditor.lei dropped',
        'creditor.countryOfResidence dropped',
        'ultimateDebtor dropped',
        'ultimateCreditor dropped',
        'purpose dropped',
        'categoryPurpose dropped',
        'transactionId dropped',
        'remittanceInformation truncated',
        'creationDateTime dropped',
      ]),
    );
    // Each cut text ends with the + marker.
    expect(mt.output).toMatch(/1\/[^\r\n]{32}\+\r\n3\/DE\/22767 Hamburg HH/);
    expect(mt.output).toMatch(/:70:\/ROC\/INVOICE 2025\/117\r\n(?:[^\r\n]+\r\n){2}[^\r\n]+\+\r\n:71A:/);
    const back = ok(translateMt103ToPacs008(mt.output));
    expect(unnamed(differingPaths(rich, ok(parsePacs008(back.output))), [...mt.notes, ...back.notes])).toEqual([]);
  });

  it('follows the charge rules: DEBT charges are the receiver\'s 71G, CRED without charges gets a zero 71F, 36 only with another currency', () => {
    const debt = ok(translatePacs008ToMt103(pacs008Of({ ...exampleCreditTransfer, chargeBearer: 'DEBT', charges: [{ amount: { amountMinor: 1_500n, currency: 'EUR' }, agent: { bic: 'CORRGB2L' } }] })));
    expect(debt.output).toContain(':71A:OUR\r\n:71G:EUR15,00');
    expect(debt.output).toContain(':33B:EUR12485,75');
    const cred = ok(translatePacs008ToMt103(pacs008Of({ ...exampleCreditTransfer, chargeBearer: 'CRED' })));
    expect(cred.output).toContain(':71A:BEN\r\n:71F:EUR0,00');
    expect(fieldsOf(cred)).toContain('charges restructured');
    const rate = ok(translatePacs008ToMt103(pacs008Of({ ...exampleCreditTransfer, instructedAmount: { amountMinor: 1_250_075n, currency: 'EUR' }, exchangeRate: '1' })));
    expect(rate.output).not.toContain(':36:');
    expect(fieldsOf(rate)).toContain('exchangeRate dropped');
  });

  it('writes NOTPROVIDED as no /ROC/ and says so', () => {
    const mt = ok(translatePacs008ToMt103(pacs008Of({ ...exampleCreditTransfer, endToEndId: 'NOTPROVIDED' })));
    expect(mt.output).not.toContain('/ROC/');
    expect(fieldsOf(mt)).toContain('endToEndId dropped');
  });

  it('leaves out a birth date the MT layer refuses (before 1980) instead of refusing the payment', () => {
    const person = { ...exampleCreditTransfer, debtor: { name: 'Anna Schmidt', birth: { date: '1975-04-02', city: 'Hamburg', country: 'DE' }, postalAddress: { townName: 'Berlin', country: 'DE' } } };
    const mt = ok(translatePacs008ToMt103(pacs008Of(person)));
    expect(fieldsOf(mt)).toContain('debtor.birth dropped');
    const later = ok(translatePacs008ToMt103(pacs008Of({ ...person, debtor: { ...person.debtor, birth: { date: '1985-04-02', city: 'Hamburg', country: 'DE' } } })));
    expect(later.output).toContain('4/19850402\r\n5/DE/Hamburg');
  });

  it('refuses an amount MT cannot write (15 characters), naming the field', () => {
    const result = translatePacs008ToMt103(pacs008Of({ ...exampleCreditTransfer, settlementAmount: { amountMinor: 12_345_678_901_234_56n, currency: 'EUR' }, instructedAmount: { amountMinor: 100n, currency: 'EUR' } }));
    expect(result.ok ? [] : result.issues.map((entry) => `${entry.field} ${entry.rule}`)).toEqual(['settlementAmount.amountMinor length']);
  });
});

/** The MX arbitrary's models made MT-writable where MT simply cannot go: BICs of four letters first, dates within YYMMDD's years, amounts within 15d. */
function mtWritable(model: CreditTransfer): CreditTransfer {
  return JSON.parse(
    JSON.stringify(model, (key, value: unknown) => {
      if (typeof value === 'bigint') return { $bigint: (value % 10n ** 11n || 1n).toString() };
      if (key === 'bic' && typeof value === 'string') return value.slice(0, 4).replace(/\d/g, (digit) => 'ABCDEFGHIJ'[Number(digit)] ?? 'A') + value.slice(4);
      if ((key === 'settlementDate' || key === 'date') && typeof value === 'string' && value >= '2080') return `20${String(Number(value.slice(2, 4)) - 30)}${value.slice(4)}`;
      if (key === 'exchangeRate' && typeof value === 'string' && /^[0.]+$/.test(value)) return '1';
      return value;
    }),
    (_key, value: unknown) => (typeof value === 'object' && value !== null && '$bigint' in value ? BigInt(String((value as { $bigint: string }).$bigint)) : value),
  ) as CreditTransfer;
}

describe('translation properties', () => {
  it('any pacs.008 becomes a valid MT103, and back every field that differs is named in the notes', () => {
    fc.assert(
      fc.property(creditTransferArbitrary.map(mtWritable), (source) => {
        const mt = ok(translatePacs008ToMt103(pacs008Of(source)));
        expect(validateFin(ok(parseFin(mt.output)))).toEqual([]);
        const back = ok(translateMt103ToPacs008(mt.output, { creationDateTime: source.creationDateTime }));
        const model = ok(parsePacs008(back.output));
        expect([model.settlementAmount, model.settlementDate, model.uetr]).toEqual([source.settlementAmount, source.settlementDate, source.uetr]);
        expect(unnamed(differingPaths(source, model), [...mt.notes, ...back.notes])).toEqual([]);
        // What the forward notes do not name came through unchanged.
        expect(unnamed(differingPaths(source, mt103ModelOf(mt.output)), mt.notes)).toEqual([]);
      }),
      { numRuns: propertyRuns },
    );
  });

  it.skipIf(schemaMissing)('any MT103 becomes a pacs.008 the official schemas accept, and back every field that differs is named', async () => {
    const outputs: string[] = [];
    fc.assert(
      fc.property(mtCreditTransfer({ exact: false }), (model) => {
        const text = ok(creditTransferToMt103(model)).text;
        const source = mt103ModelOf(text);
        const mx = ok(translateMt103ToPacs008(text));
        outputs.push(mx.output);
        const back = ok(translatePacs008ToMt103(mx.output));
        expect(unnamed(differingPaths(source, mt103ModelOf(back.output)), [...mx.notes, ...back.notes])).toEqual([]);
        expect(unnamed(differingPaths(source, ok(parsePacs008(mx.output))), mx.notes)).toEqual([]);
      }),
      { numRuns: propertyRuns },
    );
    const results = await validateBatchAgainstSchema(outputs, 'pacs.008.001.08');
    expect(results.filter((result) => !result.valid).flatMap((result) => result.errors)).toEqual([]);
  });
});

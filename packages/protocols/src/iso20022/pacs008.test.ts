/**
 * pacs.008 ↔ CreditTransfer without the schema (test/protocols/iso20022-*.test.ts has that):
 * the model comes back exactly, a model breaking a rule is refused naming its model path before
 * any XML exists, and a message breaking a rule is refused naming its XML path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditTransfer, Issue } from '../payment/model';
import { parseMx } from './mx';
import { buildPacs008, parsePacs008 } from './pacs008';
import { creditTransferArbitrary, exampleCreditTransfer } from './testing/arbitraries';

function xmlOf(model: CreditTransfer): string {
  const built = buildPacs008(model);
  if (!built.ok) throw new Error(JSON.stringify(built.issues));
  return built.value;
}

function refusal(model: CreditTransfer): readonly Issue[] {
  const built = buildPacs008(model);
  expect(built.ok).toBe(false);
  return built.ok ? [] : built.issues;
}

const fields = (issues: readonly Issue[]) => issues.map((issue) => issue.field);

describe('pacs.008 round trip', () => {
  it('the payment flow example parses back to the same model, bigint amounts and escaped text included', () => {
    const xml = xmlOf(exampleCreditTransfer);
    expect(xml).toContain('<IntrBkSttlmAmt Ccy="EUR">12500.75</IntrBkSttlmAmt>');
    expect(xml).toContain('&amp; Soehne &lt;GmbH&gt;');
    expect(parsePacs008(xml)).toEqual({ ok: true, value: exampleCreditTransfer });
  });

  it('random valid credit transfers parse back to the same model', () => {
    fc.assert(
      fc.property(creditTransferArbitrary, (model) => {
        expect(parsePacs008(xmlOf(model))).toEqual({ ok: true, value: model });
      }),
      { numRuns: 100 },
    );
  });

  it('amounts are written in the currency scale: JPY none, KWD three decimals, CLF four', () => {
    expect(xmlOf({ ...exampleCreditTransfer, settlementAmount: { amountMinor: 5n, currency: 'JPY' } })).toContain('<IntrBkSttlmAmt Ccy="JPY">5</IntrBkSttlmAmt>');
    expect(xmlOf({ ...exampleCreditTransfer, settlementAmount: { amountMinor: 5n, currency: 'KWD' } })).toContain('<IntrBkSttlmAmt Ccy="KWD">0.005</IntrBkSttlmAmt>');
    expect(xmlOf({ ...exampleCreditTransfer, settlementAmount: { amountMinor: 12345n, currency: 'CLF' } })).toContain('<IntrBkSttlmAmt Ccy="CLF">1.2345</IntrBkSttlmAmt>');
  });
});

describe('pacs.008 builder refuses a model before writing, naming the model path', () => {
  const base = exampleCreditTransfer;
  const cases: readonly (readonly [string, CreditTransfer, string, string])[] = [
    ['a structured address without country', { ...base, creditor: { name: 'C', postalAddress: { townName: 'London', streetName: 'High St' } } }, 'creditor.postalAddress.country', 'cbpr.address_structured'],
    ['a zero amount', { ...base, settlementAmount: { amountMinor: 0n, currency: 'EUR' } }, 'settlementAmount', 'cbpr.amount_positive'],
    ['15 digits before the separator', { ...base, settlementAmount: { amountMinor: 10n ** 16n, currency: 'EUR' } }, 'settlementAmount', 'cbpr.amount_digits'],
    ['an unknown currency', { ...base, settlementAmount: { amountMinor: 1n, currency: 'XAU' } }, 'settlementAmount.currency', 'iso4217.currency'],
    ['an upper-case UETR', { ...base, uetr: base.uetr.toUpperCase() }, 'uetr', 'schema.pattern.uetr'],
    ['a UUID that is not version 4', { ...base, uetr: '3f1b6a0e-2c4d-1e8f-9a1b-5c6d7e8f9a0b' }, 'uetr', 'schema.pattern.uetr'],
    ['an instructing agent without BIC', { ...base, instructingAgent: { name: 'Bank', postalAddress: { townName: 'X', country: 'DE' } } }, 'instructingAgent', 'cbpr.agent_bic'],
    ['a lower-case BIC', { ...base, instructedAgent: { bic: 'corrgb2l' } }, 'instructedAgent.bic', 'schema.pattern.bic'],
    ['cover settlement', { ...base, settlementMethod: 'COVE' }, 'settlementMethod', 'cbpr.settlement_method'],
    ['a creditor with neither name nor BIC', { ...base, creditor: { lei: '5299000J2N45DDNE4Y28' } }, 'creditor', 'cbpr.party_name'],
    ['an accented letter in a name', { ...base, debtor: { ...base.debtor, name: 'Müller' } }, 'debtor.name', 'cbpr.character_set'],
    ['an ampersand in an identifier (names may, ids may not)', { ...base, endToEndId: 'A&B' }, 'endToEndId', 'cbpr.character_set'],
    ['an accented letter in the remittance', { ...base, remittanceInformation: 'Façade' }, 'remittanceInformation', 'cbpr.character_set'],
    ['a 17-character instruction id', { ...base, instructionId: 'A'.repeat(17) }, 'instructionId', 'schema.length'],
    ['an instruction id ending in /', { ...base, instructionId: 'QNX-42/' }, 'instructionId', 'cbpr.reference_slashes'],
    ['a name of 141 characters', { ...base, debtor: { ...base.debtor, name: 'N'.repeat(141) } }, 'debtor.name', 'schema.length'],
    ['February 30th', { ...base, settlementDate: '2025-02-30' }, 'settlementDate', 'schema.date'],
    ['a creation time in Z', { ...base, creationDateTime: '2025-11-24T09:15:00Z' }, 'creationDateTime', 'cbpr.date_time'],
    ['a charge with a type MX cannot carry', { ...base, charges: [{ amount: { amountMinor: 100n, currency: 'EUR' }, agent: { bic: 'CORRGB2L' }, type: 'sender' }] }, 'charges[0].type', 'model.not_carried'],
    ['an instruction code pacs.008 has no place for', { ...base, instructionCodes: ['CRED'] }, 'instructionCodes[0]', 'model.not_carried'],
    ['seven instructions for the next agent', { ...base, instructionsForNextAgent: ['1', '2', '3', '4', '5', '6', '7'] }, 'instructionsForNextAgent', 'schema.occurrences'],
    ['an instructed amount in USD without a rate', { ...base, instructedAmount: { amountMinor: 100n, currency: 'USD' } }, 'exchangeRate', 'cbpr.exchange_rate'],
    ['an exchange rate of 12 digits', { ...base, instructedAmount: { amountMinor: 100n, currency: 'USD' }, exchangeRate: '123456.789012' }, 'exchangeRate', 'schema.decimal_digits'],
    ['an account at the instructing agent', { ...base, instructingAgent: { bic: 'QNXBDEFFXXX', account: { iban: 'DE89370400440532013000' } } }, 'instructingAgent.account', 'model.not_carried'],
    ['a person with a BIC', { ...base, debtor: { name: 'D', bic: 'ACMEDEFF', birth: { date: '1980-01-01', city: 'Bonn', country: 'DE' } } }, 'debtor.birth', 'schema.choice'],
    ['an empty address', { ...base, debtor: { name: 'D', postalAddress: {} } }, 'debtor.postalAddress.addressLines', 'cbpr.address_empty'],
  ];

  for (const [behaviour, model, field, rule] of cases) {
    it(`${behaviour}: ${field} (${rule})`, () => {
      expect(refusal(model)).toContainEqual(expect.objectContaining({ field, rule }));
    });
  }

  /** Breaks one field of a valid model in a way a rule forbids; the issue must name that field. */
  const breakages: readonly { readonly field: string; readonly apply: (model: CreditTransfer) => CreditTransfer }[] = [
    { field: 'messageId', apply: (model) => ({ ...model, messageId: `${model.messageId}é` }) },
    { field: 'endToEndId', apply: (model) => ({ ...model, endToEndId: 'E'.repeat(36) }) },
    { field: 'uetr', apply: (model) => ({ ...model, uetr: model.uetr.replace(/^./, 'g') }) },
    { field: 'settlementAmount', apply: (model) => ({ ...model, settlementAmount: { ...model.settlementAmount, amountMinor: -model.settlementAmount.amountMinor } }) },
    { field: 'settlementDate', apply: (model) => ({ ...model, settlementDate: model.settlementDate.replace(/-\d\d$/, '-32') }) },
    { field: 'instructedAgent', apply: (model) => ({ ...model, instructedAgent: {} }) },
    { field: 'debtor.name', apply: (model) => ({ ...model, debtor: { ...model.debtor, name: `${model.debtor.name ?? ''}\u00e9` } }) },
    { field: 'chargeBearer', apply: (model) => ({ ...model, chargeBearer: 'SLEV' as CreditTransfer['chargeBearer'] }) },
  ];

  it('random valid models with one field broken are refused, the issue naming that field', () => {
    fc.assert(
      fc.property(creditTransferArbitrary, fc.constantFrom(...breakages), (model, breakage) => {
        expect(fields(refusal(breakage.apply(model)))).toContain(breakage.field);
      }),
      { numRuns: 100 },
    );
  });
});

describe('pacs.008 parser refuses a message breaking a rule, naming the XML path', () => {
  const xml = xmlOf(exampleCreditTransfer);
  const tx = 'Document/FIToFICstmrCdtTrf/CdtTrfTxInf';
  const parsedIssues = (text: string) => {
    const parsed = parsePacs008(text);
    expect(parsed.ok).toBe(false);
    return parsed.ok ? [] : parsed.issues;
  };

  it('a missing UETR', () => {
    expect(parsedIssues(xml.replace(/<UETR>[^<]*<\/UETR>/, ''))).toContainEqual(expect.objectContaining({ field: `${tx}/PmtId/UETR`, rule: 'xml.element_missing' }));
  });

  it('two transactions (CBPR+ sends one)', () => {
    const twice = xml.replace(/(<CdtTrfTxInf>.*<\/CdtTrfTxInf>)/, '$1$1');
    expect(parsedIssues(twice)).toContainEqual(expect.objectContaining({ field: `${tx}`, rule: 'xml.element_repeated' }));
    expect(parsedIssues(xml.replace('<NbOfTxs>1</NbOfTxs>', '<NbOfTxs>2</NbOfTxs>'))).toContainEqual(expect.objectContaining({ field: 'Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs', rule: 'cbpr.one_transaction' }));
  });

  it('an element outside the schema is refused, not dropped', () => {
    const withUnknown = xml.replace('<RmtInf>', '<Taxes><RefNb>1</RefNb></Taxes><RmtInf>');
    expect(parsedIssues(withUnknown)).toContainEqual(expect.objectContaining({ field: `${tx}/Taxes`, rule: 'xml.element_not_supported' }));
  });

  it('an element the schema defines and the model does not carry is left out with a note (parseMx), not refused', () => {
    const withTax = xml.replace('<RmtInf>', '<Tax><RefNb>1</RefNb></Tax><RmtInf>');
    expect(parsePacs008(withTax)).toEqual({ ok: true, value: exampleCreditTransfer });
    const parsed = parseMx(withTax);
    expect(parsed.ok && parsed.value.notes).toEqual([expect.objectContaining({ field: `${tx}/Tax`, kind: 'dropped' })]);
  });

  it('an amount with more decimals than its currency, or no Ccy', () => {
    expect(parsedIssues(xml.replace('>12500.75<', '>12500.755<'))).toContainEqual(expect.objectContaining({ field: `${tx}/IntrBkSttlmAmt`, rule: 'iso4217.fraction_digits' }));
    expect(parsedIssues(xml.replace('<IntrBkSttlmAmt Ccy="EUR">', '<IntrBkSttlmAmt>'))).toContainEqual(expect.objectContaining({ field: `${tx}/IntrBkSttlmAmt/@Ccy`, rule: 'xml.attribute_missing' }));
  });

  it('a CBPR+ rule broken in the XML names the XML path', () => {
    const noCountry = xml.replace('<Ctry>GB</Ctry>', '');
    expect(parsedIssues(noCountry)).toContainEqual(expect.objectContaining({ field: `${tx}/Cdtr/PstlAdr/Ctry`, rule: 'cbpr.address_structured' }));
    expect(parsedIssues(xml.replace('<SttlmMtd>INDA</SttlmMtd>', '<SttlmMtd>CLRG</SttlmMtd>'))).toContainEqual(expect.objectContaining({ field: 'Document/FIToFICstmrCdtTrf/GrpHdr/SttlmInf/SttlmMtd', rule: 'cbpr.settlement_method' }));
  });

  it('a header that disagrees with its document', () => {
    expect(parsedIssues(xml.replace('<BizMsgIdr>QNX20251124-000042</BizMsgIdr>', '<BizMsgIdr>OTHER</BizMsgIdr>'))).toContainEqual(expect.objectContaining({ field: 'AppHdr/BizMsgIdr', rule: 'mx.header_mismatch' }));
    expect(parsedIssues(xml.replace('<BizSvc>swift.cbprplus.02</BizSvc>', '<BizSvc>swift.other</BizSvc>'))).toContainEqual(expect.objectContaining({ field: 'AppHdr/BizSvc', rule: 'mx.business_service' }));
  });

  it('another document type is refused as such', () => {
    expect(parsedIssues(xml.replaceAll('pacs.008.001.08', 'pacs.002.001.10'))).toContainEqual(expect.objectContaining({ rule: 'mx.type' }));
  });

  it('prefixed namespaces and indentation are read as well', () => {
    const start = xml.indexOf('<Document');
    const end = xml.indexOf('</Document>') + '</Document>'.length;
    const document = xml
      .slice(start, end)
      .replace(' xmlns=', ' xmlns:d=')
      .replace(/<(\/?)([A-Za-z0-9]+)/g, '<$1d:$2')
      .replace(/></g, '>\n  <');
    expect(parsePacs008(`${xml.slice(0, start)}${document}${xml.slice(end)}`)).toEqual({ ok: true, value: exampleCreditTransfer });
  });
});

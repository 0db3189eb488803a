/**
 * Regression tests for the review of the MT↔MX translation against public sample shapes: remittance
 * text MT cannot start a line with (F4), 50F's further lines (F5), a cover payment's reimbursement
 * agents (F7), file-shaped FIN text (F9).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPacs008, parsePacs008 } from '../../packages/protocols/src/iso20022/index';
import { creditTransferArbitrary, exampleCreditTransfer } from '../../packages/protocols/src/iso20022/testing/arbitraries';
import type { Checked } from '../../packages/protocols/src/payment/model';
import { creditTransferToMt103, parseFin, validateFin } from '../../packages/protocols/src/swift-mt/index';
import { editMt103, finText } from '../../packages/protocols/src/swift-mt/test-messages';
import { translate, translateMt103ToPacs008, translatePacs008ToMt103 } from '../../packages/protocols/src/translate/index';

function ok<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

describe('F4 pacs.008 remittance with runs of - and : becomes a valid MT103', () => {
  for (const [name, text] of [
    ['a separator line of dashes', '-'.repeat(140)],
    ['a colon then dashes at a wrap boundary', `${'A'.repeat(34)}:B${'-'.repeat(40)}`],
    ['colons and dashes mixed', ':-'.repeat(70)],
  ] as const) {
    it(`${name}: translated, valid, no line of 70 starts with : or -`, () => {
      const mx = ok(buildPacs008({ ...exampleCreditTransfer, remittanceInformation: text }));
      const mt = ok(translatePacs008ToMt103(mx));
      const message = ok(parseFin(mt.output));
      expect(validateFin(message)).toEqual([]);
      const lines = message.text?.find((field) => field.tag === '70')?.value.split('\n') ?? [];
      for (const line of lines.slice(1)) expect(line).not.toMatch(/^[:-]/);
      if (text.length > 105) expect(mt.notes.some((note) => note.field === 'remittanceInformation')).toBe(true);
    });
  }
});

describe('F5 a 50F with further 3/ and 6/ lines translates to pacs.008', () => {
  it('the town continued, the identifier as Othr with scheme CUST', () => {
    const text = finText(editMt103({ set: [['50F', '/DE89370400440532013000\n1/JOHN DOE\n3/DE/FRANKFURT AM\n3/MAIN\n6/DE/ABC BANK/1234578293']] }));
    const mx = ok(translateMt103ToPacs008(text));
    const model = ok(parsePacs008(mx.output));
    expect(model.debtor.postalAddress).toMatchObject({ country: 'DE', townName: 'FRANKFURT AM MAIN' });
    expect(model.debtor.otherId).toEqual({ id: '1234578293', scheme: 'CUST', issuer: 'DE/ABC BANK' });
  });
});

describe('F7 an MT103 with 53a/54a translates as a COVE settlement', () => {
  it('53A and 54A become InstgRmbrsmntAgt and InstdRmbrsmntAgt, SttlmMtd COVE, and back', () => {
    const text = finText(editMt103({ set: [['53A', 'CORRDEFF'], ['54A', 'CORRITMM']] }));
    const mx = ok(translateMt103ToPacs008(text));
    expect(mx.output).toContain('<SttlmMtd>COVE</SttlmMtd>');
    expect(mx.output).toContain('<InstgRmbrsmntAgt><FinInstnId><BICFI>CORRDEFF</BICFI></FinInstnId></InstgRmbrsmntAgt>');
    expect(mx.output).toContain('<InstdRmbrsmntAgt><FinInstnId><BICFI>CORRITMM</BICFI></FinInstnId></InstdRmbrsmntAgt>');
    const back = ok(translatePacs008ToMt103(mx.output));
    expect(back.output).toContain(':53A:CORRDEFF');
    expect(back.output).toContain(':54A:CORRITMM');
  });
  it('53A alone translates', () => {
    const mx = ok(translateMt103ToPacs008(finText(editMt103({ set: [['53A', 'CORRDEFF']] }))));
    expect(mx.output).toContain('<SttlmMtd>COVE</SttlmMtd>');
  });
});

describe('F9 file-shaped FIN text', () => {
  it('a leading BOM and blank line are accepted by translate', () => {
    expect(translate(`\uFEFF\r\n${finText(editMt103({}))}`).ok).toBe(true);
  });
});

describe('70 narrative lines', () => {
  it('lines shorter than 35 keep a space between their words in RmtInf/Ustrd', () => {
    const mx = ok(translateMt103ToPacs008(finText(editMt103({ set: [['70', '/ROC/ORDER-2024-17\nINVOICE 123\nAND 456']] }))));
    expect(mx.output).toContain('<Ustrd>INVOICE 123 AND 456</Ustrd>');
  });
});

describe('no model makes the MT builder or the translation throw', () => {
  it('random pacs.008 models (with remittance text of - and :) translate or are refused, never throw', () => {
    const text = fc.string({ unit: fc.constantFrom('A', ' ', '-', ':', '/', '.'), minLength: 1, maxLength: 140 });
    fc.assert(
      fc.property(creditTransferArbitrary, text, (model, remittanceInformation) => {
        const source = { ...model, remittanceInformation };
        creditTransferToMt103(source);
        const mx = buildPacs008(source);
        if (mx.ok) translatePacs008ToMt103(mx.value);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Any message in, told apart by syntax and type: `translate` picks the direction, `readSwiftMessage`
 * maps a valid message to its model and lists every issue of an invalid one, `buildSwiftMessage`
 * takes model JSON with amounts as strings and refuses a wrong shape naming the JSON path.
 */
import { describe, expect, it } from 'vitest';
import { buildPacs009 } from '../../packages/protocols/src/iso20022/index';
import { institutionTransferArbitrary } from '../../packages/protocols/src/iso20022/testing/arbitraries';
import fc from 'fast-check';
import type { Checked } from '../../packages/protocols/src/payment/model';
import { editMt103, finText, mt202Base, mt940Base } from '../../packages/protocols/src/swift-mt/test-messages';
import { buildSwiftMessage, modelToJson, readSwiftMessage, translate } from '../../packages/protocols/src/translate/index';

function ok<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

describe('translate: the direction from the message itself', () => {
  it('MT103 → pacs.008 → MT103, MT940 → camt.053 → MT940 or MT950', () => {
    const payment = finText(editMt103({}));
    const mx = ok(translate(`\uFEFF  ${payment}`));
    expect([mx.from, mx.to]).toEqual(['mt103', 'pacs.008']);
    expect(ok(translate(mx.output)).output).toBe(payment);
    const statement = finText(mt940Base, { type: '940', userHeader: '' });
    const camt = ok(translate(statement));
    expect([camt.from, camt.to]).toEqual(['mt940', 'camt.053']);
    expect(ok(translate(camt.output)).output).toBe(statement);
    expect(ok(translate(camt.output, { statementType: '950' })).to).toBe('mt950');
  });

  it('refuses what it does not translate, saying which', () => {
    const mt202 = translate(finText(mt202Base, { type: '202' }));
    expect(mt202.ok ? [] : mt202.issues.map((entry) => entry.rule)).toEqual(['translate.unsupported']);
    const pacs009 = translate(ok(buildPacs009(fc.sample(institutionTransferArbitrary, { numRuns: 1, seed: 7 })[0]!)));
    expect(pacs009.ok ? [] : pacs009.issues.map((entry) => entry.rule)).toEqual(['translate.unsupported']);
    expect(translate('hello').ok).toBe(false);
  });
});

describe('reading and building any message', () => {
  it('reads a valid MT into its model and an invalid one into its issues, with the blocks', () => {
    const read = ok(readSwiftMessage(finText(editMt103({}))));
    expect([read.syntax, read.format, read.issues]).toEqual(['mt', 'mt103', []]);
    expect(read.model).toMatchObject({ settlementAmount: { amountMinor: 250_000n, currency: 'EUR' } });
    const broken = ok(readSwiftMessage(finText(editMt103({ set: [['32A', '240115EUR2500,001']] }))));
    expect(broken.model).toBeUndefined();
    expect(broken.fin?.text?.some((field) => field.tag === '32A')).toBe(true);
    expect(broken.issues.map((entry) => entry.field)).toContain('32A');
  });

  it('builds from JSON with amounts as strings, and names the path of every wrong shape', () => {
    const read = ok(readSwiftMessage(finText(editMt103({}))));
    const json = JSON.parse(modelToJson({ format: 'pacs.008', message: read.model })) as unknown;
    const built = ok(buildSwiftMessage(json));
    expect(built.text).toContain('<IntrBkSttlmAmt Ccy="EUR">2500.00</IntrBkSttlmAmt>');
    const wrong = buildSwiftMessage({ format: 'mt103', message: { ...(json as { message: object }).message, settlementAmount: { amountMinor: 2500, currency: 'EUR' }, debtor: 'ANNA', extra: 1 } });
    expect(wrong.ok ? [] : wrong.issues.map((entry) => `${entry.field} ${entry.rule}`)).toEqual(['message.extra json.unknown', 'message.settlementAmount.amountMinor json.type', 'message.debtor json.type']);
    const refused = buildSwiftMessage({ format: 'mt103', message: { ...(json as { message: object }).message, instructionId: 'A//B' } });
    expect(refused.ok ? [] : refused.issues.map((entry) => `${entry.field} ${entry.rule}`)).toEqual(['message.instructionId slash']);
    expect(buildSwiftMessage({ format: 'mt999', message: {} }).ok).toBe(false);
  });
});

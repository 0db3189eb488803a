/**
 * Every MX builder's output validates against the official ISO 20022 schemas (read in place from
 * ../shared/vectors/iso20022-xsd) with libxml2 (xmllint-wasm), AppHdr and Document both, with zero
 * errors — for a hand-written example and for random valid models (one libxml2 run per type for
 * the whole batch) — and parses back to the same model. A missing schema folder fails under CI;
 * outside CI the file is skipped with the reason printed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCamt053,
  buildCamt056,
  buildPacs002,
  buildPacs004,
  buildPacs008,
  buildPacs009,
  buildPain001,
  parseCamt053,
  parseCamt056,
  parsePacs002,
  parsePacs004,
  parsePacs008,
  parsePacs009,
  parsePain001,
} from '../../packages/protocols/src/iso20022/index';
import type { MxType } from '../../packages/protocols/src/iso20022/message';
import {
  cancellationRequestArbitrary,
  creditTransferArbitrary,
  customerInitiationArbitrary,
  exampleCreditTransfer,
  institutionTransferArbitrary,
  paymentReturnArbitrary,
  paymentStatusReportArbitrary,
  statementArbitrary,
} from '../../packages/protocols/src/iso20022/testing/arbitraries';
import { defaultIso20022SchemaDir, envelopesPerValidationMax, missingSchemaFiles, validateAgainstSchema, validateBatchAgainstSchema, validateManyAgainstSchema } from '../../packages/protocols/src/node/index';
import type { Checked } from '../../packages/protocols/src/payment/model';

const types: readonly MxType[] = ['pacs.008.001.08', 'pacs.009.001.08', 'pacs.002.001.10', 'pacs.004.001.09', 'camt.053.001.08', 'camt.056.001.08', 'pain.001.001.09'];
const schemaDir = defaultIso20022SchemaDir();
const missing = missingSchemaFiles(types, schemaDir);
const ci = Boolean(process.env.CI);
if (missing.length > 0 && !ci) console.warn(`ISO 20022 schema tests not run: ${missing.join(', ')} missing from ${schemaDir}`);
const describeWithSchemas = missing.length > 0 && !ci ? describe.skip : describe;
/** Random models per message type, validated in one libxml2 run. */
const propertyRuns = 60;

function built(result: Checked<string>): string {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

interface Case<T> {
  readonly type: MxType;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly build: (model: T) => Checked<string>;
  readonly parse: (xml: string) => Checked<T>;
}

const cases: readonly Case<never>[] = [
  { type: 'pacs.008.001.08', arbitrary: creditTransferArbitrary, build: buildPacs008, parse: parsePacs008 },
  { type: 'pacs.002.001.10', arbitrary: paymentStatusReportArbitrary, build: buildPacs002, parse: parsePacs002 },
  { type: 'pacs.004.001.09', arbitrary: paymentReturnArbitrary, build: buildPacs004, parse: parsePacs004 },
  { type: 'pacs.009.001.08', arbitrary: institutionTransferArbitrary, build: buildPacs009, parse: parsePacs009 },
  { type: 'camt.053.001.08', arbitrary: statementArbitrary, build: buildCamt053, parse: parseCamt053 },
  { type: 'camt.056.001.08', arbitrary: cancellationRequestArbitrary, build: buildCamt056, parse: parseCamt056 },
  { type: 'pain.001.001.09', arbitrary: customerInitiationArbitrary, build: buildPain001, parse: parsePain001 },
] as unknown as readonly Case<never>[];

describe('the ISO 20022 schema folder', () => {
  it.runIf(ci || missing.length === 0)('holds the header and every document schema (under CI their absence fails here)', () => {
    expect(missing, `missing from ${schemaDir}; set QENEX_ISO20022_XSD to the folder of the official ISO 20022 schemas`).toEqual([]);
  });

  it('a folder without the schemas makes validation reject (it never reports a message valid unchecked)', async () => {
    const xml = built(buildPacs008(exampleCreditTransfer));
    expect(missingSchemaFiles(['pacs.008.001.08'], '/nonexistent/xsd')).toEqual(['head.001.001.02.xsd', 'pacs.008.001.08.xsd']);
    await expect(validateAgainstSchema(xml, 'pacs.008.001.08', { schemaDir: '/nonexistent/xsd' })).rejects.toThrow(/ENOENT/);
  });
});

describeWithSchemas("ISO 20022's schemas accept what the MX builders write", () => {
  it('a pacs.008 of the payment flow validates (AppHdr and Document) with zero errors', async () => {
    const result = await validateAgainstSchema(built(buildPacs008(exampleCreditTransfer)), 'pacs.008.001.08', { schemaDir });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validator reports a broken Document and a broken AppHdr (it is not a rubber stamp)', async () => {
    const xml = built(buildPacs008(exampleCreditTransfer));
    const [documentBroken, headerBroken] = await validateBatchAgainstSchema(
      [xml.replace('<ChrgBr>SHAR</ChrgBr>', '<ChrgBr>XXXX</ChrgBr>'), xml.replace('<BizMsgIdr>', '<BizMsgId>').replace('</BizMsgIdr>', '</BizMsgId>')],
      'pacs.008.001.08',
      { schemaDir },
    );
    expect(documentBroken?.valid).toBe(false);
    expect(documentBroken?.errors.join('\n')).toContain('ChrgBr');
    expect(headerBroken?.valid).toBe(false);
    expect(headerBroken?.errors.join('\n')).toContain('BizMsgId');
  });

  it(`a batch longer than ${envelopesPerValidationMax} goes through several libxml2 runs, every result in order`, async () => {
    const xml = built(buildPacs008(exampleCreditTransfer));
    const broken = xml.replace('<ChrgBr>SHAR</ChrgBr>', '<ChrgBr>XXXX</ChrgBr>');
    const xmls = Array.from({ length: envelopesPerValidationMax + 2 }, (_, index) => (index === envelopesPerValidationMax ? broken : xml));
    const results = await validateBatchAgainstSchema(xmls, 'pacs.008.001.08', { schemaDir });
    expect(results.map((result) => result.valid)).toEqual(xmls.map((_, index) => index !== envelopesPerValidationMax));
  });

  it('a batch of mixed types is validated per type and answered in input order', async () => {
    const statusReport = fc.sample(paymentStatusReportArbitrary, { numRuns: 1, seed: 4 })[0]!;
    const items = [
      { xml: built(buildPacs002(statusReport)), type: 'pacs.002.001.10' as const },
      { xml: built(buildPacs008(exampleCreditTransfer)), type: 'pacs.008.001.08' as const },
      { xml: built(buildPacs008(exampleCreditTransfer)), type: 'pacs.002.001.10' as const },
    ];
    const results = await validateManyAgainstSchema(items, { schemaDir });
    expect(results.map((result) => result.valid)).toEqual([true, true, false]);
  });

  for (const { type, arbitrary, build, parse } of cases) {
    it(`${propertyRuns} random valid ${type} models build envelopes with zero schema errors and parse back to the same model`, async () => {
      const models = fc.sample(arbitrary, { numRuns: propertyRuns, seed: 2025 });
      const xmls = models.map((model) => built(build(model)));
      for (const [index, xml] of xmls.entries()) expect(parse(xml)).toEqual({ ok: true, value: models[index] });
      const results = await validateBatchAgainstSchema(xmls, type, { schemaDir });
      const failures = results.map((result, index) => ({ index, result })).filter(({ result }) => !result.valid || result.errors.length > 0);
      expect(failures.slice(0, 3).map(({ index, result }) => ({ xml: xmls[index], errors: result.errors }))).toEqual([]);
      expect(results).toHaveLength(propertyRuns);
    });
  }
});

/**
 * SWIFT MX (ISO 20022) throughput:
 *
 * - `swift.pacs008` (best of three rounds each, alternating which runs first): pacs.008 envelopes built from varied credit transfers (random valid models,
 *   seed 1: every optional part, all currency exponents, escaping-sensitive text) and validated
 *   against the official head.001.001.02 and pacs.008.001.08 schemas with libxml2
 *   (xmllint-wasm), per second — against a baseline in the same run of schema validation alone of
 *   the same envelopes, in the same batches. The ratio says what building (with all the CBPR+
 *   checks) adds to the validation a payment needs anyway. Every envelope must validate with zero
 *   errors, and the first of each batch must parse back to its model, or nothing is reported.
 */
import fc from 'fast-check';
import { buildPacs008, parsePacs008 } from '../packages/protocols/src/iso20022/index';
import { creditTransferArbitrary } from '../packages/protocols/src/iso20022/testing/arbitraries';
import { defaultIso20022SchemaDir, missingSchemaFiles, validateBatchAgainstSchema } from '../packages/protocols/src/node/index';
import type { CreditTransfer } from '../packages/protocols/src/payment/model';
import { check, log, throughput, type Benchmark } from './support';

const messages = 2_000;
/** Envelopes per libxml2 run: each run starts a worker and compiles the schemas (~50–85 ms). */
const batchSize = 500;
/** Rounds of each side; the fastest of each is reported. */
const rounds = 3;

function builtEnvelope(model: CreditTransfer): string {
  const built = buildPacs008(model);
  check(built.ok, `a valid model builds (${built.ok ? '' : JSON.stringify(built.issues.slice(0, 2))})`);
  return built.value;
}

async function validateAll(xmls: readonly string[], schemaDir: string): Promise<void> {
  for (let start = 0; start < xmls.length; start += batchSize) {
    const results = await validateBatchAgainstSchema(xmls.slice(start, start + batchSize), 'pacs.008.001.08', { schemaDir });
    results.forEach((result, index) => check(result.valid && result.errors.length === 0, `envelope ${start + index} validates with zero errors: ${result.errors.slice(0, 2).join(' ')}`));
  }
}

/** Builds every model and validates in batches as they fill; returns the envelopes. */
async function buildAndValidate(models: readonly CreditTransfer[], schemaDir: string): Promise<string[]> {
  const all: string[] = [];
  for (let start = 0; start < models.length; start += batchSize) {
    const batch = models.slice(start, start + batchSize).map(builtEnvelope);
    await validateAll(batch, schemaDir);
    all.push(...batch);
  }
  return all;
}

const pacs008: Benchmark = {
  name: 'swift.pacs008',
  run: async () => {
    const schemaDir = defaultIso20022SchemaDir();
    const missing = missingSchemaFiles(['pacs.008.001.08'], schemaDir);
    check(missing.length === 0, `ISO 20022 schemas missing from ${schemaDir}: ${missing.join(', ')}`);
    const models = fc.sample(creditTransferArbitrary, { numRuns: messages, seed: 1 });
    // Warm-up: the schema files are read and cached, the WebAssembly module compiled.
    await validateAll(models.slice(0, 10).map(builtEnvelope), schemaDir);
    // Rounds alternate which side runs first, and each side keeps its fastest round: the machine's
    // noise (other work on its cores) then slows neither side more than the other.
    let seconds = Number.POSITIVE_INFINITY;
    let baselineSeconds = Number.POSITIVE_INFINITY;
    let xmls: string[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const measured = async () => {
        const started = performance.now();
        xmls = await buildAndValidate(models, schemaDir);
        seconds = Math.min(seconds, (performance.now() - started) / 1000);
      };
      const baseline = async () => {
        const prebuilt = xmls.length === models.length ? xmls : models.map(builtEnvelope);
        const started = performance.now();
        await validateAll(prebuilt, schemaDir);
        baselineSeconds = Math.min(baselineSeconds, (performance.now() - started) / 1000);
      };
      if (round % 2 === 0) {
        await measured();
        await baseline();
      } else {
        await baseline();
        await measured();
      }
    }
    for (let index = 0; index < models.length; index += batchSize) {
      const parsed = parsePacs008(xmls[index] ?? '');
      check(parsed.ok && canonical(parsed.value) === canonical(models[index]), `envelope ${index} parses back to its model`);
    }
    log(`swift.pacs008: ${xmls.length} envelopes, ${Math.round(xmls.reduce((sum, xml) => sum + xml.length, 0) / xmls.length)} characters on average`);
    return throughput('swift.pacs008', 'messages/s', xmls.length, seconds, xmls.length, baselineSeconds, `schema validation alone of the same ${xmls.length} envelopes (xmllint-wasm, batches of ${batchSize})`);
  },
};

/** A model as text with sorted keys (fast-check's records need not share the parser's key order or prototype). */
function canonical(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonical(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const swiftMxBenchmarks: readonly Benchmark[] = [pacs008];

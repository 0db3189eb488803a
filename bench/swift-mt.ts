/**
 * SWIFT MT parsing:
 *
 * - `swift.mt103.parse`: MT103 messages parsed (`parseFin`) and validated (`validateFin`: headers,
 *   every field's characters and format, structure, C1–C18) per second on one core, against a bare
 *   split of the same messages into blocks and `:tag:value` fields (indexOf and one regular
 *   expression, no validation) in the same run. The 20,000 messages are built from seeded random
 *   credit transfers (names, addresses, options A/D/F/K, 50F/59F, charges, 23E codes, long
 *   remittance vary); before timing, every one must parse with zero issues.
 */
import fc from 'fast-check';
import { creditTransferToMt103, parseFin, validateFin } from '../packages/protocols/src/swift-mt/index';
import { creditTransfer } from '../packages/protocols/src/swift-mt/test-arbitraries';
import { check, log, throughput, type Benchmark } from './support';

const messageCount = 20_000;
const seed = 103;
/** Rounds over all the messages; the first warms the code up and is not timed. */
const timedRounds = 2;

function messages(): string[] {
  const models = fc.sample(creditTransfer({ exact: false }), { seed, numRuns: messageCount });
  return models.map((model) => {
    const built = creditTransferToMt103(model);
    check(built.ok, `the benchmark's model ${model.instructionId} builds`);
    return built.value.text;
  });
}

/** The baseline: blocks by a regular expression, block 4 split into fields at each line starting `:tag:`, nothing checked. */
function bareSplit(text: string): number {
  let parts = 0;
  for (const block of text.matchAll(/\{([0-9A-Z]):/g)) parts += block[1] === undefined ? 0 : 1;
  const start = text.indexOf('{4:');
  const end = text.indexOf('\r\n-}', start);
  for (const field of text.slice(start + 5, end).split(/\r\n(?=:\d{2}[A-Z]?:)/)) {
    const colon = field.indexOf(':', 1);
    parts += field.slice(1, colon).length > 0 && field.slice(colon + 1).length >= 0 ? 1 : 0;
  }
  return parts;
}

function timed(texts: readonly string[], work: (text: string) => number): { seconds: number; total: number } {
  let seconds = 0;
  let total = 0;
  for (let round = 0; round <= timedRounds; round += 1) {
    const started = performance.now();
    for (const text of texts) total += work(text);
    if (round > 0) seconds += (performance.now() - started) / 1000;
  }
  return { seconds, total };
}

function parseAndValidate(text: string): number {
  const parsed = parseFin(text);
  if (!parsed.ok) return -1;
  return validateFin(parsed.value).length === 0 ? (parsed.value.text?.length ?? 0) : -1;
}

const parse: Benchmark = {
  name: 'swift.mt103.parse',
  run: async () => {
    const texts = messages();
    const varieties = new Set(texts.map((text) => [...text.matchAll(/\r\n:(5[0-9][A-Z]?):/g)].map((match) => match[1]).join(' ')));
    log(`swift-mt: ${texts.length} MT103 messages, ${varieties.size} different party/agent field combinations`);
    for (const text of texts) {
      const parsed = parseFin(text);
      check(parsed.ok, 'every benchmark message parses');
      const issues = validateFin(parsed.value);
      check(issues.length === 0, `every benchmark message validates: ${JSON.stringify(issues[0])}`);
    }
    const full = timed(texts, parseAndValidate);
    check(full.total > 0 && !texts.some((text) => parseAndValidate(text) < 0), 'no message failed while timed');
    const bare = timed(texts, bareSplit);
    check(bare.total > 0, 'the bare split found the fields');
    return throughput('swift.mt103.parse', 'messages/s', texts.length * timedRounds, full.seconds, texts.length * timedRounds, bare.seconds, 'bare split into blocks and fields (regex/indexOf, no validation), same messages');
  },
};

export const swiftMtBenchmarks: readonly Benchmark[] = [parse];

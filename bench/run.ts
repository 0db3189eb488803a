/**
 * `npm run bench [-- PREFIX…]`: runs every benchmark whose name starts with one of the prefixes
 * (all of them when none is given) and prints one JSON line per figure on standard output.
 * Progress and failures go to standard error; a benchmark whose data breaks an invariant prints
 * nothing and makes the run exit non-zero.
 */
import { admissionBenchmarks } from './admission';
import { aiBenchmarks } from './ai';
import { cbdcBenchmarks } from './cbdc';
import { drBenchmarks } from './dr';
import { ledgerBenchmarks } from './ledger';
import { rulesBenchmarks } from './rules';
import { screeningBenchmarks } from './screening';
import { serverBenchmarks } from './server';
import { swiftMtBenchmarks } from './swift-mt';
import { swiftMxBenchmarks } from './swift-mx';
import { syncBenchmarks } from './sync';
import { uiBenchmarks } from './ui';
import { figureLine, log, type Benchmark } from './support';

const registry: readonly Benchmark[] = [...ledgerBenchmarks, ...serverBenchmarks, ...syncBenchmarks, ...admissionBenchmarks, ...uiBenchmarks, ...drBenchmarks, ...screeningBenchmarks, ...rulesBenchmarks, ...aiBenchmarks, ...swiftMxBenchmarks, ...swiftMtBenchmarks, ...cbdcBenchmarks];

function selected(prefixes: readonly string[]): Benchmark[] {
  if (prefixes.length === 0) return [...registry];
  return registry.filter((benchmark) => prefixes.some((prefix) => benchmark.name.startsWith(prefix)));
}

async function main(prefixes: readonly string[]): Promise<number> {
  const benchmarks = selected(prefixes);
  if (benchmarks.length === 0) {
    log(`no benchmark starts with ${prefixes.join(' or ')}; known: ${registry.map((b) => b.name).join(', ')}`);
    return 1;
  }
  let failed = 0;
  for (const benchmark of benchmarks) {
    log(`running ${benchmark.name}`);
    try {
      const figure = await benchmark.run();
      process.stdout.write(`${figureLine(figure)}\n`);
    } catch (error) {
      failed += 1;
      log(`${benchmark.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

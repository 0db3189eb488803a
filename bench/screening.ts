/**
 * Fuzzy sanctions screening against the full index of every list in ../shared/vectors/sanctions
 * (OFAC SDN CSV, UN consolidated, OFAC consolidated non-SDN, the EU sample), on the labelled set of
 * test/screening/labelled-set.ts (seed 1: 1,200 true variants, 1,200 look-alikes):
 *
 * - `screening.quality`: recall at `shippedThreshold`, against exact token-set screening
 *   (`screenName`) on the same set; `screening.quality.precision` and `screening.quality.f1` beside
 *   it, each against the same baseline. (A figure line has one value; the three come from one run.)
 * - `screening.rate`: names screened per second with `screenFuzzy` on one core, against a
 *   brute-force scan of every indexed name with the same per-pair scorer (`screenFuzzyByScan`,
 *   same memo of token similarities) in the same run. Before reporting, the index must have found
 *   every strong match (score ≥ 0.9) the scan found for the scanned queries.
 */
import { buildFuzzyIndex, buildScreeningIndex, fuzzyMatchesMax, screenFuzzy, screenFuzzyByScan, screenName, shippedThreshold, type FuzzyIndex } from '@qenex/engine';
import { buildLabelledSet, describeQuality, loadSanctionsLists, measure, missingVectors, type LabelledItem, type LabelledSet, type Quality } from '../test/screening/labelled-set';
import { check, log, throughput, type Benchmark, type Figure } from './support';

const setSize = { seed: 1, positives: 1_200, negatives: 1_200 };
/** Queries the scan baseline screens: a scan costs about a hundred times more. */
const scannedQueries = 40;
/** Rounds of the indexed pass; the first warms the code up and is not timed. */
const timedRounds = 2;
const strongMatch = 0.9;

interface Workload {
  readonly index: FuzzyIndex;
  readonly set: LabelledSet;
  readonly fuzzy: Quality;
  readonly exact: Quality;
}

const entryOf = (item: { readonly listId: string; readonly entryId: string }) => `${item.listId}/${item.entryId}`;

function prepare(): Workload {
  const missing = missingVectors();
  check(missing.length === 0, `sanctions vectors missing: ${missing.join(', ')}`);
  const lists = loadSanctionsLists();
  const index = buildFuzzyIndex(lists);
  check(index.entries.length >= 10_000 && index.names.length >= 20_000, `the full index holds every list (${index.entries.length} entries, ${index.names.length} names)`);
  const set = buildLabelledSet(lists, setSize);
  const fuzzy = measure(set.items, (item: LabelledItem) => screenFuzzy(index, item.query, { limit: fuzzyMatchesMax }).some((match) => match.match && entryOf(match) === entryOf(item)));
  const exactIndex = buildScreeningIndex(lists);
  const exact = measure(set.items, (item: LabelledItem) => screenName(exactIndex, item.query.name).some((match) => entryOf(match) === entryOf(item)));
  log(`screening: ${describeQuality(`fuzzy at ${shippedThreshold}`, fuzzy)}`);
  log(`screening: exact token-set screening recall ${exact.recall.toFixed(3)} precision ${exact.precision.toFixed(3)}`);
  return { index, set, fuzzy, exact };
}

/** The workload of the three quality figures and the rate, made once for all of them. */
function workloadOnce(): () => Workload {
  let made: Workload | undefined;
  return () => (made ??= prepare());
}

function quality(bench: string, unit: 'recall' | 'precision' | 'f1', workload: () => Workload): Benchmark {
  return {
    name: bench,
    run: async () => {
      const { fuzzy, exact, set } = workload();
      const value = round(fuzzy[unit]);
      const baseline = round(exact[unit]);
      // The recall line carries the precision and F1 it was measured at beside it.
      const extra = unit === 'recall' ? { precision: round(fuzzy.precision), f1: round(fuzzy.f1), threshold: shippedThreshold } : undefined;
      return { bench, value, unit, baseline, baselineName: 'exact token-set screening (screenName), same labelled set', ratio: round(value / baseline), n: set.items.length, ...(extra === undefined ? {} : { extra }) } satisfies Figure;
    },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function rate(workload: () => Workload): Benchmark {
  return {
    name: 'screening.rate',
    run: async () => {
      const { index, set } = workload();
      const queries = set.items.map((item) => item.query);
      let seconds = 0;
      for (let pass = 0; pass <= timedRounds; pass += 1) {
        const started = performance.now();
        for (const query of queries) screenFuzzy(index, query, { limit: fuzzyMatchesMax });
        if (pass > 0) seconds += (performance.now() - started) / 1000;
      }
      const scanned = queries.filter((_, at) => at % Math.floor(queries.length / scannedQueries) === 0).slice(0, scannedQueries);
      let scanSeconds = 0;
      for (const query of scanned) {
        const started = performance.now();
        const byScan = screenFuzzyByScan(index, query, { limit: fuzzyMatchesMax });
        scanSeconds += (performance.now() - started) / 1000;
        const found = screenFuzzy(index, query, { limit: fuzzyMatchesMax });
        for (const match of byScan.filter((result) => result.score >= strongMatch)) {
          check(found.some((other) => entryOf(other) === entryOf(match) && other.score === match.score), `the index finds the scan's strong match ${match.matchedName} for ${query.name}`);
        }
      }
      return throughput('screening.rate', 'names/s', queries.length * timedRounds, seconds, scanned.length, scanSeconds, `brute-force scan of all ${index.names.length} indexed names, same scorer`);
    },
  };
}

const workload = workloadOnce();

export const screeningBenchmarks: readonly Benchmark[] = [
  quality('screening.quality', 'recall', workload),
  quality('screening.quality.precision', 'precision', workload),
  quality('screening.quality.f1', 'f1', workload),
  rate(workload),
];

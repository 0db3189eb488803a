/**
 * Runs the deterministic sync simulation over many seeds: `npm run simulate -- [first] [count]`.
 * A failing seed prints its number; rerun it alone with `npm run simulate -- <seed> 1`.
 */
import { runSimulation } from '../test/sync/simulation';

const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 10_000);
const totals = { seeds: 0, commands: 0, accepted: 0, compensated: 0, rejected: 0, refusedLocally: 0, dropped: 0, duplicated: 0, replayedStale: 0, crashes: 0 };
const started = Date.now();
for (let seed = first; seed < first + count; seed += 1) {
  try {
    const report = await runSimulation({ seed });
    totals.seeds += 1;
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) if (key !== 'seeds') totals[key] += report[key];
  } catch (error) {
    process.stdout.write(`seed ${seed} FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  if (seed % 100 === 0) process.stdout.write(`${seed - first + 1} seeds, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
process.stdout.write(`${JSON.stringify(totals)}\n`);

import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulation';

/**
 * Seeds 1-500 here and 501-1000 in the sibling file, so the two run on both cores. Each chunk
 * names its seeds: a failure message carries the seed to rerun with `npm run simulate -- <seed> 1`.
 */
export function simulateSeeds(first: number, last: number, chunk = 50): void {
  describe(`deterministic simulation: seeds ${first}-${last}`, () => {
    for (let start = first; start <= last; start += chunk) {
      const end = Math.min(last, start + chunk - 1);
      it(`heals to one set of books, nothing twice, nothing acknowledged lost, for seeds ${start}-${end}`, async () => {
        let commands = 0;
        let accepted = 0;
        for (let seed = start; seed <= end; seed += 1) {
          const report = await runSimulation({ seed });
          commands += report.commands;
          accepted += report.accepted;
        }
        expect(commands).toBeGreaterThan(0);
        expect(accepted).toBeGreaterThan(0);
      }, 600_000);
    }
  });
}


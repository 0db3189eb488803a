import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulation';

describe('deterministic simulation: branches offline and the central server', () => {
  it('heals to the same books everywhere for seed 1', async () => {
    const report = await runSimulation({ seed: 1 });
    expect(report.commands).toBeGreaterThan(0);
  });
});

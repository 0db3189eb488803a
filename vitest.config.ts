import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suite's order: the two deterministic-simulation files first, one on each worker, then the
 * rest as Vitest orders them (by the durations it cached, or by file size on a fresh clone). The
 * simulation files are three lines long and run twelve minutes each: by size a fresh clone
 * schedules them last, and the second one then starts only after the others, one after the other
 * instead of side by side (measured: 1,358 s for the suite instead of about 950 s).
 */
const longFirst = [/test\/sync\/simulation\.test\.ts$/, /test\/sync\/simulation-more\.test\.ts$/];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = longFirst.findIndex((pattern) => pattern.test(file.moduleId.replaceAll('\\', '/')));
      return index === -1 ? longFirst.length : index;
    };
    return sorted
      .map((file, position) => ({ file, position }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.position - b.position)
      .map((entry) => entry.file);
  }
}

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default leaves one core to itself, which on this two-core machine runs every file in
    // one worker; the suite is CPU-bound in its workers (post-quantum signatures, SQLite), so use them all.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/count-reporter.ts'],
    // The two twelve-minute simulation files start first, side by side (see the sequencer).
    sequence: { sequencer: LongFirstSequencer },
  },
});

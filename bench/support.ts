import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One measured figure: printed as one JSON line in the format of ARCHITECTURE.md ("Benchmarks"). */
export interface Figure {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  readonly baselineName: string;
  /** value ÷ baseline for throughputs, baseline ÷ value for latencies: higher is better either way. */
  readonly ratio: number;
  readonly n: number;
  /** Figures printed beside the value on the same line (`precision` and `f1` beside a recall). */
  readonly extra?: Readonly<Record<string, number>>;
}

export interface Benchmark {
  readonly name: string;
  /** Resolves only after the benchmark has checked the invariants of the data it made; throws otherwise. */
  readonly run: () => Promise<Figure>;
}

export function figureLine(figure: Figure): string {
  return JSON.stringify({
    bench: figure.bench,
    value: figure.value,
    unit: figure.unit,
    baseline: figure.baseline,
    baseline_name: figure.baselineName,
    ratio: figure.ratio,
    n: figure.n,
    ...figure.extra,
  });
}

/** Throughput figure: value and baseline rounded to whole units per second, ratio to two places. */
export function throughput(
  bench: string,
  unit: string,
  n: number,
  seconds: number,
  baselineN: number,
  baselineSeconds: number,
  baselineName: string,
): Figure {
  const value = Math.round(n / seconds);
  const baseline = Math.round(baselineN / baselineSeconds);
  return { bench, value, unit, baseline, baselineName, ratio: Math.round((value / baseline) * 100) / 100, n };
}

/** A broken invariant in a benchmark's data: the benchmark reports nothing. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`benchmark invariant broken: ${message}`);
}

/** A directory under the system temp dir, removed by `dispose` (the databases live on a real disk, never in memory). */
export function temporaryDirectory(prefix: string): { readonly path: string; readonly dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A 128-bit id as 32 lowercase hex digits: a one-digit kind tag (1 to f), then the number. Made by
 * one toString so the string is flat, as ids parsed from a request are (a concatenated string
 * would cost the engine a flattening on its first regex check that real input never does).
 */
export function hexId(kind: number, value: number): string {
  return ((BigInt(kind) << 124n) | BigInt(value)).toString(16);
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Seeded, so every run measures the same workload. */
export { seededRandom } from '@qenex/engine/testing';

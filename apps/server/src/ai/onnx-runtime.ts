/**
 * The server's fraud scorer on onnxruntime-node: an ONNX classifier (ours from the engine's
 * encodeOnnx, or any file decodeOnnx accepts) loaded once, then scoring feature rows to the
 * probability of class 1 (fraud).
 *
 * The session runs with one intra-op thread and sequentially. That is what makes its scores
 * reproducible by our own scorer: with more threads, onnxruntime splits a tree ensemble's trees
 * among the threads (for one row with over 80 trees, or for over 50 rows) and adds their float32
 * partial sums, a different rounding from the one sum in tree order it makes on one thread. The
 * server scores many requests at once by running several scorers, not one scorer on several threads.
 *
 * Which output is read: `probabilities` when the model has it (our layout, onnxmltools'), else
 * its only float tensor output. [N, 2] is read at column 1; [N, 1] or [N] (a Sigmoid after a
 * regressor) as it is. A ZipMap's map output is never fetched.
 */
import assert from 'node:assert/strict';
import type { FraudRuntimeFactory } from '@qenex/engine';
import * as ort from 'onnxruntime-node';

/** The most rows one `score` call takes: a batch above it is split by the caller. */
export const scoreRowCountMax = 65_536;
/** The widest feature vector we feed (the engine's ONNX codec reads no wider model). */
export const scoreFeatureCountMax = 10_000;

export type OnnxRuntimeLoadErrorCode = 'load_failed' | 'unsupported_model';

/** onnxruntime refused the bytes, or the model's inputs and outputs are not a classifier's. */
export class OnnxRuntimeLoadError extends Error {
  override readonly name = 'OnnxRuntimeLoadError';
  constructor(
    readonly code: OnnxRuntimeLoadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const sessionOptions: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
};

interface Layout {
  readonly inputName: string;
  /** The input's width when the model states it; otherwise each call's rows say it. */
  readonly featureCount: number | undefined;
  readonly outputName: string;
  /** How many values a row has in the output: 2 (read column 1) or 1; undefined when the model does not say. */
  readonly outputWidth: 1 | 2 | undefined;
}

export class OnnxRuntimeScorer {
  private closed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly layout: Layout,
    private readonly missingAsZero: boolean,
  ) {}

  /** The model's feature count when it states one (ours always do). */
  get featureCount(): number | undefined {
    return this.layout.featureCount;
  }

  /**
   * `missing: 'zero'` scores a missing value (NaN) as 0: what a linear model means by it (the
   * engine's scorer leaves its term out), where onnxruntime's LinearClassifier would return NaN.
   * Tree ensembles route NaN themselves, so they take the default, 'as_is'.
   */
  static async load(bytes: Uint8Array, options: { readonly missing?: 'as_is' | 'zero' } = {}): Promise<OnnxRuntimeScorer> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (error) {
      throw new OnnxRuntimeLoadError('load_failed', `onnxruntime could not load the model: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return new OnnxRuntimeScorer(session, layoutOf(session), options.missing === 'zero');
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /**
   * The probability of class 1 for each of `count` rows, row-major in `rows` (count × features
   * values; NaN is a missing value, which tree ensembles route, and a linear model turns to NaN unless loaded with `missing: 'zero'`).
   */
  async score(rows: Float32Array, count: number): Promise<Float32Array> {
    assert(!this.closed, 'a closed scorer scores nothing');
    assert(Number.isInteger(count) && count >= 0 && count <= scoreRowCountMax, `a score call takes 0 to ${scoreRowCountMax} rows, got ${count}`);
    if (count === 0) return new Float32Array(0);
    const featureCount = this.layout.featureCount ?? rows.length / count;
    assert(Number.isInteger(featureCount) && featureCount >= 1 && featureCount <= scoreFeatureCountMax, `rows of 1 to ${scoreFeatureCountMax} features, got ${rows.length} values for ${count} rows`);
    assert(rows.length === count * featureCount, `${count} rows of ${featureCount} features are ${count * featureCount} values, got ${rows.length}`);
    const input = this.missingAsZero && rows.some(Number.isNaN) ? rows.map((value) => (value === value ? value : 0)) : rows;
    const feeds = { [this.layout.inputName]: new ort.Tensor('float32', input, [count, featureCount]) };
    const results = await this.session.run(feeds, [this.layout.outputName]);
    const output = results[this.layout.outputName];
    assert(output !== undefined && output.type === 'float32', `onnxruntime returned no float output ${this.layout.outputName}`);
    const values = output.data as Float32Array;
    const width = values.length / count;
    assert((width === 1 || width === 2) && (this.layout.outputWidth ?? width) === width, `onnxruntime returned ${values.length} values for ${count} rows`);
    if (width === 1) return Float32Array.from(values);
    const probabilities = new Float32Array(count);
    for (let row = 0; row < count; row++) probabilities[row] = values[row * 2 + 1]!;
    return probabilities;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

function layoutOf(session: ort.InferenceSession): Layout {
  const inputs = session.inputMetadata;
  if (inputs.length !== 1) throw new OnnxRuntimeLoadError('unsupported_model', `the model takes ${inputs.length} inputs; a classifier takes one feature matrix`);
  const input = inputs[0]!;
  if (!input.isTensor || input.type !== 'float32' || (input.shape.length !== 0 && input.shape.length !== 2)) {
    throw new OnnxRuntimeLoadError('unsupported_model', `input ${input.name} is not a float32 [N, features] tensor`);
  }
  const width = input.shape[1];
  const featureCount = typeof width === 'number' && width >= 1 ? width : undefined;
  const floats = session.outputMetadata.filter((output): output is ort.InferenceSession.TensorValueMetadata => output.isTensor && output.type === 'float32');
  const output = floats.find((candidate) => candidate.name === 'probabilities') ?? (floats.length === 1 ? floats[0] : undefined);
  if (output === undefined) throw new OnnxRuntimeLoadError('unsupported_model', `the model has no 'probabilities' output and ${floats.length} float outputs; we read one`);
  // [N, 2], [N, 1] or [N]; a symbolic or missing width is checked on the first rows scored.
  const columns = output.shape.length === 2 ? output.shape[1] : output.shape.length === 1 ? 1 : undefined;
  if (typeof columns === 'number' && columns !== 1 && columns !== 2) {
    throw new OnnxRuntimeLoadError('unsupported_model', `output ${output.name} has ${columns} columns; a binary classifier has 2 (or 1: the probability of class 1)`);
  }
  return { inputName: input.name, featureCount, outputName: output.name, outputWidth: columns === 1 || columns === 2 ? columns : undefined };
}

/**
 * The server's fraud runtime for the engine: each deployed model file is scored by onnxruntime
 * (a linear model with missing values as 0, as the engine's scorer reads them). One session per
 * file; a score is one row through it.
 */
export function onnxRuntimeFactory(): FraudRuntimeFactory {
  return async (deployed) => {
    const scorer = await OnnxRuntimeScorer.load(deployed.bytes, { missing: deployed.model.kind === 'linear' ? 'zero' : 'as_is' });
    return {
      // A row of its own per call: onnxruntime reads the tensor while other payments are scored.
      score: async (values) => (await scorer.score(Float32Array.from(values), 1))[0]!,
    };
  };
}

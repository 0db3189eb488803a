import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLeaf, type LinearModel, type ModelMetadata, type Tree, type TreeEnsembleModel, type TreeNode } from './model';
import {
  decodeOnnx,
  encodeModelProto,
  encodeOnnx,
  OnnxModelError,
  onnxElementType,
  onnxMetadataKeys,
  recomputeCovers,
  type OnnxAttribute,
  type OnnxModelErrorCode,
  type OnnxNode,
} from './onnx';

// ---------------------------------------------------------------------------------------------
// Random models, drawn with fast-check (so a failure shrinks to a small model)

type Draw = fc.GeneratorValue;

const float32 = (draw: Draw): number => draw(fc.float, { noNaN: true, noDefaultInfinity: true });
/** JSON has no −0: covers and metrics are written as JSON, so −0 would come back as 0. */
const plainZero = (value: number): number => (value === 0 ? 0 : value);

function drawTree(draw: Draw, featureCount: number, depthMax: number): Tree {
  const preorder: TreeNode[] = [];
  const cover = (): number => plainZero(draw(fc.double, { min: 0, max: 1e9, noNaN: true }));
  const build = (depth: number): number => {
    const index = preorder.length;
    preorder.push({ value: 0, cover: 0 });
    if (depth >= depthMax || draw(fc.boolean)) {
      preorder[index] = { value: float32(draw), cover: cover() };
      return index;
    }
    const feature = draw(fc.integer, { min: 0, max: featureCount - 1 });
    const threshold = draw(fc.float, { noNaN: true });
    const missingLeft = draw(fc.boolean);
    const left = build(depth + 1);
    const right = build(depth + 1);
    preorder[index] = { feature, threshold, left, right, missingLeft, cover: cover() };
    return index;
  };
  build(0);
  // Any order but the root's first: place the other nodes in a drawn order.
  const others = preorder.slice(1).map((_, index) => index + 1);
  const order = [0, ...draw(fc.shuffledSubarray, others, { minLength: others.length, maxLength: others.length })];
  const newIndex = new Map(order.map((old, position) => [old, position]));
  const nodes = order.map((old): TreeNode => {
    const node = preorder[old]!;
    return isLeaf(node) ? node : { ...node, left: newIndex.get(node.left)!, right: newIndex.get(node.right)! };
  });
  return { nodes };
}

function drawMetadata(draw: Draw): ModelMetadata {
  const seed = draw(fc.option, fc.maxSafeInteger(), { nil: undefined });
  const metricNames = draw(fc.subarray, ['auprc', 'auc', 'recall_at_1pct_fpr', 'brier', 'log_loss']);
  const metrics = Object.fromEntries(metricNames.map((name) => [name, plainZero(draw(fc.double, { noNaN: true, noDefaultInfinity: true }))]));
  return {
    version: draw(fc.string, { unit: 'grapheme', maxLength: 30 }),
    trainingDataDigest: draw(fc.string, { unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
    metrics,
    producer: draw(fc.constantFrom, 'qenex', 'onnxmltools', 'skl2onnx'),
    ...(seed === undefined ? {} : { seed }),
  };
}

/** Any text (unique by its index suffix): names are written as UTF-8 and JSON. */
function drawFeatureNames(draw: Draw, count: number): string[] {
  return draw(fc.array, fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: count, maxLength: count }).map((name, index) => `${name}#${index}`);
}

function drawTreeEnsemble(draw: Draw): TreeEnsembleModel {
  const featureCount = draw(fc.integer, { min: 1, max: 12 });
  const treeCount = draw(fc.integer, { min: 1, max: 6 });
  const depthMax = draw(fc.integer, { min: 0, max: 5 });
  return {
    kind: 'tree_ensemble',
    featureNames: drawFeatureNames(draw, featureCount),
    baseMargin: float32(draw),
    trees: Array.from({ length: treeCount }, () => drawTree(draw, featureCount, depthMax)),
    metadata: drawMetadata(draw),
  };
}

function drawLinear(draw: Draw): LinearModel {
  const featureCount = draw(fc.integer, { min: 1, max: 40 });
  return {
    kind: 'linear',
    featureNames: drawFeatureNames(draw, featureCount),
    intercept: float32(draw),
    coefficients: draw(fc.array, fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: featureCount, maxLength: featureCount }),
    metadata: drawMetadata(draw),
  };
}

function leaf(value: number, cover = 0): TreeNode {
  return { value, cover };
}

function split(feature: number, threshold: number, left: number, right: number, missingLeft = false, cover = 0): TreeNode {
  return { feature, threshold, left, right, missingLeft, cover };
}

const smallEnsemble: TreeEnsembleModel = {
  kind: 'tree_ensemble',
  featureNames: ['amount_z', 'velocity_1h', 'new_payee'],
  baseMargin: Math.fround(-3.25),
  trees: [
    { nodes: [split(0, Math.fround(0.5), 1, 2, true, 100), leaf(Math.fround(-0.25), 60), leaf(Math.fround(0.75), 40)] },
    { nodes: [split(1, Math.fround(2), 2, 1, false, 100), leaf(Math.fround(0.125), 30), leaf(Math.fround(-0.5), 70)] },
  ],
  metadata: { version: 'fraud-gbdt-2026-12-01.1', trainingDataDigest: 'ab'.repeat(32), metrics: { auprc: 0.61, auc: 0.93 }, seed: 42, producer: 'qenex' },
};

function refusal(run: () => unknown): OnnxModelError {
  try {
    run();
  } catch (error) {
    if (error instanceof OnnxModelError) return error;
    throw error;
  }
  throw new Error('expected an OnnxModelError, got a model');
}

function expectRefused(run: () => unknown, code: OnnxModelErrorCode): OnnxModelError {
  const error = refusal(run);
  expect(error.code, error.message).toBe(code);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Hand-made files, for layouts we do not write

interface ForeignOptions {
  readonly nodes: readonly OnnxNode[];
  readonly width?: number | string;
  readonly inputName?: string;
  readonly metadata?: readonly (readonly [string, string])[];
  readonly extraInputs?: number;
}

function foreignFile(options: ForeignOptions): Uint8Array {
  const inputName = options.inputName ?? 'input';
  const extra = Array.from({ length: options.extraInputs ?? 0 }, (_, index) => ({ name: `other${index}`, elementType: onnxElementType.float, dims: ['N', 1] }));
  return encodeModelProto({
    irVersion: 7,
    producerName: 'onnxmltools',
    producerVersion: '1.13',
    modelVersion: 0,
    docString: '',
    opsets: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    metadata: options.metadata ?? [],
    graph: {
      name: 'XGBClassifier',
      nodes: options.nodes,
      inputs: [{ name: inputName, elementType: onnxElementType.float, dims: [null, options.width ?? 2] }, ...extra],
      outputs: [{ name: 'probabilities', elementType: onnxElementType.float, dims: [null, 2] }],
    },
  });
}

/** A one-split tree ensemble node: x[0] (mode) threshold → leaves with the given weights. */
function stumpClassifier(overrides: { mode?: string; threshold?: number; attributes?: readonly OnnxAttribute[]; classIds?: number[]; weights?: number[]; input?: string } = {}): OnnxNode {
  const replaced = new Set((overrides.attributes ?? []).map((attribute) => attribute.name));
  const weights = overrides.weights ?? [-0.5, 0.75];
  const classIds = overrides.classIds ?? weights.map(() => 0);
  const perLeaf = weights.length / 2;
  const base: OnnxAttribute[] = [
    { name: 'nodes_treeids', kind: 'ints', value: [0, 0, 0] },
    { name: 'nodes_nodeids', kind: 'ints', value: [0, 1, 2] },
    { name: 'nodes_featureids', kind: 'ints', value: [0, 0, 0] },
    { name: 'nodes_modes', kind: 'strings', value: [overrides.mode ?? 'BRANCH_LT', 'LEAF', 'LEAF'] },
    { name: 'nodes_values', kind: 'floats', value: [overrides.threshold ?? 0.5, 0, 0] },
    { name: 'nodes_truenodeids', kind: 'ints', value: [1, 0, 0] },
    { name: 'nodes_falsenodeids', kind: 'ints', value: [2, 0, 0] },
    { name: 'nodes_missing_value_tracks_true', kind: 'ints', value: [1, 0, 0] },
    { name: 'class_treeids', kind: 'ints', value: weights.map(() => 0) },
    { name: 'class_nodeids', kind: 'ints', value: weights.map((_, index) => (index < perLeaf ? 1 : 2)) },
    { name: 'class_ids', kind: 'ints', value: classIds },
    { name: 'class_weights', kind: 'floats', value: weights },
    { name: 'classlabels_int64s', kind: 'ints', value: [0, 1] },
    { name: 'post_transform', kind: 'string', value: 'LOGISTIC' },
  ];
  return {
    opType: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    name: 'TreeEnsembleClassifier',
    inputs: [overrides.input ?? 'input'],
    outputs: ['label', 'probabilities'],
    attributes: [...base.filter((attribute) => !replaced.has(attribute.name)), ...(overrides.attributes ?? [])],
  };
}

function linearClassifier(coefficients: number[], intercepts: number[], post = 'LOGISTIC', labels: number[] = [0, 1]): OnnxNode {
  return {
    opType: 'LinearClassifier',
    domain: 'ai.onnx.ml',
    name: 'LinearClassifier',
    inputs: ['input'],
    outputs: ['label', 'probabilities'],
    attributes: [
      { name: 'coefficients', kind: 'floats', value: coefficients },
      { name: 'intercepts', kind: 'floats', value: intercepts },
      { name: 'classlabels_ints', kind: 'ints', value: labels },
      { name: 'post_transform', kind: 'string', value: post },
    ],
  };
}

// ---------------------------------------------------------------------------------------------

describe('encodeOnnx → decodeOnnx', () => {
  it('gives back every random tree ensemble exactly: nodes in their order, float32 thresholds and leaves, covers, metadata', () => {
    fc.assert(
      fc.property(fc.gen(), (draw) => {
        const model = drawTreeEnsemble(draw);
        expect(decodeOnnx(encodeOnnx(model))).toEqual(model);
      }),
      // A failure is reported as drawn: shrinking models this size, diffing each, takes minutes.
      { numRuns: 100, endOnFailure: true },
    );
  });

  it('gives back every random linear model exactly', () => {
    fc.assert(
      fc.property(fc.gen(), (draw) => {
        const model = drawLinear(draw);
        expect(decodeOnnx(encodeOnnx(model))).toEqual(model);
      }),
      { numRuns: 100, endOnFailure: true },
    );
  });

  it('gives back a model whose leaves are all non-negative without the guard tree it wrote for onnxruntime', () => {
    const positive: TreeEnsembleModel = { ...smallEnsemble, trees: [{ nodes: [split(0, 1, 1, 2), leaf(0.5), leaf(0)] }] };
    const bytes = encodeOnnx(positive);
    expect(decodeOnnx(bytes)).toEqual(positive);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(onnxMetadataKeys.guardTree);
  });

  it('rounds a base margin, intercept and coefficients that are not float32 to the float32 every ONNX scorer uses', () => {
    const ensemble = decodeOnnx(encodeOnnx({ ...smallEnsemble, baseMargin: 0.1 })) as TreeEnsembleModel;
    expect(ensemble.baseMargin).toBe(Math.fround(0.1));
    const linear: LinearModel = { kind: 'linear', featureNames: ['a', 'b'], intercept: 0.3, coefficients: [0.1, -0.7], metadata: smallEnsemble.metadata };
    const decoded = decodeOnnx(encodeOnnx(linear)) as LinearModel;
    expect(decoded.intercept).toBe(Math.fround(0.3));
    expect(decoded.coefficients).toEqual([Math.fround(0.1), Math.fround(-0.7)]);
  });

  it('refuses to encode a threshold that is not float32 (rounding it would move rows across the split)', () => {
    const bad: TreeEnsembleModel = { ...smallEnsemble, trees: [{ nodes: [split(0, 0.1, 1, 2), leaf(-1), leaf(1)] }] };
    expect(() => encodeOnnx(bad)).toThrow(/threshold is not a float32/);
  });

  it('writes the metadata a person reading the file with other tools sees', () => {
    const text = new TextDecoder().decode(encodeOnnx(smallEnsemble));
    for (const key of Object.values(onnxMetadataKeys).filter((key) => key !== onnxMetadataKeys.guardTree)) expect(text).toContain(key);
    expect(text).toContain('fraud-gbdt-2026-12-01.1');
    expect(text).toContain('"auprc":0.61');
    expect(text).toContain('TreeEnsembleClassifier');
    expect(text).toContain('ai.onnx.ml');
  });
});

describe('decodeOnnx refuses what is not a readable ONNX file as corrupt', () => {
  const files: [string, Uint8Array][] = [
    ['a tree ensemble', encodeOnnx(smallEnsemble)],
    ['a linear model', encodeOnnx({ kind: 'linear', featureNames: ['a', 'b', 'c'], intercept: -2, coefficients: [0.5, -1, 2], metadata: smallEnsemble.metadata })],
  ];

  it.each(files)('%s cut at every length', (_, bytes) => {
    for (let length = 0; length < bytes.length; length++) {
      expectRefused(() => decodeOnnx(bytes.subarray(0, length)), 'corrupt');
    }
  });

  it('a large ensemble cut at many lengths', () => {
    const large = fc.sample(fc.gen().map((draw) => drawTreeEnsemble(draw)), { numRuns: 1, seed: 7 })[0]!;
    const bytes = encodeOnnx(large);
    for (let step = 0; step < 300; step++) {
      const length = Math.floor((bytes.length * step) / 300);
      expectRefused(() => decodeOnnx(bytes.subarray(0, length)), 'corrupt');
    }
  });

  it('random garbage, text and blank files', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), (bytes) => {
        expectRefused(() => decodeOnnx(bytes), 'corrupt');
      }),
      { numRuns: 500, seed: 20261201 },
    );
    for (const text of ['{"model": "fraud"}', '\x89PNG\r\n\x1a\n', 'PK\x03\x04']) {
      expectRefused(() => decodeOnnx(new TextEncoder().encode(text)), 'corrupt');
    }
    expectRefused(() => decodeOnnx(new Uint8Array(1000)), 'corrupt');
    expectRefused(() => decodeOnnx(new Uint8Array(1000).fill(0xff)), 'corrupt');
  });

  it('a file with bytes changed gives a model or an OnnxModelError, never another failure', () => {
    const bytes = encodeOnnx(smallEnsemble);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const changed = bytes.slice();
        for (const [at, value] of edits) changed[at] = value;
        try {
          decodeOnnx(changed);
        } catch (error) {
          expect(error).toBeInstanceOf(OnnxModelError);
        }
      }),
      { numRuns: 1000, seed: 1 },
    );
  });
});

describe('decodeOnnx checks the feature schema', () => {
  const bytes = encodeOnnx(smallEnsemble);

  it('reads a model whose names and count are the expected ones', () => {
    expect(decodeOnnx(bytes, ['amount_z', 'velocity_1h', 'new_payee'])).toEqual(smallEnsemble);
  });

  it('refuses other names, another order and another count, naming the difference', () => {
    const renamed = expectRefused(() => decodeOnnx(bytes, ['amount_z', 'velocity_24h', 'new_payee']), 'schema_mismatch');
    expect(renamed.message).toContain("'velocity_1h' where 'velocity_24h' is expected");
    expectRefused(() => decodeOnnx(bytes, ['velocity_1h', 'amount_z', 'new_payee']), 'schema_mismatch');
    const shorter = expectRefused(() => decodeOnnx(bytes, ['amount_z', 'velocity_1h']), 'schema_mismatch');
    expect(shorter.message).toContain('the model has 3 features, the scorer expects 2');
    expectRefused(() => decodeOnnx(bytes, ['amount_z', 'velocity_1h', 'new_payee', 'country_risk']), 'schema_mismatch');
  });

  it('checks a file without names by its input width, and names its features as expected', () => {
    const file = foreignFile({ nodes: [stumpClassifier()], width: 2 });
    expect(decodeOnnx(file, ['a', 'b']).featureNames).toEqual(['a', 'b']);
    expect(decodeOnnx(file).featureNames).toEqual(['f0', 'f1']);
    expectRefused(() => decodeOnnx(file, ['a', 'b', 'c']), 'schema_mismatch');
  });

  it('checks a file with a symbolic width by the features its splits read', () => {
    const file = foreignFile({ nodes: [stumpClassifier()], width: 'F' });
    expect(decodeOnnx(file, ['a', 'b', 'c']).featureNames).toEqual(['a', 'b', 'c']);
    expect(decodeOnnx(file).featureNames).toEqual(['f0']);
  });
});

describe('decodeOnnx reads the layouts others write', () => {
  it('turns BRANCH_LT into the BRANCH_LEQ test that agrees on every float32 input', () => {
    const below = (value: number): number => {
      const word = new Float32Array([value]);
      const bits = new Uint32Array(word.buffer);
      if (value === 0) return -Math.pow(2, -149);
      bits[0] = value > 0 ? bits[0]! - 1 : bits[0]! + 1;
      return word[0]!;
    };
    const above = (value: number): number => -below(-value);
    const thresholds = [0, -0, 1, -1, 0.5, Math.pow(2, -149), -Math.pow(2, -149), 3.4028234663852886e38, -3.4028234663852886e38, Infinity, Math.fround(0.1)];
    for (const threshold of thresholds) {
      const model = decodeOnnx(foreignFile({ nodes: [stumpClassifier({ threshold })] })) as TreeEnsembleModel;
      const root = model.trees[0]!.nodes[0]!;
      if (isLeaf(root)) throw new Error('the root is a split');
      const probes = [threshold, below(threshold), above(threshold), 0, -0, Infinity, -Infinity, 1, -1].filter((x) => !Number.isNaN(x));
      for (const x of probes) expect(x <= root.threshold, `x=${x} t=${threshold}`).toBe(x < threshold);
      expect(root.missingLeft).toBe(true);
    }
    expectRefused(() => decodeOnnx(foreignFile({ nodes: [stumpClassifier({ threshold: -Infinity })] })), 'unsupported_model');
  });

  it('reads weights on class 1 without base values, and on both classes under SOFTMAX as class 1 minus class 0', () => {
    const classOne = decodeOnnx(foreignFile({ nodes: [stumpClassifier({ classIds: [1, 1] })] })) as TreeEnsembleModel;
    expect(classOne.trees[0]!.nodes.slice(1)).toEqual([leaf(-0.5), leaf(0.75)]);
    expect(classOne.baseMargin).toBe(0);
    const twoClass = stumpClassifier({ classIds: [0, 1, 0, 1], weights: [0.25, -0.25, -1, 1], attributes: [{ name: 'post_transform', kind: 'string', value: 'SOFTMAX' }] });
    const decoded = decodeOnnx(foreignFile({ nodes: [twoClass] })) as TreeEnsembleModel;
    expect(decoded.trees[0]!.nodes.slice(1)).toEqual([leaf(-0.5), leaf(2)]);
  });

  it('reads a TreeEnsembleRegressor followed by a Sigmoid, with its base value', () => {
    const regressor: OnnxNode = {
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      name: 'TreeEnsembleRegressor',
      inputs: ['input'],
      outputs: ['margin'],
      attributes: [
        ...stumpClassifier().attributes.filter((attribute) => attribute.name.startsWith('nodes_')),
        { name: 'target_treeids', kind: 'ints', value: [0, 0] },
        { name: 'target_nodeids', kind: 'ints', value: [1, 2] },
        { name: 'target_ids', kind: 'ints', value: [0, 0] },
        { name: 'target_weights', kind: 'floats', value: [-0.5, 0.75] },
        { name: 'n_targets', kind: 'int', value: 1 },
        { name: 'base_values', kind: 'floats', value: [-2] },
      ],
    };
    const sigmoid: OnnxNode = { opType: 'Sigmoid', domain: '', name: 'Sigmoid', inputs: ['margin'], outputs: ['probabilities'], attributes: [] };
    const model = decodeOnnx(foreignFile({ nodes: [regressor, sigmoid] })) as TreeEnsembleModel;
    expect(model.baseMargin).toBe(-2);
    expect(model.trees[0]!.nodes.slice(1)).toEqual([leaf(-0.5), leaf(0.75)]);
    expectRefused(() => decodeOnnx(foreignFile({ nodes: [regressor] })), 'unsupported_model');
  });

  it('reads a LinearClassifier in one row, in two mirrored rows, and under SOFTMAX', () => {
    const expected = { coefficients: [2, -1], intercept: -0.5 };
    for (const node of [linearClassifier([2, -1], [-0.5]), linearClassifier([-2, 1, 2, -1], [0.5, -0.5]), linearClassifier([1, 1, 3, 0], [0.5, 0], 'SOFTMAX')]) {
      const model = decodeOnnx(foreignFile({ nodes: [node] })) as LinearModel;
      expect({ coefficients: model.coefficients, intercept: model.intercept }).toEqual(expected);
      expect(model.metadata).toEqual({ version: 'XGBClassifier.0', trainingDataDigest: '', metrics: {}, producer: 'onnxmltools' });
    }
  });

  it('reads int64 fields across their range: model_version 2^53 − 1 and −5', () => {
    for (const modelVersion of [Number.MAX_SAFE_INTEGER, -5, 0, 127, 128, 2 ** 32, 2 ** 38 + 3]) {
      const file = encodeModelProto({
        irVersion: 8,
        producerName: 'skl2onnx',
        producerVersion: '1.17',
        modelVersion,
        docString: '',
        opsets: [{ domain: 'ai.onnx.ml', version: 3 }],
        metadata: [],
        graph: { name: 'gbm', nodes: [stumpClassifier()], inputs: [{ name: 'input', elementType: onnxElementType.float, dims: ['N', 2] }], outputs: [] },
      });
      expect(decodeOnnx(file).metadata.version).toBe(`gbm.${modelVersion}`);
    }
  });

  it('ignores a ZipMap and Identity nodes after the classifier', () => {
    const zipMap: OnnxNode = {
      opType: 'ZipMap',
      domain: 'ai.onnx.ml',
      name: 'ZipMap',
      inputs: ['probabilities'],
      outputs: ['output_probability'],
      attributes: [{ name: 'classlabels_int64s', kind: 'ints', value: [0, 1] }],
    };
    const identity: OnnxNode = { opType: 'Identity', domain: '', name: 'Identity', inputs: ['label'], outputs: ['output_label'], attributes: [] };
    const model = decodeOnnx(foreignFile({ nodes: [stumpClassifier(), identity, zipMap] }));
    expect(model.kind).toBe('tree_ensemble');
  });
});

describe('decodeOnnx refuses what it cannot score as onnxruntime does, saying why', () => {
  const cases: [string, Uint8Array, OnnxModelErrorCode, RegExp][] = [
    ['an operator we do not score', foreignFile({ nodes: [stumpClassifier(), { opType: 'Add', domain: '', name: 'Add', inputs: ['probabilities', 'probabilities'], outputs: ['sum'], attributes: [] }] }), 'unsupported_operator', /operator Add/],
    ['a graph without a classifier', foreignFile({ nodes: [{ opType: 'Identity', domain: '', name: 'Identity', inputs: ['input'], outputs: ['probabilities'], attributes: [] }] }), 'unsupported_operator', /no TreeEnsembleClassifier/],
    ['a BRANCH_GT split', foreignFile({ nodes: [stumpClassifier({ mode: 'BRANCH_GT' })] }), 'unsupported_model', /BRANCH_GT split/],
    ['a multiclass classifier', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'classlabels_int64s', kind: 'ints', value: [0, 1, 2] }] })] }), 'unsupported_model', /3 class labels/],
    ['weights on class 1 with a base value', foreignFile({ nodes: [stumpClassifier({ classIds: [1, 1], attributes: [{ name: 'base_values', kind: 'floats', value: [0.5] }] })] }), 'unsupported_model', /leaves the base value out of class 1/],
    ['weights on class 0 with two base values', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'base_values', kind: 'floats', value: [0.5, 0.5] }] })] }), 'unsupported_model', /constant probability/],
    ['two-class weights under LOGISTIC', foreignFile({ nodes: [stumpClassifier({ classIds: [0, 1, 0, 1], weights: [1, -1, -2, 2] })] }), 'unsupported_model', /two unrelated probabilities/],
    ['probabilities without a logistic', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'post_transform', kind: 'string', value: 'NONE' }] })] }), 'unsupported_model', /post_transform NONE/],
    ['a linear classifier with three rows', foreignFile({ nodes: [linearClassifier([1, 2, 3, 4, 5, 6], [0, 0, 0], 'SOFTMAX', [0, 1, 2])] }), 'unsupported_model', /3 class labels/],
    ['two mirrored rows that do not mirror', foreignFile({ nodes: [linearClassifier([-2, 1, 2, -0.5], [0.5, -0.5])] }), 'unsupported_model', /row 0 is minus row 1/],
    ['a child that is not in its tree', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'nodes_falsenodeids', kind: 'ints', value: [7, 0, 0] }] })] }), 'invalid_model', /node 7, which is not in its tree/],
    ['a weight on a node that does not exist', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'class_nodeids', kind: 'ints', value: [1, 9] }] })] }), 'invalid_model', /node 9 of tree 0, which does not exist/],
    ['a split on a feature past the input', foreignFile({ nodes: [stumpClassifier({ attributes: [{ name: 'nodes_featureids', kind: 'ints', value: [5, 0, 0] }] })], width: 2 }), 'invalid_model', /reads 6 features but its input has 2/],
    ['two inputs', foreignFile({ nodes: [stumpClassifier()], extraInputs: 1 }), 'unsupported_model', /takes 2 inputs/],
    ['a classifier not fed by the input', foreignFile({ nodes: [stumpClassifier({ input: 'elsewhere' })] }), 'unsupported_model', /does not read the feature input/],
  ];

  it.each(cases)('%s', (_, bytes, code, message) => {
    const error = expectRefused(() => decodeOnnx(bytes), code);
    expect(error.message).toMatch(message);
  });

  it('refuses our metadata when it does not match the trees', () => {
    const covers = [[1, 2, 3]];
    const bytes = foreignFile({
      nodes: [stumpClassifier()],
      metadata: [
        [onnxMetadataKeys.version, 'v'],
        [onnxMetadataKeys.trainingDataDigest, ''],
        [onnxMetadataKeys.metrics, '{}'],
        [onnxMetadataKeys.producer, 'qenex'],
        [onnxMetadataKeys.featureNames, '["a","b"]'],
        [onnxMetadataKeys.covers, JSON.stringify([...covers, [1]])],
      ],
    });
    expectRefused(() => decodeOnnx(bytes), 'invalid_model');
  });
});

describe('recomputeCovers', () => {
  it('counts the rows that reach each node, routing missing values and float32-rounded values as onnxruntime does', () => {
    const imported = decodeOnnx(encodeOnnx(smallEnsemble)) as TreeEnsembleModel;
    const rows = [
      [0.1, 5, 0],
      [0.9, 1, 0],
      [Number.NaN, Number.NaN, 1],
      // 0.50000001 rounds to float32 0.5: left of the 0.5 split.
      [0.50000001, 2, 1],
    ];
    const recounted = recomputeCovers(imported, rows);
    expect(recounted.trees.map((tree) => tree.nodes.map((node) => node.cover))).toEqual([
      [4, 3, 1],
      [4, 2, 2],
    ]);
    expect(recounted.trees[0]!.nodes.map((node) => ({ ...node, cover: 0 }))).toEqual(imported.trees[0]!.nodes.map((node) => ({ ...node, cover: 0 })));
  });

  it('gives a model read without covers the covers it needs', () => {
    const model = decodeOnnx(foreignFile({ nodes: [stumpClassifier()] })) as TreeEnsembleModel;
    expect(model.trees[0]!.nodes.every((node) => node.cover === 0)).toBe(true);
    const recounted = recomputeCovers(model, [[0, 9], [1, 9], [Number.NaN, 9]]);
    expect(recounted.trees[0]!.nodes.map((node) => node.cover)).toEqual([3, 2, 1]);
  });
});

/**
 * The ONNX codec: our classifier models (model.ts) as ONNX files and back, in pure TypeScript (the
 * protobuf wire format is written and read by hand; no Node API, no dependency).
 *
 * What `encodeOnnx` writes (ir_version 8, opsets "" 15 and ai.onnx.ml 3, producer "qenex"): one
 * input `features` tensor(float) [N, F], outputs `label` int64 [N] and `probabilities` float [N, 2],
 * where probabilities[:, 1] = logistic(margin) as model.ts defines the margin. The layouts follow
 * what onnxruntime computes (its tree_ensemble_aggregator.h and ml_common.h, and onnxruntime-node
 * 1.30.0 itself: test/ai/onnx-runtime.test.ts checks every claim below):
 *
 * - **TreeEnsembleClassifier**: every leaf weight on class id 0, base_values = [baseMargin],
 *   post_transform LOGISTIC, classlabels_int64s [0, 1]. One class id among two labels is
 *   onnxruntime's "binary case" (and the layout onnxmltools and skl2onnx write): it sums the
 *   weights, adds base_values[0] and writes [σ(−m), σ(m)], label 1 when m > 0. Weights on class id 1
 *   do not work: a one-entry base_values is added to class 0, never to class 1, and with two
 *   entries class 1 becomes base_values[1] plus class 0's (empty) sum, dropping the trees; class 0's
 *   probability is then σ(0) = 0.5 whatever the row.
 *   When no weight is negative, onnxruntime before 1.26 skipped the logistic and wrote [1 − m, m]
 *   (it took such a model for a random forest of probabilities; fixed for LOGISTIC since, issue
 *   #27533). So that our files mean one thing to every release, a model with no negative leaf gets a
 *   guard tree that never changes the sum: its root compares with NaN, which is never true, so
 *   every row (NaN included) reaches its false leaf of weight 0; the true leaf, never reached, holds
 *   −1. The metadata says it is there (`qenex.guard_tree`) and decodeOnnx drops it.
 * - **LinearClassifier**: two coefficient rows [−w; w] and intercepts [−b, b] (skl2onnx's layout),
 *   post_transform LOGISTIC, classlabels_ints [0, 1]: scores [−m, m] whose logistics are [σ(−m), σ(m)].
 *   A one-row layout gives [1 − σ(m), σ(m)] in 1.30, but earlier releases wrote [1 − m, m] there.
 *   A NaN feature makes both probabilities NaN: LinearClassifier has no notion of missing.
 *
 * Precision, which our own scorer must match to agree with onnxruntime to 1e-6: ONNX holds
 * thresholds, leaf weights, base values, coefficients and intercepts as float32, and onnxruntime
 * scores float input in float32. A tree ensemble's margin is a float32 accumulator that starts at
 * 0, adds each tree's leaf weight in tree order (rounding after every addition) and then
 * base_values[0]; the logistic is taken in float32. A double sum of the same weights differs by up
 * to half a float32 ulp of the running sum at each addition: past 1e-6 in probability for large or
 * many weights (and adding the base margin first instead of last differs too). With more than one
 * intra-op thread onnxruntime splits the trees among threads (one row and over 80 trees, or over
 * 50 rows) and adds their partial sums, another rounding: scorers that must agree run it with one
 * thread. LinearClassifier computes its scores with a float32 GEMM (agreeing with a float32
 * multiply-add per feature, then the intercept, to 1e-6 in our tests).
 * `encodeOnnx` writes Math.fround of each number; thresholds and leaf values are float32 already
 * (model.ts), so decodeOnnx(encodeOnnx(m)) deep-equals m when baseMargin, intercept and
 * coefficients are float32 too; otherwise they come back rounded, as every ONNX scorer uses them.
 *
 * Metadata (`metadata_props`): qenex.version, qenex.training_data_digest, qenex.metrics (JSON),
 * qenex.seed, qenex.producer, qenex.feature_names (JSON) and qenex.covers (JSON: per tree, the
 * cover of each node, which TreeSHAP needs and ONNX has no field for).
 *
 * What `decodeOnnx` reads, besides our files (onnxmltools' XGBoost and LightGBM, skl2onnx):
 * TreeEnsembleClassifier with BRANCH_LEQ and BRANCH_LT splits (x < t becomes the equal test
 * x ≤ nextDown(t), t's float32 predecessor: they agree for every float32 x, and for NaN), with its
 * weights on one class id (0 with base_values [] or [b]; 1 with none), or on both classes under
 * SOFTMAX (margin = class 1 − class 0 leaf by leaf, within float32 rounding of onnxruntime's two
 * sums); an Identity or a ZipMap after it is ignored. TreeEnsembleRegressor (one target, SUM)
 * followed by a Sigmoid. LinearClassifier with one row (LOGISTIC) or two (LOGISTIC with rows
 * [−w; w], or SOFTMAX: margin = row 1 − row 0). Anything else is refused with an `OnnxModelError`
 * whose code says why: 'corrupt' (not a readable ONNX protobuf: truncated, garbage),
 * 'unsupported_operator' (an operator we do not score), 'unsupported_model' (an operator we read,
 * used in a way whose onnxruntime output is not logistic(margin), or that model.ts cannot hold),
 * 'invalid_model' (readable but inconsistent: a dangling node id, a tree that is not a tree),
 * 'schema_mismatch' (its features are not the expected ones), 'too_large' (over a limit below).
 *
 * A file made elsewhere carries no covers: its nodes come back with cover 0, and explanations
 * (TreeSHAP) need the covers recounted from reference rows first: `recomputeCovers(model, rows)`.
 * Its metadata comes from the file: producer_name, a version "<graph name>.<model_version>", no
 * training data digest (''), no metrics, no seed. Its feature names are `expectedFeatures` when
 * given (only their count can be checked, against the input's width), else f0, f1, ….
 */
import { assert } from '../assert';
import { isLeaf, treeShapeProblem, type ClassifierModel, type LinearModel, type ModelMetadata, type Tree, type TreeEnsembleModel, type TreeNode } from './model';

// ---------------------------------------------------------------------------------------------
// Limits

/** The largest ONNX file decodeOnnx reads: a 2,000-tree depth-10 ensemble of ours is about 100 MB. */
export const onnxBytesMax = 512 * 1024 * 1024;
/** The most tree nodes (over all trees) a file may hold. */
export const onnxTreeNodeCountMax = 10_000_000;
/** The most features a model may have. */
export const onnxFeatureCountMax = 10_000;
/** The most nodes a graph may hold: ours has one, the usual exporters' a handful. */
export const onnxGraphNodeCountMax = 64;
/** The most metadata entries, and the longest metadata value we parse (covers are the big one). */
export const onnxMetadataEntryCountMax = 1_024;
export const onnxMetadataValueLengthMax = 256 * 1024 * 1024;
/** The most reference rows recomputeCovers walks. */
export const coverRowCountMax = 10_000_000;

// ---------------------------------------------------------------------------------------------
// Errors

export type OnnxModelErrorCode = 'corrupt' | 'unsupported_operator' | 'unsupported_model' | 'invalid_model' | 'schema_mismatch' | 'too_large';

export class OnnxModelError extends Error {
  override readonly name = 'OnnxModelError';
  constructor(
    readonly code: OnnxModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function refuse(code: OnnxModelErrorCode, message: string): never {
  throw new OnnxModelError(code, message);
}

// ---------------------------------------------------------------------------------------------
// UTF-8 (the pure core has no TextEncoder)

function utf8Bytes(text: string): Uint8Array {
  if (/^[\x00-\x7f]*$/.test(text)) {
    const ascii = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) ascii[i] = text.charCodeAt(i);
    return ascii;
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      assert(low >= 0xdc00 && low <= 0xdfff, 'a string written to ONNX has no lone surrogate');
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      i++;
    } else {
      assert(code < 0xdc00 || code > 0xdfff, 'a string written to ONNX has no lone surrogate');
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Strict UTF-8: an overlong form, a surrogate or a cut sequence is corrupt, not replaced. */
function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  // Most strings here are short ASCII (node modes, names): read those in one step.
  if (end - start <= 64) {
    let ascii = '';
    for (let i = start; i < end && bytes[i]! < 0x80; i++) ascii += String.fromCharCode(bytes[i]!);
    if (ascii.length === end - start) return ascii;
  }
  let text = '';
  let chunk: number[] = [];
  let i = start;
  while (i < end) {
    const first = bytes[i]!;
    let code: number;
    let length: number;
    if (first < 0x80) [code, length] = [first, 1];
    else if (first >= 0xc2 && first < 0xe0) [code, length] = [first & 0x1f, 2];
    else if (first >= 0xe0 && first < 0xf0) [code, length] = [first & 0x0f, 3];
    else if (first >= 0xf0 && first < 0xf5) [code, length] = [first & 0x07, 4];
    else return refuse('corrupt', 'a string in the file is not UTF-8');
    if (i + length > end) refuse('corrupt', 'a string in the file ends inside a UTF-8 sequence');
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) refuse('corrupt', 'a string in the file is not UTF-8');
      code = (code << 6) | (next & 0x3f);
    }
    const shortest = length === 1 || (length === 2 && code >= 0x80) || (length === 3 && code >= 0x800) || (length === 4 && code >= 0x10000);
    if (!shortest || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) refuse('corrupt', 'a string in the file is not UTF-8');
    if (code >= 0x10000) chunk.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    else chunk.push(code);
    if (chunk.length >= 4096) {
      text += String.fromCharCode(...chunk);
      chunk = [];
    }
    i += length;
  }
  return text + String.fromCharCode(...chunk);
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format: writing

const wireVarint = 0;
const wireFixed64 = 1;
const wireLengthDelimited = 2;
const wireFixed32 = 5;
const twoTo32 = 4294967296;

/** A growing byte buffer with the protobuf primitives ONNX needs. */
class ProtoWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  /** A varint of a safe integer; a negative one is its 64-bit two's complement (10 bytes), as int64 is. */
  rawVarint(value: number): void {
    assert(Number.isSafeInteger(value), `a protobuf integer is a safe integer, got ${value}`);
    this.reserve(10);
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value % twoTo32;
      high = Math.floor(value / twoTo32);
    } else {
      const magnitude = -value;
      // Two's complement of the magnitude over 64 bits, as two 32-bit words.
      low = (twoTo32 - (magnitude % twoTo32)) % twoTo32;
      high = (twoTo32 - Math.floor(magnitude / twoTo32) - (low === 0 ? 0 : 1)) % twoTo32;
    }
    while (high > 0 || low >= 0x80) {
      this.buffer[this.length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | ((high & 0x7f) << 25)) >>> 0;
      high = high >>> 7;
    }
    this.buffer[this.length++] = low;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  int(field: number, value: number): void {
    this.tag(field, wireVarint);
    this.rawVarint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, wireFixed32);
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, wireLengthDelimited);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(field: number, value: string): void {
    this.bytes(field, utf8Bytes(value));
  }

  packedFloats(field: number, values: readonly number[]): void {
    this.tag(field, wireLengthDelimited);
    this.rawVarint(values.length * 4);
    this.reserve(values.length * 4);
    for (const value of values) {
      this.view.setFloat32(this.length, value, true);
      this.length += 4;
    }
  }

  packedInts(field: number, values: readonly number[]): void {
    const inner = new ProtoWriter();
    for (const value of values) inner.rawVarint(value);
    this.bytes(field, inner.finish());
  }
}

// ---------------------------------------------------------------------------------------------
// ONNX messages as plain data, and their encoding (also used by tests to write others' layouts)

/** An attribute of a node; the kinds are AttributeProto's types we write. */
export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'strings'; readonly value: readonly string[] };

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** TensorProto.DataType values we use. */
export const onnxElementType = { float: 1, int64: 7, string: 8, double: 11 } as const;

/** A tensor-typed graph input or output; a dimension is a size, a symbol, or unknown (null). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elementType: number;
  readonly dims: readonly (number | string | null)[];
}

export interface OnnxModelProto {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly metadata: readonly (readonly [string, string])[];
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly OnnxNode[];
    readonly inputs: readonly OnnxValueInfo[];
    readonly outputs: readonly OnnxValueInfo[];
  };
}

/** AttributeProto.AttributeType values. */
const attributeType = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 } as const;

function encodeAttribute(attribute: OnnxAttribute): Uint8Array {
  const out = new ProtoWriter();
  out.string(1, attribute.name);
  out.int(20, attributeType[attribute.kind]);
  switch (attribute.kind) {
    case 'float':
      out.float(2, attribute.value);
      break;
    case 'int':
      out.int(3, attribute.value);
      break;
    case 'string':
      out.string(4, attribute.value);
      break;
    case 'floats':
      out.packedFloats(7, attribute.value);
      break;
    case 'ints':
      out.packedInts(8, attribute.value);
      break;
    case 'strings': {
      // nodes_modes repeats two strings thousands of times: encode each once.
      const encoded = new Map<string, Uint8Array>();
      for (const value of attribute.value) {
        let bytes = encoded.get(value);
        if (bytes === undefined) encoded.set(value, (bytes = utf8Bytes(value)));
        out.bytes(9, bytes);
      }
      break;
    }
  }
  return out.finish();
}

function encodeNode(node: OnnxNode): Uint8Array {
  const out = new ProtoWriter();
  for (const input of node.inputs) out.string(1, input);
  for (const output of node.outputs) out.string(2, output);
  out.string(3, node.name);
  out.string(4, node.opType);
  for (const attribute of node.attributes) out.bytes(5, encodeAttribute(attribute));
  if (node.domain !== '') out.string(7, node.domain);
  return out.finish();
}

function encodeValueInfo(info: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const dim of info.dims) {
    const dimension = new ProtoWriter();
    if (typeof dim === 'number') dimension.int(1, dim);
    else if (typeof dim === 'string') dimension.string(2, dim);
    shape.bytes(1, dimension.finish());
  }
  const tensor = new ProtoWriter();
  tensor.int(1, info.elementType);
  tensor.bytes(2, shape.finish());
  const type = new ProtoWriter();
  type.bytes(1, tensor.finish());
  const out = new ProtoWriter();
  out.string(1, info.name);
  out.bytes(2, type.finish());
  return out.finish();
}

/**
 * The ModelProto's bytes. The graph is written last, after the metadata and the opsets (protobuf
 * allows any order): a cut anywhere in the file then loses part or all of the graph, which
 * decodeOnnx reports as corrupt, instead of silently dropping trailing metadata.
 */
export function encodeModelProto(model: OnnxModelProto): Uint8Array {
  const out = new ProtoWriter();
  out.int(1, model.irVersion);
  out.string(2, model.producerName);
  out.string(3, model.producerVersion);
  out.int(5, model.modelVersion);
  if (model.docString !== '') out.string(6, model.docString);
  for (const [key, value] of model.metadata) {
    const entry = new ProtoWriter();
    entry.string(1, key);
    entry.string(2, value);
    out.bytes(14, entry.finish());
  }
  for (const opset of model.opsets) {
    const entry = new ProtoWriter();
    if (opset.domain !== '') entry.string(1, opset.domain);
    entry.int(2, opset.version);
    out.bytes(8, entry.finish());
  }
  const graph = new ProtoWriter();
  for (const node of model.graph.nodes) graph.bytes(1, encodeNode(node));
  graph.string(2, model.graph.name);
  for (const input of model.graph.inputs) graph.bytes(11, encodeValueInfo(input));
  for (const output of model.graph.outputs) graph.bytes(12, encodeValueInfo(output));
  out.bytes(7, graph.finish());
  return out.finish();
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format: reading. Every malformation is 'corrupt'.

/** A cursor over one message's bytes [start, end). */
class ProtoReader {
  private readonly view: DataView;
  position: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
  }

  more(): boolean {
    return this.position < this.end;
  }

  /**
   * A varint as a number: exact up to 2^53 in magnitude; an int64 with its top bit set is read as
   * the negative number it is; anything beyond ±2^53 comes back NaN, for the field's check to refuse.
   */
  varint(): number {
    const first = this.bytes[this.position];
    if (first !== undefined && first < 0x80 && this.position < this.end) {
      this.position++;
      return first;
    }
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (this.position >= this.end) refuse('corrupt', 'the file ends inside a number (truncated?)');
      const byte = this.bytes[this.position++]!;
      if (index < 4) low |= (byte & 0x7f) << (7 * index);
      else if (index === 4) {
        low |= (byte & 0x0f) << 28;
        high = (byte & 0x7f) >> 4;
      } else {
        if (index === 9 && byte > 1) refuse('corrupt', 'a number in the file is longer than 64 bits');
        high |= (byte & 0x7f) << (7 * index - 32);
      }
      if ((byte & 0x80) === 0) return combine64(low >>> 0, high >>> 0);
    }
    return refuse('corrupt', 'a number in the file is longer than 10 bytes');
  }

  fixed32Float(): number {
    if (this.position + 4 > this.end) refuse('corrupt', 'the file ends inside a float (truncated?)');
    const value = this.view.getFloat32(this.position, true);
    this.position += 4;
    return value;
  }

  /** The [start, end) of a length-delimited field's payload. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    if (!(length >= 0) || this.position + length > this.end) refuse('corrupt', 'a field runs past the end of its message (truncated?)');
    const start = this.position;
    this.position += length;
    return [start, this.position];
  }

  string(): string {
    const [start, end] = this.lengthDelimited();
    return utf8Text(this.bytes, start, end);
  }

  sub(): ProtoReader {
    const [start, end] = this.lengthDelimited();
    return new ProtoReader(this.bytes, start, end);
  }

  /** The next field's number and wire type. */
  tag(): [number, number] {
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (!(field >= 1 && field <= 536_870_911)) refuse('corrupt', 'a field number in the file is out of range');
    return [field, wire];
  }

  skip(wire: number): void {
    switch (wire) {
      case wireVarint:
        this.varint();
        return;
      case wireFixed64:
        if (this.position + 8 > this.end) refuse('corrupt', 'the file ends inside a field (truncated?)');
        this.position += 8;
        return;
      case wireLengthDelimited:
        this.lengthDelimited();
        return;
      case wireFixed32:
        if (this.position + 4 > this.end) refuse('corrupt', 'the file ends inside a field (truncated?)');
        this.position += 4;
        return;
      default:
        refuse('corrupt', `wire type ${wire} is not protobuf as ONNX writes it`);
    }
  }

  /** A repeated int64: one element (wire 0) or a packed run (wire 2). */
  ints(wire: number, into: number[]): void {
    if (wire === wireVarint) into.push(this.varint());
    else if (wire === wireLengthDelimited) {
      const packed = this.sub();
      while (packed.more()) into.push(packed.varint());
    } else refuse('corrupt', 'a list of integers has the wrong wire type');
  }

  /** A repeated float: one element (wire 5) or a packed run (wire 2). */
  floats(wire: number, into: number[]): void {
    if (wire === wireFixed32) into.push(this.fixed32Float());
    else if (wire === wireLengthDelimited) {
      const [start, end] = this.lengthDelimited();
      if ((end - start) % 4 !== 0) refuse('corrupt', 'a packed list of floats is not a whole number of floats');
      for (let at = start; at < end; at += 4) into.push(this.view.getFloat32(at, true));
    } else refuse('corrupt', 'a list of floats has the wrong wire type');
  }
}

function combine64(low: number, high: number): number {
  // Signed: the top bit of `high` makes it negative (int64 two's complement).
  const signedHigh = high | 0;
  if (signedHigh >= -0x200000 && signedHigh < 0x200000) return signedHigh * twoTo32 + low;
  return Number.NaN;
}

/** A read attribute: only the parts a kind uses are filled. */
interface ReadAttribute {
  readonly name: string;
  readonly type: number;
  readonly f: number | undefined;
  readonly i: number | undefined;
  readonly s: string | undefined;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly string[];
  /** A tensor, graph or other payload we do not read (TreeEnsemble's *_as_tensor, say). */
  readonly hasPayload: boolean;
}

interface ReadNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, ReadAttribute>;
}

interface ReadValueInfo {
  readonly name: string;
  /** Undefined when the type is not a tensor (a map or a sequence: ZipMap's output). */
  readonly elementType: number | undefined;
  /** Undefined when the shape is not given. */
  readonly dims: readonly (number | string | null)[] | undefined;
}

interface ReadGraph {
  readonly name: string;
  readonly nodes: readonly ReadNode[];
  readonly inputs: readonly ReadValueInfo[];
  readonly initializerNames: ReadonlySet<string>;
}

interface ReadModel {
  readonly irVersion: number | undefined;
  readonly producerName: string;
  readonly modelVersion: number | undefined;
  readonly opsets: ReadonlyMap<string, number>;
  readonly metadata: ReadonlyMap<string, string>;
  readonly graph: ReadGraph | undefined;
}

/** AttributeProto's t, g, tensors, graphs, tp, type_protos, sparse_tensor(s): noted, not read. */
const attributePayloadFields = new Set([5, 6, 10, 11, 14, 15, 22, 23]);

function readAttribute(reader: ProtoReader): ReadAttribute {
  let name = '';
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: string | undefined;
  let hasPayload = false;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) name = reader.string();
    else if (field === 20 && wire === wireVarint) type = reader.varint();
    else if (field === 2 && wire === wireFixed32) f = reader.fixed32Float();
    else if (field === 3 && wire === wireVarint) i = reader.varint();
    else if (field === 4 && wire === wireLengthDelimited) s = reader.string();
    else if (field === 7) reader.floats(wire, floats);
    else if (field === 8) reader.ints(wire, ints);
    else if (field === 9 && wire === wireLengthDelimited) strings.push(reader.string());
    else {
      if (attributePayloadFields.has(field)) hasPayload = true;
      reader.skip(wire);
    }
  }
  return { name, type, f, i, s, floats, ints, strings, hasPayload };
}

function readNode(reader: ProtoReader): ReadNode {
  let opType = '';
  let domain = '';
  let name = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, ReadAttribute>();
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) inputs.push(reader.string());
    else if (field === 2 && wire === wireLengthDelimited) outputs.push(reader.string());
    else if (field === 3 && wire === wireLengthDelimited) name = reader.string();
    else if (field === 4 && wire === wireLengthDelimited) opType = reader.string();
    else if (field === 7 && wire === wireLengthDelimited) domain = reader.string();
    else if (field === 5 && wire === wireLengthDelimited) {
      const attribute = readAttribute(reader.sub());
      if (attributes.has(attribute.name)) refuse('invalid_model', `node ${opType} has attribute ${attribute.name} twice`);
      attributes.set(attribute.name, attribute);
    } else reader.skip(wire);
  }
  return { opType, domain, name, inputs, outputs, attributes };
}

function readDims(reader: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field !== 1 || wire !== wireLengthDelimited) {
      reader.skip(wire);
      continue;
    }
    const dimension = reader.sub();
    let dim: number | string | null = null;
    while (dimension.more()) {
      const [inner, innerWire] = dimension.tag();
      if (inner === 1 && innerWire === wireVarint) dim = dimension.varint();
      else if (inner === 2 && innerWire === wireLengthDelimited) dim = dimension.string();
      else dimension.skip(innerWire);
    }
    dims.push(dim);
  }
  return dims;
}

function readTensorType(reader: ProtoReader): { elementType: number | undefined; dims: (number | string | null)[] | undefined } {
  let elementType: number | undefined;
  let dims: (number | string | null)[] | undefined;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireVarint) elementType = reader.varint();
    else if (field === 2 && wire === wireLengthDelimited) dims = readDims(reader.sub());
    else reader.skip(wire);
  }
  return { elementType, dims };
}

function readValueInfo(reader: ProtoReader): ReadValueInfo {
  let name = '';
  let elementType: number | undefined;
  let dims: (number | string | null)[] | undefined;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) name = reader.string();
    else if (field === 2 && wire === wireLengthDelimited) {
      const type = reader.sub();
      while (type.more()) {
        const [inner, innerWire] = type.tag();
        if (inner === 1 && innerWire === wireLengthDelimited) ({ elementType, dims } = readTensorType(type.sub()));
        else type.skip(innerWire);
      }
    } else reader.skip(wire);
  }
  return { name, elementType, dims };
}

function readInitializerName(reader: ProtoReader): string {
  let name = '';
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 8 && wire === wireLengthDelimited) name = reader.string();
    else reader.skip(wire);
  }
  return name;
}

function readGraph(reader: ProtoReader): ReadGraph {
  let name = '';
  const nodes: ReadNode[] = [];
  const inputs: ReadValueInfo[] = [];
  const initializerNames = new Set<string>();
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) {
      if (nodes.length >= onnxGraphNodeCountMax) refuse('too_large', `the graph has more than ${onnxGraphNodeCountMax} nodes; a classifier needs a handful`);
      nodes.push(readNode(reader.sub()));
    } else if (field === 2 && wire === wireLengthDelimited) name = reader.string();
    else if (field === 5 && wire === wireLengthDelimited) initializerNames.add(readInitializerName(reader.sub()));
    else if (field === 11 && wire === wireLengthDelimited) inputs.push(readValueInfo(reader.sub()));
    else reader.skip(wire);
  }
  return { name, nodes, inputs, initializerNames };
}

function readStringPair(reader: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) key = reader.string();
    else if (field === 2 && wire === wireLengthDelimited) value = reader.string();
    else reader.skip(wire);
  }
  return [key, value];
}

function readOpset(reader: ProtoReader): [string, number] {
  let domain = '';
  let version = Number.NaN;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireLengthDelimited) domain = reader.string();
    else if (field === 2 && wire === wireVarint) version = reader.varint();
    else reader.skip(wire);
  }
  return [domain, version];
}

function readModel(bytes: Uint8Array): ReadModel {
  const reader = new ProtoReader(bytes, 0, bytes.length);
  let irVersion: number | undefined;
  let producerName = '';
  let modelVersion: number | undefined;
  let graph: ReadGraph | undefined;
  const opsets = new Map<string, number>();
  const metadata = new Map<string, string>();
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === wireVarint) irVersion = reader.varint();
    else if (field === 2 && wire === wireLengthDelimited) producerName = reader.string();
    else if (field === 5 && wire === wireVarint) modelVersion = reader.varint();
    else if (field === 7 && wire === wireLengthDelimited) {
      if (graph !== undefined) refuse('corrupt', 'the file holds two graphs');
      graph = readGraph(reader.sub());
    } else if (field === 8 && wire === wireLengthDelimited) {
      const [domain, version] = readOpset(reader.sub());
      opsets.set(domain === 'ai.onnx' ? '' : domain, version);
    } else if (field === 14 && wire === wireLengthDelimited) {
      if (metadata.size >= onnxMetadataEntryCountMax) refuse('too_large', `the file has more than ${onnxMetadataEntryCountMax} metadata entries`);
      const [key, value] = readStringPair(reader.sub());
      metadata.set(key, value);
    } else reader.skip(wire);
  }
  return { irVersion, producerName, modelVersion, opsets, metadata, graph };
}

// ---------------------------------------------------------------------------------------------
// Our models as ONNX: names and constants of the layout

export const onnxInputName = 'features';
export const onnxLabelOutputName = 'label';
export const onnxProbabilitiesOutputName = 'probabilities';
const mlDomain = 'ai.onnx.ml';
const irVersion = 8;
const defaultOpsetVersion = 15;
const mlOpsetVersion = 3;
/** The version of our layout and metadata, in producer_version. */
const layoutVersion = '1';

export const onnxMetadataKeys = {
  version: 'qenex.version',
  trainingDataDigest: 'qenex.training_data_digest',
  metrics: 'qenex.metrics',
  seed: 'qenex.seed',
  producer: 'qenex.producer',
  featureNames: 'qenex.feature_names',
  covers: 'qenex.covers',
  guardTree: 'qenex.guard_tree',
} as const;

// ---------------------------------------------------------------------------------------------
// Checks shared by both directions: a model's shape, as a sentence naming the first problem

function featureNamesProblem(names: readonly string[]): string | undefined {
  if (names.length < 1 || names.length > onnxFeatureCountMax) return `a model has between 1 and ${onnxFeatureCountMax} features, this one ${names.length}`;
  if (!names.every((name) => typeof name === 'string' && name.length > 0)) return 'a feature name is a non-empty string';
  if (new Set(names).size !== names.length) return 'the feature names are not unique';
  return undefined;
}

function metricsProblem(metrics: unknown): string | undefined {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return 'the metrics are not an object';
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `metric ${name} is not a finite number`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Our model as ONNX bytes; see the top of this file for the layout. A model breaking model.ts's contract is a programmer error. */
export function encodeOnnx(model: ClassifierModel): Uint8Array {
  checkEncodable(model);
  const featureCount = model.featureNames.length;
  const scorer = model.kind === 'tree_ensemble' ? treeEnsembleClassifierNode(model) : linearClassifierNode(model);
  return encodeModelProto({
    irVersion,
    producerName: 'qenex',
    producerVersion: layoutVersion,
    modelVersion: modelVersionNumber(model.metadata.version),
    docString: `QENEX fraud classifier ${model.metadata.version}: probabilities[:, 1] is the probability of fraud.`,
    opsets: [
      { domain: '', version: defaultOpsetVersion },
      { domain: mlDomain, version: mlOpsetVersion },
    ],
    metadata: metadataEntries(model, scorer.guardTree),
    graph: {
      name: model.metadata.version,
      nodes: [scorer.node],
      inputs: [{ name: onnxInputName, elementType: onnxElementType.float, dims: ['N', featureCount] }],
      outputs: [
        { name: onnxLabelOutputName, elementType: onnxElementType.int64, dims: ['N'] },
        { name: onnxProbabilitiesOutputName, elementType: onnxElementType.float, dims: ['N', 2] },
      ],
    },
  });
}

function checkEncodable(model: ClassifierModel): void {
  const namesProblem = featureNamesProblem(model.featureNames);
  assert(namesProblem === undefined, `an exported model: ${namesProblem}`);
  const metricsIssue = metricsProblem(model.metadata.metrics);
  assert(metricsIssue === undefined, `an exported model: ${metricsIssue}`);
  assert(model.metadata.seed === undefined || Number.isSafeInteger(model.metadata.seed), 'an exported model: a seed is a safe integer');
  if (model.kind === 'linear') {
    assert(model.coefficients.length === model.featureNames.length, 'an exported linear model has one coefficient per feature');
    const values = [model.intercept, ...model.coefficients];
    assert(values.every((value) => Number.isFinite(Math.fround(value))), 'an exported linear model has finite float32 coefficients and intercept');
    return;
  }
  assert(model.trees.length >= 1, 'an exported tree ensemble has at least one tree');
  assert(Number.isFinite(Math.fround(model.baseMargin)), 'an exported tree ensemble has a finite float32 base margin');
  let nodeCount = 0;
  model.trees.forEach((tree, index) => {
    const problem = treeShapeProblem(tree, model.featureNames.length, index);
    assert(problem === undefined, `an exported tree ensemble: ${problem}`);
    nodeCount += tree.nodes.length;
  });
  assert(nodeCount <= onnxTreeNodeCountMax, `an exported tree ensemble has at most ${onnxTreeNodeCountMax} nodes`);
}

/** ONNX's model_version is an integer: the number after the last '.' of our version (…-2026-12-01.3 → 3), else 0. */
function modelVersionNumber(version: string): number {
  const match = /\.(\d{1,15})$/.exec(version);
  return match === null ? 0 : Number(match[1]);
}

function metadataEntries(model: ClassifierModel, guardTree: boolean): [string, string][] {
  const { metadata } = model;
  const entries: [string, string][] = [
    [onnxMetadataKeys.version, metadata.version],
    [onnxMetadataKeys.trainingDataDigest, metadata.trainingDataDigest],
    [onnxMetadataKeys.metrics, JSON.stringify(metadata.metrics)],
    [onnxMetadataKeys.producer, metadata.producer],
    [onnxMetadataKeys.featureNames, JSON.stringify(model.featureNames)],
  ];
  if (metadata.seed !== undefined) entries.push([onnxMetadataKeys.seed, String(metadata.seed)]);
  if (model.kind === 'tree_ensemble') {
    entries.push([onnxMetadataKeys.covers, JSON.stringify(model.trees.map((tree) => tree.nodes.map((node) => node.cover)))]);
    if (guardTree) entries.push([onnxMetadataKeys.guardTree, '1']);
  }
  return entries;
}

/** The nodes_* and class_* lists of a TreeEnsembleClassifier, filled tree by tree. */
interface TreeLists {
  readonly treeIds: number[];
  readonly nodeIds: number[];
  readonly featureIds: number[];
  readonly modes: string[];
  readonly values: number[];
  readonly trueIds: number[];
  readonly falseIds: number[];
  readonly missingTracksTrue: number[];
  readonly weightTreeIds: number[];
  readonly weightNodeIds: number[];
  readonly weights: number[];
}

function appendTree(lists: TreeLists, nodes: readonly TreeNode[], treeId: number): void {
  nodes.forEach((node, nodeId) => {
    lists.treeIds.push(treeId);
    lists.nodeIds.push(nodeId);
    if (isLeaf(node)) {
      lists.featureIds.push(0);
      lists.modes.push('LEAF');
      lists.values.push(0);
      lists.trueIds.push(0);
      lists.falseIds.push(0);
      lists.missingTracksTrue.push(0);
      lists.weightTreeIds.push(treeId);
      lists.weightNodeIds.push(nodeId);
      lists.weights.push(node.value);
    } else {
      lists.featureIds.push(node.feature);
      lists.modes.push('BRANCH_LEQ');
      lists.values.push(node.threshold);
      lists.trueIds.push(node.left);
      lists.falseIds.push(node.right);
      lists.missingTracksTrue.push(node.missingLeft ? 1 : 0);
    }
  });
}

/**
 * The guard tree (see the top of this file): a comparison with NaN is never true, so every row
 * (NaN included: missing values take the false branch) reaches the leaf of weight 0.
 */
const guardTreeNodes: readonly TreeNode[] = [
  { feature: 0, threshold: Number.NaN, left: 1, right: 2, missingLeft: false, cover: 0 },
  { value: -1, cover: 0 },
  { value: 0, cover: 0 },
];

function treeEnsembleClassifierNode(model: TreeEnsembleModel): { node: OnnxNode; guardTree: boolean } {
  const lists: TreeLists = {
    treeIds: [], nodeIds: [], featureIds: [], modes: [], values: [], trueIds: [], falseIds: [],
    missingTracksTrue: [], weightTreeIds: [], weightNodeIds: [], weights: [],
  };
  model.trees.forEach((tree, treeId) => appendTree(lists, tree.nodes, treeId));
  const guardTree = !lists.weights.some((weight) => weight < 0);
  if (guardTree) appendTree(lists, guardTreeNodes, model.trees.length);
  const attributes: OnnxAttribute[] = [
    { name: 'nodes_treeids', kind: 'ints', value: lists.treeIds },
    { name: 'nodes_nodeids', kind: 'ints', value: lists.nodeIds },
    { name: 'nodes_featureids', kind: 'ints', value: lists.featureIds },
    { name: 'nodes_modes', kind: 'strings', value: lists.modes },
    { name: 'nodes_values', kind: 'floats', value: lists.values },
    { name: 'nodes_truenodeids', kind: 'ints', value: lists.trueIds },
    { name: 'nodes_falsenodeids', kind: 'ints', value: lists.falseIds },
    { name: 'nodes_missing_value_tracks_true', kind: 'ints', value: lists.missingTracksTrue },
    { name: 'class_treeids', kind: 'ints', value: lists.weightTreeIds },
    { name: 'class_nodeids', kind: 'ints', value: lists.weightNodeIds },
    // Class id 0 for every weight: onnxruntime's binary case (one class id, two labels).
    { name: 'class_ids', kind: 'ints', value: lists.weights.map(() => 0) },
    { name: 'class_weights', kind: 'floats', value: lists.weights },
    { name: 'classlabels_int64s', kind: 'ints', value: [0, 1] },
    { name: 'base_values', kind: 'floats', value: [Math.fround(model.baseMargin)] },
    { name: 'post_transform', kind: 'string', value: 'LOGISTIC' },
  ];
  return { node: scorerNode('TreeEnsembleClassifier', attributes), guardTree };
}

function linearClassifierNode(model: LinearModel): { node: OnnxNode; guardTree: boolean } {
  const weights = model.coefficients.map((coefficient) => Math.fround(coefficient));
  const intercept = Math.fround(model.intercept);
  // Two rows [−w; w] (skl2onnx's layout): scores [−m, m], whose logistics are [σ(−m), σ(m)].
  const attributes: OnnxAttribute[] = [
    { name: 'coefficients', kind: 'floats', value: [...weights.map((weight) => -weight), ...weights] },
    { name: 'intercepts', kind: 'floats', value: [-intercept, intercept] },
    { name: 'classlabels_ints', kind: 'ints', value: [0, 1] },
    { name: 'multi_class', kind: 'int', value: 0 },
    { name: 'post_transform', kind: 'string', value: 'LOGISTIC' },
  ];
  return { node: scorerNode('LinearClassifier', attributes), guardTree: false };
}

function scorerNode(opType: string, attributes: OnnxAttribute[]): OnnxNode {
  return {
    opType,
    domain: mlDomain,
    name: opType,
    inputs: [onnxInputName],
    outputs: [onnxLabelOutputName, onnxProbabilitiesOutputName],
    attributes,
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding: the envelope and the graph

/** A model read from ONNX bytes; see the top of this file for what is read and what is refused. */
export function decodeOnnx(bytes: Uint8Array, expectedFeatures?: readonly string[]): ClassifierModel {
  if (bytes.length === 0) refuse('corrupt', 'the file is empty');
  if (bytes.length > onnxBytesMax) refuse('too_large', `the file has ${bytes.length} bytes; the most we read is ${onnxBytesMax}`);
  const model = readModel(bytes);
  const graph = checkEnvelope(model);
  const input = featureInput(graph);
  const scorer = findScorer(graph, input.name);
  const qenex = readQenexMetadata(model.metadata);
  const width = input.dims?.[1];
  const layout = {
    width: typeof width === 'number' ? width : undefined,
    names: qenex?.featureNames,
    expected: expectedFeatures,
  };
  const metadata = qenex?.metadata ?? foreignMetadata(model, graph);
  if (scorer.node.opType === 'LinearClassifier') {
    const linear = linearFrom(scorer.node);
    const featureNames = resolveFeatureNames(layout, linear.coefficients.length, true);
    return { kind: 'linear', featureNames, intercept: linear.intercept, coefficients: linear.coefficients, metadata };
  }
  const { trees, baseMargin, featuresUsed } = treeEnsembleFrom(scorer.node, qenex);
  const featureNames = resolveFeatureNames(layout, featuresUsed, false);
  trees.forEach((tree, index) => {
    const problem = treeShapeProblem(tree, featureNames.length, index);
    if (problem !== undefined) refuse('invalid_model', problem);
  });
  return { kind: 'tree_ensemble', featureNames, baseMargin, trees, metadata };
}

function checkEnvelope(model: ReadModel): ReadGraph {
  if (model.irVersion === undefined || !(model.irVersion >= 3)) refuse('corrupt', 'the bytes are not an ONNX model (no IR version)');
  if (model.graph === undefined) refuse('corrupt', 'the bytes hold no ONNX graph (truncated, or not an ONNX file)');
  if (model.graph.nodes.length === 0) refuse('corrupt', 'the ONNX graph has no nodes (truncated, or not an ONNX file)');
  const ml = model.opsets.get(mlDomain);
  if (ml === undefined) refuse('corrupt', `the model imports no ${mlDomain} opset, which its operators need (truncated?)`);
  if (!(ml >= 1 && ml <= 5)) refuse('unsupported_model', `${mlDomain} opset ${ml} is not one we read (1 to 5)`);
  return model.graph;
}

/** The one graph input that is not an initializer: tensor(float) of shape [N, F] (F may be symbolic). */
function featureInput(graph: ReadGraph): ReadValueInfo {
  const inputs = graph.inputs.filter((input) => !graph.initializerNames.has(input.name));
  if (inputs.length !== 1) refuse('unsupported_model', `the model takes ${inputs.length} inputs; a classifier we read takes one feature matrix`);
  const input = inputs[0]!;
  if (input.elementType !== onnxElementType.float) {
    refuse('unsupported_model', `input ${input.name} is not tensor(float) (element type ${input.elementType ?? 'none'}); export the model with a float input`);
  }
  if (input.dims !== undefined && input.dims.length !== 2) {
    refuse('unsupported_model', `input ${input.name} has rank ${input.dims.length}; a classifier we read takes a [N, features] matrix`);
  }
  return input;
}

const scorerOperators = new Set(['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'LinearClassifier']);
/** Operators that may stand beside the scorer, by domain: they pass values on or repackage them. */
const passingOperators: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['', new Set(['Identity', 'Sigmoid'])],
  [mlDomain, new Set(['ZipMap'])],
]);

function nodeDomain(node: ReadNode): string {
  return node.domain === 'ai.onnx' ? '' : node.domain;
}

function isScorer(node: ReadNode): boolean {
  return nodeDomain(node) === mlDomain && scorerOperators.has(node.opType);
}

function isPassing(node: ReadNode): boolean {
  return passingOperators.get(nodeDomain(node))?.has(node.opType) === true;
}

interface FoundScorer {
  readonly node: ReadNode;
}

/**
 * The graph's one scoring operator, fed by the feature input (Identity nodes between are fine). A
 * TreeEnsembleRegressor must be followed by a Sigmoid (its output is a raw margin); a Sigmoid
 * anywhere else, or any other operator, is refused.
 */
function findScorer(graph: ReadGraph, inputName: string): FoundScorer {
  for (const node of graph.nodes) {
    if (!isScorer(node) && !isPassing(node)) {
      const name = `${nodeDomain(node) === '' ? '' : `${nodeDomain(node)}.`}${node.opType}`;
      refuse('unsupported_operator', `operator ${name} is not one we score (we read TreeEnsembleClassifier, TreeEnsembleRegressor + Sigmoid and LinearClassifier)`);
    }
  }
  const scorers = graph.nodes.filter(isScorer);
  if (scorers.length === 0) refuse('unsupported_operator', 'the graph has no TreeEnsembleClassifier, TreeEnsembleRegressor or LinearClassifier');
  if (scorers.length > 1) refuse('unsupported_model', `the graph has ${scorers.length} scoring operators; we read models with one`);
  const scorer = scorers[0]!;
  const producers = new Map<string, ReadNode>();
  for (const node of graph.nodes) for (const output of node.outputs) producers.set(output, node);
  const source = (name: string): string => {
    let current = name;
    for (let hop = 0; hop <= graph.nodes.length; hop++) {
      const producer = producers.get(current);
      if (producer === undefined || producer.opType !== 'Identity') return current;
      current = producer.inputs[0] ?? '';
    }
    return refuse('invalid_model', 'the graph has a cycle of Identity nodes');
  };
  if (scorer.inputs.length !== 1 || source(scorer.inputs[0]!) !== inputName) {
    refuse('unsupported_model', `${scorer.opType} does not read the feature input ${inputName} directly`);
  }
  const sigmoids = graph.nodes.filter((node) => node.opType === 'Sigmoid');
  if (scorer.opType === 'TreeEnsembleRegressor') {
    const margin = scorer.outputs[0];
    if (sigmoids.length !== 1 || margin === undefined || source(sigmoids[0]!.inputs[0] ?? '') !== margin) {
      refuse('unsupported_model', 'a TreeEnsembleRegressor gives a raw margin: we read it only when one Sigmoid follows it');
    }
  } else if (sigmoids.length > 0) {
    refuse('unsupported_model', `a Sigmoid after ${scorer.opType} would transform its probabilities again`);
  }
  return { node: scorer };
}

// ---------------------------------------------------------------------------------------------
// Decoding: attributes

function attributeOf(node: ReadNode, name: string, type: number): ReadAttribute | undefined {
  const attribute = node.attributes.get(name);
  if (attribute === undefined) return undefined;
  if (attribute.type !== 0 && attribute.type !== type) refuse('invalid_model', `${node.opType}'s attribute ${name} has type ${attribute.type}, not ${type}`);
  return attribute;
}

function intsOf(node: ReadNode, name: string): readonly number[] {
  const values = attributeOf(node, name, attributeType.ints)?.ints ?? [];
  for (const value of values) if (!Number.isSafeInteger(value)) refuse('invalid_model', `${node.opType}'s ${name} holds an integer out of range`);
  return values;
}

function floatsOf(node: ReadNode, name: string): readonly number[] {
  return attributeOf(node, name, attributeType.floats)?.floats ?? [];
}

function stringsOf(node: ReadNode, name: string): readonly string[] {
  return attributeOf(node, name, attributeType.strings)?.strings ?? [];
}

function stringOf(node: ReadNode, name: string, fallback: string): string {
  return attributeOf(node, name, attributeType.string)?.s ?? fallback;
}

function intOf(node: ReadNode, name: string): number | undefined {
  return attributeOf(node, name, attributeType.int)?.i;
}

/** The *_as_tensor attributes (double-precision values, ai.onnx.ml 3) are not read. */
function refuseTensorAttributes(node: ReadNode): void {
  for (const attribute of node.attributes.values()) {
    if (attribute.hasPayload || attribute.name.endsWith('_as_tensor')) {
      refuse('unsupported_model', `${node.opType}'s attribute ${attribute.name} holds a tensor; we read float lists (nodes_values, class_weights, base_values)`);
    }
  }
}

function classLabelCount(node: ReadNode): number {
  const ints = node.opType === 'LinearClassifier' ? intsOf(node, 'classlabels_ints') : intsOf(node, 'classlabels_int64s');
  const strings = stringsOf(node, 'classlabels_strings');
  return Math.max(ints.length, strings.length);
}

// ---------------------------------------------------------------------------------------------
// Decoding: tree ensembles

/** The nodes_* lists, checked for equal lengths. */
interface NodeLists {
  readonly treeIds: readonly number[];
  readonly nodeIds: readonly number[];
  readonly featureIds: readonly number[];
  readonly modes: readonly string[];
  readonly values: readonly number[];
  readonly trueIds: readonly number[];
  readonly falseIds: readonly number[];
  readonly missingTracksTrue: readonly number[];
}

function nodeListsOf(node: ReadNode): NodeLists {
  const lists: NodeLists = {
    treeIds: intsOf(node, 'nodes_treeids'),
    nodeIds: intsOf(node, 'nodes_nodeids'),
    featureIds: intsOf(node, 'nodes_featureids'),
    modes: stringsOf(node, 'nodes_modes'),
    values: floatsOf(node, 'nodes_values'),
    trueIds: intsOf(node, 'nodes_truenodeids'),
    falseIds: intsOf(node, 'nodes_falsenodeids'),
    missingTracksTrue: intsOf(node, 'nodes_missing_value_tracks_true'),
  };
  const count = lists.treeIds.length;
  if (count === 0) refuse('invalid_model', `${node.opType} has no nodes`);
  if (count > onnxTreeNodeCountMax) refuse('too_large', `${node.opType} has ${count} nodes; the most we read is ${onnxTreeNodeCountMax}`);
  const same = [lists.nodeIds, lists.featureIds, lists.modes, lists.values, lists.trueIds, lists.falseIds].every((list) => list.length === count);
  // onnxruntime reads a missing (or short) nodes_missing_value_tracks_true as 0 for the rest.
  if (!same || lists.missingTracksTrue.length > count) refuse('invalid_model', `${node.opType}'s nodes_* lists have different lengths`);
  return lists;
}

/** One tree's nodes: their positions in the lists, in the order given (the first is the root, as onnxruntime reads it). */
interface TreeGroup {
  readonly treeId: number;
  readonly positions: number[];
  readonly localIndex: Map<number, number>;
}

function groupTrees(lists: NodeLists): TreeGroup[] {
  const groups: TreeGroup[] = [];
  const seen = new Set<number>();
  for (let position = 0; position < lists.treeIds.length; position++) {
    const treeId = lists.treeIds[position]!;
    let group = groups[groups.length - 1];
    if (group === undefined || group.treeId !== treeId) {
      if (seen.has(treeId)) refuse('invalid_model', `tree ${treeId}'s nodes are not listed together (onnxruntime reads each tree as one run of nodes)`);
      seen.add(treeId);
      group = { treeId, positions: [], localIndex: new Map() };
      groups.push(group);
    }
    const nodeId = lists.nodeIds[position]!;
    if (group.localIndex.has(nodeId)) refuse('invalid_model', `tree ${treeId} lists node ${nodeId} twice`);
    group.localIndex.set(nodeId, group.positions.length);
    group.positions.push(position);
  }
  return groups;
}

/** How leaf weights become one margin: all on one class id, or class 1 minus class 0 (SOFTMAX). */
type WeightLayout = { readonly kind: 'one_class'; readonly classId: number } | { readonly kind: 'difference' };

interface WeightLists {
  readonly treeIds: readonly number[];
  readonly nodeIds: readonly number[];
  readonly classIds: readonly number[];
  readonly weights: readonly number[];
}

function weightListsOf(node: ReadNode): WeightLists {
  const prefix = node.opType === 'TreeEnsembleClassifier' ? 'class' : 'target';
  const lists = {
    treeIds: intsOf(node, `${prefix}_treeids`),
    nodeIds: intsOf(node, `${prefix}_nodeids`),
    classIds: intsOf(node, `${prefix}_ids`),
    weights: floatsOf(node, `${prefix}_weights`),
  };
  const count = lists.treeIds.length;
  if (count === 0) refuse('invalid_model', `${node.opType} has no leaf weights`);
  if (![lists.nodeIds, lists.classIds, lists.weights].every((list) => list.length === count)) {
    refuse('invalid_model', `${node.opType}'s ${prefix}_* lists have different lengths`);
  }
  if (!lists.weights.every(Number.isFinite)) refuse('invalid_model', `${node.opType} has a leaf weight that is not finite`);
  return lists;
}

/**
 * The layout of a classifier's weights and its base margin, refusing those whose onnxruntime
 * output is not [σ(−m), σ(m)] for one margin m (each refusal says what onnxruntime does instead).
 */
function classifierLayout(node: ReadNode, classIds: ReadonlySet<number>): { layout: WeightLayout; baseMargin: number } {
  if (classLabelCount(node) !== 2) refuse('unsupported_model', `TreeEnsembleClassifier has ${classLabelCount(node)} class labels; we read binary classifiers`);
  const post = stringOf(node, 'post_transform', 'NONE');
  const bases = floatsOf(node, 'base_values');
  if (!bases.every(Number.isFinite)) refuse('invalid_model', 'TreeEnsembleClassifier has a base value that is not finite');
  const ids = [...classIds].sort((a, b) => a - b).join(',');
  if (ids === '0' || ids === '1') {
    if (post !== 'LOGISTIC') refuse('unsupported_model', `TreeEnsembleClassifier with post_transform ${post} gives no logistic of a margin (we read LOGISTIC)`);
    if (ids === '0' && bases.length > 1) refuse('unsupported_model', 'TreeEnsembleClassifier with weights on class 0 and two base values: onnxruntime then gives class 1 a constant probability');
    if (ids === '1' && bases.length > 0) {
      refuse('unsupported_model', 'TreeEnsembleClassifier with weights on class 1 and base values: onnxruntime then leaves the base value out of class 1 (with two, it drops the trees); put the weights on class 0 with one base value');
    }
    return { layout: { kind: 'one_class', classId: Number(ids) }, baseMargin: bases[0] ?? 0 };
  }
  if (ids === '0,1') {
    if (post !== 'SOFTMAX') refuse('unsupported_model', `TreeEnsembleClassifier with weights on both classes and post_transform ${post} gives two unrelated probabilities (we read SOFTMAX)`);
    if (bases.length > 0) refuse('unsupported_model', 'TreeEnsembleClassifier with weights on both classes and base values: onnxruntime then scores class 1 from class 0 weights alone');
    return { layout: { kind: 'difference' }, baseMargin: 0 };
  }
  return refuse('invalid_model', `TreeEnsembleClassifier has weights for class ids ${ids}, not for the classes 0 and 1 of a binary classifier`);
}

function regressorLayout(node: ReadNode, classIds: ReadonlySet<number>): { layout: WeightLayout; baseMargin: number } {
  const targets = intOf(node, 'n_targets');
  if (targets !== 1) refuse('unsupported_model', `TreeEnsembleRegressor has n_targets ${targets ?? 'missing'}; we read one target`);
  if ([...classIds].some((id) => id !== 0)) refuse('invalid_model', 'TreeEnsembleRegressor has a weight for a target other than 0');
  const aggregate = stringOf(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM') refuse('unsupported_model', `TreeEnsembleRegressor aggregates by ${aggregate}; a margin is a SUM`);
  const post = stringOf(node, 'post_transform', 'NONE');
  if (post !== 'NONE') refuse('unsupported_model', `TreeEnsembleRegressor with post_transform ${post} before its Sigmoid`);
  const bases = floatsOf(node, 'base_values');
  if (bases.length > 1 || !bases.every(Number.isFinite)) refuse('invalid_model', 'TreeEnsembleRegressor has more than one base value, or one that is not finite');
  return { layout: { kind: 'one_class', classId: 0 }, baseMargin: bases[0] ?? 0 };
}

/**
 * Each tree's leaf values, by local node index (0 for a leaf without a weight, which adds nothing
 * in onnxruntime either). A weight on a branch is ignored, as onnxruntime does.
 */
function leafValues(lists: NodeLists, groups: readonly TreeGroup[], weights: WeightLists, layout: WeightLayout): Float64Array[] {
  const groupOf = new Map(groups.map((group, index) => [group.treeId, index]));
  const positive = groups.map((group) => new Float64Array(group.positions.length));
  const negative = groups.map((group) => new Float64Array(group.positions.length));
  // Per leaf: bit 1 once it has its (class 1, or only) weight, bit 2 once it has its class 0 weight.
  const seen = groups.map((group) => new Uint8Array(group.positions.length));
  for (let entry = 0; entry < weights.treeIds.length; entry++) {
    const treeId = weights.treeIds[entry]!;
    const nodeId = weights.nodeIds[entry]!;
    const groupIndex = groupOf.get(treeId);
    const local = groupIndex === undefined ? undefined : groups[groupIndex]!.localIndex.get(nodeId);
    if (groupIndex === undefined || local === undefined) refuse('invalid_model', `a leaf weight names node ${nodeId} of tree ${treeId}, which does not exist`);
    if (lists.modes[groups[groupIndex]!.positions[local]!] !== 'LEAF') continue;
    const isNegative = layout.kind === 'difference' && weights.classIds[entry] === 0;
    const bit = isNegative ? 2 : 1;
    if ((seen[groupIndex]![local]! & bit) !== 0) {
      refuse('unsupported_model', `leaf ${nodeId} of tree ${treeId} has two weights for one class (onnxruntime adds them one by one; we hold one value per leaf)`);
    }
    seen[groupIndex]![local]! |= bit;
    (isNegative ? negative : positive)[groupIndex]![local] = weights.weights[entry]!;
  }
  if (layout.kind === 'one_class') return positive;
  return positive.map((values, tree) => values.map((value, local) => Math.fround(value - negative[tree]![local]!)));
}

/** x < t equals x ≤ (the float32 just below t) for every float32 x: the LT threshold as an LEQ one. */
function float32Below(threshold: number): number {
  if (threshold === 0) return -Math.pow(2, -149);
  const word = new Float32Array([threshold]);
  const bits = new Uint32Array(word.buffer);
  bits[0] = threshold > 0 ? bits[0]! - 1 : bits[0]! + 1;
  return word[0]!;
}

function branchThreshold(mode: string, value: number, where: (position: number) => string, position: number): number {
  if (mode === 'BRANCH_LEQ') return value;
  if (Number.isNaN(value) || value === -Infinity) refuse('unsupported_model', `${where(position)}: x < ${value} is never true; such a split has no equal x ≤ t form`);
  return float32Below(value);
}

function buildTree(lists: NodeLists, group: TreeGroup, values: Float64Array, covers: readonly number[] | undefined): Tree {
  const where = (position: number): string => `tree ${group.treeId} node ${lists.nodeIds[position]}`;
  const child = (position: number, nodeId: number): number => {
    const index = group.localIndex.get(nodeId);
    if (index === undefined) refuse('invalid_model', `${where(position)} points to node ${nodeId}, which is not in its tree`);
    return index;
  };
  const nodes = group.positions.map((position, local): TreeNode => {
    const mode = lists.modes[position]!;
    const cover = covers?.[local] ?? 0;
    if (mode === 'LEAF') return { value: values[local]!, cover };
    if (mode !== 'BRANCH_LEQ' && mode !== 'BRANCH_LT') {
      refuse('unsupported_model', `${where(position)} is a ${mode} split; we read BRANCH_LEQ and BRANCH_LT`);
    }
    return {
      feature: lists.featureIds[position]!,
      threshold: branchThreshold(mode, lists.values[position]!, where, position),
      left: child(position, lists.trueIds[position]!),
      right: child(position, lists.falseIds[position]!),
      missingLeft: lists.missingTracksTrue[position] === 1,
      cover,
    };
  });
  return { nodes };
}

function isGuardTree(tree: Tree): boolean {
  const [root, never, always] = tree.nodes;
  return (
    tree.nodes.length === 3 && root !== undefined && !isLeaf(root) && Number.isNaN(root.threshold) && !root.missingLeft &&
    root.left === 1 && root.right === 2 && never !== undefined && isLeaf(never) && always !== undefined && isLeaf(always) && always.value === 0
  );
}

interface DecodedEnsemble {
  readonly trees: Tree[];
  readonly baseMargin: number;
  /** One more than the highest feature index a split reads. */
  readonly featuresUsed: number;
}

/**
 * The trees of a TreeEnsembleClassifier or TreeEnsembleRegressor. With our metadata (`qenex`): the
 * guard tree, when it says there is one, is dropped, and the covers go onto the nodes.
 */
function treeEnsembleFrom(node: ReadNode, qenex: QenexMetadata | undefined): DecodedEnsemble {
  refuseTensorAttributes(node);
  const lists = nodeListsOf(node);
  const groups = groupTrees(lists);
  const weights = weightListsOf(node);
  const classIds = new Set(weights.classIds);
  const { layout, baseMargin } = node.opType === 'TreeEnsembleClassifier' ? classifierLayout(node, classIds) : regressorLayout(node, classIds);
  const values = leafValues(lists, groups, weights, layout);
  if (qenex?.guardTree === true) {
    const guard = groups.length >= 2 ? buildTree(lists, groups.pop()!, values.pop()!, undefined) : undefined;
    if (guard === undefined || !isGuardTree(guard)) refuse('invalid_model', 'the metadata says the last tree is our guard tree, and it is not');
  }
  const covers = qenex === undefined ? undefined : coversFor(groups, qenex.covers);
  const trees = groups.map((group, index) => buildTree(lists, group, values[index]!, covers?.[index]));
  let featuresUsed = 1;
  for (const tree of trees) for (const treeNode of tree.nodes) if (!isLeaf(treeNode)) featuresUsed = Math.max(featuresUsed, treeNode.feature + 1);
  return { trees, baseMargin, featuresUsed };
}

/** Our covers, checked to match the trees node for node. */
function coversFor(groups: readonly TreeGroup[], covers: readonly (readonly number[])[] | undefined): readonly (readonly number[])[] {
  if (covers === undefined) refuse('invalid_model', `the file has our metadata but no ${onnxMetadataKeys.covers} for its trees`);
  if (covers.length !== groups.length || groups.some((group, index) => covers[index]!.length !== group.positions.length)) {
    refuse('invalid_model', `metadata ${onnxMetadataKeys.covers} does not match the trees node for node`);
  }
  return covers;
}

// ---------------------------------------------------------------------------------------------
// Decoding: linear classifiers

function linearFrom(node: ReadNode): { coefficients: number[]; intercept: number } {
  refuseTensorAttributes(node);
  if (classLabelCount(node) !== 2) refuse('unsupported_model', `LinearClassifier has ${classLabelCount(node)} class labels; we read binary classifiers`);
  const coefficients = floatsOf(node, 'coefficients');
  const intercepts = floatsOf(node, 'intercepts');
  const rows = intercepts.length;
  if (rows !== 1 && rows !== 2) refuse('unsupported_model', `LinearClassifier has ${rows} rows of coefficients; a binary one has one or two`);
  if (coefficients.length === 0 || coefficients.length % rows !== 0) refuse('invalid_model', 'LinearClassifier\'s coefficients do not fill its rows');
  if (![...coefficients, ...intercepts].every(Number.isFinite)) refuse('invalid_model', 'LinearClassifier has a coefficient or intercept that is not finite');
  const width = coefficients.length / rows;
  const post = stringOf(node, 'post_transform', 'NONE');
  if (rows === 1) {
    // onnxruntime 1.30 gives [1 − σ(m), σ(m)]; releases before it wrote [1 − m, m] with no logistic.
    if (post !== 'LOGISTIC') refuse('unsupported_model', `LinearClassifier with post_transform ${post} gives no logistic of a margin (we read LOGISTIC)`);
    return { coefficients: [...coefficients], intercept: intercepts[0]! };
  }
  const negative = coefficients.slice(0, width);
  const positive = coefficients.slice(width);
  if (post === 'LOGISTIC') {
    const mirrored = negative.every((value, index) => value === -positive[index]!) && intercepts[0] === -intercepts[1]!;
    if (!mirrored) refuse('unsupported_model', 'LinearClassifier with two rows under LOGISTIC gives two unrelated probabilities unless row 0 is minus row 1');
    return { coefficients: positive, intercept: intercepts[1]! };
  }
  if (post === 'SOFTMAX') {
    return { coefficients: positive.map((value, index) => Math.fround(value - negative[index]!)), intercept: Math.fround(intercepts[1]! - intercepts[0]!) };
  }
  return refuse('unsupported_model', `LinearClassifier with post_transform ${post} gives no logistic of a margin (we read LOGISTIC and SOFTMAX)`);
}

// ---------------------------------------------------------------------------------------------
// Decoding: metadata and the feature schema

interface QenexMetadata {
  readonly metadata: ModelMetadata;
  readonly featureNames: readonly string[];
  readonly covers: readonly (readonly number[])[] | undefined;
  readonly guardTree: boolean;
}

function parseJson(entries: ReadonlyMap<string, string>, key: string): unknown {
  const text = entries.get(key);
  if (text === undefined) refuse('invalid_model', `the file has our metadata but not ${key}`);
  if (text.length > onnxMetadataValueLengthMax) refuse('too_large', `metadata ${key} is longer than ${onnxMetadataValueLengthMax} characters`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return refuse('invalid_model', `metadata ${key} is not JSON`);
  }
}

/** Our metadata, when the file has qenex.version; undefined for a file made elsewhere. */
function readQenexMetadata(entries: ReadonlyMap<string, string>): QenexMetadata | undefined {
  const version = entries.get(onnxMetadataKeys.version);
  if (version === undefined) return undefined;
  const trainingDataDigest = entries.get(onnxMetadataKeys.trainingDataDigest);
  const producer = entries.get(onnxMetadataKeys.producer);
  if (trainingDataDigest === undefined || producer === undefined) refuse('invalid_model', 'the file has our metadata without its training data digest or producer');
  const metrics = parseJson(entries, onnxMetadataKeys.metrics);
  const metricsIssue = metricsProblem(metrics);
  if (metricsIssue !== undefined) refuse('invalid_model', `metadata ${onnxMetadataKeys.metrics}: ${metricsIssue}`);
  const featureNames = parseJson(entries, onnxMetadataKeys.featureNames);
  if (!Array.isArray(featureNames) || !featureNames.every((name) => typeof name === 'string')) refuse('invalid_model', `metadata ${onnxMetadataKeys.featureNames} is not a list of names`);
  const namesIssue = featureNamesProblem(featureNames as string[]);
  if (namesIssue !== undefined) refuse('invalid_model', `metadata ${onnxMetadataKeys.featureNames}: ${namesIssue}`);
  const seedText = entries.get(onnxMetadataKeys.seed);
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && (!/^-?\d+$/.test(seedText!) || !Number.isSafeInteger(seed))) refuse('invalid_model', `metadata ${onnxMetadataKeys.seed} is not an integer`);
  const covers = entries.has(onnxMetadataKeys.covers) ? parseJson(entries, onnxMetadataKeys.covers) : undefined;
  if (covers !== undefined && !(Array.isArray(covers) && covers.every((tree) => Array.isArray(tree) && tree.every((cover) => typeof cover === 'number')))) {
    refuse('invalid_model', `metadata ${onnxMetadataKeys.covers} is not a list of covers per tree`);
  }
  const metadata: ModelMetadata = {
    version,
    trainingDataDigest,
    metrics: metrics as Record<string, number>,
    producer,
    ...(seed === undefined ? {} : { seed }),
  };
  return { metadata, featureNames: featureNames as string[], covers: covers as number[][] | undefined, guardTree: entries.get(onnxMetadataKeys.guardTree) === '1' };
}

function foreignMetadata(model: ReadModel, graph: ReadGraph): ModelMetadata {
  return {
    version: `${graph.name === '' ? 'onnx' : graph.name}.${Number.isSafeInteger(model.modelVersion) ? model.modelVersion : 0}`,
    trainingDataDigest: '',
    metrics: {},
    producer: model.producerName === '' ? 'unknown' : model.producerName,
  };
}

interface FeatureLayout {
  /** The input's width when its shape gives it. */
  readonly width: number | undefined;
  /** The names our metadata carries. */
  readonly names: readonly string[] | undefined;
  readonly expected: readonly string[] | undefined;
}

/**
 * The model's feature names, checked against the caller's: names and count when the file names
 * them, the count alone when it does not. `used` is how many features the scorer reads: exactly
 * (a linear model's coefficients) or at most (the highest feature a split reads, plus one).
 */
function resolveFeatureNames(layout: FeatureLayout, used: number, exact: boolean): string[] {
  const { width, names, expected } = layout;
  if (expected !== undefined) {
    const problem = featureNamesProblem(expected);
    assert(problem === undefined, `expected features: ${problem}`);
  }
  const count = names?.length ?? width ?? (exact ? used : (expected?.length ?? used));
  if (count > onnxFeatureCountMax) refuse('too_large', `the model has ${count} features; the most we read is ${onnxFeatureCountMax}`);
  if (width !== undefined && width !== count) refuse('invalid_model', `the input has ${width} columns but the model names ${count} features`);
  if (exact ? used !== count : used > count) refuse('invalid_model', `the model reads ${used} features but its input has ${count}`);
  if (expected !== undefined && expected.length !== count) {
    refuse('schema_mismatch', `the model has ${count} features, the scorer expects ${expected.length} (${expected.slice(0, 5).join(', ')}${expected.length > 5 ? ', …' : ''})`);
  }
  if (names !== undefined && expected !== undefined) {
    const differing = names.flatMap((name, index) => (name === expected[index] ? [] : [index]));
    if (differing.length > 0) {
      const first = differing[0]!;
      refuse('schema_mismatch', `the model's features differ from the expected ones at ${differing.length} positions, first at ${first}: '${names[first]}' where '${expected[first]}' is expected`);
    }
  }
  return [...(names ?? expected ?? Array.from({ length: count }, (_, index) => `f${index}`))];
}

// ---------------------------------------------------------------------------------------------
// Covers from reference rows

/**
 * The model with every node's cover recounted: how many of `rows` reach it (rows are rounded to
 * float32 and routed as onnxruntime routes them). A file made elsewhere has no covers; TreeSHAP
 * needs them, from rows like the training data (a sample of it, or of recent traffic).
 */
export function recomputeCovers(model: TreeEnsembleModel, rows: readonly ArrayLike<number>[]): TreeEnsembleModel {
  assert(rows.length >= 1 && rows.length <= coverRowCountMax, `covers are counted over 1 to ${coverRowCountMax} rows`);
  const featureCount = model.featureNames.length;
  const counts = model.trees.map((tree) => new Float64Array(tree.nodes.length));
  const rounded = new Float64Array(featureCount);
  for (const row of rows) {
    assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
    for (let feature = 0; feature < featureCount; feature++) rounded[feature] = Math.fround(row[feature]!);
    model.trees.forEach((tree, treeIndex) => {
      const count = counts[treeIndex]!;
      let index = 0;
      for (let depth = 0; depth <= tree.nodes.length; depth++) {
        count[index]!++;
        const node = tree.nodes[index]!;
        if (isLeaf(node)) return;
        const value = rounded[node.feature]!;
        index = value <= node.threshold || (value !== value && node.missingLeft) ? node.left : node.right;
      }
      assert(false, `tree ${treeIndex} has a cycle`);
    });
  }
  const trees = model.trees.map((tree, treeIndex) => ({ nodes: tree.nodes.map((node, index) => ({ ...node, cover: counts[treeIndex]![index]! })) }));
  return { ...model, trees };
}

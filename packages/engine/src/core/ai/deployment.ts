/**
 * A fraud model as the bank deploys it: an ONNX file inside a signed content document
 * (`content/models/champion.json`, `content/models/challenger.json`) that the update channel
 * verifies and every host installs, with the thresholds that turn its probability into a decision
 * and the reference distributions its drift is measured against. A document is checked whole
 * before it takes effect: the ONNX file must decode, its features must be ours, its figures sane.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeBase64url, encodeBase64url } from '../crypto/encoding';
import { featureNames, featureSchemaDigest } from './features';
import { binCounts, quantileEdges } from './metrics';
import type { ClassifierModel } from './model';
import { decodeOnnx, encodeOnnx, OnnxModelError } from './onnx';
import type { FeatureMatrix } from './scorer';

export type ModelSlot = 'champion' | 'challenger';
export const modelSlots: readonly ModelSlot[] = ['champion', 'challenger'];

/** What a score decides: approve below `review`, review from it, block from `block`. */
export interface ModelThresholds {
  readonly review: number;
  readonly block: number;
}

/** A sample's distribution over fixed bins: the edges between bins and each bin's share. */
export interface BinnedReference {
  readonly edges: readonly number[];
  readonly shares: readonly number[];
}

/** What drift is measured against: the score's and each feature's distribution on the evaluation days. */
export interface DriftReference {
  readonly score: BinnedReference;
  readonly features: Readonly<Record<string, BinnedReference>>;
}

export interface FraudModelDocument {
  readonly kind: 'qenex.fraud-model';
  readonly schema: 1;
  readonly slot: ModelSlot;
  readonly featureSchemaDigest: string;
  readonly thresholds: ModelThresholds;
  readonly reference: DriftReference;
  /** The ONNX file, base64url. */
  readonly onnx: string;
}

export interface DeployedModel {
  readonly document: FraudModelDocument;
  readonly model: ClassifierModel;
  readonly bytes: Uint8Array;
  /** SHA-256 (hex) of the ONNX bytes: what a decision names beside the version. */
  readonly onnxSha256: string;
}

/** Reference bins per distribution. */
export const driftBinCount = 10;
/** An ONNX file in a document at most (base64 of it is a third larger). */
export const deployedOnnxBytesMax = 64 * 1024 * 1024;

/** Shares of `values` (none missing) in the bins `edges` cut: a value equal to an edge falls in the bin below it (metrics.binIndex). */
function binShares(values: readonly number[], edges: readonly number[]): number[] {
  // binCounts ends with the missing-value bin, empty here.
  const counts = Array.from(binCounts(values, Float64Array.from(edges))).slice(0, edges.length + 1);
  return counts.map((count) => (values.length === 0 ? 0 : count / values.length));
}

/** The reference of a model: its scores and each feature's values on the evaluation rows. */
export function driftReference(scores: ArrayLike<number>, matrix: FeatureMatrix): DriftReference {
  const binned = (values: ArrayLike<number>): BinnedReference => {
    const present = Array.from(values).filter((value) => value === value);
    const edges = present.length === 0 ? [] : [...new Set(quantileEdges(present, driftBinCount))];
    return { edges, shares: binShares(present, edges) };
  };
  const features: Record<string, BinnedReference> = {};
  featureNames.forEach((name, column) => {
    features[name] = binned(Array.from({ length: matrix.rowCount }, (_unused, row) => matrix.values[row * matrix.featureCount + column]!));
  });
  return { score: binned(scores), features };
}

export function fraudModelDocument(model: ClassifierModel, slot: ModelSlot, thresholds: ModelThresholds, reference: DriftReference): FraudModelDocument {
  return { kind: 'qenex.fraud-model', schema: 1, slot, featureSchemaDigest, thresholds, reference, onnx: encodeBase64url(encodeOnnx(model)) };
}

export type ModelDocumentResult = { readonly ok: true; readonly value: DeployedModel } | { readonly ok: false; readonly message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validReference(value: unknown): value is BinnedReference {
  if (!isRecord(value) || !Array.isArray(value.edges) || !Array.isArray(value.shares)) return false;
  if (value.edges.length > 1_000 || value.shares.length !== value.edges.length + 1) return false;
  if (!value.edges.every((edge) => typeof edge === 'number' && Number.isFinite(edge))) return false;
  for (let index = 1; index < value.edges.length; index++) if ((value.edges[index] as number) <= (value.edges[index - 1] as number)) return false;
  return value.shares.every((share) => typeof share === 'number' && share >= 0 && share <= 1);
}

/** The same, from the document's stored text. */
export function parseFraudModelText(body: string): ModelDocumentResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, message: 'it is not JSON' };
  }
  return parseFraudModelDocument(json);
}

/** Checks a document whole: its shape, thresholds, references and the ONNX file inside (decoded, our features). */
export function parseFraudModelDocument(value: unknown): ModelDocumentResult {
  const fail = (message: string): ModelDocumentResult => ({ ok: false, message });
  if (!isRecord(value) || value.kind !== 'qenex.fraud-model' || value.schema !== 1) return fail('not a fraud model document (kind qenex.fraud-model, schema 1)');
  if (value.slot !== 'champion' && value.slot !== 'challenger') return fail('its slot is neither champion nor challenger');
  if (value.featureSchemaDigest !== featureSchemaDigest) return fail(`it was built for feature schema ${String(value.featureSchemaDigest).slice(0, 12)}…, this host computes ${featureSchemaDigest.slice(0, 12)}… (schema mismatch)`);
  const thresholds = value.thresholds;
  if (!isRecord(thresholds) || typeof thresholds.review !== 'number' || typeof thresholds.block !== 'number') return fail('its thresholds are not two numbers');
  if (!(thresholds.review > 0 && thresholds.review < thresholds.block && thresholds.block <= 1)) return fail('its thresholds must satisfy 0 < review < block ≤ 1');
  const reference = value.reference;
  if (!isRecord(reference) || !validReference(reference.score) || !isRecord(reference.features)) return fail('its drift reference is malformed');
  for (const name of featureNames) if (!validReference(reference.features[name])) return fail(`its drift reference for ${name} is malformed`);
  if (typeof value.onnx !== 'string' || value.onnx.length > Math.ceil((deployedOnnxBytesMax * 4) / 3) + 4) return fail('its ONNX file is missing or too large');
  const bytes = decodeBase64url(value.onnx);
  if (bytes === undefined) return fail('its ONNX file is not base64url');
  let model: ClassifierModel;
  try {
    model = decodeOnnx(bytes, featureNames);
  } catch (error) {
    if (error instanceof OnnxModelError) return fail(`its ONNX file was refused (${error.code}): ${error.message}`);
    throw error;
  }
  const document = value as unknown as FraudModelDocument;
  return { ok: true, value: { document, model, bytes, onnxSha256: bytesToHex(sha256(bytes)) } };
}

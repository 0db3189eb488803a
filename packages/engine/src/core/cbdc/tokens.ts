/**
 * CBDC tokens on OpenCBDC's model (MIT DCI and the Boston Fed, Project Hamilton): value lives in
 * outputs; a transaction spends whole outputs and creates new ones; the system keeps nothing but
 * the set of hashes of unspent outputs. A spender presents each input's full preimage (the txid
 * that made it, its index there, the output itself), and settlement checks that it hashes to an
 * entry of the set — OpenCBDC's "compact transaction".
 *
 * Design choices:
 * - An output's owner is an owner id, SHA-256 over the owner's hybrid public keys (a labelled
 *   hash, not the 2 KB of keys), as a pay-to-public-key-hash script is: outputs and the set stay
 *   small, and the witness brings the keys, which must hash to the owner.
 * - Three kinds, stated explicitly and covered by the txid: `transfer` (inputs and outputs,
 *   Σinputs = Σoutputs + redeemed), `mint` (no inputs, signed by the currency's issuer, with a nonce
 *   so two equal issuances are two transactions) and redemption as a transfer whose `redeemed`
 *   value (> 0) goes back to the issuer: the difference between inputs and outputs is never
 *   implicit, so a tx that "loses" value is refused unless it says where the value went.
 * - One currency per transaction: the set is per currency only through its outputs, and an
 *   exchange is two transactions.
 * - Each input has its witness (keys and hybrid signature over the txid), as OpenCBDC has. Inputs
 *   of one owner may carry the same signature; verification checks each distinct (keys, signature)
 *   pair once, so such a transaction costs one ML-DSA verification per owner, not per input.
 * - Encoding: canonical JSON (RFC 8785) with amounts as strings, behind a label per hash, so the
 *   bytes hashed are the bytes a wallet in any language can rebuild.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { assert } from '../assert';
import { canonicalJson } from '../canonical-json';
import { currencyByCode } from '../currencies';
import { decodeBase64url, decodeHex, encodeBase64url, encodeHex } from '../crypto/encoding';
import {
  ed25519PublicKeyBytes,
  ed25519SignatureBytes,
  hybridSign,
  hybridVerify,
  mlDsa65PublicKeyBytes,
  mlDsa65SignatureBytes,
  type HybridKeyPair,
  type HybridPublicKeys,
  type HybridSignOptions,
  type HybridSignature,
} from '../crypto/hybrid-signature';

/** The largest value of one output (and of a redemption): the stores keep values as signed 64-bit integers. */
export const cbdcValueMax = 2n ** 63n - 1n;
export const cbdcInputsMax = 16;
export const cbdcOutputsMax = 16;
/** The most transactions one settlement batch takes (verifying costs about 1.3 ms per owner). */
export const cbdcSettleBatchMax = 256;
/** Decimal digits of a value on the wire (cbdcValueMax has 19). */
export const cbdcValueDigitsMax = 19;

/** 64 lowercase hex digits: a txid, an output hash, an owner id. */
export type CbdcHash = string;

export interface CbdcOutput {
  /** Minor units, 0 < value ≤ cbdcValueMax. */
  readonly value: bigint;
  readonly currency: string;
  /** cbdcOwnerId of the owner's hybrid public keys. */
  readonly owner: CbdcHash;
}

/** An input: the preimage of the unspent output it spends. */
export interface CbdcInput {
  readonly txid: CbdcHash;
  readonly index: number;
  readonly output: CbdcOutput;
}

export interface CbdcWitness {
  readonly publicKeys: HybridPublicKeys;
  readonly signature: HybridSignature;
}

export type CbdcTransactionKind = 'transfer' | 'mint';

export interface UnsignedCbdcTransaction {
  readonly kind: CbdcTransactionKind;
  readonly inputs: readonly CbdcInput[];
  readonly outputs: readonly CbdcOutput[];
  /** Value returned to the issuer (a redemption); 0n for a plain transfer and for a mint. */
  readonly redeemed: bigint;
  /** A mint's uniqueness: 32 lowercase hex digits chosen by the issuer. Absent on a transfer. */
  readonly nonce?: string;
}

export interface CbdcTransaction extends UnsignedCbdcTransaction {
  /** A transfer: one per input, in input order. A mint: exactly one, the issuer's. */
  readonly witnesses: readonly CbdcWitness[];
}

export type CbdcValidationCode =
  | 'ok'
  | 'no_inputs'
  | 'no_outputs'
  | 'too_many_inputs'
  | 'too_many_outputs'
  | 'duplicate_input'
  | 'value_out_of_range'
  | 'sums_do_not_balance'
  | 'currency_mismatch'
  | 'unknown_issuer'
  | 'signature_invalid'
  | 'malformed';

/** The issuer's keys of a currency, as the books know them; undefined when the currency has no issuer. */
export type CbdcIssuerOf = (currency: string) => HybridPublicKeys | undefined;

const hashPattern = /^[0-9a-f]{64}$/;
const noncePattern = /^[0-9a-f]{32}$/;
const valuePattern = /^[1-9][0-9]{0,18}$/;
const ownerLabel = utf8ToBytes('qenex/cbdc/owner\u0000');
const outputLabel = utf8ToBytes('qenex/cbdc/output\u0000');
const txidLabel = utf8ToBytes('qenex/cbdc/tx\u0000');
const walletOwnerLabel = utf8ToBytes('qenex/cbdc/wallet-owner\u0000');
const loadLabel = utf8ToBytes('qenex/cbdc/offline-load\u0000');
/** What a device signs to have value loaded onto it: proof it holds the key the coin will belong to. */
const loadProofLabel = utf8ToBytes('qenex/cbdc/load-proof\u0000');
const coinLabel = utf8ToBytes('qenex/cbdc/coin-certificate\u0000');
/** What a witness signs: this label, then the 32 txid bytes; no other QENEX signature starts so. */
const signingLabel = utf8ToBytes('qenex/cbdc/sign\u0000');

// ——— hashes ———

function outputJson(output: CbdcOutput): { value: string; currency: string; owner: string } {
  return { value: output.value.toString(), currency: output.currency, owner: output.owner };
}

function labelledHash(label: Uint8Array, text: string): CbdcHash {
  return encodeHex(sha256(concatBytes(label, utf8ToBytes(text))));
}

/** The owner id of a key pair's public keys: what an output names as its owner. */
export function cbdcOwnerId(publicKeys: HybridPublicKeys): CbdcHash {
  return encodeHex(sha256(concatBytes(ownerLabel, publicKeys.mlDsa65, publicKeys.ed25519)));
}

/**
 * The owner id of the bank's receiving side of a customer's CBDC wallet: an offline payment to the
 * wallet pays an output to this id, and settlement deposits it into the wallet at once. No key
 * pair hashes to it (a different label), so nobody can spend such an output but the books.
 */
export function cbdcWalletOwner(walletId: string): CbdcHash {
  return labelledHash(walletOwnerLabel, walletId);
}

/** The txid of the coin a load onto an offline device creates: from the load's operation id, so a replayed load makes the same coin. */
export function cbdcLoadTxid(operationId: string): CbdcHash {
  return labelledHash(loadLabel, operationId);
}

/** A load onto a device, as the device signs it. */
export interface CbdcLoadRequest {
  readonly operationId: string;
  readonly walletId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export interface CbdcLoadProof {
  readonly mlDsa65: string;
  readonly ed25519: string;
}

function loadMessage(request: CbdcLoadRequest): Uint8Array {
  const body = canonicalJson({ operationId: request.operationId, walletId: request.walletId, amount: request.amountMinor.toString(), currency: request.currency });
  return concatBytes(loadProofLabel, utf8ToBytes(body));
}

function encodeProof(signature: HybridSignature): CbdcLoadProof {
  return { mlDsa65: encodeBase64url(signature.mlDsa65), ed25519: encodeBase64url(signature.ed25519) };
}

function proofVerifies(publicKeys: HybridPublicKeys, message: Uint8Array, proof: CbdcLoadProof): boolean {
  const mlDsa65 = decodeBase64url(proof.mlDsa65);
  const ed25519 = decodeBase64url(proof.ed25519);
  if (mlDsa65?.length !== mlDsa65SignatureBytes || ed25519?.length !== ed25519SignatureBytes) return false;
  return hybridVerify(publicKeys, message, { mlDsa65, ed25519 });
}

/** The device's signature of a load (base64url halves): it holds the secret keys of the owner the coin is made for. */
export function signCbdcLoad(keys: HybridKeyPair, request: CbdcLoadRequest, options: HybridSignOptions = {}): CbdcLoadProof {
  return encodeProof(hybridSign(keys.secretKeys, loadMessage(request), options));
}

/** Whether `proof` is the holder of `publicKeys` signing exactly this load; false for anything malformed. */
export function verifyCbdcLoad(publicKeys: HybridPublicKeys, request: CbdcLoadRequest, proof: CbdcLoadProof): boolean {
  return proofVerifies(publicKeys, loadMessage(request), proof);
}

/**
 * The bank's word that an offline coin exists and was loaded from (or is change of a payment
 * from) a wallet: the server's signature, with its key version, over the coin's hash and the
 * wallet. A counter without a link takes only coins it can verify so, or change of vouchers it took.
 */
export interface CbdcCoinCertificate extends CbdcLoadProof {
  readonly keyVersion: number;
}

function coinMessage(coinHash: CbdcHash, walletId: string): Uint8Array {
  return concatBytes(coinLabel, utf8ToBytes(canonicalJson({ coin: coinHash, walletId })));
}

export function certifyCbdcCoin(keys: HybridKeyPair, keyVersion: number, coinHash: CbdcHash, walletId: string): CbdcCoinCertificate {
  return { keyVersion, ...encodeProof(hybridSign(keys.secretKeys, coinMessage(coinHash, walletId))) };
}

export function verifyCbdcCoin(publicKeys: HybridPublicKeys, certificate: CbdcLoadProof, coinHash: CbdcHash, walletId: string): boolean {
  return proofVerifies(publicKeys, coinMessage(coinHash, walletId), certificate);
}

/** The hash the unspent set keeps for output `index` of transaction `txid`. */
export function outputHash(txid: CbdcHash, index: number, output: CbdcOutput): CbdcHash {
  return labelledHash(outputLabel, canonicalJson({ txid, index, output: outputJson(output) }));
}

/** The hash of an input's preimage: the unspent entry it spends. */
export function inputHash(input: CbdcInput): CbdcHash {
  return outputHash(input.txid, input.index, input.output);
}

/** The txid: over the kind, the hashes of the inputs, the outputs, the redeemed value and the nonce (not the witnesses). */
export function cbdcTxid(tx: UnsignedCbdcTransaction): CbdcHash {
  return labelledHash(
    txidLabel,
    canonicalJson({
      kind: tx.kind,
      inputs: tx.inputs.map(inputHash),
      outputs: tx.outputs.map(outputJson),
      redeemed: tx.redeemed.toString(),
      ...(tx.nonce === undefined ? {} : { nonce: tx.nonce }),
    }),
  );
}

/** The hashes a settled transaction adds to the set, in output order. */
export function createdOutputHashes(txid: CbdcHash, tx: UnsignedCbdcTransaction): CbdcHash[] {
  return tx.outputs.map((output, index) => outputHash(txid, index, output));
}

function signedMessage(txid: CbdcHash): Uint8Array {
  const bytes = decodeHex(txid);
  assert(bytes !== undefined && bytes.length === 32, 'a txid is 32 bytes of hex');
  return concatBytes(signingLabel, bytes);
}

// ——— signing ———

/**
 * Signs a transaction: `keysByInput[i]` is the owner of input i (a mint: one key pair, the
 * issuer's). An owner of several inputs signs once; its signature is reused for each of them.
 */
export function signCbdcTransaction(unsigned: UnsignedCbdcTransaction, keysByInput: readonly HybridKeyPair[], options: HybridSignOptions = {}): CbdcTransaction {
  const signers = unsigned.kind === 'mint' ? 1 : unsigned.inputs.length;
  assert(keysByInput.length === signers, `a ${unsigned.kind} with ${unsigned.inputs.length} inputs takes ${signers} key pairs`);
  const message = signedMessage(cbdcTxid(unsigned));
  const byOwner = new Map<string, HybridSignature>();
  const witnesses = keysByInput.map((keys) => {
    const owner = cbdcOwnerId(keys.publicKeys);
    let signature = byOwner.get(owner);
    if (signature === undefined) {
      signature = hybridSign(keys.secretKeys, message, options);
      byOwner.set(owner, signature);
    }
    return { publicKeys: keys.publicKeys, signature };
  });
  return { ...unsigned, witnesses };
}

// ——— validation ———

function validOutput(output: CbdcOutput): boolean {
  return output.value > 0n && output.value <= cbdcValueMax;
}

function wellFormed(tx: CbdcTransaction): boolean {
  if (tx.kind !== 'transfer' && tx.kind !== 'mint') return false;
  if (tx.kind === 'mint' ? tx.nonce === undefined || !noncePattern.test(tx.nonce) : tx.nonce !== undefined) return false;
  if (tx.witnesses.length !== (tx.kind === 'mint' ? 1 : tx.inputs.length)) return false;
  const outputsFine = [...tx.outputs, ...tx.inputs.map((input) => input.output)].every(
    (output) => hashPattern.test(output.owner) && currencyByCode(output.currency) !== undefined,
  );
  const inputsFine = tx.inputs.every((input) => hashPattern.test(input.txid) && Number.isInteger(input.index) && input.index >= 0 && input.index < cbdcOutputsMax);
  const witnessesFine = tx.witnesses.every(
    (witness) =>
      witness.publicKeys.mlDsa65.length === mlDsa65PublicKeyBytes &&
      witness.publicKeys.ed25519.length === ed25519PublicKeyBytes &&
      witness.signature.mlDsa65.length === mlDsa65SignatureBytes &&
      witness.signature.ed25519.length === ed25519SignatureBytes,
  );
  return outputsFine && inputsFine && witnessesFine;
}

/** The checks that need no signature, cheapest first. */
function structuralCode(tx: CbdcTransaction): CbdcValidationCode {
  if (!wellFormed(tx)) return 'malformed';
  if (tx.kind === 'mint' && tx.inputs.length > 0) return 'malformed';
  if (tx.kind === 'transfer' && tx.inputs.length === 0) return 'no_inputs';
  if (tx.kind === 'mint' && tx.outputs.length === 0) return 'no_outputs';
  if (tx.inputs.length > cbdcInputsMax) return 'too_many_inputs';
  if (tx.outputs.length > cbdcOutputsMax) return 'too_many_outputs';
  if (new Set(tx.inputs.map(inputHash)).size !== tx.inputs.length) return 'duplicate_input';
  const all = [...tx.inputs.map((input) => input.output), ...tx.outputs];
  if (!all.every(validOutput) || tx.redeemed < 0n || tx.redeemed > cbdcValueMax) return 'value_out_of_range';
  if (tx.kind === 'mint' && tx.redeemed !== 0n) return 'malformed';
  const currency = all[0]?.currency;
  if (!all.every((output) => output.currency === currency)) return 'currency_mismatch';
  if (tx.kind === 'transfer') {
    const sum = (outputs: readonly CbdcOutput[]) => outputs.reduce((total, output) => total + output.value, 0n);
    if (sum(tx.inputs.map((input) => input.output)) !== sum(tx.outputs) + tx.redeemed) return 'sums_do_not_balance';
  }
  return 'ok';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Both public keys (through the owner id) and both signatures: a witness reusing one half of another's keys is verified on its own. */
function witnessKey(witness: CbdcWitness): string {
  return `${cbdcOwnerId(witness.publicKeys)}.${encodeBase64url(witness.signature.ed25519)}.${encodeBase64url(witness.signature.mlDsa65)}`;
}

/** Each distinct (keys, signature) pair is verified once: an owner of several inputs costs one verification. */
function witnessesCode(tx: CbdcTransaction, txid: CbdcHash, issuerOf: CbdcIssuerOf): CbdcValidationCode {
  const message = signedMessage(txid);
  if (tx.kind === 'mint') {
    const issuer = issuerOf(tx.outputs[0]!.currency);
    if (issuer === undefined) return 'unknown_issuer';
    const witness = tx.witnesses[0]!;
    const isIssuer = sameBytes(witness.publicKeys.mlDsa65, issuer.mlDsa65) && sameBytes(witness.publicKeys.ed25519, issuer.ed25519);
    return isIssuer && hybridVerify(issuer, message, witness.signature) ? 'ok' : 'signature_invalid';
  }
  const verified = new Set<string>();
  for (let index = 0; index < tx.inputs.length; index += 1) {
    const witness = tx.witnesses[index]!;
    if (cbdcOwnerId(witness.publicKeys) !== tx.inputs[index]!.output.owner) return 'signature_invalid';
    const key = witnessKey(witness);
    if (verified.has(key)) continue;
    if (!hybridVerify(witness.publicKeys, message, witness.signature)) return 'signature_invalid';
    verified.add(key);
  }
  return 'ok';
}

export interface CbdcValidation {
  readonly code: CbdcValidationCode;
  /** Null only for a malformed transaction, which has no txid to speak of. */
  readonly txid: CbdcHash | null;
}

/**
 * Whether a transaction may settle, apart from the unspent set: structure, limits, values, one
 * currency, balanced sums, then every signature (the costly part, last). The set (are the inputs
 * unspent?) is settlement's to check.
 */
export function validateCbdcTransaction(tx: CbdcTransaction, issuerOf: CbdcIssuerOf): CbdcValidation {
  const structural = structuralCode(tx);
  if (structural === 'malformed') return { code: structural, txid: null };
  const txid = cbdcTxid(tx);
  if (structural !== 'ok') return { code: structural, txid };
  return { code: witnessesCode(tx, txid, issuerOf), txid };
}

// ——— JSON ———

export interface CbdcOutputJson {
  readonly value: string;
  readonly currency: string;
  readonly owner: string;
}

export interface CbdcTransactionJson {
  readonly kind: CbdcTransactionKind;
  readonly inputs: ReadonlyArray<{ readonly txid: string; readonly index: number; readonly output: CbdcOutputJson }>;
  readonly outputs: readonly CbdcOutputJson[];
  readonly redeemed: string;
  readonly nonce?: string;
  readonly witnesses: ReadonlyArray<{
    readonly publicKeys: { readonly mlDsa65: string; readonly ed25519: string };
    readonly signature: { readonly mlDsa65: string; readonly ed25519: string };
  }>;
}

export function cbdcTransactionToJson(tx: CbdcTransaction): CbdcTransactionJson {
  const pair = (value: { mlDsa65: Uint8Array; ed25519: Uint8Array }) => ({ mlDsa65: encodeBase64url(value.mlDsa65), ed25519: encodeBase64url(value.ed25519) });
  return {
    kind: tx.kind,
    inputs: tx.inputs.map((input) => ({ txid: input.txid, index: input.index, output: outputJson(input.output) })),
    outputs: tx.outputs.map(outputJson),
    redeemed: tx.redeemed.toString(),
    ...(tx.nonce === undefined ? {} : { nonce: tx.nonce }),
    witnesses: tx.witnesses.map((witness) => ({ publicKeys: pair(witness.publicKeys), signature: pair(witness.signature) })),
  };
}

type Record_ = { readonly [key: string]: unknown };

function record(value: unknown, keys: readonly string[], optional: readonly string[] = []): Record_ | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const own = Object.keys(value);
  const known = own.every((key) => keys.includes(key) || optional.includes(key));
  return known && keys.every((key) => own.includes(key)) ? (value as Record_) : undefined;
}

function boundedArray(value: unknown, lengthMax: number): readonly unknown[] | undefined {
  return Array.isArray(value) && value.length <= lengthMax ? value : undefined;
}

/** A value on the wire: decimal digits of a positive integer (no sign, no leading zero); "0" only where `zero` allows. */
function valueFromJson(value: unknown, zero: boolean): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  if (zero && value === '0') return 0n;
  return valuePattern.test(value) ? BigInt(value) : undefined;
}

function outputFromJson(value: unknown): CbdcOutput | undefined {
  const fields = record(value, ['value', 'currency', 'owner']);
  if (fields === undefined || typeof fields.currency !== 'string' || typeof fields.owner !== 'string') return undefined;
  const amount = valueFromJson(fields.value, false);
  return amount === undefined ? undefined : { value: amount, currency: fields.currency, owner: fields.owner };
}

function inputFromJson(value: unknown): CbdcInput | undefined {
  const fields = record(value, ['txid', 'index', 'output']);
  const output = fields === undefined ? undefined : outputFromJson(fields.output);
  if (fields === undefined || output === undefined || typeof fields.txid !== 'string' || typeof fields.index !== 'number') return undefined;
  return { txid: fields.txid, index: fields.index, output };
}

function pairFromJson(value: unknown, mlDsaBytes: number, edBytes: number): { mlDsa65: Uint8Array; ed25519: Uint8Array } | undefined {
  const fields = record(value, ['mlDsa65', 'ed25519']);
  if (fields === undefined || typeof fields.mlDsa65 !== 'string' || typeof fields.ed25519 !== 'string') return undefined;
  const mlDsa65 = decodeBase64url(fields.mlDsa65);
  const ed25519 = decodeBase64url(fields.ed25519);
  return mlDsa65?.length === mlDsaBytes && ed25519?.length === edBytes ? { mlDsa65, ed25519 } : undefined;
}

function witnessFromJson(value: unknown): CbdcWitness | undefined {
  const fields = record(value, ['publicKeys', 'signature']);
  if (fields === undefined) return undefined;
  const publicKeys = pairFromJson(fields.publicKeys, mlDsa65PublicKeyBytes, ed25519PublicKeyBytes);
  const signature = pairFromJson(fields.signature, mlDsa65SignatureBytes, ed25519SignatureBytes);
  return publicKeys === undefined || signature === undefined ? undefined : { publicKeys, signature };
}

function allDefined<T>(items: ReadonlyArray<T | undefined>): items is readonly T[] {
  return items.every((item) => item !== undefined);
}

/**
 * A transaction read off the wire; `undefined` for anything but the exact shape (attacker input:
 * never throws). Limits on counts are checked here too (one past the limit still parses, so
 * validation can name it), so a huge array is never walked.
 */
export function cbdcTransactionFromJson(value: unknown): CbdcTransaction | undefined {
  const fields = record(value, ['kind', 'inputs', 'outputs', 'redeemed', 'witnesses'], ['nonce']);
  if (fields === undefined || (fields.kind !== 'transfer' && fields.kind !== 'mint')) return undefined;
  const inputs = boundedArray(fields.inputs, cbdcInputsMax + 1)?.map(inputFromJson);
  const outputs = boundedArray(fields.outputs, cbdcOutputsMax + 1)?.map(outputFromJson);
  const witnesses = boundedArray(fields.witnesses, cbdcInputsMax + 1)?.map(witnessFromJson);
  const redeemed = valueFromJson(fields.redeemed, true);
  if (inputs === undefined || outputs === undefined || witnesses === undefined || redeemed === undefined) return undefined;
  if (!allDefined(inputs) || !allDefined(outputs) || !allDefined(witnesses)) return undefined;
  if (fields.nonce !== undefined && typeof fields.nonce !== 'string') return undefined;
  return { kind: fields.kind, inputs, outputs, redeemed, ...(fields.nonce === undefined ? {} : { nonce: fields.nonce as string }), witnesses };
}

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import { canonicalJson, type JsonValue } from '../canonical-json';
import { encodeBase64url } from './encoding';
import {
  envelopeCodeMessage,
  envelopeDigest,
  envelopeKeyIdLengthMax,
  envelopePayloadCharsMax,
  signEnvelope,
  verifyEnvelope,
  type EnvelopeCode,
  type SignedEnvelope,
} from './envelope';
import { hybridKeyPair, type HybridPublicKeys } from './hybrid-signature';

const alice = hybridKeyPair(new Uint8Array(64).fill(7));
const bob = hybridKeyPair(new Uint8Array(64).fill(8));
const registry = new Map<string, HybridPublicKeys>([
  ['ws-alice', alice.publicKeys],
  ['ws-bob', bob.publicKeys],
  // The same keys under a second id: the key id is signed, so it cannot be swapped even then.
  ['ws-alice-alias', alice.publicKeys],
]);
const publicKeysOf = (keyId: string) => registry.get(keyId);

const batch: JsonValue = {
  deviceId: 'ws-042',
  batchSeq: 17,
  prevDigest: '0'.repeat(64),
  commands: [
    { name: 'deposit', input: { accountId: 'a1', amount: { amount: '1234', currency: 'USD' } } },
    { name: 'withdraw', input: { accountId: 'a2', amount: { amount: '500', currency: 'JPY' } } },
  ],
};
const envelope = signEnvelope(batch, { keyId: 'ws-alice', secretKeys: alice.secretKeys });

/** The envelope as it arrives: JSON text parsed, so nothing but JSON survives. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const codeOf = (value: unknown): EnvelopeCode => verifyEnvelope(value, publicKeysOf).code;

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

function withSignatureBytes(source: SignedEnvelope, half: 'mlDsa65' | 'ed25519', change: (bytes: Uint8Array) => Uint8Array): unknown {
  const bytes = Buffer.from(source.signatures[half], 'base64url');
  return wire({ ...source, signatures: { ...source.signatures, [half]: encodeBase64url(change(new Uint8Array(bytes))) } });
}

describe('signEnvelope', () => {
  it('carries the payload, the SHA-256 hex of its canonical JSON, the key id and two base64url signatures', () => {
    const expected = createHash('sha256').update(canonicalJson(batch), 'utf8').digest('hex');
    expect(envelope.digest).toBe(expected);
    expect(envelopeDigest(batch)).toBe(expected);
    expect(envelope.keyId).toBe('ws-alice');
    expect(envelope.payload).toBe(batch);
    expect(Object.keys(envelope).sort()).toEqual(['digest', 'keyId', 'payload', 'signatures']);
    expect(Buffer.from(envelope.signatures.mlDsa65, 'base64url')).toHaveLength(3309);
    expect(Buffer.from(envelope.signatures.ed25519, 'base64url')).toHaveLength(64);
    expect(envelope.signatures.mlDsa65).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives one digest for one payload, whatever order its keys were written in', () => {
    const reordered = JSON.parse('{"commands":[],"prevDigest":"x","batchSeq":1,"deviceId":"d"}') as JsonValue;
    expect(envelopeDigest(reordered)).toBe(envelopeDigest({ deviceId: 'd', batchSeq: 1, prevDigest: 'x', commands: [] }));
  });

  it('signs deterministically on request', () => {
    const signer = { keyId: 'ws-alice', secretKeys: alice.secretKeys };
    expect(signEnvelope(batch, signer, { deterministic: true })).toEqual(signEnvelope(batch, signer, { deterministic: true }));
  });

  it('refuses a key id that is empty, too long or not printable ASCII, as a programmer error', () => {
    for (const keyId of ['', 'x'.repeat(envelopeKeyIdLengthMax + 1), 'ws alice', 'ws-é']) {
      expect(() => signEnvelope(batch, { keyId, secretKeys: alice.secretKeys })).toThrow(AssertionError);
    }
  });
});

describe('verifyEnvelope', () => {
  it('accepts an intact envelope after a trip through JSON, and returns it', () => {
    const result = verifyEnvelope(wire(envelope), publicKeysOf);
    expect(result).toEqual({ ok: true, code: 'ok', envelope: wire(envelope) });
  });

  it('accepts the payload with its keys in another order (the digest is over canonical JSON)', () => {
    const reordered = { ...envelope, payload: JSON.parse('{"commands":' + JSON.stringify((batch as { commands: JsonValue }).commands) + ',"prevDigest":"' + '0'.repeat(64) + '","batchSeq":17,"deviceId":"ws-042"}') as JsonValue };
    expect(codeOf(wire(reordered))).toBe('ok');
  });

  it('names an unknown key id', () => {
    const signedByStranger = signEnvelope(batch, { keyId: 'ws-stranger', secretKeys: alice.secretKeys });
    expect(codeOf(wire(signedByStranger))).toBe('unknown_key');
  });

  it('refuses a tampered payload: one changed amount, one added or dropped command', () => {
    const commands = (batch as { commands: JsonValue[] }).commands;
    const changedAmount = wire(envelope) as { payload: { commands: { input: { amount: { amount: string } } }[] } };
    changedAmount.payload.commands[0]!.input.amount.amount = '1235';
    expect(codeOf(changedAmount)).toBe('digest_mismatch');
    expect(codeOf(wire({ ...envelope, payload: { ...(batch as object), commands: [...commands, commands[0]!] } }))).toBe('digest_mismatch');
    expect(codeOf(wire({ ...envelope, payload: { ...(batch as object), commands: commands.slice(1) } }))).toBe('digest_mismatch');
    expect(codeOf(wire({ ...envelope, payload: { ...(batch as object), batchSeq: 18 } }))).toBe('digest_mismatch');
  });

  it('refuses a flipped bit in the digest, and a digest recomputed for a tampered payload', () => {
    const flippedDigest = envelope.digest.slice(0, 10) + (envelope.digest[10] === '0' ? '1' : '0') + envelope.digest.slice(11);
    expect(codeOf(wire({ ...envelope, digest: flippedDigest }))).toBe('digest_mismatch');
    expect(codeOf(wire({ ...envelope, digest: envelope.digest.toUpperCase() }))).toBe('digest_mismatch');
    expect(codeOf(wire({ ...envelope, digest: envelope.digest.slice(0, 62) }))).toBe('digest_mismatch');
    const forged = { ...(batch as object), batchSeq: 99 } as JsonValue;
    expect(codeOf(wire({ ...envelope, payload: forged, digest: envelopeDigest(forged) }))).toBe('ml_dsa_signature_invalid');
  });

  it('refuses a flipped bit in either signature, naming the half', () => {
    for (const index of [0, 1654, 3308]) expect(codeOf(withSignatureBytes(envelope, 'mlDsa65', (bytes) => flipBit(bytes, index)))).toBe('ml_dsa_signature_invalid');
    for (const index of [0, 40, 63]) expect(codeOf(withSignatureBytes(envelope, 'ed25519', (bytes) => flipBit(bytes, index)))).toBe('ed25519_signature_invalid');
  });

  it('refuses an envelope where only one signature is valid for the named key (ML-DSA from A, Ed25519 from B)', () => {
    // Bob signs the very same bytes (digest and key id ws-alice) with his keys.
    const bobAsAlice = signEnvelope(batch, { keyId: 'ws-alice', secretKeys: bob.secretKeys });
    const mixed = { ...envelope, signatures: { mlDsa65: envelope.signatures.mlDsa65, ed25519: bobAsAlice.signatures.ed25519 } };
    expect(codeOf(wire(mixed))).toBe('ed25519_signature_invalid');
    const mixedOtherWay = { ...envelope, signatures: { mlDsa65: bobAsAlice.signatures.mlDsa65, ed25519: envelope.signatures.ed25519 } };
    expect(codeOf(wire(mixedOtherWay))).toBe('ml_dsa_signature_invalid');
  });

  it('refuses a swapped key id, even one that names the same public keys (the key id is signed)', () => {
    expect(codeOf(wire({ ...envelope, keyId: 'ws-bob' }))).toBe('ml_dsa_signature_invalid');
    expect(codeOf(wire({ ...envelope, keyId: 'ws-alice-alias' }))).toBe('ml_dsa_signature_invalid');
  });

  it('refuses a signature made over another envelope’s digest (signatures do not transplant)', () => {
    const other = signEnvelope({ ...(batch as object), batchSeq: 18 }, { keyId: 'ws-alice', secretKeys: alice.secretKeys });
    expect(codeOf(wire({ ...envelope, signatures: other.signatures }))).toBe('ml_dsa_signature_invalid');
  });

  it('refuses garbage, truncated, oversized, padded or mistyped signatures as malformed', () => {
    const { mlDsa65, ed25519 } = envelope.signatures;
    const malformed: unknown[] = [
      { mlDsa65: '!!!not base64!!!', ed25519 },
      { mlDsa65, ed25519: `${ed25519}==` },
      { mlDsa65: Buffer.from(mlDsa65, 'base64url').toString('base64'), ed25519 },
      { mlDsa65: mlDsa65.slice(0, -4), ed25519 },
      { mlDsa65: `${mlDsa65}AAAA`, ed25519 },
      { mlDsa65, ed25519: ed25519.slice(0, -2) },
      { mlDsa65, ed25519: `${ed25519}AA` },
      { mlDsa65, ed25519: '' },
      { mlDsa65 },
      { mlDsa65, ed25519, rsa: 'AAAA' },
      { mlDsa65: 42, ed25519 },
      { mlDsa65: [mlDsa65], ed25519 },
      [mlDsa65, ed25519],
      `${mlDsa65}.${ed25519}`,
      null,
    ];
    for (const signatures of malformed) expect(codeOf(wire({ ...envelope, signatures }))).toBe('malformed_signature');
    // A signature with its unused low bits set is another spelling of the same bytes: refused too.
    const lastChar = ed25519[ed25519.length - 1]!;
    const respelled = ed25519.slice(0, -1) + String.fromCharCode(lastChar.charCodeAt(0) + 1);
    expect(codeOf(wire({ ...envelope, signatures: { mlDsa65, ed25519: respelled } }))).toBe('malformed_signature');
  });

  it('refuses an envelope of the wrong shape: extra or missing fields, wrong types, bad key ids', () => {
    const { payload: _payload, ...withoutPayload } = envelope;
    const malformed: unknown[] = [
      null,
      'envelope',
      42,
      [envelope],
      {},
      withoutPayload,
      { ...envelope, unsigned: 'extra field' },
      { ...envelope, keyId: 42 },
      { ...envelope, keyId: '' },
      { ...envelope, keyId: 'ws alice' },
      { ...envelope, keyId: 'x'.repeat(envelopeKeyIdLengthMax + 1) },
      { ...envelope, digest: null },
      { ...envelope, digest: 7 },
    ];
    for (const candidate of malformed) expect(codeOf(wire(candidate))).toBe('malformed_envelope');
  });

  it('refuses a payload that is not JSON (values JSON.parse never makes), without throwing', () => {
    const notJson: unknown[] = [undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n, () => 1, Symbol('s'), new Date(0), new Map(), { nested: [1, { bad: undefined }] }];
    for (const payload of notJson) expect(codeOf({ ...(wire(envelope) as object), payload })).toBe('malformed_envelope');
    let deep: unknown = 'bottom';
    for (let depth = 0; depth < 10_000; depth += 1) deep = [deep];
    expect(codeOf({ ...(wire(envelope) as object), payload: deep })).toBe('malformed_envelope');
  });

  it('refuses a payload over the size limit, and will not sign one', () => {
    const huge = 'x'.repeat(envelopePayloadCharsMax);
    expect(codeOf({ ...(wire(envelope) as object), payload: huge })).toBe('malformed_envelope');
    expect(() => signEnvelope(huge, { keyId: 'ws-alice', secretKeys: alice.secretKeys })).toThrow(AssertionError);
  });

  it('never throws and never says ok for any single-character change to the envelope’s JSON', () => {
    const text = JSON.stringify(envelope);
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.integer({ min: 32, max: 126 }), (position, code) => {
        const mutated = text.slice(0, position) + String.fromCharCode(code) + text.slice(position + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(mutated);
        } catch {
          return; // not JSON: refused before it reaches us
        }
        const result = verifyEnvelope(parsed, publicKeysOf);
        if (mutated !== text) expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON-shaped input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (payload, signatures) => {
        expect(verifyEnvelope(payload, publicKeysOf).ok).toBe(false);
        expect(verifyEnvelope({ payload, digest: envelope.digest, keyId: 'ws-alice', signatures }, publicKeysOf).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('envelopeCodeMessage', () => {
  it('has a sentence for every code', () => {
    const codes: EnvelopeCode[] = ['ok', 'malformed_envelope', 'unknown_key', 'digest_mismatch', 'malformed_signature', 'ml_dsa_signature_invalid', 'ed25519_signature_invalid'];
    for (const code of codes) expect(envelopeCodeMessage(code).length).toBeGreaterThan(10);
  });
});

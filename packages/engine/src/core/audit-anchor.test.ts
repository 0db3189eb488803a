import { utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditGenesisHash, chainAuditRecord, type AuditEntry, type AuditRecord } from './audit';
import {
  auditAnchorBreak,
  auditAnchorDomain,
  claimedSeq,
  newerAuditAnchor,
  signAuditAnchor,
  verifyAuditAnchor,
  type AuditAnchor,
} from './audit-anchor';
import { canonicalJson } from './canonical-json';
import { decodeBase64url, encodeBase64url, hybridKeyPair, hybridSign, signEnvelope, type HybridPublicKeys } from './crypto';
import { rolesAllow, systemRole } from './rbac';

const server = hybridKeyPair(new Uint8Array(64).fill(7));
const stranger = hybridKeyPair(new Uint8Array(64).fill(8));
const signer = { keyVersion: 3, secretKeys: server.secretKeys };
const keysOf = (keyVersion: number): HybridPublicKeys | undefined => (keyVersion === 3 ? server.publicKeys : undefined);
/** Any version: to show a changed key version fails the signature, not just the key lookup. */
const anyVersion = (): HybridPublicKeys => server.publicKeys;

function entry(index: number): AuditEntry {
  return { atMs: 1_700_000_000_000 + index, actor: 'alice', roles: ['teller'], deviceId: 'ws-1', command: 'cash.deposit', outcome: 'ok', detail: { index } };
}

function chain(length: number, edit?: { seq: number; outcome: string }): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= length; seq += 1) {
    const base = entry(seq);
    records.push(chainAuditRecord(records.at(-1), edit?.seq === seq ? { ...base, outcome: edit.outcome } : base));
  }
  return records;
}

function flipByte(text: string, index: number): string {
  const bytes = decodeBase64url(text)!;
  bytes[index] = bytes[index]! ^ 0x01;
  return encodeBase64url(bytes);
}

const records = chain(6);
const anchor = signAuditAnchor({ seq: 5, hash: records[4]!.hash }, 1_700_000_100_000, signer);

describe('signing and checking an anchor', () => {
  it('signs exactly the head, the time and the key version, and the server key verifies it', () => {
    expect(Object.keys(anchor).sort()).toEqual(['atMs', 'hash', 'keyVersion', 'seq', 'signature']);
    expect(anchor).toMatchObject({ seq: 5, hash: records[4]!.hash, atMs: 1_700_000_100_000, keyVersion: 3 });
    expect(verifyAuditAnchor(anchor, keysOf)).toBe('ok');
    // Through JSON and back, as it travels through the file, the database and HTTP.
    expect(verifyAuditAnchor(JSON.parse(JSON.stringify(anchor)), keysOf)).toBe('ok');
  });

  it('refuses an anchor with any signed field changed', () => {
    for (const changed of [{ seq: 6 }, { hash: records[5]!.hash }, { atMs: anchor.atMs + 1 }, { keyVersion: 4 }]) {
      expect(verifyAuditAnchor({ ...anchor, ...changed }, anyVersion), JSON.stringify(changed)).toBe('ml_dsa_signature_invalid');
    }
  });

  it('refuses a flipped byte in either half of the signature, naming the half', () => {
    const mlDsa = { ...anchor, signature: { ...anchor.signature, mlDsa65: flipByte(anchor.signature.mlDsa65, 100) } };
    const ed = { ...anchor, signature: { ...anchor.signature, ed25519: flipByte(anchor.signature.ed25519, 10) } };
    expect(verifyAuditAnchor(mlDsa, keysOf)).toBe('ml_dsa_signature_invalid');
    expect(verifyAuditAnchor(ed, keysOf)).toBe('ed25519_signature_invalid');
  });

  it('refuses an anchor signed by another key, or under a key version the server does not have', () => {
    const forged = signAuditAnchor({ seq: 5, hash: records[4]!.hash }, anchor.atMs, { keyVersion: 3, secretKeys: stranger.secretKeys });
    expect(verifyAuditAnchor(forged, keysOf)).toBe('ml_dsa_signature_invalid');
    expect(verifyAuditAnchor({ ...anchor, keyVersion: 9 }, keysOf)).toBe('unknown_key');
  });

  it('is domain-separated: the server signing the same statement for another purpose is no anchor', () => {
    const statement = { seq: anchor.seq, hash: anchor.hash, atMs: anchor.atMs, keyVersion: anchor.keyVersion };
    const bare = hybridSign(server.secretKeys, utf8ToBytes(canonicalJson(statement)));
    const withoutLabel = { ...statement, signature: { mlDsa65: encodeBase64url(bare.mlDsa65), ed25519: encodeBase64url(bare.ed25519) } };
    expect(verifyAuditAnchor(withoutLabel, keysOf)).toBe('ml_dsa_signature_invalid');
    const envelope = signEnvelope({ ...statement, domain: auditAnchorDomain }, { keyId: 'server:3', secretKeys: server.secretKeys });
    expect(verifyAuditAnchor({ ...statement, signature: envelope.signatures }, keysOf)).toBe('ml_dsa_signature_invalid');
  });

  it('calls anything not shaped like an anchor malformed, and never throws on what it is given', () => {
    const { signature: _signature, ...unsigned } = anchor;
    for (const bad of [null, 'anchor', [anchor], unsigned, { ...anchor, extra: 1 }, { ...anchor, seq: -1 }, { ...anchor, seq: 1.5 }, { ...anchor, hash: 'AB'.repeat(32) }]) {
      expect(verifyAuditAnchor(bad, keysOf), JSON.stringify(bad)?.slice(0, 80)).toBe('malformed_anchor');
    }
    expect(verifyAuditAnchor({ ...anchor, signature: { ...anchor.signature, ed25519: `${anchor.signature.ed25519}AA` } }, keysOf)).toBe('malformed_anchor');
    expect(verifyAuditAnchor({ ...anchor, signature: { ...anchor.signature, ed25519: '*'.repeat(86) } }, keysOf)).toBe('malformed_signature');
    expect(verifyAuditAnchor({ ...anchor, signature: { ...anchor.signature, ed25519: 'AAAA' } }, keysOf)).toBe('malformed_signature');
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(verifyAuditAnchor(value, keysOf)).not.toBe('ok');
        expect(() => claimedSeq(value)).not.toThrow();
      }),
    );
  });
});

describe('what an anchor says about the chain', () => {
  const check = (candidate: AuditAnchor, chained: readonly AuditRecord[]) => {
    const code = verifyAuditAnchor(candidate, keysOf);
    return auditAnchorBreak(candidate, code, chained.length, chained[candidate.seq - 1]?.hash);
  };

  it('vouches for the chain it was signed over, and for that chain grown longer', () => {
    expect(check(anchor, records.slice(0, 5))).toBeUndefined();
    expect(check(anchor, records)).toBeUndefined();
  });

  it('finds the last records deleted: the chain ends before the anchor', () => {
    expect(check(anchor, records.slice(0, 3))).toEqual({ kind: 'tail_missing', seq: 4, anchorSeq: 5 });
    expect(check(anchor, [])).toEqual({ kind: 'tail_missing', seq: 1, anchorSeq: 5 });
  });

  it('finds a chain rewritten up to the anchor, though the rewritten chain is consistent in itself', () => {
    const rewritten = chain(6, { seq: 2, outcome: 'insufficient_funds' });
    expect(rewritten[1]!.outcome).toBe('insufficient_funds');
    expect(check(anchor, rewritten)).toEqual({ kind: 'anchor_mismatch', seq: 5 });
    // Cut back and regrown to the same length: the anchor's record is another one now.
    expect(check(anchor, [...records.slice(0, 4), chainAuditRecord(records[3], entry(99))])).toEqual({ kind: 'anchor_mismatch', seq: 5 });
  });

  it('reports a forged anchor as such, with the check that failed, before anything it claims', () => {
    const forged = { ...anchor, signature: { ...anchor.signature, ed25519: flipByte(anchor.signature.ed25519, 0) } };
    expect(check(forged, records.slice(0, 3))).toEqual({ kind: 'anchor_forged', seq: 5, code: 'ed25519_signature_invalid' });
    expect(auditAnchorBreak('junk', verifyAuditAnchor('junk', keysOf), 3, undefined)).toEqual({ kind: 'anchor_forged', seq: 0, code: 'malformed_anchor' });
  });

  it('anchors the empty log at seq 0 with the genesis hash', () => {
    const empty = signAuditAnchor({ seq: 0, hash: auditGenesisHash }, 1, signer);
    expect(auditAnchorBreak(empty, verifyAuditAnchor(empty, keysOf), 0, undefined)).toBeUndefined();
    expect(auditAnchorBreak(empty, verifyAuditAnchor(empty, keysOf), 6, undefined)).toBeUndefined();
    const notEmpty = signAuditAnchor({ seq: 0, hash: records[0]!.hash }, 1, signer);
    expect(auditAnchorBreak(notEmpty, verifyAuditAnchor(notEmpty, keysOf), 6, undefined)).toEqual({ kind: 'anchor_mismatch', seq: 0 });
  });

  it('keeps the anchor that covers more of the chain as the newest', () => {
    const older = signAuditAnchor({ seq: 2, hash: records[1]!.hash }, 10, signer);
    expect(newerAuditAnchor(null, older)).toBe(older);
    expect(newerAuditAnchor(older, anchor)).toBe(anchor);
    expect(newerAuditAnchor(anchor, older)).toBe(anchor);
  });
});

describe('who may anchor', () => {
  it('grants audit.anchor to the server itself and to operations, and the system role nothing else', () => {
    expect(rolesAllow([systemRole], 'audit.anchor')).toBe(true);
    expect(rolesAllow(['operations'], 'audit.anchor')).toBe(true);
    expect(rolesAllow([systemRole], 'audit.read')).toBe(false);
    expect(rolesAllow([systemRole], 'ledger.write')).toBe(false);
    for (const role of ['teller', 'head_teller', 'compliance_officer', 'admin', 'auditor', 'device']) expect(rolesAllow([role], 'audit.anchor'), role).toBe(false);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditVerifier, auditGenesisHash, auditHash, chainAuditRecord, type AuditBreak, type AuditEntry, type AuditRecord } from './audit';

function entry(index: number): AuditEntry {
  return { atMs: 1_700_000_000_000 + index, actor: 'alice', roles: ['teller'], deviceId: 'ws-1', command: 'cash.deposit', outcome: 'ok', detail: { index, amount: '100' } };
}

function chain(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= length; seq += 1) records.push(chainAuditRecord(records.at(-1), entry(seq)));
  return records;
}

/** A record with new content under its own seq and prevHash, and its own hash recomputed: it passes any check of itself alone. */
function rewritten(record: AuditRecord, change: Partial<AuditEntry>): AuditRecord {
  const content = { ...record, ...change };
  return { ...content, hash: auditHash(record.seq, record.prevHash, content) };
}

/** The first break the verifier reports over the records, and how many it accepted before it. */
function verify(records: readonly AuditRecord[]): { broken: AuditBreak | undefined; head: { count: number; hash: string } } {
  const verifier = new AuditVerifier();
  for (const record of records) {
    const broken = verifier.check(record);
    if (broken !== undefined) return { broken, head: verifier.head };
  }
  return { broken: undefined, head: verifier.head };
}

describe('AuditVerifier', () => {
  it('accepts an intact chain and reports its length and last hash as the head', () => {
    const records = chain(5);
    expect(verify(records)).toEqual({ broken: undefined, head: { count: 5, hash: records[4]!.hash } });
    expect(new AuditVerifier().head).toEqual({ count: 0, hash: auditGenesisHash });
  });

  it('finds a middle record rewritten with its own hash recomputed: the next record no longer links to it', () => {
    const records = chain(5);
    const tampered = records.with(2, rewritten(records[2]!, { actor: 'mallory', detail: { index: 3, amount: '1000000' } }));
    // The rewritten record is consistent in itself; only the next record's prevHash gives it away.
    expect(auditHash(tampered[2]!.seq, tampered[2]!.prevHash, tampered[2]!)).toBe(tampered[2]!.hash);
    expect(verify(tampered)).toEqual({ broken: { kind: 'broken_link', seq: 4 }, head: { count: 3, hash: tampered[2]!.hash } });
  });

  it('finds a forged record spliced in with a correct own hash but chained from elsewhere', () => {
    const records = chain(5);
    // A forger's record in the place of seq 3, chained from record 1 (as if record 2 never happened), its hash correct for what it says.
    const content = { ...entry(3), outcome: 'ok', detail: { index: 3, amount: '999999' } };
    const forged: AuditRecord = { ...content, seq: 3, prevHash: records[0]!.hash, hash: auditHash(3, records[0]!.hash, content) };
    expect(verify(records.with(2, forged))).toEqual({ broken: { kind: 'broken_link', seq: 3 }, head: { count: 2, hash: records[1]!.hash } });
  });

  it('finds a chain whose first record does not start from the genesis hash', () => {
    const content = entry(1);
    const prevHash = 'f'.repeat(64);
    const first: AuditRecord = { ...content, seq: 1, prevHash, hash: auditHash(1, prevHash, content) };
    expect(verify([first]).broken).toEqual({ kind: 'broken_link', seq: 1 });
  });

  it('finds every rewrite of any record but the last, whatever is changed, as a broken link at the next one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((length) => fc.tuple(fc.constant(length), fc.integer({ min: 1, max: length - 1 }))),
        fc.record({ actor: fc.string({ minLength: 1 }), outcome: fc.constantFrom('ok', 'permission_denied'), amount: fc.bigInt({ min: 0n, max: 10n ** 18n }) }),
        ([length, seq], change) => {
          const records = chain(length);
          const original = records[seq - 1]!;
          const edit = { actor: change.actor, outcome: change.outcome, detail: { ...original.detail, amount: change.amount.toString() } };
          const tampered = rewritten(original, edit);
          fc.pre(tampered.hash !== original.hash);
          expect(verify(records.with(seq - 1, tampered)).broken).toEqual({ kind: 'broken_link', seq: seq + 1 });
        },
      ),
    );
  });

  it('reports an edit without a recomputed hash as a hash mismatch, and a removed record as a sequence gap', () => {
    const records = chain(4);
    expect(verify(records.with(1, { ...records[1]!, actor: 'mallory' })).broken).toEqual({ kind: 'hash_mismatch', seq: 2 });
    expect(verify(records.toSpliced(1, 1)).broken).toEqual({ kind: 'sequence_gap', seq: 3, expectedSeq: 2 });
  });
});

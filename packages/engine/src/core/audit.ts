import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson, type JsonValue } from './canonical-json';

/** The hash before the first record: 64 zeros. */
export const auditGenesisHash = '0'.repeat(64);

/** One line of the audit log, before it is chained. Outcome is `ok` or the refusal's result code. */
export interface AuditEntry {
  readonly atMs: number;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly deviceId: string;
  readonly command: string;
  readonly outcome: string;
  /** What the command touched, without secrets: ids, amounts as strings. */
  readonly detail: { readonly [key: string]: JsonValue };
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The record's hash covers its sequence number, its content and the previous hash. */
export function auditHash(seq: number, prevHash: string, entry: AuditEntry): string {
  const body: JsonValue = {
    seq,
    prevHash,
    atMs: entry.atMs,
    actor: entry.actor,
    roles: [...entry.roles],
    deviceId: entry.deviceId,
    command: entry.command,
    outcome: entry.outcome,
    detail: entry.detail as JsonValue,
  };
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(body))));
}

export function chainAuditRecord(previous: { seq: number; hash: string } | undefined, entry: AuditEntry): AuditRecord {
  const seq = previous === undefined ? 1 : previous.seq + 1;
  const prevHash = previous === undefined ? auditGenesisHash : previous.hash;
  return { ...entry, seq, prevHash, hash: auditHash(seq, prevHash, entry) };
}

export type AuditBreak =
  | { readonly kind: 'sequence_gap'; readonly seq: number; readonly expectedSeq: number }
  | { readonly kind: 'broken_link'; readonly seq: number }
  | { readonly kind: 'hash_mismatch'; readonly seq: number };

/**
 * Walks records in sequence order, carrying the state between pages, and reports the first break:
 * an edited record fails its own hash, an inserted or deleted one breaks the sequence or the link.
 */
export class AuditVerifier {
  private expectedSeq = 1;
  private previousHash = auditGenesisHash;
  private checked = 0;

  check(record: AuditRecord): AuditBreak | undefined {
    if (record.seq !== this.expectedSeq) return { kind: 'sequence_gap', seq: record.seq, expectedSeq: this.expectedSeq };
    if (record.prevHash !== this.previousHash) return { kind: 'broken_link', seq: record.seq };
    if (auditHash(record.seq, record.prevHash, record) !== record.hash) return { kind: 'hash_mismatch', seq: record.seq };
    this.expectedSeq += 1;
    this.previousHash = record.hash;
    this.checked += 1;
    return undefined;
  }

  get head(): { readonly count: number; readonly hash: string } {
    return { count: this.checked, hash: this.previousHash };
  }
}

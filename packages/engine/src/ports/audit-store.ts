import type { AuditRecord } from '../core/audit';

export interface AuditStore {
  /** The last record, or undefined for an empty log. */
  head(): Promise<AuditRecord | undefined>;
  append(record: AuditRecord): Promise<void>;
  /** Several chained records in one write, in order (a group commit's records). */
  appendMany(records: readonly AuditRecord[]): Promise<void>;
  /** Records with seq greater than `afterSeq`, in order. */
  page(afterSeq: number, limit: number): Promise<AuditRecord[]>;
}

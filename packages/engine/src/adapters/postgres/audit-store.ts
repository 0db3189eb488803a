import type { AuditRecord } from '../../core/audit';
import type { AuditStore } from '../../ports/audit-store';
import { integerArray, textArray, type Session } from './session';

const columns = 'seq, at_ms, actor, roles, device_id, command, outcome, detail, prev_hash, hash';

type Row = [bigint, bigint, string, string, string, string, string, string, string, string];

function recordFromRow([seq, atMs, actor, roles, deviceId, command, outcome, detail, prevHash, hash]: Row): AuditRecord {
  return {
    seq: Number(seq),
    atMs: Number(atMs),
    actor,
    roles: JSON.parse(roles) as string[],
    deviceId,
    command,
    outcome,
    detail: JSON.parse(detail) as AuditRecord['detail'],
    prevHash,
    hash,
  };
}

const sql = {
  head: `SELECT ${columns} FROM audit_log ORDER BY seq DESC LIMIT 1`,
  append: `INSERT INTO audit_log (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  appendMany: `INSERT INTO audit_log (${columns})
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
  page: `SELECT ${columns} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
} as const;

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly session: Session) {}

  async head(): Promise<AuditRecord | undefined> {
    const [row] = await this.session.rows<Row>('audit_head', sql.head, []);
    return row === undefined ? undefined : recordFromRow(row);
  }

  async append(record: AuditRecord): Promise<void> {
    this.session.defer('audit_append', sql.append, [
      record.seq, record.atMs, record.actor, JSON.stringify(record.roles), record.deviceId, record.command,
      record.outcome, JSON.stringify(record.detail), record.prevHash, record.hash,
    ]);
  }

  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (records.length === 1) return this.append(records[0]!);
    this.session.defer('audit_append_many', sql.appendMany, [
      integerArray(records.map((r) => r.seq)),
      integerArray(records.map((r) => r.atMs)),
      textArray(records.map((r) => r.actor)),
      textArray(records.map((r) => JSON.stringify(r.roles))),
      textArray(records.map((r) => r.deviceId)),
      textArray(records.map((r) => r.command)),
      textArray(records.map((r) => r.outcome)),
      textArray(records.map((r) => JSON.stringify(r.detail))),
      textArray(records.map((r) => r.prevHash)),
      textArray(records.map((r) => r.hash)),
    ]);
  }

  async page(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return (await this.session.rows<Row>('audit_page', sql.page, [afterSeq, limit])).map(recordFromRow);
  }
}

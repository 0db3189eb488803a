import type { AuditRecord } from '../../core/audit';
import type { AuditStore } from '../../ports/audit-store';
import type { Session } from './session';

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
  page: `SELECT ${columns} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
} as const;

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly session: Session) {}

  async head(): Promise<AuditRecord | undefined> {
    const [row] = await this.session.rows<Row>('audit_head', sql.head, []);
    return row === undefined ? undefined : recordFromRow(row);
  }

  async append(record: AuditRecord): Promise<void> {
    await this.session.rows('audit_append', sql.append, [
      record.seq, record.atMs, record.actor, JSON.stringify(record.roles), record.deviceId, record.command,
      record.outcome, JSON.stringify(record.detail), record.prevHash, record.hash,
    ]);
  }

  async page(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return (await this.session.rows<Row>('audit_page', sql.page, [afterSeq, limit])).map(recordFromRow);
  }
}

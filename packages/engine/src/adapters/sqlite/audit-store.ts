import type Database from 'better-sqlite3';
import type { AuditRecord } from '../../core/audit';
import type { AuditStore } from '../../ports/audit-store';

type Row = Record<string, unknown>;

function recordFromRow(row: Row): AuditRecord {
  return {
    seq: Number(row.seq),
    atMs: Number(row.at_ms),
    actor: row.actor as string,
    roles: JSON.parse(row.roles as string) as string[],
    deviceId: row.device_id as string,
    command: row.command as string,
    outcome: row.outcome as string,
    detail: JSON.parse(row.detail as string) as AuditRecord['detail'],
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

export class SqliteAuditStore implements AuditStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Database.Statement<unknown[], Row> => db.prepare(sql);
    this.statements = {
      head: prepare(`SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1`),
      append: prepare(
        `INSERT INTO audit_log (seq, at_ms, actor, roles, device_id, command, outcome, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)`,
      ),
      page: prepare(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
    };
  }

  async head(): Promise<AuditRecord | undefined> {
    const row = this.statements.head.get();
    return row === undefined ? undefined : recordFromRow(row);
  }

  async append(record: AuditRecord): Promise<void> {
    this.statements.append.run(
      record.seq, record.atMs, record.actor, JSON.stringify(record.roles), record.deviceId, record.command,
      record.outcome, JSON.stringify(record.detail), record.prevHash, record.hash,
    );
  }

  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    for (const record of records) await this.append(record);
  }

  async page(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.statements.page.all(afterSeq, limit).map(recordFromRow);
  }
}

import type Database from 'better-sqlite3';
import type { AccessEntry, AccessLogStore, AccessRecord } from '../../ports/storage';

type Row = Record<string, unknown>;

function entryFromRow(row: Row): AccessEntry {
  return {
    seq: Number(row.seq),
    atMs: Number(row.at_ms),
    actor: row.actor as string,
    deviceId: row.device_id as string,
    command: row.command as string,
    subjects: JSON.parse(row.subjects as string) as string[],
    detail: JSON.parse(row.detail as string) as AccessEntry['detail'],
  };
}

/** The access log on SQLite: one row per read, and one index row per customer or account it names. */
export class SqliteAccessStore implements AccessLogStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Database.Statement<unknown[], Row> => db.prepare(sql);
    this.statements = {
      append: prepare(`INSERT INTO access_log (at_ms, actor, device_id, command, subjects, detail) VALUES (?,?,?,?,?,?) RETURNING seq`),
      subject: prepare(`INSERT OR IGNORE INTO access_subjects (subject, seq) VALUES (?, ?)`),
      page: prepare(`SELECT * FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?`),
      bySubject: prepare(
        `SELECT a.* FROM access_subjects s JOIN access_log a ON a.seq = s.seq WHERE s.subject = ? AND s.seq > ? ORDER BY s.seq LIMIT ?`,
      ),
    };
  }

  /** Inside the caller's write transaction. */
  appendNow(records: readonly AccessRecord[]): void {
    for (const record of records) {
      const row = this.statements.append.get(record.atMs, record.actor, record.deviceId, record.command, JSON.stringify(record.subjects), JSON.stringify(record.detail))!;
      for (const subject of new Set(record.subjects)) this.statements.subject.run(subject, row.seq);
    }
  }

  async page(afterSeq: number, limit: number, subject?: string): Promise<AccessEntry[]> {
    const rows = subject === undefined ? this.statements.page.all(afterSeq, limit) : this.statements.bySubject.all(subject, afterSeq, limit);
    return rows.map(entryFromRow);
  }
}

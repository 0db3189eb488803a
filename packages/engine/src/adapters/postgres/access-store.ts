import type pg from 'pg';
import type { AccessEntry, AccessLogStore, AccessRecord } from '../../ports/storage';
import type { Session } from './session';

const columns = 'seq, at_ms, actor, device_id, command, subjects, detail';
type Row = [bigint, bigint, string, string, string, string, string];

function entryFromRow([seq, atMs, actor, deviceId, command, subjects, detail]: Row): AccessEntry {
  return {
    seq: Number(seq),
    atMs: Number(atMs),
    actor,
    deviceId,
    command,
    subjects: JSON.parse(subjects) as string[],
    detail: JSON.parse(detail) as AccessEntry['detail'],
  };
}

const sql = {
  page: `SELECT ${columns} FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
  bySubject: `SELECT a.seq, a.at_ms, a.actor, a.device_id, a.command, a.subjects, a.detail
    FROM access_subjects s JOIN access_log a ON a.seq = s.seq WHERE s.subject = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3`,
  // One statement for the entries and their subjects: it commits on its own, without the writer lock.
  append: `WITH entries AS (
      INSERT INTO access_log (at_ms, actor, device_id, command, subjects, detail)
      SELECT at_ms, actor, device_id, command, subjects, detail
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS e(at_ms, actor, device_id, command, subjects, detail, n)
      ORDER BY n
      RETURNING seq, subjects
    )
    INSERT INTO access_subjects (subject, seq)
    SELECT DISTINCT s.subject, entries.seq FROM entries, LATERAL json_array_elements_text(entries.subjects::json) AS s(subject)`,
} as const;

export class PostgresAccessStore implements AccessLogStore {
  constructor(private readonly session: Session) {}

  async page(afterSeq: number, limit: number, subject?: string): Promise<AccessEntry[]> {
    const rows =
      subject === undefined
        ? await this.session.rows<Row>('access_page', sql.page, [afterSeq, limit])
        : await this.session.rows<Row>('access_by_subject', sql.bySubject, [subject, afterSeq, limit]);
    return rows.map(entryFromRow);
  }
}

/** Appends access records in one autocommitted statement on a pool connection of its own. */
export async function appendAccessRecords(pool: pg.Pool, records: readonly AccessRecord[]): Promise<void> {
  if (records.length === 0) return;
  await pool.query(sql.append, [
    records.map((record) => record.atMs),
    records.map((record) => record.actor),
    records.map((record) => record.deviceId),
    records.map((record) => record.command),
    records.map((record) => JSON.stringify(record.subjects)),
    records.map((record) => JSON.stringify(record.detail)),
  ]);
}

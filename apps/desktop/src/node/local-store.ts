import Database from 'better-sqlite3';

/** Drafts a workstation keeps per person (one per form), and how long a draft may be. */
export const draftsPerUserMax = 50;
export const draftBytesMax = 16 * 1024;

export interface CachedCredential {
  readonly username: string;
  readonly passwordHash: string;
  readonly displayName: string;
  readonly verifiedAtMs: number;
}

export interface ReceiptRecord {
  readonly transferId: string;
  readonly data: string;
  readonly printed: number;
}

/**
 * What the workstation keeps for itself beside the books (its own SQLite file): the credential of
 * each person who signed in online (so they can sign in while the link is down, checked against a
 * scrypt hash, never the password), form drafts (typed input survives a dropped link or a restart),
 * and the receipts it printed (a reprint is marked as a copy).
 */
export class LocalStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS credential (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, display_name TEXT NOT NULL, verified_at_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS user_draft (username TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, saved_at_ms INTEGER NOT NULL, PRIMARY KEY (username, key));
      CREATE TABLE IF NOT EXISTS receipt (transfer_id TEXT PRIMARY KEY, data TEXT NOT NULL, printed INTEGER NOT NULL DEFAULT 0);
    `);
  }

  credential(username: string): CachedCredential | undefined {
    const row = this.db.prepare('SELECT username, password_hash, display_name, verified_at_ms FROM credential WHERE username = ?').get(username) as
      | { username: string; password_hash: string; display_name: string; verified_at_ms: number }
      | undefined;
    return row === undefined ? undefined : { username: row.username, passwordHash: row.password_hash, displayName: row.display_name, verifiedAtMs: row.verified_at_ms };
  }

  saveCredential(credential: CachedCredential): void {
    this.db
      .prepare('INSERT INTO credential VALUES (?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, display_name = excluded.display_name, verified_at_ms = excluded.verified_at_ms')
      .run(credential.username, credential.passwordHash, credential.displayName, credential.verifiedAtMs);
  }

  forgetCredential(username: string): void {
    this.db.prepare('DELETE FROM credential WHERE username = ?').run(username);
  }

  draft(username: string, key: string): string | null {
    const row = this.db.prepare('SELECT value FROM user_draft WHERE username = ? AND key = ?').get(username, key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /**
   * Saves one person's draft; an empty value forgets it. Each person keeps at most
   * `draftsPerUserMax` (their oldest go first); false when the draft is over `draftBytesMax`.
   */
  saveDraft(username: string, key: string, value: string, nowMs: number): boolean {
    if (value === '') {
      this.db.prepare('DELETE FROM user_draft WHERE username = ? AND key = ?').run(username, key);
      return true;
    }
    if (Buffer.byteLength(value) > draftBytesMax) return false;
    this.db.prepare('INSERT INTO user_draft VALUES (?, ?, ?, ?) ON CONFLICT(username, key) DO UPDATE SET value = excluded.value, saved_at_ms = excluded.saved_at_ms').run(username, key, value, nowMs);
    this.db.prepare('DELETE FROM user_draft WHERE username = ? AND key NOT IN (SELECT key FROM user_draft WHERE username = ? ORDER BY saved_at_ms DESC LIMIT ?)').run(username, username, draftsPerUserMax);
    return true;
  }

  saveReceipt(transferId: string, data: string): void {
    this.db.prepare('INSERT INTO receipt (transfer_id, data) VALUES (?, ?) ON CONFLICT(transfer_id) DO UPDATE SET data = excluded.data').run(transferId, data);
  }

  /** Receipts recorded since `sinceMs` (by the time they were made), newest first. */
  receiptsSince(sinceMs: number, limit: number): ReceiptRecord[] {
    const rows = this.db.prepare("SELECT transfer_id, data, printed FROM receipt WHERE json_extract(data, '$.data.atMs') >= ? ORDER BY json_extract(data, '$.data.atMs') DESC LIMIT ?").all(sinceMs, limit) as Array<{ transfer_id: string; data: string; printed: number }>;
    return rows.map((row) => ({ transferId: row.transfer_id, data: row.data, printed: row.printed }));
  }

  receipt(transferId: string): ReceiptRecord | undefined {
    const row = this.db.prepare('SELECT transfer_id, data, printed FROM receipt WHERE transfer_id = ?').get(transferId) as { transfer_id: string; data: string; printed: number } | undefined;
    return row === undefined ? undefined : { transferId: row.transfer_id, data: row.data, printed: row.printed };
  }

  /** Counts a print: a second print of the same receipt is a copy. */
  countPrint(transferId: string): void {
    this.db.prepare('UPDATE receipt SET printed = printed + 1 WHERE transfer_id = ?').run(transferId);
  }

  close(): void {
    this.db.close();
  }
}

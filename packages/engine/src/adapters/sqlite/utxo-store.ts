import type Database from 'better-sqlite3';
import type { HybridPublicKeys } from '../../core/crypto/hybrid-signature';
import type { UtxoStore } from '../../ports/storage';

type Row = Record<string, unknown>;

const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

/**
 * The CBDC unspent set on SQLite: one row per unspent output hash (a 32-byte BLOB key). Each hash
 * is its own prepared-statement step: better-sqlite3 runs one in about a microsecond, in process,
 * so a set-based statement would save nothing.
 */
export class SqliteUtxoStore implements UtxoStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Database.Statement<unknown[], Row> => db.prepare(sql);
    this.statements = {
      spend: prepare(`DELETE FROM cbdc_unspent WHERE hash = ?`),
      create: prepare(`INSERT INTO cbdc_unspent (hash) VALUES (?)`),
      unspent: prepare(`SELECT 1 FROM cbdc_unspent WHERE hash = ?`).pluck(),
      count: prepare(`SELECT count(*) FROM cbdc_unspent`).pluck(),
      settled: prepare(`SELECT 1 FROM cbdc_settled WHERE txid = ?`).pluck(),
      recordSettled: prepare(`INSERT INTO cbdc_settled (txid) VALUES (?)`),
      issuer: prepare(`SELECT ml_dsa_65, ed25519 FROM cbdc_issuers WHERE currency = ?`),
      setIssuer: prepare(
        `INSERT INTO cbdc_issuers (currency, ml_dsa_65, ed25519) VALUES (?, ?, ?) ON CONFLICT (currency) DO UPDATE SET ml_dsa_65 = excluded.ml_dsa_65, ed25519 = excluded.ed25519`,
      ),
    };
  }

  async spend(hashes: readonly string[]): Promise<number> {
    let removed = 0;
    for (const hash of hashes) removed += this.statements.spend.run(bytes(hash)).changes;
    return removed;
  }

  async create(hashes: readonly string[]): Promise<void> {
    for (const hash of hashes) this.statements.create.run(bytes(hash));
  }

  async unspent(hashes: readonly string[]): Promise<string[]> {
    return hashes.filter((hash) => this.statements.unspent.get(bytes(hash)) !== undefined);
  }

  async count(): Promise<number> {
    return Number(this.statements.count.get());
  }

  async settled(txids: readonly string[]): Promise<string[]> {
    return txids.filter((txid) => this.statements.settled.get(bytes(txid)) !== undefined);
  }

  async recordSettled(txids: readonly string[]): Promise<void> {
    for (const txid of txids) this.statements.recordSettled.run(bytes(txid));
  }

  async issuer(currency: string): Promise<HybridPublicKeys | undefined> {
    const row = this.statements.issuer.get(currency);
    if (row === undefined) return undefined;
    return { mlDsa65: Uint8Array.from(row.ml_dsa_65 as Buffer), ed25519: Uint8Array.from(row.ed25519 as Buffer) };
  }

  async setIssuer(currency: string, publicKeys: HybridPublicKeys): Promise<void> {
    this.statements.setIssuer.run(currency, Buffer.from(publicKeys.mlDsa65), Buffer.from(publicKeys.ed25519));
  }
}

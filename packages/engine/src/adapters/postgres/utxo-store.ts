import type { HybridPublicKeys } from '../../core/crypto/hybrid-signature';
import type { UtxoStore } from '../../ports/storage';
import { textArray, type Session } from './session';

/** A bytea[] parameter from hex: each element `\x…` (bytea's hex input), escaped inside the array literal by textArray. */
const byteaArray = (hexes: readonly string[]): string => textArray(hexes.map((hex) => `\\x${hex}`));

const sql = {
  // Set-based: one statement removes the whole list and counts what it removed.
  spend: `WITH gone AS (DELETE FROM cbdc_unspent WHERE hash = ANY($1::bytea[]) RETURNING 1) SELECT count(*) FROM gone`,
  create: `INSERT INTO cbdc_unspent (hash) SELECT unnest($1::bytea[])`,
  unspent: `SELECT encode(hash, 'hex') FROM cbdc_unspent WHERE hash = ANY($1::bytea[])`,
  count: `SELECT count(*) FROM cbdc_unspent`,
  settled: `SELECT encode(txid, 'hex') FROM cbdc_settled WHERE txid = ANY($1::bytea[])`,
  recordSettled: `INSERT INTO cbdc_settled (txid) SELECT unnest($1::bytea[])`,
  issuer: `SELECT ml_dsa_65, ed25519 FROM cbdc_issuers WHERE currency = $1`,
  setIssuer: `INSERT INTO cbdc_issuers (currency, ml_dsa_65, ed25519) VALUES ($1, $2, $3)
    ON CONFLICT (currency) DO UPDATE SET ml_dsa_65 = excluded.ml_dsa_65, ed25519 = excluded.ed25519`,
} as const;

/**
 * The CBDC unspent set on PostgreSQL (bytea primary keys). Writes whose answer nobody needs are
 * deferred to the commit's round trip; a duplicate key then fails the whole transaction, as the
 * port says it must.
 */
export class PostgresUtxoStore implements UtxoStore {
  constructor(private readonly session: Session) {}

  async spend(hashes: readonly string[]): Promise<number> {
    if (hashes.length === 0) return 0;
    const [row] = await this.session.rows<[bigint]>('cbdc_spend', sql.spend, [byteaArray(hashes)]);
    return Number(row?.[0] ?? 0n);
  }

  async create(hashes: readonly string[]): Promise<void> {
    if (hashes.length > 0) this.session.defer('cbdc_create', sql.create, [byteaArray(hashes)]);
  }

  async unspent(hashes: readonly string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    return (await this.session.rows<[string]>('cbdc_unspent', sql.unspent, [byteaArray(hashes)])).map(([hash]) => hash);
  }

  async count(): Promise<number> {
    const [row] = await this.session.rows<[bigint]>('cbdc_count', sql.count, []);
    return Number(row?.[0] ?? 0n);
  }

  async settled(txids: readonly string[]): Promise<string[]> {
    if (txids.length === 0) return [];
    return (await this.session.rows<[string]>('cbdc_settled', sql.settled, [byteaArray(txids)])).map(([txid]) => txid);
  }

  async recordSettled(txids: readonly string[]): Promise<void> {
    if (txids.length > 0) this.session.defer('cbdc_record_settled', sql.recordSettled, [byteaArray(txids)]);
  }

  async issuer(currency: string): Promise<HybridPublicKeys | undefined> {
    const [row] = await this.session.rows<[Buffer, Buffer]>('cbdc_issuer', sql.issuer, [currency]);
    return row === undefined ? undefined : { mlDsa65: Uint8Array.from(row[0]), ed25519: Uint8Array.from(row[1]) };
  }

  async setIssuer(currency: string, publicKeys: HybridPublicKeys): Promise<void> {
    this.session.defer('cbdc_set_issuer', sql.setIssuer, [currency, Buffer.from(publicKeys.mlDsa65), Buffer.from(publicKeys.ed25519)]);
  }
}

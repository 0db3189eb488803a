import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorage } from './storage';

/** The admin connection when DATABASE_URL is not set: the development and CI machines' server. */
export const defaultAdminUrl = 'postgres://root@127.0.0.1:5432/test';

export interface PostgresTestDatabaseOptions {
  /** A connection allowed to CREATE DATABASE; default DATABASE_URL, else `defaultAdminUrl`. */
  readonly adminUrl?: string | undefined;
  /** Whether this is a CI run (default: CI is set), which only sharpens the error message. */
  readonly ci?: boolean | undefined;
}

const connectTimeoutMs = 5_000;

/**
 * A database of its own for one test run (qenex_test_<pid>_<random>), created on first use and
 * dropped by `drop()`. Each `openStorage()` gives a fresh, migrated schema in it, so every test
 * starts from empty books without paying for a database per test.
 *
 * When PostgreSQL cannot be reached the calls fail with a message saying how to start it: a test
 * that needs the database must fail without it, never pass by skipping.
 */
export class PostgresTestDatabase {
  readonly name = `qenex_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  private readonly adminUrl: string;
  private readonly ci: boolean;
  private created: Promise<string> | undefined;
  private schemas = 0;
  private readonly opened = new Set<PostgresStorage>();

  constructor(options: PostgresTestDatabaseOptions = {}) {
    this.adminUrl = options.adminUrl ?? process.env.DATABASE_URL ?? defaultAdminUrl;
    this.ci = options.ci ?? Boolean(process.env.CI);
  }

  /** The test database's connection string; creates the database on first call. */
  url(): Promise<string> {
    this.created ??= this.create();
    return this.created;
  }

  /** A storage on a new schema of the test database, migrated and empty. */
  async openStorage(): Promise<PostgresStorage> {
    const url = await this.url();
    this.schemas += 1;
    const storage = await PostgresStorage.open({ connectionString: url, schema: `t${this.schemas}` });
    this.opened.add(storage);
    return storage;
  }

  /** Closes what it opened and drops the database; a no-op when it was never created. */
  async drop(): Promise<void> {
    const created = this.created;
    if (created === undefined) return;
    this.created = undefined;
    await Promise.all([...this.opened].map((storage) => storage.close()));
    this.opened.clear();
    const made = await created.then(() => true, () => false);
    if (!made) return;
    await this.admin((client) => client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }

  private async create(): Promise<string> {
    await this.admin((client) => client.query(`CREATE DATABASE ${this.name} TEMPLATE template0 ENCODING 'UTF8'`));
    const url = new URL(this.adminUrl);
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  private async admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: connectTimeoutMs });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(this.unreachableMessage(error), { cause: error });
    }
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  private unreachableMessage(error: unknown): string {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return [
      `PostgreSQL is not reachable at ${redacted(this.adminUrl)} (${reason}).`,
      this.ci
        ? 'CI is set: the storage tests need a real PostgreSQL on this machine and never skip; .ci/run starts it.'
        : 'The storage tests need a real PostgreSQL and never skip.',
      'Start it with:',
      '  pg_isready -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start',
      'or set DATABASE_URL to a connection allowed to CREATE DATABASE (see /work/shared/SERVICES.md).',
    ].join('\n');
  }
}

function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * With no DATABASE_URL, the server runs on PGlite — real PostgreSQL compiled to WASM — kept in a
 * data directory that survives restarts, served over the PostgreSQL wire protocol on a loopback
 * port, so the server talks to it through `pg` exactly as it talks to a PostgreSQL server.
 * PGlite is one backend: the pool in front of it must hold one connection.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const directory = resolve(dataDir, 'pgdata');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

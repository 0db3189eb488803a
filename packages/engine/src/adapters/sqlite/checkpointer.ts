import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the commit path. In WAL mode SQLite copies the log back into
 * the database file inside whichever COMMIT crosses `wal_autocheckpoint` pages: that commit pays
 * for thousands of page writes and an fsync of the database file, and a teller waits for it. Here
 * a worker thread with its own connection runs a PASSIVE checkpoint every `intervalMs` (it never
 * waits for a lock and never blocks a writer or a reader), on the other core, while the engine's
 * connection keeps committing; the automatic checkpoint stays as a far bound, should the worker fall
 * behind or die. Durability is unchanged: a commit is durable once the WAL is synced, whoever copies
 * it back later.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  /** Settles when the worker has exited, whenever and however that happened. */
  private readonly exited: Promise<void>;

  constructor(path: string, intervalMs: number) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(workerSource, { eval: true, workerData: { driver, path, intervalMs } });
    // A checkpoint that failed is SQLite's own automatic one's to do: nothing is lost, so nothing is thrown.
    this.worker.on('error', () => undefined);
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.unref();
  }

  /** Stops the worker (its connection closes; the engine's connection checkpoints the rest as it closes). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.ref(); // the process waits for the worker to close its connection
    this.worker.postMessage('stop');
    await this.exited;
  }
}

/** The worker, as CommonJS source (no file to ship beside a bundle): the driver's resolved path comes with its data. */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* the engine's own automatic checkpoint covers it */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  process.exit(0); // in a worker, ends this thread only (whatever a loader hook left running)
});
`;

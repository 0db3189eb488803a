import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '@qenex/engine/sqlite';

const directory = mkdtempSync(join(tmpdir(), 'qenex-checkpoint-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A few hundred KiB of rows (under SQLite's default automatic threshold of 1,000 pages, about 4 MiB). */
async function writeRows(storage: SqliteStorage): Promise<void> {
  const filler = 'x'.repeat(300);
  for (let batch = 0; batch < 6; batch += 1) {
    await storage.transaction(async (tx) => {
      for (let index = 0; index < 50; index += 1) {
        await tx.banking.put('monitoredAccount', { id: `${batch}:${index}:${filler}`, lastActivityMs: index });
      }
    });
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe("a workstation's WAL checkpoints, off the commit path", () => {
  it('copies committed pages back into the database file from a worker thread, between commits', async () => {
    const path = join(directory, 'background.db');
    const storage = new SqliteStorage({ path });
    const before = statSync(path).size;
    await writeRows(storage);
    // The commits only appended to the WAL; the worker's PASSIVE checkpoint moves them into the file.
    expect(await until(() => statSync(path).size > before + 100_000, 5_000)).toBe(true);
    await storage.close();
    const reopened = new SqliteStorage({ path, checkpoint: 'inline' });
    expect((await reopened.read((tx) => tx.banking.list('monitoredAccount', '', 2_000))).length).toBe(300);
    await reopened.close();
  });

  it("leaves them to SQLite's own threshold when told to checkpoint inline", async () => {
    const path = join(directory, 'inline.db');
    const storage = new SqliteStorage({ path, checkpoint: 'inline' });
    const before = statSync(path).size;
    await writeRows(storage);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(statSync(path).size).toBe(before);
    await storage.close();
  });

  it('closes promptly, worker and all, and the process is not kept alive by it', async () => {
    const storage = new SqliteStorage({ path: join(directory, 'close.db') });
    const started = performance.now();
    await storage.close();
    await storage.close();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { systemRole, type AuditAnchor, type Context, type Engine } from '@qenex/engine';

/**
 * Signed anchors of the audit head, kept twice: in the database (audit.anchor) and as lines of an
 * append-only file in the data directory. Whoever can delete the audit log's last records can
 * delete the anchors kept beside them; the file is a second place they must also reach, and
 * `server:admin -- audit-verify` reads it back.
 */
export const auditAnchorsFileName = 'audit-anchors.jsonl';

export function auditAnchorsFile(dataDir: string): string {
  return join(dataDir, auditAnchorsFileName);
}

/** Who anchors: the server itself, as no person (see rbac's systemRole). */
const systemContext: Context = { actor: 'server', roles: [systemRole], deviceId: 'server' };

/** Appends one anchor as a JSON line, fsync'd (and its directory, when the file is new), mode 0600. */
export async function appendAnchorLine(file: string, anchor: AuditAnchor): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const created = !existsSync(file);
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.write(`${JSON.stringify(anchor)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await syncDirectory(dirname(file));
}

/**
 * The newest `max` anchors of the file, oldest first; no file, none. A line that is not JSON (torn
 * by a crash mid-append) is skipped and counted. The newest anchors are the ones that matter: a log
 * cut or rewritten before an older anchor contradicts every newer one too.
 */
export async function readAnchorLines(file: string, max: number): Promise<{ anchors: unknown[]; skipped: number }> {
  if (!existsSync(file)) return { anchors: [], skipped: 0 };
  const anchors: unknown[] = [];
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      anchors.push(JSON.parse(line));
    } catch {
      skipped += 1;
      continue;
    }
    if (anchors.length > max) anchors.shift();
  }
  return { anchors, skipped };
}

export interface AnchorScheduleOptions {
  /** 0: no anchors on a timer and none at shutdown. */
  readonly intervalMs: number;
  readonly file: string;
  readonly onError: (error: unknown) => void;
}

/**
 * Anchors the audit head every `intervalMs` when it moved (audit.anchor stores nothing for a head
 * already anchored), and once more at shutdown. Runs one at a time; a failed run is reported and
 * the next one tries again.
 */
export class AuditAnchorSchedule {
  private timer: NodeJS.Timeout | null = null;
  private previous: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: AnchorScheduleOptions,
  ) {}

  start(): void {
    if (this.options.intervalMs > 0) this.schedule();
  }

  /** Anchors the head now: the new anchor, or null when the head was anchored already. */
  anchorNow(): Promise<AuditAnchor | null> {
    const run = this.previous.then(() => this.anchorOnce());
    this.previous = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and anchors the final head (call after the last write, before storage closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.options.intervalMs === 0) return;
    await this.anchorNow().catch(this.options.onError);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.anchorNow()
        .catch(this.options.onError)
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async anchorOnce(): Promise<AuditAnchor | null> {
    const result = await this.engine.execute('audit.anchor', {}, systemContext);
    if (!result.ok) throw new Error(`the audit head was not anchored: ${result.code}: ${result.message}`);
    if (!result.value.stored) return null;
    await appendAnchorLine(this.options.file, result.value.anchor);
    return result.value.anchor;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

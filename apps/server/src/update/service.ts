/**
 * The update repository as the running server serves and uses it: its published files over HTTP
 * (metadata and targets only, never drafts or the online key), the timestamp and snapshot re-signed
 * before they expire, and the server's own update client, which installs the signed stand-in
 * policies and sanctions lists into the server's books from the same files the branches get.
 */
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { UpdateClient, type Clock, type Engine, type FetchResult, type Storage, type UpdateFetcher } from '@qenex/engine';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { problem } from '../http/problem';
import { UpdateRepository } from './repository';

/** How often the server looks for a new publish, and re-signs what is about to expire. */
export const updateCheckIntervalMs = 30_000;
/** What one published file name may look like: no `..`, no drafts, no keys. */
const servedName = /^(metadata\/[A-Za-z0-9._-]{1,160}|targets\/(?:[A-Za-z0-9_-]{1,64}\/){0,8}[A-Za-z0-9._-]{1,200})$/;

export function isServedName(name: string): boolean {
  return servedName.test(name) && !name.split('/').some((part) => part === '..' || part === '.' || part.startsWith('.'));
}

/** A regular file (not a directory, not a symbolic link planted in the repository), or null. */
async function plainFile(file: string): Promise<{ size: number } | null> {
  try {
    const found = await lstat(file);
    return found.isFile() ? { size: found.size } : null;
  } catch {
    return null;
  }
}

/** Repository files from the directory, with the same caps a workstation applies over HTTP. */
export class DirectoryFetcher implements UpdateFetcher {
  constructor(private readonly repository: UpdateRepository) {}

  async fetch(name: string, maxBytes: number): Promise<FetchResult> {
    if (!isServedName(name)) return { ok: false, code: 'not_found' };
    const file = join(this.repository.directory, name);
    const found = await plainFile(file);
    if (found === null) return { ok: false, code: 'not_found' };
    if (found.size > maxBytes) return { ok: false, code: 'too_large' };
    const bytes = await this.repository.readFile(name);
    return bytes === null ? { ok: false, code: 'not_found' } : bytes.length > maxBytes ? { ok: false, code: 'too_large' } : { ok: true, bytes };
  }
}

/** `GET /api/v1/updates/files/<name>`: a published file as stored, or 404 problem+json. Public: every file is signed. */
export function registerUpdateFiles(app: FastifyInstance, directory: string): void {
  app.get('/api/v1/updates/files/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = join(directory, name);
    const found = isServedName(name) ? await plainFile(file) : null;
    if (found === null) {
      return reply.code(404).type('application/problem+json').send(problem('update_file_not_found', 'The repository publishes no such file; start from metadata/timestamp.json.'));
    }
    const size = found.size;
    // Only the timestamp changes in place: everything else is named by version or hash and never changes.
    const immutable = name !== 'metadata/timestamp.json';
    return reply
      .header('content-length', size)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type('application/octet-stream')
      .send(createReadStream(file));
  });
}

export interface UpdateServiceDeps {
  readonly engine: Engine;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly directory: string;
  readonly log: FastifyBaseLogger;
  /** After a check installed or removed a sanctions list: the customer base is screened again. */
  readonly onSanctionsChanged?: () => void;
}

/**
 * The server's side of updates while it runs: every `updateCheckIntervalMs`, re-sign the timestamp
 * or snapshot if due, and install what was published. The pinned root is the repository's root 1
 * (the server is where the admins initialised it).
 */
export class UpdateService {
  private timer: NodeJS.Timeout | null = null;
  private client: UpdateClient | null = null;
  readonly repository: UpdateRepository;

  constructor(private readonly deps: UpdateServiceDeps) {
    this.repository = new UpdateRepository(deps.directory);
  }

  start(): void {
    const check = () => {
      this.checkNow().catch((error: unknown) => this.deps.log.error({ err: error }, 'update check failed'));
    };
    // At once too: what was published while the server was down, and the screening index, are ready before the first payment.
    check();
    this.timer = setInterval(check, updateCheckIntervalMs);
    this.timer.unref();
  }

  /** Re-signs what is due, then installs what the repository publishes; null when there is no repository yet. */
  async checkNow(): Promise<Awaited<ReturnType<UpdateClient['check']>> | null> {
    const pinned = await this.repository.readFile('metadata/1.root.json');
    if (pinned === null || (await this.repository.currentTimestamp()) === null) return null;
    await this.repository.refresh(this.deps.clock.nowMs());
    this.client ??= new UpdateClient({
      engine: this.deps.engine,
      storage: this.deps.storage,
      clock: this.deps.clock,
      fetcher: new DirectoryFetcher(this.repository),
      pinnedRoot: pinned,
      // The server keeps every branch's policy and every list; builds are for the branches.
      wants: (_path, kind) => kind !== 'app_build',
      appVersion: 'server',
    });
    const outcome = await this.client.check();
    if (outcome.kind === 'refused') this.deps.log.warn({ refusal: outcome.refusal }, 'the server refused its own update repository');
    const changed = outcome.kind === 'up_to_date' ? [...outcome.installed, ...outcome.removed] : [];
    if (changed.some((path) => path.startsWith('content/sanctions/'))) this.deps.onSanctionsChanged?.();
    return outcome;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

import type { SignedEnvelope } from '../../core/crypto';
import type { SyncTransport, TransportResult } from '../../app/sync/workstation';

/** Longest a push or pull may take before the workstation treats the server as unreachable. */
export const syncRequestTimeoutMs = 30_000;

/**
 * The workstation's transport to the central server over HTTP(S): POST the signed envelope to
 * /api/v1/sync/push or /pull. A network failure or timeout is `unreachable` (the batch stays queued
 * and is sent again); a problem+json answer becomes its code.
 */
export class HttpSyncTransport implements SyncTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: typeof fetch = globalThis.fetch,
  ) {}

  push(message: SignedEnvelope): Promise<TransportResult> {
    return this.post('/api/v1/sync/push', message);
  }

  pull(message: SignedEnvelope): Promise<TransportResult> {
    return this.post('/api/v1/sync/pull', message);
  }

  private async post(path: string, message: SignedEnvelope): Promise<TransportResult> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message }),
        signal: AbortSignal.timeout(syncRequestTimeoutMs),
      });
    } catch (error) {
      return { ok: false, code: 'unreachable', message: `The server could not be reached: ${error instanceof Error ? error.message : String(error)}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, code: 'unreachable', message: `The server answered ${response.status} without JSON.` };
    }
    if (response.ok) return { ok: true, body };
    const problem = body as { code?: unknown; detail?: unknown };
    return { ok: false, code: typeof problem.code === 'string' ? problem.code : 'refused', message: typeof problem.detail === 'string' ? problem.detail : `HTTP ${response.status}` };
  }
}

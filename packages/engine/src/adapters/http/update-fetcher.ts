import type { FetchResult, UpdateFetcher } from '../../app/update/client';

/** Longest one repository file may take to arrive (an app build on a slow branch line). */
export const updateFetchTimeoutMs = 10 * 60_000;

/**
 * Repository files over HTTP from the server (`/api/v1/updates/files/<name>`). A file is read to at
 * most `maxBytes`: a declared length over it is refused before the body is read, and a body that
 * keeps coming past it is cut off there (an endless-data attack costs one cap, not the disk).
 */
export class HttpUpdateFetcher implements UpdateFetcher {
  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: typeof fetch = globalThis.fetch,
  ) {}

  async fetch(name: string, maxBytes: number): Promise<FetchResult> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}/api/v1/updates/files/${name.split('/').map(encodeURIComponent).join('/')}`, { signal: AbortSignal.timeout(updateFetchTimeoutMs) });
    } catch {
      return { ok: false, code: 'unreachable' };
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { ok: false, code: 'not_found' };
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return { ok: false, code: 'unreachable' };
    }
    const declared = Number(response.headers.get('content-length') ?? 'NaN');
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body.cancel();
      return { ok: false, code: 'too_large' };
    }
    return readCapped(response.body, maxBytes);
  }
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<FetchResult> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        return { ok: false, code: 'too_large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, code: 'unreachable' };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { ok: true, bytes };
}

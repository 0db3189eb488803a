/**
 * How the gateway reaches its correspondent: it hands messages over, and reads the messages the
 * correspondent has for the bank from a cursor (SWIFT's store-and-forward, over HTTP here). A
 * message is XML exactly as the wire carries it; the framing of a page is the link's own.
 */
export interface CorrespondentLink {
  /** Hands one message over; rejects when the correspondent did not take it (the gateway sends it again). */
  send(xml: string): Promise<void>;
  /** The messages after `cursor`, at most `limit`, and the cursor to read from next. */
  receive(cursor: number, limit: number): Promise<{ readonly messages: readonly { readonly seq: number; readonly xml: string }[]; readonly next: number }>;
}

/** The longest one request to the correspondent may take. */
export const correspondentRequestTimeoutMs = 10_000;
/** The largest page of messages the gateway reads in one response. */
export const correspondentPageCharsMax = 64 * 1024 * 1024;

/** The link over HTTP: POST {base}/messages with the XML; GET {base}/messages?after=N&limit=M for a page (JSON). */
export class HttpCorrespondentLink implements CorrespondentLink {
  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: typeof fetch = globalThis.fetch,
  ) {}

  async send(xml: string): Promise<void> {
    const response = await this.fetcher(`${this.baseUrl}/messages`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml, signal: AbortSignal.timeout(correspondentRequestTimeoutMs) });
    if (!response.ok) throw new Error(`the correspondent refused the message: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  }

  async receive(cursor: number, limit: number) {
    const response = await this.fetcher(`${this.baseUrl}/messages?after=${cursor}&limit=${limit}`, { signal: AbortSignal.timeout(correspondentRequestTimeoutMs) });
    if (!response.ok) throw new Error(`the correspondent did not answer: HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > correspondentPageCharsMax) throw new Error(`the correspondent sent a page of ${text.length} characters, more than ${correspondentPageCharsMax}`);
    const page = JSON.parse(text) as { messages?: unknown; next?: unknown };
    if (!Array.isArray(page.messages) || typeof page.next !== 'number') throw new Error('the correspondent sent a page the gateway cannot read');
    const messages = page.messages.filter((entry): entry is { seq: number; xml: string } => typeof (entry as { seq?: unknown }).seq === 'number' && typeof (entry as { xml?: unknown }).xml === 'string');
    return { messages, next: page.next };
  }
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { bridgeRequestBytesMax } from '@qenex/ui/bridge';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseBridgeRequest } from '../common/ipc';
import { contentSecurityPolicy, newStyleNonce, withStyleNonce } from '../main/security';
import type { BridgeHost } from './host';

/**
 * Browser mode: the same renderer the Electron window shows, served to a browser, with
 * `window.qenex` carried over HTTP (`POST /bridge/<channel>`) and a WebSocket (`/bridge/events`) to
 * the workstation host running in Node. Each browser gets its own session (an HttpOnly cookie);
 * a bridge request must come from this origin and carry the bridge header, so another site cannot
 * drive it.
 */
export interface BrowserMode {
  readonly url: string;
  close(): Promise<void>;
}


const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy(null),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};

const clientCookie = 'qenex_client';

export async function startBrowserMode(options: { readonly host: BridgeHost; readonly rendererDir: string; readonly port?: number; readonly hostname?: string }): Promise<BrowserMode> {
  const root = await realpath(options.rendererDir);
  const sockets = new Map<WebSocket, string>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { ok: false, code: 'internal_error', message: 'The workstation failed to answer; try again.' });
      process.stderr.write(`browser mode: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    });
  });
  const origin = () => `http://${hostHeader(server, options.hostname ?? '127.0.0.1')}`;
  /** The page's own origin, by address or as localhost. A bridge request must say where it comes from. */
  const sameOrigin = (value: string | undefined) => value !== undefined && (value === origin() || value === origin().replace('127.0.0.1', 'localhost'));
  const clients = new IssuedClients();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/bridge/') && request.method === 'POST') return bridge(request, response, url.pathname.slice('/bridge/'.length));
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { ok: false, code: 'method_not_allowed', message: 'Only GET here.' });
    const file = await resolveStatic(root, url.pathname === '/' ? '/index.html' : url.pathname);
    const target = file ?? (extname(url.pathname) === '' ? await resolveStatic(root, '/index.html') : null);
    if (target === null) return send(response, 404, { ok: false, code: 'not_found', message: 'No such file.' });
    const headers: Record<string, string> = { ...securityHeaders, 'content-type': contentTypes[extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
    let body = await readFile(target);
    if (extname(target) === '.html') {
      // The page's client: the one its cookie names if this server issued it, a new one otherwise; its secret goes into the page.
      const known = clientOf(request);
      let client = known !== null && clients.secretOf(known) !== undefined ? known : null;
      if (client === null) {
        // No client for a HEAD, or for a page another site asks for: they cannot fill the table and push anyone out.
        if (request.method === 'HEAD' || request.headers['sec-fetch-site'] === 'cross-site') return send(response, 403, { ok: false, code: 'not_for_other_sites', message: 'Open QENEX from its own address.' });
        const issued = clients.issue((candidate) => options.host.signedIn?.(candidate) === true);
        if (issued === null) return send(response, 503, { ok: false, code: 'workstation_busy', message: 'Too many browsers are connected to this workstation; try again later.' });
        client = issued;
        headers['set-cookie'] = cookieOf(client);
      }
      // A fresh nonce per page: run-time <style> elements (AG Grid's theme, react-aria) carry it; nothing else inline runs.
      const nonce = newStyleNonce();
      headers['content-security-policy'] = contentSecurityPolicy(nonce);
      headers['cache-control'] = 'no-store';
      body = Buffer.from(withBridgeSecret(withStyleNonce(body.toString('utf8'), nonce), clients.secretOf(client)!));
    }
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async function bridge(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    const client = clientOf(request);
    const secret = client === null ? undefined : clients.secretOf(client);
    if (client === null || secret === undefined || !sameSecret(request.headers['x-qenex-bridge'], secret) || !sameOrigin(request.headers.origin)) {
      return send(response, 403, { ok: false, code: 'bridge_sender_refused', message: 'Bridge requests come from the QENEX page itself; reload the page.' });
    }
    const body = await readBody(request, bridgeRequestBytesMax);
    if (body === null) return send(response, 413, { ok: false, code: 'invalid_bridge_request', message: `A bridge request is JSON of at most ${bridgeRequestBytesMax} bytes.` });
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(body.toString('utf8'));
    } catch {
      return send(response, 400, { ok: false, code: 'invalid_bridge_request', message: 'The bridge request is not JSON.' });
    }
    const parsed = parseBridgeRequest(channel, parsedJson, body.length);
    if (!parsed.ok) return send(response, 400, { ok: false, code: parsed.code, message: parsed.message });
    const answer = await options.host.handle(parsed.channel, parsed.request, client);
    if (parsed.channel === 'session.signIn' && (answer as { ok?: unknown }).ok === true) {
      // A new client at every sign-in: whatever id the browser held before (planted or not) never names a signed-in session.
      const fresh = clients.issue((candidate) => candidate === client || options.host.signedIn?.(candidate) === true);
      if (fresh === null) return send(response, 503, { ok: false, code: 'workstation_busy', message: 'Too many browsers are connected to this workstation; try again later.' });
      options.host.rekey?.(client, fresh);
      clients.forget(client);
      for (const [ws, owner] of sockets) if (owner === client) ws.close(4001, 'signed in: reconnect');
      return send(response, 200, answer, { 'set-cookie': cookieOf(fresh), 'x-qenex-bridge-secret': clients.secretOf(fresh)! });
    }
    send(response, 200, answer);
  }

  const events = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const client = clientOf(request);
    const secret = client === null ? undefined : clients.secretOf(client);
    if (url.pathname !== '/bridge/events' || client === null || secret === undefined || !sameSecret(url.searchParams.get('s') ?? undefined, secret) || !sameOrigin(request.headers.origin)) {
      socket.destroy();
      return;
    }
    events.handleUpgrade(request, socket, head, (ws) => {
      sockets.set(ws, client);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  // An event goes to the browsers of its client, or to every browser someone is signed in on: never to a page nobody signed in to.
  const unsubscribe = options.host.on((event, payload, clientId) => {
    const message = JSON.stringify({ event, payload });
    for (const [ws, client] of sockets) {
      const forIt = clientId === undefined ? options.host.signedIn?.(client) !== false : clientId === client;
      if (forIt && ws.readyState === ws.OPEN) ws.send(message);
    }
  });

  await new Promise<void>((done) => server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', done));
  return {
    url: origin(),
    async close() {
      unsubscribe();
      for (const ws of sockets.keys()) ws.terminate();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A path under the renderer's root, or null: no `..`, no NUL, no backslash, nothing that resolves (or links) outside. */
export async function resolveStatic(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return null;
  const candidate = resolve(root, `.${decoded}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  try {
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? real : null;
  } catch {
    return null;
  }
}

function clientOf(request: IncomingMessage): string | null {
  const cookies = request.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === clientCookie && value !== undefined && /^[A-Za-z0-9_-]{16,64}$/.test(value)) return value;
  }
  return null;
}

function hostHeader(server: Server, hostname: string): string {
  const address = server.address();
  return typeof address === 'object' && address !== null ? `${hostname}:${address.port}` : hostname;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra });
  response.end(JSON.stringify(body));
}

/** Clients this server issued, each with the secret its page carries: a cookie alone (planted, or read by another local page) drives nothing. */
export const issuedClientsMax = 10_000;
class IssuedClients {
  private readonly secrets = new Map<string, string>();

  /** A new client; when the table is full, the oldest one nobody is signed in on makes room (null: everyone is). */
  issue(inUse: (client: string) => boolean): string | null {
    if (this.secrets.size >= issuedClientsMax) {
      let evicted = false;
      for (const candidate of this.secrets.keys()) {
        if (inUse(candidate)) continue;
        this.secrets.delete(candidate);
        evicted = true;
        break;
      }
      if (!evicted) return null;
    }
    const client = randomBytes(18).toString('base64url');
    this.secrets.set(client, randomBytes(18).toString('base64url'));
    return client;
  }

  secretOf(client: string): string | undefined {
    return this.secrets.get(client);
  }

  forget(client: string): void {
    this.secrets.delete(client);
  }
}

function cookieOf(client: string): string {
  return `${clientCookie}=${client}; HttpOnly; SameSite=Strict; Path=/`;
}

function sameSecret(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== 'string' || given.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(secret));
}

/** The page's bridge secret, where the browser bridge reads it. */
function withBridgeSecret(html: string, secret: string): string {
  const meta = `<meta name="qenex-bridge" content="${secret}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head === null) return meta + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + meta + html.slice(at);
}

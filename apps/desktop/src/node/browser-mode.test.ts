import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStatic, startBrowserMode, type BrowserMode } from './browser-mode';
import type { BridgeHost } from './host';

/** Browser mode's edge: what it serves, and who may drive the bridge. */
describe('browser mode', () => {
  const root = mkdtempSync(join(tmpdir(), 'qenex-renderer-'));
  const outside = mkdtempSync(join(tmpdir(), 'qenex-outside-'));
  const seen: Array<{ channel: string; request: unknown; client: string | undefined }> = [];
  const host: BridgeHost = {
    async handle(channel, request, client) {
      seen.push({ channel, request, client });
      if (channel === 'session.signIn' && client !== undefined) signedInClients.add(client);
      return { ok: true, echo: channel };
    },
    rekey(from, to) {
      if (signedInClients.delete(from)) signedInClients.add(to);
    },
    on: () => () => undefined,
    close: async () => undefined,
  };
  let mode: BrowserMode;
  let cookie = '';
  let secret = '';
  const signedInClients = new Set<string>();

  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(outside, 'secret.txt'), 'not for the page');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    mode = await startBrowserMode({ host, rendererDir: root });
    const page = await fetch(mode.url);
    cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    secret = /<meta name="qenex-bridge" content="([^"]+)">/.exec(await page.text())![1]!;
  });
  const bridgeHeaders = () => ({ cookie, 'x-qenex-bridge': secret, origin: mode.url, 'content-type': 'application/json' });
  afterAll(async () => {
    await mode.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves only files under the renderer root: no traversal, NUL, backslash or link out', async () => {
    expect(await resolveStatic(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    for (const bad of ['/../' + outside.split('/').at(-1) + '/secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%00app.js', '/assets\\..\\..\\etc\\passwd', '/assets/link.txt', '/%E0%A4%A']) {
      expect(await resolveStatic(root, bad), bad).toBeNull();
    }
    const traversal = await fetch(`${mode.url}/%2e%2e/%2e%2e/etc/passwd`);
    expect(await traversal.text()).not.toContain('root:');
  });

  it('sends the page with a strict policy and a fresh style nonce, and a session cookie the page cannot read', async () => {
    const first = await fetch(mode.url);
    const second = await fetch(mode.url);
    const policy = first.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    expect(await first.text()).toContain(`<meta property="csp-nonce" nonce="${nonce}">`);
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('hands a valid bridge request to the host with the browser’s own client id', async () => {
    const answer = await fetch(`${mode.url}/bridge/sync.status`, { method: 'POST', headers: bridgeHeaders(), body: '{}' });
    expect(await answer.json()).toEqual({ ok: true, echo: 'sync.status' });
    expect(seen.at(-1)).toEqual({ channel: 'sync.status', request: {}, client: cookie.split('=')[1] });
  });

  it('issues a new client and secret at sign-in: the id held before (planted or not) names no signed-in session', async () => {
    const before = cookie.split('=')[1]!;
    const signIn = await fetch(`${mode.url}/bridge/session.signIn`, { method: 'POST', headers: bridgeHeaders(), body: JSON.stringify({ username: 'tom', password: 'x' }) });
    expect(signIn.status).toBe(200);
    const fresh = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const freshSecret = signIn.headers.get('x-qenex-bridge-secret')!;
    expect(fresh).not.toBe(cookie);
    expect(signedInClients.has(fresh.split('=')[1]!)).toBe(true);
    expect(signedInClients.has(before)).toBe(false);
    // The old client and secret drive nothing any more; the new ones do.
    expect((await fetch(`${mode.url}/bridge/sync.status`, { method: 'POST', headers: bridgeHeaders(), body: '{}' })).status).toBe(403);
    cookie = fresh;
    secret = freshSecret;
    expect((await fetch(`${mode.url}/bridge/sync.status`, { method: 'POST', headers: bridgeHeaders(), body: '{}' })).status).toBe(200);
  });

  it('refuses a bridge request from another site, without the bridge header or cookie, of the wrong shape or too large; the host sees none', async () => {
    const before = seen.length;
    const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${mode.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const good = { cookie, 'x-qenex-bridge': secret, origin: mode.url };
    const cases = [
      await post('/bridge/sync.status', { ...good, origin: 'https://evil.example' }, '{}'),
      await post('/bridge/sync.status', { cookie, origin: mode.url }, '{}'),
      await post('/bridge/sync.status', { 'x-qenex-bridge': secret, origin: mode.url }, '{}'),
      await post('/bridge/sync.status', { cookie, 'x-qenex-bridge': secret }, '{}'),
      await post('/bridge/sync.status', { ...good, cookie: 'qenex_client=AAAAAAAAAAAAAAAAAAAAAAAA' }, '{}'),
      await post('/bridge/sync.status', { ...good, 'x-qenex-bridge': '1' }, '{}'),
      await post('/bridge/session.signIn', good, JSON.stringify({ username: 'al\u0000ice', password: 'x' })),
      await post('/bridge/engine.run', good, JSON.stringify({ command: 'ledger.create_transfers', input: {} })),
      await post('/bridge/no.such', good, '{}'),
      await post('/bridge/sync.status', good, '{"a":'),
      await post('/bridge/draft.save', good, JSON.stringify({ key: 'k', value: 'x'.repeat(70_000) })),
      await post('/bridge/draft.save', good, JSON.stringify({ key: 'k', value: '€'.repeat(10_000) })),
    ];
    expect(cases.map((response) => response.status)).toEqual([403, 403, 403, 403, 403, 403, 400, 400, 400, 400, 413, 400]);
    const codes = await Promise.all(cases.map(async (response) => ((await response.json()) as { code: string }).code));
    expect(codes).toEqual([...Array(6).fill('bridge_sender_refused'), 'invalid_bridge_request', 'invalid_bridge_request', 'unknown_bridge_channel', 'invalid_bridge_request', 'invalid_bridge_request', 'invalid_bridge_request']);
    expect(seen.length).toBe(before);
  });
});

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
      return { ok: true, echo: channel };
    },
    on: () => () => undefined,
    close: async () => undefined,
  };
  let mode: BrowserMode;
  let cookie = '';

  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(outside, 'secret.txt'), 'not for the page');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    mode = await startBrowserMode({ host, rendererDir: root });
    const page = await fetch(mode.url);
    cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  });
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
    const answer = await fetch(`${mode.url}/bridge/sync.status`, { method: 'POST', headers: { cookie, 'x-qenex-bridge': '1', 'content-type': 'application/json' }, body: '{}' });
    expect(await answer.json()).toEqual({ ok: true, echo: 'sync.status' });
    expect(seen.at(-1)).toEqual({ channel: 'sync.status', request: {}, client: cookie.split('=')[1] });
  });

  it('refuses a bridge request from another site, without the bridge header or cookie, of the wrong shape or too large; the host sees none', async () => {
    const before = seen.length;
    const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${mode.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const cases = [
      await post('/bridge/sync.status', { cookie, 'x-qenex-bridge': '1', origin: 'https://evil.example' }, '{}'),
      await post('/bridge/sync.status', { cookie }, '{}'),
      await post('/bridge/sync.status', { 'x-qenex-bridge': '1' }, '{}'),
      await post('/bridge/session.signIn', { cookie, 'x-qenex-bridge': '1' }, JSON.stringify({ username: 'al\u0000ice', password: 'x' })),
      await post('/bridge/engine.run', { cookie, 'x-qenex-bridge': '1' }, JSON.stringify({ command: 'ledger.create_transfers', input: {} })),
      await post('/bridge/no.such', { cookie, 'x-qenex-bridge': '1' }, '{}'),
      await post('/bridge/sync.status', { cookie, 'x-qenex-bridge': '1' }, '{"a":'),
      await post('/bridge/draft.save', { cookie, 'x-qenex-bridge': '1' }, JSON.stringify({ key: 'k', value: 'x'.repeat(70_000) })),
    ];
    expect(cases.map((response) => response.status)).toEqual([403, 403, 403, 400, 400, 400, 400, 413]);
    const codes = await Promise.all(cases.map(async (response) => ((await response.json()) as { code: string }).code));
    expect(codes).toEqual(['bridge_sender_refused', 'bridge_sender_refused', 'bridge_sender_refused', 'invalid_bridge_request', 'invalid_bridge_request', 'unknown_bridge_channel', 'invalid_bridge_request', 'invalid_bridge_request']);
    expect(seen.length).toBe(before);
  });
});

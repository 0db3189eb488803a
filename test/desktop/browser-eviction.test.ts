import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issuedClientsMax, startBrowserMode } from '../../apps/desktop/src/node/browser-mode';
import type { BridgeHost } from '../../apps/desktop/src/node/host';

/** Review 2: anonymous page loads (HEAD is enough, no cookie, no Origin) evict the signed-in browser's client. */
describe('browser mode: issued clients', () => {
  const root = mkdtempSync(join(tmpdir(), 'qenex-r2-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  const signedIn = new Set<string>();
  const host: BridgeHost = {
    async handle(channel, _request, client) {
      if (channel === 'session.signIn') signedIn.add(client!);
      return { ok: true };
    },
    rekey(from, to) {
      if (signedIn.delete(from)) signedIn.add(to);
    },
    signedIn: (client) => signedIn.has(client),
    on: () => () => undefined,
    close: async () => undefined,
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a signed-in teller’s client when others load the page anonymously', async () => {
    const mode = await startBrowserMode({ host, rendererDir: root });
    try {
      const page = await fetch(mode.url);
      let cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      let secret = /content="([^"]+)"/.exec(await page.text())![1]!;
      const signIn = await fetch(`${mode.url}/bridge/session.signIn`, { method: 'POST', headers: { cookie, 'x-qenex-bridge': secret, origin: mode.url, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tom', password: 'x' }) });
      cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      secret = signIn.headers.get('x-qenex-bridge-secret')!;
      const status = () => fetch(`${mode.url}/bridge/sync.status`, { method: 'POST', headers: { cookie, 'x-qenex-bridge': secret, origin: mode.url, 'content-type': 'application/json' }, body: '{}' });
      expect((await status()).status).toBe(200);
      // What any web page can make the teller's browser do (no-cors GET/<img>), or any local process: HEAD / without a cookie.
      const url = new URL(mode.url);
      const head = () => new Promise<void>((done, fail) => httpRequest({ host: url.hostname, port: url.port, path: '/', method: 'HEAD', agent: false }, (r) => { r.resume(); r.on('end', done); }).on('error', fail).end());
      for (let batch = 0; batch < issuedClientsMax / 100; batch += 1) await Promise.all(Array.from({ length: 100 }, head));
      // The teller is still signed in and their page still drives the bridge.
      expect((await status()).status).toBe(200);
    } finally {
      await mode.close();
    }
  }, 120_000);
});

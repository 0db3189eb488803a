import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  appOrigin,
  contentSecurityPolicy,
  developmentContentSecurityPolicy,
  hardenContents,
  hardenSession,
  isAllowedExternal,
  relativeAppPath,
  resolveAppPath,
  serveAppRequest,
  styleNoncePlaceholder,
  windowOptions,
  withStyleNonce,
  type ContentsLike,
  type SessionLike,
  type ShellLike,
} from './security';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('the window', () => {
  it('is isolated and sandboxed, with no Node, webviews, insecure content or experimental features in the page', () => {
    const options = windowOptions('/app/.vite/build/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/.vite/build/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: false,
    });
    expect(options.show).toBe(false);
  });

  it('has DevTools only when asked (development)', () => {
    expect(windowOptions('/p', { devTools: true }).webPreferences?.devTools).toBe(true);
  });
});

describe('the content security policy', () => {
  it('allows only the app itself, and nothing at all by default', () => {
    const policy = directives(contentSecurityPolicy());
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
      'worker-src': "'self'",
    });
    expect(contentSecurityPolicy()).not.toContain('unsafe-inline');
    expect(contentSecurityPolicy()).not.toContain('unsafe-eval');
  });

  it("lets injected styles in by the page's nonce, never by 'unsafe-inline', and scripts stay 'self' only", () => {
    const policy = directives(contentSecurityPolicy('abc123'));
    expect(policy.get('style-src')).toBe("'self' 'nonce-abc123'");
    expect(policy.get('script-src')).toBe("'self'");
  });

  it('loosens only what Vite\'s dev server needs under electron-forge start (inline client, its WebSocket), nothing external', () => {
    const policy = directives(developmentContentSecurityPolicy('http://localhost:5173'));
    expect(policy.get('connect-src')).toBe("'self' ws://localhost:5173");
    expect(policy.get('script-src')).toBe("'self' 'unsafe-inline'");
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(developmentContentSecurityPolicy('http://localhost:5173')).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it("puts the nonce in the page's csp-nonce meta (read by react-aria and given to AG Grid) and in its placeholders", () => {
    expect(withStyleNonce('<!doctype html><html><head><title>x</title></head></html>', 'N1')).toBe('<!doctype html><html><head><meta property="csp-nonce" nonce="N1"><title>x</title></head></html>');
    const built = `<head><meta property="csp-nonce" nonce="${styleNoncePlaceholder}"><script type="module" nonce="${styleNoncePlaceholder}" src="/assets/a.js"></script></head>`;
    expect(withStyleNonce(built, 'N2')).toBe('<head><meta property="csp-nonce" nonce="N2"><script type="module" nonce="N2" src="/assets/a.js"></script></head>');
  });
});

describe('the session', () => {
  function fakeSession() {
    const installed: {
      request?: Parameters<SessionLike['setPermissionRequestHandler']>[0];
      check?: Parameters<SessionLike['setPermissionCheckHandler']>[0];
      device?: Parameters<SessionLike['setDevicePermissionHandler']>[0];
      headers?: ((details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void) | undefined;
    } = {};
    const session = {
      setPermissionRequestHandler: (handler) => void (installed.request = handler),
      setPermissionCheckHandler: (handler) => void (installed.check = handler),
      setDevicePermissionHandler: (handler) => void (installed.device = handler),
      webRequest: { onHeadersReceived: (listener: unknown) => void (installed.headers = listener as typeof installed.headers) },
    } as SessionLike;
    hardenSession(session, { appOrigin, contentSecurityPolicy: contentSecurityPolicy() });
    return installed;
  }

  it('denies every permission request', () => {
    const { request } = fakeSession();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'unknown'] as const) {
      const callback = vi.fn();
      request?.({} as never, permission, callback, {} as never);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
    }
  });

  it('answers every permission check and device request no', () => {
    const { check, device } = fakeSession();
    expect(check?.(null, 'media', appOrigin, {} as never)).toBe(false);
    expect(check?.(null, 'clipboard-read', appOrigin, {} as never)).toBe(false);
    expect(device?.({} as never)).toBe(false);
  });

  it('puts the policy on every response, replacing any other, and keeps the one the app:// handler set', () => {
    const { headers } = fakeSession();
    const answer = (url: string, responseHeaders?: Record<string, string[]>) => {
      let seen: Record<string, string | string[]> | undefined;
      headers?.(responseHeaders === undefined ? { url } : { url, responseHeaders }, (response) => (seen = response.responseHeaders));
      return seen;
    };
    expect(answer('https://example.com/', { 'content-type': ['text/html'], 'content-security-policy': ["default-src *"] })).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] });
    expect(answer('https://example.com/')).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
    const own = [contentSecurityPolicy('nonce1')];
    expect(answer(`${appOrigin}/index.html`, { 'Content-Security-Policy': own })).toEqual({ 'Content-Security-Policy': own });
    expect(answer(`${appOrigin}/assets/a.js`)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
  });
});

describe('the page stays in the app', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: { url?: string; preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents: ContentsLike = {
      on: (event: string, listener: (details: never) => void) => listeners.set(event, listener as never),
      setWindowOpenHandler: (handler) => void (openHandler = handler),
    };
    const shell = { openExternal: vi.fn(async () => {}) } satisfies ShellLike;
    hardenContents(contents, shell);
    const navigate = (event: 'will-navigate' | 'will-redirect', url: string) => {
      const preventDefault = vi.fn();
      listeners.get(event)?.({ url, preventDefault });
      return preventDefault;
    };
    return { listeners, shell, navigate, open: (url: string) => openHandler?.({ url }) };
  }

  it('stops navigation and redirects to any other origin, and lets app:// pages through', () => {
    const { navigate } = fakeContents();
    for (const event of ['will-navigate', 'will-redirect'] as const) {
      expect(navigate(event, 'https://evil.example/phish')).toHaveBeenCalledOnce();
      expect(navigate(event, 'http://127.0.0.1:8080/')).toHaveBeenCalledOnce();
      expect(navigate(event, 'file:///etc/passwd')).toHaveBeenCalledOnce();
      expect(navigate(event, 'app://other/index.html')).toHaveBeenCalledOnce();
      expect(navigate(event, 'javascript:alert(1)')).toHaveBeenCalledOnce();
      expect(navigate(event, `${appOrigin}/index.html#/till`)).not.toHaveBeenCalled();
    }
  });

  it('hands a stopped https or mailto link to the operating system, and nothing else', () => {
    const { navigate, shell } = fakeContents();
    navigate('will-navigate', 'https://www.bank.example/help');
    navigate('will-navigate', 'file:///etc/passwd');
    navigate('will-navigate', 'http://www.bank.example/');
    expect(shell.openExternal.mock.calls).toEqual([['https://www.bank.example/help']]);
  });

  it('never opens a window; allowed links go to the operating system instead', () => {
    const { open, shell } = fakeContents();
    for (const url of ['https://www.bank.example/', 'mailto:help@bank.example', 'javascript:alert(1)', 'file:///etc/passwd', 'http://www.bank.example/', `${appOrigin}/index.html`]) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal.mock.calls).toEqual([['https://www.bank.example/'], ['mailto:help@bank.example']]);
  });

  it('never attaches a webview', () => {
    const { listeners } = fakeContents();
    const preventDefault = vi.fn();
    listeners.get('will-attach-webview')?.({ preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
  });

  it('allows external links over https and mailto only', () => {
    expect(isAllowedExternal('https://www.bank.example/rates')).toBe(true);
    expect(isAllowedExternal('mailto:help@bank.example')).toBe(true);
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'http://www.bank.example/', 'smb://host/share', 'app://qenex/index.html', 'data:text/html,x', 'https://user:pw@bank.example/', 'not a url', `https://bank.example/${'a'.repeat(3000)}`]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });
});

describe('the app:// handler', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'qenex-app-scheme-')));
    root = join(base, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><html><head><title>QENEX</title></head><body></body></html>');
    await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log("app")');
    await writeFile(join(base, 'secret.txt'), 'not for the page');
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'x.js'), 'outside');
    await symlink(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
    await symlink(join(base, 'outside'), join(root, 'escape'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves a real file of the bundle, and the page for /', async () => {
    expect(await resolveAppPath(root, `${appOrigin}/assets/app-1234.js`)).toBe(join(root, 'assets', 'app-1234.js'));
    expect(await resolveAppPath(root, `${appOrigin}/assets/app-1234.js?v=1#x`)).toBe(join(root, 'assets', 'app-1234.js'));
    expect(await resolveAppPath(root, `${appOrigin}/`)).toBe(join(root, 'index.html'));
  });

  it('refuses traversal, encoded traversal, NUL, backslashes, absolute paths, other origins and symlinks out of the root', async () => {
    for (const url of [
      `${appOrigin}/../../etc/passwd`,
      `${appOrigin}/../secret.txt`,
      `${appOrigin}/%2e%2e%2fsecret.txt`,
      `${appOrigin}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `${appOrigin}/assets/%2E%2E/%2E%2E/secret.txt`,
      `${appOrigin}/./index.html`,
      `${appOrigin}/index.html%00.js`,
      `${appOrigin}/index.html\u0000`,
      `${appOrigin}/..%5c..%5csecret.txt`,
      `${appOrigin}/assets\\app-1234.js`,
      `${appOrigin}//etc/passwd`,
      `${appOrigin}/%2fetc%2fpasswd`,
      `${appOrigin}/C:/Windows/win.ini`,
      `${appOrigin}/%E0%A4%A`,
      `${appOrigin}/assets/link.txt`,
      `${appOrigin}/escape/x.js`,
      `${appOrigin}/assets`,
      `${appOrigin}/missing.js`,
      'app://other/index.html',
      'file:///etc/passwd',
      `${appOrigin}`,
      `${appOrigin}/${'a/'.repeat(1100)}x.js`,
    ]) {
      expect(await resolveAppPath(root, url), url).toBeNull();
    }
  });

  it('refuses the same requests before touching the file system (the first of two layers; the second is containment after realpath)', () => {
    expect(relativeAppPath(`${appOrigin}/assets/app-1234.js`)).toBe('assets/app-1234.js');
    expect(relativeAppPath(`${appOrigin}/`)).toBe('index.html');
    for (const url of [
      `${appOrigin}/../../etc/passwd`,
      `${appOrigin}/%2e%2e%2fsecret.txt`,
      `${appOrigin}/assets/%2E%2E/x`,
      `${appOrigin}/./index.html`,
      `${appOrigin}/index.html%00.js`,
      `${appOrigin}/..%5csecret.txt`,
      `${appOrigin}/assets\\app.js`,
      `${appOrigin}//etc/passwd`,
      `${appOrigin}/C:/Windows/win.ini`,
      `${appOrigin}/file.txt:stream`,
      'app://other/index.html',
    ]) {
      expect(relativeAppPath(url), url).toBeNull();
    }
  });

  it('answers with the policy on every response: the page with a fresh nonce in it and its policy, refusals with 404', async () => {
    let counter = 0;
    const nonce = () => `nonce${++counter}`;
    const page = await serveAppRequest(root, { url: `${appOrigin}/index.html`, method: 'GET' }, { nonce });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy('nonce1'));
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<meta property="csp-nonce" nonce="nonce1">');
    const again = await serveAppRequest(root, { url: `${appOrigin}/`, method: 'GET' }, { nonce });
    expect(again.headers.get('content-security-policy')).toBe(contentSecurityPolicy('nonce2'));

    const script = await serveAppRequest(root, { url: `${appOrigin}/assets/app-1234.js`, method: 'GET' });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await script.text()).toBe('console.log("app")');

    const traversal = await serveAppRequest(root, { url: `${appOrigin}/%2e%2e%2fsecret.txt`, method: 'GET' });
    expect(traversal.status).toBe(404);
    expect(traversal.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await traversal.text()).not.toContain('not for the page');

    const post = await serveAppRequest(root, { url: `${appOrigin}/index.html`, method: 'POST' });
    expect(post.status).toBe(405);
  });
});

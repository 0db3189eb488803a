import { randomBytes } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve, sep } from 'node:path';
import type { BrowserWindowConstructorOptions, Session, Shell } from 'electron';

/**
 * The security settings of the workstation's Electron shell, as functions main.ts applies and tests
 * check one by one. Electron objects come in as parameters (never imported here), so these run under
 * plain Node with fakes standing in for what Electron provides.
 */

/** The renderer is served from this privileged scheme, never from file:// (which grants far more). */
export const appScheme = 'app';
export const appHost = 'qenex';
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** Longest app:// URL the handler looks at; Vite's hashed asset names are far shorter. */
export const appUrlCharsMax = 2048;
/** Largest renderer file the handler reads into memory (the biggest bundle is a few MB). */
export const assetBytesMax = 32 * 1024 * 1024;
/** Longest external link handed to the operating system. */
export const externalUrlCharsMax = 2048;

export interface WindowSettings {
  /** DevTools only in development: a packaged build has no way to run script in the page. */
  readonly devTools: boolean;
}

/** The one BrowserWindow of the workstation: an isolated, sandboxed page with no Node in it. */
export function windowOptions(preloadPath: string, settings: WindowSettings = { devTools: false }): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#ffffff',
    title: 'QENEX',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: settings.devTools,
    },
  };
}

/**
 * The Content-Security-Policy of every page. Scripts only from the app itself; nothing is fetched
 * from anywhere else (the engine is reached over IPC, not the network).
 *
 * Styles: AG Grid's theming API and react-aria-components inject `<style>` elements at run time.
 * Instead of `'unsafe-inline'` the policy carries a nonce, fresh for each page load, which the app://
 * handler writes into the page as `<meta property="csp-nonce" nonce="…">` (react-aria reads it there
 * by itself; the grid is given it as `styleNonce`). Without a nonce (any response that is not a page)
 * styles come from 'self' only. Style attributes set through the DOM (`element.style.x = …`, which is
 * what React and AG Grid do) are not governed by CSP, so no `'unsafe-inline'` is needed for them.
 */
export function contentSecurityPolicy(styleNonce: string | null = null): string {
  const styleSources = styleNonce === null ? "'self'" : `'self' 'nonce-${styleNonce}'`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styleSources}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "worker-src 'self'",
  ].join('; ');
}

/**
 * The policy while `electron-forge start` serves the renderer from Vite's dev server (never in a
 * packaged app, where the dev server URL is not defined): Vite's client injects inline scripts and
 * styles and talks to its server over a WebSocket for hot reload.
 */
export function developmentContentSecurityPolicy(devServerOrigin: string): string {
  const socket = devServerOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "worker-src 'self'",
  ].join('; ');
}

/** A fresh nonce for one page: 128 random bits, base64url (valid in a CSP nonce-source and in HTML). */
export function newStyleNonce(): string {
  return randomBytes(16).toString('base64url');
}

export type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'> & {
  readonly webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

export interface SessionPolicy {
  /** The origin whose responses already carry their own policy (the app:// handler sets it, with the page's nonce). */
  readonly appOrigin: string;
  /** The policy put on every other response. */
  readonly contentSecurityPolicy: string;
}

/**
 * The session grants nothing: every permission request (camera, notifications, clipboard read,
 * geolocation, …) and every permission check is answered no, and so is every device (HID, serial,
 * USB). The workstation needs none of them. Every response gets the app's CSP, except app://
 * responses, whose handler already set the same policy with the page's style nonce (replacing it here
 * would drop the nonce).
 */
export function hardenSession(session: SessionLike, policy: SessionPolicy): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string | string[]> = {};
    let ownPolicy: string[] | undefined;
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
      else if (isSameOrigin(details.url, policy.appOrigin)) ownPolicy = value;
    }
    headers['Content-Security-Policy'] = ownPolicy ?? [policy.contentSecurityPolicy];
    callback({ responseHeaders: headers });
  });
}

/** Just the parts of a WebContents these guards use, so a test can hand in a fake. */
export interface ContentsLike {
  on(event: 'will-navigate', listener: (details: NavigationLike) => void): unknown;
  on(event: 'will-redirect', listener: (details: NavigationLike) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
}
interface NavigationLike {
  readonly url: string;
  preventDefault(): void;
}

export type ShellLike = Pick<Shell, 'openExternal'>;

/**
 * A page may not leave the app: navigation and redirects to any other origin are stopped, new windows
 * are never made, webviews never attached. A link to an allowed external address (https: or mailto:)
 * is opened by the operating system instead, outside the app.
 */
export function hardenContents(contents: ContentsLike, shell: ShellLike, origin: string = appOrigin): void {
  const guard = (details: NavigationLike): void => {
    if (isSameOrigin(details.url, origin)) return;
    details.preventDefault();
    openIfAllowed(shell, details.url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(shell, url);
    return { action: 'deny' };
  });
}

function openIfAllowed(shell: ShellLike, url: string): void {
  if (!isAllowedExternal(url)) return;
  shell.openExternal(url).catch(() => {
    // The operating system could not open it (no browser or mail client): nothing to do in the app.
  });
}

/** Only web pages over TLS (without credentials in the address) and mail links leave the app. */
export function isAllowedExternal(url: string): boolean {
  if (url.length > externalUrlCharsMax) return false;
  const parsed = parseUrl(url);
  if (parsed === null) return false;
  switch (parsed.protocol) {
    case 'https:':
      return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
    case 'mailto:':
      return true;
    default:
      return false;
  }
}

/**
 * Scheme and host of a URL. Computed by hand: WHATWG `URL.origin` is "null" for schemes it does not
 * know, and app:// is one of them outside Chromium.
 */
export function originOf(url: string): string | null {
  const parsed = parseUrl(url);
  if (parsed === null || parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`;
}

export function isSameOrigin(url: string, origin: string): boolean {
  return originOf(url) === origin;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Where an app:// request's file is, or null when the request must be refused. The path must name a
 * regular file inside `root` after every symbolic link is followed. Refused before the file system is
 * asked: another origin, `..` or `.` segments (plain or percent-encoded), NUL and other control
 * characters, backslashes, drive letters and stream names (`:`), empty segments (`//`, which would
 * make an absolute path).
 */
export async function resolveAppPath(root: string, requestUrl: string): Promise<string | null> {
  const relative = relativeAppPath(requestUrl);
  if (relative === null) return null;
  try {
    const realRoot = await realpath(root);
    const candidate = resolve(realRoot, relative);
    if (!isInside(realRoot, candidate)) return null;
    const real = await realpath(candidate);
    if (!isInside(realRoot, real)) return null;
    const stats = await stat(real);
    return stats.isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The request's path relative to the renderer root, or null: pure, checked before any file is touched. */
export function relativeAppPath(requestUrl: string): string | null {
  if (requestUrl.length > appUrlCharsMax) return null;
  if (hasForbiddenCharacters(requestUrl)) return null;
  const prefix = `${appOrigin}/`;
  if (!requestUrl.startsWith(prefix)) return null;
  const rawPath = requestUrl.slice(prefix.length - 1).split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (hasForbiddenCharacters(decoded) || decoded.includes(':')) return null;
  if (decoded === '/') return 'index.html';
  const segments = decoded.slice(1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return null;
  const relative = segments.join('/');
  return isAbsolute(relative) ? null : relative;
}

function hasForbiddenCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f\\]/.test(text);
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
};

export interface AppRequestLike {
  readonly url: string;
  readonly method: string;
}

export interface ServeOptions {
  /** Makes the style nonce of one page; tests pass a fixed one. */
  readonly nonce?: () => string;
}

/**
 * The app:// protocol handler: a file of the renderer bundle with the CSP on it, or 404. A page gets
 * a fresh style nonce, written into its `<meta property="csp-nonce">` and its policy.
 */
export async function serveAppRequest(root: string, request: AppRequestLike, options: ServeOptions = {}): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Method Not Allowed');
  const path = await resolveAppPath(root, request.url);
  if (path === null) return refusal(404, 'Not Found');
  const stats = await stat(path);
  if (stats.size > assetBytesMax) return refusal(404, 'Not Found');
  const extension = extname(path).toLowerCase();
  const contentType = contentTypes[extension] ?? 'application/octet-stream';
  const bytes = await readFile(path);
  if (extension !== '.html') {
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(bytes), { status: 200, headers: responseHeaders(contentType, contentSecurityPolicy()) });
  }
  const nonce = (options.nonce ?? newStyleNonce)();
  const page = withStyleNonce(bytes.toString('utf8'), nonce);
  return new Response(request.method === 'HEAD' ? null : page, { status: 200, headers: responseHeaders(contentType, contentSecurityPolicy(nonce)) });
}

/** Vite's `html.cspNonce` placeholder the renderer build may put on its tags; replaced per page. */
export const styleNoncePlaceholder = 'QENEX_CSP_NONCE';

/**
 * Puts a page's nonce where its scripts look for it: replaces the build's placeholder, and adds the
 * `<meta property="csp-nonce">` (the convention react-aria and Vite share) when the page lacks one.
 */
export function withStyleNonce(html: string, nonce: string): string {
  const replaced = html.replaceAll(styleNoncePlaceholder, nonce);
  if (/<meta\s[^>]*property=["']csp-nonce["']/i.test(replaced)) return replaced;
  const meta = `<meta property="csp-nonce" nonce="${nonce}">`;
  const head = /<head(\s[^>]*)?>/i.exec(replaced);
  if (head === null) return meta + replaced;
  const at = head.index + head[0].length;
  return replaced.slice(0, at) + meta + replaced.slice(at);
}

function responseHeaders(contentType: string, policy: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

function refusal(status: 404 | 405, text: string): Response {
  return new Response(text, { status, headers: responseHeaders('text/plain; charset=utf-8', contentSecurityPolicy()) });
}

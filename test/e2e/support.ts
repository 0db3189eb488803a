import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mustWithApproval, type Engine } from '@qenex/engine';
import { setUpDemoWorkstation } from '../../apps/desktop/src/node/demo-workstation';
import type { HostConfig } from '../../apps/desktop/src/node/host';
import { keyStoreFor, startBrowserWorkstation, type BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { buildRenderer } from '../../scripts/build-ui';
import type { TestServer } from '../server/harness';

export const chromiumPath = '/usr/bin/chromium';
/** Where the end-to-end tests leave their screenshots (and the receipt's first page), to be looked at. */
export const shotsDir = join(process.cwd(), 'artifacts', 'e2e');

/** Debian's Chromium: required when CI is set (.ci/run installs it), so a missing browser fails loudly. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does this)`);
}

export async function launchBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * The network between the branch and the bank: a TCP relay the test can cut (every open connection
 * dropped, new ones refused) and mend, so the workstation meets a real lost link.
 */
export class Link {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<string> {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  mend(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((done) => this.server?.close(() => done()) ?? done());
  }
}

const require = createRequire(import.meta.url);

/** The renderer is built once per test file (vite) into a directory of its own, so files running side by side never share one. */
let built: Promise<string> | null = null;
export function rendererBuilt(): Promise<string> {
  built ??= buildRenderer(mkdtempSync(join(tmpdir(), 'qenex-renderer-')));
  return built;
}

/** The demo branch's workstation, enrolled against this test server through `link`, in browser mode. */
export async function demoWorkstation(t: TestServer, serverUrl: string, options: { syncIntervalMs?: number; updates?: HostConfig['updates'] } = {}): Promise<BrowserWorkstation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qenex-ws-'));
  const passphrase = 'test-device-passphrase-0123';
  const secrets = await keyStoreFor(dataDir, passphrase);
  await setUpDemoWorkstation({ dataDir, serverUrl, secrets }, async (deviceId) => {
    const approved = await t.server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
    if (!approved.ok) throw new Error(`approving the workstation: ${approved.code}`);
  });
  return startBrowserWorkstation({ dataDir, serverUrl, rendererDir: await rendererBuilt(), passphrase, host: { passwordCost: 1024, syncIntervalMs: options.syncIntervalMs ?? 1000, ...(options.updates === undefined ? {} : { updates: options.updates }) } });
}

/** A second till at branch 0001 with its float, for a teller who has none yet (made at the server, under maker-checker as the bank would). */
export async function secondTill(engine: Engine, branchId: string, teller: string, floatMinor: string): Promise<string> {
  const olivia = { actor: 'olivia', roles: ['operations'], deviceId: 'setup' };
  const bob = { actor: 'bob', roles: ['head_teller'], deviceId: 'setup' };
  const tillId = `${Date.now().toString(16).padStart(12, '0')}${'7'.repeat(20)}`;
  const created = await engine.executeAny('till.create', { tillId, branchId, code: 'T2', currency: 'USD' }, olivia);
  if (!created.ok) throw new Error(`till.create: ${created.code}`);
  const transferId = `${Date.now().toString(16).padStart(12, '0')}${'8'.repeat(20)}`;
  await mustWithApproval(engine, 'vault.to_till', { transferId: transferId as never, tillId: tillId as never, money: { amount: floatMinor, currency: 'USD' } }, bob, { actor: teller, roles: ['teller'], deviceId: 'setup' });
  return tillId;
}

/** What a branch's day starts from, at a test server: the link to cut, tom's own till, and every demo customer's current account (by first name; Amara's euro account as AmaraEur). */
export interface BranchDay {
  readonly link: Link;
  readonly linkUrl: string;
  readonly branchId: string;
  readonly tomTill: string;
  readonly accounts: Readonly<Record<string, { readonly id: string; readonly number: string }>>;
}

export async function branchDay(t: TestServer, tomFloatMinor: string): Promise<BranchDay> {
  const url = new URL(t.url);
  const link = new Link({ host: url.hostname, port: Number(url.port) });
  const linkUrl = await link.open();
  const olivia = await t.signIn('olivia');
  const branch = (await t.request('GET', '/api/v1/branches', { token: olivia })).body.find((b: { code: string }) => b.code === '0001');
  // tom works on a till of his own, funded from the vault (the head teller gives, tom confirms).
  const tomTill = await secondTill(t.server.engine, branch.id, 'tom', tomFloatMinor);
  const customers = (await t.request('GET', '/api/v1/customers', { token: olivia })).body as Array<{ id: string; fullName: string }>;
  const accounts: Record<string, { id: string; number: string }> = {};
  for (const customer of customers) {
    const detail = (await t.request('GET', `/api/v1/customers/${customer.id}`, { token: olivia })).body;
    const current = detail.accounts.find((a: { productId: string }) => a.productId === 'CURRENT-USD');
    accounts[customer.fullName.split(' ')[0]!] = { id: current.id, number: current.number };
  }
  // Amara has a euro account too, for exchanges.
  const amara = customers.find((c) => c.fullName.startsWith('Amara'))!;
  const eurId = `${Date.now().toString(16).padStart(12, '0')}${'9'.repeat(20)}`;
  const opened = await t.server.engine.executeAny('account.open', { accountId: eurId, customerId: amara.id, productId: 'CURRENT-EUR' }, { actor: 'alice', roles: ['teller'], deviceId: 'setup' });
  if (!opened.ok) throw new Error(`account.open: ${opened.code}`);
  accounts.AmaraEur = { id: eurId, number: (opened.value as { number: string }).number };
  return { link, linkUrl, branchId: branch.id, tomTill, accounts };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(shotsDir, { recursive: true });
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
  await page.waitForTimeout(name.includes('receipt') ? 1200 : 250);
  const path = join(shotsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The receipt's first page as PNG (poppler's pdftoppm). */
export function receiptPng(pdf: Buffer, name: string): string {
  mkdirSync(shotsDir, { recursive: true });
  const pdfPath = join(shotsDir, `${name}.pdf`);
  writeFileSync(pdfPath, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-singlefile', pdfPath, join(shotsDir, name)]);
  return join(shotsDir, `${name}.png`);
}

const axePath = require.resolve('axe-core/axe.min.js');

/** axe-core in the page: the serious and critical violations (WCAG 2.x A and AA rules). */
export async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: object): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } };
    const result = await page.axe.run(page.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.map((node) => node.target.join(' ')) }));
  });
}

/** Ids the way the engine makes them: 48 bits of milliseconds, then 80 more (`tail` repeated). */
export function engineId(tail: string): string {
  return `${Date.now().toString(16).padStart(12, '0')}${tail.repeat(20).slice(0, 20)}`;
}

/**
 * The demo workstation behind a link the test can cut, with the bank's two compliance officers
 * registered on it by an administrator (the demo registers only the branch's staff).
 */
export async function complianceWorkstation(t: TestServer): Promise<{ link: Link; ws: BrowserWorkstation }> {
  const url = new URL(t.url);
  const link = new Link({ host: url.hostname, port: Number(url.port) });
  const ws = await demoWorkstation(t, await link.open(), { syncIntervalMs: 1000 });
  const adam = await t.signIn('adam');
  for (const username of ['carol', 'dana']) {
    const registered = await t.request('POST', `/api/v1/devices/${ws.host.deviceId}/users`, { token: adam, body: { username } });
    if (registered.status !== 200 && registered.status !== 201) throw new Error(`registering ${username}: ${JSON.stringify(registered.body)}`);
  }
  return { link, ws };
}

/** A demo customer's current USD account at the server, found by the start of their name (as operations sees them). */
export async function currentAccountOf(t: TestServer, name: string): Promise<string> {
  const olivia = await t.signIn('olivia');
  const customers = (await t.request('GET', '/api/v1/customers', { token: olivia })).body as Array<{ id: string; fullName: string }>;
  const customer = customers.find((candidate) => candidate.fullName.startsWith(name));
  if (customer === undefined) throw new Error(`no demo customer ${name}`);
  const detail = (await t.request('GET', `/api/v1/customers/${customer.id}`, { token: olivia })).body as { accounts: Array<{ id: string; productId: string }> };
  return detail.accounts.find((account) => account.productId === 'CURRENT-USD')!.id;
}

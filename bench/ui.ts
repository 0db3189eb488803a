/**
 * ui.*: the workstation's screens measured in Debian's Chromium.
 * - ui.grid.render: 100,000 customers handed to the customer screen (the real renderer, its store and
 *   its AG Grid) until their first rows are painted, against a bare AG Grid page with the same rows,
 *   columns, sort and theme in the same run. Median of alternating rounds; ratio = baseline ÷ value.
 * - ui.grid.filter: a quick filter typed into the customer screen's search box until the one matching
 *   row is painted, against setting the same quick filter on the bare page.
 * - ui.deposit: p95 from the teller's Confirm to the booked deposit with its receipt on screen,
 *   against the same engine command called directly on the server's engine in the same run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { demoPassword, RandomIds, systemClock } from '@qenex/engine';
import { PostgresTestDatabase } from '@qenex/engine/postgres';
import { readConfig } from '../apps/server/src/config';
import { startServer } from '../apps/server/src/server';
import { setUpDemoWorkstation } from '../apps/desktop/src/node/demo-workstation';
import { keyStoreFor, startBrowserWorkstation } from '../apps/desktop/src/node/workstation-main';
import { buildRenderer } from '../scripts/build-ui';
import { check, log, temporaryDirectory, type Benchmark, type Figure } from './support';

const gridRows = 100_000;
const gridRounds = 5;
const deposits = 40;

/**
 * The same 100,000 rows on both pages: made in the page from a seed, so nothing crosses the wire but
 * this code. Page code is plain JavaScript in strings: the pages' CSP allows no eval, and the
 * TypeScript loader would add helpers the page does not have.
 */
const makeRowsSource = `(count) => {
  let seed = 0x9e3779b9;
  const next = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
  const first = ['Amara', 'Lukas', 'Mei', 'Sofia', 'Omar', 'Ines', 'Kofi', 'Yuki', 'Priya', 'Mateo', 'Elena', 'Tariq'];
  const last = ['Okafor', 'Brandt', 'Tanaka', 'Rossi', 'Haddad', 'Silva', 'Mensah', 'Sato', 'Nair', 'Garcia', 'Novak', 'Aziz'];
  return Array.from({ length: count }, (_, index) => ({
    id: index.toString(16).padStart(32, '0'),
    fullName: first[Math.floor(next() * first.length)] + ' ' + last[Math.floor(next() * last.length)] + ' ' + String(index).padStart(6, '0'),
    nationalId: 'N-' + Math.floor(next() * 1e8),
    dateOfBirth: '19' + (50 + Math.floor(next() * 50)) + '-0' + (1 + Math.floor(next() * 9)) + '-1' + Math.floor(next() * 9),
    phone: '+1 415 555 ' + String(Math.floor(next() * 10000)).padStart(4, '0'),
    kycStatus: next() < 0.9 ? 'verified' : 'pending',
    riskRating: next() < 0.8 ? 'low' : 'medium',
  }));
}`;

/** In the page: time an action until `done` holds on a painted frame (both are page JavaScript). */
async function timed(page: Page, action: string, done: string): Promise<number> {
  return page.evaluate(`(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const start = performance.now();
    await (async () => { ${action} })();
    while (!(${done})) {
      if (performance.now() - start > 60000) throw new Error('not done after 60 s: ' + ${JSON.stringify(done)});
      await frame();
    }
    await frame();
    return performance.now() - start;
  })()`) as Promise<number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const rounded = (ms: number) => Math.round(ms * 10) / 10;

/** The first row painted is one of the bench's own (its name ends in a six-digit number), whichever the grid's sort puts first. */
const rowsPainted = `/ \\d{6}$/.test(document.querySelector('.ag-row[row-index="0"] [col-id="fullName"]')?.textContent ?? '')`;
const gridEmpty = `document.querySelectorAll('.ag-row').length === 0`;

async function bareServer(): Promise<{ url: string; close(): Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qenex-bare-grid-'));
  await build({ root: new URL('./ui-bare', import.meta.url).pathname, base: './', logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, chunkSizeWarningLimit: 4096 } });
  const server = createServer((request, response) => {
    const path = request.url === '/' || request.url === undefined ? '/index.html' : request.url.split('?')[0]!;
    try {
      const body = readFileSync(join(dir, path.replaceAll('..', '')));
      response.writeHead(200, { 'content-type': extname(path) === '.js' ? 'text/javascript' : extname(path) === '.css' ? 'text/css' : 'text/html' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, dir, close: () => new Promise((done) => server.close(() => done())) };
}

interface Rig {
  readonly app: Page;
  readonly bare: Page;
  readonly deposit: () => Promise<{ ui: number[]; direct: number[] }>;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const database = new PostgresTestDatabase();
  const dataDir = temporaryDirectory('qenex-bench-ui-');
  const server = await startServer(readConfig({ DATABASE_URL: await database.url(), PORT: '0', LOG_LEVEL: 'silent', QENEX_DEMO: 'true', QENEX_DATA_DIR: join(dataDir.path, 'server'), QENEX_SIGN_INS_PER_SOURCE_PER_MINUTE: '10000' }));
  const passphrase = 'bench-device-passphrase';
  const wsDir = join(dataDir.path, 'workstation');
  await setUpDemoWorkstation({ dataDir: wsDir, serverUrl: server.address, secrets: await keyStoreFor(wsDir, passphrase) }, async (deviceId) => {
    const approved = await server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
    check(approved.ok, 'the bench workstation is approved');
  });
  log('ui: server and workstation enrolled');
  const ws = await startBrowserWorkstation({ dataDir: wsDir, serverUrl: server.address, rendererDir: await buildRenderer(join(dataDir.path, 'renderer')), passphrase });
  const bare = await bareServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const app = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await app.goto(ws.browser.url);
  await app.getByLabel('Username').fill('alice');
  await app.getByLabel('Password').fill(demoPassword);
  await app.getByRole('button', { name: 'Sign in' }).click();
  await app.getByRole('navigation', { name: 'Main' }).waitFor();
  const barePage = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await barePage.goto(bare.url);
  await barePage.waitForFunction('"bare" in window');
  for (const page of [app, barePage]) await page.evaluate(`window.benchRows = (${makeRowsSource})(${gridRows})`);

  log('ui: pages ready');
  const deposit = async () => {
    const olivia = { actor: 'olivia', roles: ['operations'], deviceId: 'bench' };
    const customers = await server.engine.executeAny('customer.search', { limit: 10 }, olivia);
    check(customers.ok, 'customers listed');
    const customer = (customers.value as Array<{ id: string }>)[0]!;
    const detail = await server.engine.executeAny('customer.get', { customerId: customer.id }, olivia);
    const account = (detail as { value: { accounts: Array<{ id: string; number: string; productId: string }> } }).value.accounts.find((a) => a.productId === 'CURRENT-USD')!;
    const alice = { actor: 'alice', roles: ['teller'], deviceId: 'bench-direct' };
    const session = await server.engine.executeAny('till.current_session', {}, alice);
    const sessionId = (session as { value: { session: { id: string } } }).value.session.id;
    const before = await server.engine.executeAny('account.get', { accountId: account.id }, olivia);
    const ids = new RandomIds(systemClock);
    const ui: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < deposits; round += 1) {
      await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Deposit/ }).click();
      await app.getByLabel('Account', { exact: true }).fill(account.number);
      await app.locator('#first-account-found', { hasText: 'balance' }).waitFor();
      await app.getByLabel(/^Amount/).fill('1.00');
      await app.getByRole('button', { name: /^Review/ }).click();
      const confirm = app.getByRole('button', { name: /^Confirm deposit/ });
      await confirm.waitFor();
      const start = performance.now();
      await confirm.click();
      await app.getByRole('button', { name: 'Print receipt' }).waitFor();
      ui.push(performance.now() - start);
      await app.getByRole('button', { name: /^New cash deposit/ }).click();
      const directStart = performance.now();
      const done = await server.engine.executeAny('cash.deposit', { transferId: ids.next(), sessionId, accountId: account.id, money: { amount: '100', currency: 'USD' } }, alice);
      direct.push(performance.now() - directStart);
      check(done.ok, 'a direct deposit books');
    }
    const after = await server.engine.executeAny('account.get', { accountId: account.id }, olivia);
    const moved = BigInt((after as { value: { balances: { posted: string } } }).value.balances.posted) - BigInt((before as { value: { balances: { posted: string } } }).value.balances.posted);
    check(moved === BigInt(deposits * 2 * 100), `every deposit booked once (${moved} minor units moved)`);
    const totals = await server.engine.executeAny('ledger.totals', {}, { actor: 'lena', roles: ['ledger_operator'], deviceId: 'bench' });
    check(totals.ok && (totals.value as Array<{ debits: string; credits: string }>).every((ledger) => ledger.debits === ledger.credits), 'every ledger balances');
    return { ui, direct };
  };

  return {
    app,
    bare: barePage,
    deposit,
    async close() {
      await browser.close();
      await bare.close();
      rmSync(bare.dir, { recursive: true, force: true });
      await ws.close();
      await server.close();
      await database.drop();
      dataDir.dispose();
    },
  };
}

/** One rig for all the ui benchmarks of a run: the next one picks it up before the last one's release closes it. */
let shared: Promise<Rig> | null = null;
let closing: ReturnType<typeof setTimeout> | null = null;
function acquire(): Promise<Rig> {
  if (closing !== null) clearTimeout(closing);
  closing = null;
  shared ??= rig();
  return shared;
}
/** Closes the rig unless another ui benchmark picks it up first (they start in the same tick the last one ends). */
function release(): void {
  const current = shared;
  if (current === null) return;
  closing = setTimeout(() => {
    shared = null;
    void current.then((r) => r.close());
  }, 0);
}

async function gridRender(): Promise<Figure> {
  const r = await acquire();
  try {
    await r.app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Customers/ }).click();
    await r.app.locator('.ag-row').first().waitFor();
    const ours: number[] = [];
    const bare: number[] = [];
    const setOurs = (rows: string) => `window.qenexStores.customers.getState().setRows(${rows})`;
    log('ui.grid.render: the customer screen is up');
    for (let round = 0; round < gridRounds; round += 1) {
      await timed(r.app, setOurs('[]'), gridEmpty);
      ours.push(await timed(r.app, setOurs('window.benchRows.map((row) => ({ ...row }))'), rowsPainted));
      await timed(r.bare, 'window.bare.setRows([])', gridEmpty);
      bare.push(await timed(r.bare, 'window.bare.setRows(window.benchRows.map((row) => ({ ...row })))', rowsPainted));
    }
    const rowCount = (await r.app.evaluate('window.qenexStores.customers.getState().rows.length')) as number;
    check(rowCount === gridRows, `the customer screen holds ${gridRows} rows`);
    const value = median(ours);
    const baseline = median(bare);
    log(`ui.grid.render rounds (ms): ours ${ours.map(rounded).join(', ')}; bare ${bare.map(rounded).join(', ')}`);
    return { bench: 'ui.grid.render', value: rounded(value), unit: 'ms (median)', baseline: rounded(baseline), baselineName: 'bare AG Grid page, same 100,000 rows, columns, sort and theme', ratio: Math.round((baseline / value) * 100) / 100, n: gridRounds };
  } finally {
    release();
  }
}

async function gridFilter(): Promise<Figure> {
  const r = await acquire();
  try {
    await r.app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Customers/ }).click();
    await r.app.evaluate(`window.qenexStores.customers.getState().setRows(window.benchRows)`);
    await r.app.locator('.ag-row').first().waitFor();
    await timed(r.bare, 'window.bare.setRows(window.benchRows)', rowsPainted);
    const ours: number[] = [];
    const bare: number[] = [];
    const typeInto = (text: string) =>
      `const input = document.getElementById('customer-filter'); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(text)}); input.dispatchEvent(new Event('input', { bubbles: true }));`;
    for (let round = 0; round < gridRounds; round += 1) {
      const index = 7_777 + round * 13_331;
      const target = (await r.app.evaluate(`window.benchRows[${index}].fullName`)) as string;
      const onlyTarget = `document.querySelectorAll('.ag-row').length === 1 && document.querySelector('.ag-row [col-id="fullName"]')?.textContent === ${JSON.stringify(target)}`;
      ours.push(await timed(r.app, typeInto(target), onlyTarget));
      await timed(r.app, typeInto(''), rowsPainted);
      bare.push(await timed(r.bare, `window.bare.filter(${JSON.stringify(target)})`, onlyTarget));
      await timed(r.bare, `window.bare.filter('')`, rowsPainted);
    }
    const value = median(ours);
    const baseline = median(bare);
    log(`ui.grid.filter rounds (ms): ours ${ours.map(rounded).join(', ')}; bare ${bare.map(rounded).join(', ')}`);
    return { bench: 'ui.grid.filter', value: rounded(value), unit: 'ms (median)', baseline: rounded(baseline), baselineName: 'bare AG Grid page, same rows, setGridOption quickFilterText', ratio: Math.round((baseline / value) * 100) / 100, n: gridRounds };
  } finally {
    release();
  }
}

async function deposit(): Promise<Figure> {
  const r = await acquire();
  try {
    const { ui, direct } = await r.deposit();
    const value = percentile(ui, 95);
    const baseline = percentile(direct, 95);
    log(`ui.deposit: screen p50 ${rounded(median(ui))} ms, p95 ${rounded(value)} ms; direct engine p50 ${rounded(median(direct))} ms, p95 ${rounded(baseline)} ms`);
    return { bench: 'ui.deposit', value: rounded(value), unit: 'ms (p95, confirm to receipt on screen)', baseline: rounded(baseline), baselineName: 'the same cash.deposit called directly on the server engine, same run', ratio: Math.round((baseline / value) * 1000) / 1000, n: deposits };
  } finally {
    release();
  }
}

export const uiBenchmarks: readonly Benchmark[] = [
  { name: 'ui.grid.render', run: gridRender },
  { name: 'ui.grid.filter', run: gridFilter },
  { name: 'ui.deposit', run: deposit },
];

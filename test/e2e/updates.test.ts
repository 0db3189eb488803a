/**
 * Signed updates end to end: three admins and a compliance officer, each with their own key, set up
 * the bank's update repository with the admin command-line tool; they publish a new stand-in policy
 * for branch 0001 and the OFAC sanctions list; the branch workstation (real host, SQLite, browser
 * mode in Chromium) picks both up and uses them on its next command, offline too; a copy tampered
 * with on the server's disk is refused, and the admin screen shows the refusal.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, repositoryNames, sanctionsPath, standInPath } from '@qenex/engine';
import { runUpdateCli } from '../../apps/server/src/update/cli';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { branchDay, demoWorkstation, launchBrowser, shot, type Link } from './support';

const vectors = new URL('../../../shared/vectors/sanctions/', import.meta.url).pathname;
const passphrase = 'a long passphrase for the admin keys';

describe('signed updates reach the branch and are used there; a tampered copy is refused and shown to the admins', () => {
  let t: TestServer;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let page: Page;
  let keys: string;
  let repo: string;
  let branchId: string;
  const accounts: Record<string, { id: string; number: string }> = {};
  const lines: string[] = [];

  async function cli(group: string, ...args: string[]): Promise<void> {
    const code = await runUpdateCli(group, args, { out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`), env: { QENEX_KEY_PASSPHRASE: passphrase }, nowMs: () => Date.now() });
    if (code !== 0) throw new Error(`${group} ${args.join(' ')} exited ${code}: ${lines.slice(-3).join(' / ')}`);
  }

  const key = (name: string) => join(keys, `${name}.key`);

  beforeAll(async () => {
    t = await startTestServer();
    const day = await branchDay(t, '200000');
    link = day.link;
    branchId = day.branchId;
    Object.assign(accounts, day.accounts);
    keys = mkdtempSync(join(tmpdir(), 'qenex-admin-keys-'));
    repo = t.server.updates.repository.directory;
    // Each admin makes their own key; only the public halves are brought together.
    for (const name of ['ada', 'ben', 'cy', 'dee']) await cli('key', 'new', '--name', name, '--out', key(name));
    const publicKeys = (flag: string, ...names: string[]) => names.flatMap((name) => [flag, `${key(name)}.pub.json`]);
    await cli('update', 'init', '--repo', repo, ...publicKeys('--root-key', 'ada', 'ben', 'cy'), '--root-threshold', '2', ...publicKeys('--targets-key', 'ada', 'ben'), ...publicKeys('--compliance-key', 'dee'));
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'root.json'), '--key', key('ada'));
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'root.json'), '--key', key('ben'));
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'targets.json'), '--key', key('ada'));
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'compliance.json'), '--key', key('dee'));
    await cli('update', 'publish', '--repo', repo);
    // The install ships root 1.
    const pinnedRoot = new Uint8Array(readFileSync(join(repo, repositoryNames.root(1))));
    ws = await demoWorkstation(t, day.linkUrl, { syncIntervalMs: 1000, updates: { pinnedRoot, appVersion: '0.1.0', platform: 'linux-x64', intervalMs: 3_600_000 } });
    // adam, an administrator, works at this workstation too.
    const adam = await t.signIn('adam');
    const registered = await t.request('POST', `/api/v1/devices/${ws.host.deviceId}/users`, { token: adam, body: { username: 'adam' } });
    expect([200, 201]).toContain(registered.status);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
  });

  async function signIn(username: string): Promise<void> {
    await page.goto(ws.browser.url);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async function review(kind: 'Deposit' | 'Withdraw', accountNumber: string, amount: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${kind}`) }).click();
    // A review that was refused stays on screen until the teller goes back to the form.
    const back = page.getByRole('button', { name: /^Back/ });
    if (await back.isVisible()) await back.click();
    await page.getByLabel('Account', { exact: true }).fill(accountNumber);
    await expect.poll(() => page.locator('#first-account-found').textContent()).toMatch(/balance/);
    await page.getByLabel(/^Amount/).fill(amount);
    await page.getByRole('button', { name: /^Review/ }).click();
  }

  it('admins publish a stand-in policy and the OFAC list; the workstation installs both and its next commands use them', async () => {
    // Operations' new offline limits for the branch: 100.00 a payout (the demo's were 3,000.00).
    const policy = join(keys, 'stand-in.json');
    await cli('content', 'stand-in', '--branch', branchId, '--version', '1', '--currency', 'USD', '--per-transaction', '100.00', '--per-customer-day', '500.00', '--per-teller-day', '1000.00', '--valid-days', '7', '--out', policy);
    await cli('update', 'add', '--repo', repo, '--role', 'targets', '--path', standInPath(branchId), '--file', policy);
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'targets.json'), '--key', key('ben'));
    // Compliance converts OFAC's files (with this morning's addition of one of the branch's customers) and signs the list.
    const sdn = join(keys, 'sdn.csv');
    const official = gunzipSync(readFileSync(join(vectors, 'sdn.csv.gz'))).toString('latin1').replace(/\x1a$/, '');
    writeFileSync(sdn, `${official}99999901,"BRANDT, Lukas","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n`, 'latin1');
    const list = join(keys, 'ofac-sdn.json');
    await cli('content', 'sanctions-ofac', '--sdn', sdn, '--alt', join(vectors, 'alt.csv.gz'), '--list', 'ofac-sdn', '--published', '2026-11-30', '--out', list);
    await cli('update', 'add', '--repo', repo, '--role', 'compliance', '--path', sanctionsPath('ofac-sdn'), '--file', list);
    // Loading the list shows what it changes: the whole list is new (OFAC's 8,976 entries and the one added).
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}added 8977: 36, 173, /));
    expect(lines).toContain('  removed 0');
    // dee signs on her own machine: the draft travels there and back.
    const carried = join(keys, 'compliance-carried.json');
    writeFileSync(carried, readFileSync(join(repo, 'staged', 'compliance.json')));
    await cli('update', 'sign', '--draft', carried, '--role', 'compliance', '--key', key('dee'));
    await cli('update', 'merge', '--repo', repo, '--draft', carried, '--role', 'compliance');
    await cli('update', 'publish', '--repo', repo);

    expect(await t.server.updates.checkNow()).toMatchObject({ kind: 'up_to_date' });
    const installed = await ws.host.updateAgent!.checkNow();
    expect(installed).toEqual({ kind: 'up_to_date', installed: [sanctionsPath('ofac-sdn'), standInPath(branchId)], removed: [] });

    await signIn('tom');
    await page.getByRole('button', { name: /^Till/ }).click();
    await page.getByLabel('$100.00').fill('20');
    await page.getByRole('button', { name: 'Open till' }).click();
    await page.getByText('Till open.').waitFor();

    // Online, the bank refuses money for a listed customer before anything is booked.
    await review('Deposit', accounts.Lukas!.number, '20.00');
    await page.getByText(/sanctions list ofac-sdn/).waitFor();
    await shot(page, 'updates-01-sanctions-online');

    // Offline, the workstation refuses it too, from its own signed copy of the list…
    link.cut();
    await page.getByText("Offline: the bank's server cannot be reached.").waitFor({ timeout: 15_000 });
    await review('Deposit', accounts.Lukas!.number, '20.00');
    await page.getByText(/sanctions list ofac-sdn/).waitFor();
    await shot(page, 'updates-02-sanctions-offline');
    // …and pays out within the admins' new offline limit only.
    await review('Withdraw', accounts.Amara!.number, '150.00');
    await page.getByText(/over the offline limit for one transaction/).waitFor();
    await shot(page, 'updates-03-stand-in-limit');
    await review('Withdraw', accounts.Amara!.number, '80.00');
    await page.getByRole('button', { name: /^Confirm pay out/ }).click();
    await page.getByText('Cash withdrawal made offline.').waitFor();
    link.mend();
    await page.getByText(/Online/).first().waitFor({ timeout: 20_000 });
  });

  it('refuses a list tampered with on the server, keeps the one it had, and the admin screen says so', async () => {
    const list = join(keys, 'ofac-sdn-2.json');
    const sdn = join(keys, 'sdn.csv');
    await cli('content', 'sanctions-ofac', '--sdn', sdn, '--alt', join(vectors, 'alt.csv.gz'), '--list', 'ofac-sdn', '--published', '2026-12-01', '--out', list);
    const before = lines.length;
    await cli('update', 'add', '--repo', repo, '--role', 'compliance', '--path', sanctionsPath('ofac-sdn'), '--file', list);
    // The same entries again, published on another day: nothing added, removed or amended.
    expect(lines.slice(before)).toEqual(expect.arrayContaining(['  added 0', '  removed 0', '  amended 0']));
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'compliance.json'), '--key', key('dee'));
    await cli('update', 'publish', '--repo', repo);
    // Someone with access to the mirror's disk takes BRANDT, Lukas off the published file.
    const published = join(repo, 'targets', 'content', 'sanctions');
    const file = execFileSync('ls', [published]).toString().split('\n').filter((name) => name.endsWith('.ofac-sdn.json')).map((name) => join(published, name)).find((path) => readFileSync(path, 'utf8').includes('"2026-12-01"'))!;
    writeFileSync(file, readFileSync(file, 'utf8').replace('BRANDT, Lukas', 'BRANDT, Lucas'));

    const outcome = await ws.host.updateAgent!.checkNow();
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'hash_mismatch', role: 'target', path: sanctionsPath('ofac-sdn') } });
    const report = await ws.host.updateAgent!.report();
    expect(report.content.find((item) => item.path === sanctionsPath('ofac-sdn'))?.version).toBe('2026-11-30');

    await page.getByRole('button', { name: /Sign out/ }).click();
    await signIn('adam');
    await page.keyboard.press('Alt+9');
    await page.getByRole('heading', { name: 'Updates' }).waitFor();
    const alert = page.locator('table.updates tbody tr').first().getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/content\/sanctions\/ofac-sdn\.json/);
    await shot(page, 'updates-04-admin-screen-refused');
    expect(await alert.textContent()).toMatch(/kept the version it had/);
  });

  it('a list the server has and the offline workstation not yet: the server re-decides the cash, books it to offline exceptions and opens an exception', async () => {
    // Compliance adds one more of the branch's customers; the server installs the list at once, the workstation is offline before it checks.
    const sdn = join(keys, 'sdn-3.csv');
    writeFileSync(sdn, `${readFileSync(join(keys, 'sdn.csv'), 'latin1')}99999902,"OKAFOR, Amara","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n`, 'latin1');
    const list = join(keys, 'ofac-sdn-3.json');
    await cli('content', 'sanctions-ofac', '--sdn', sdn, '--alt', join(vectors, 'alt.csv.gz'), '--list', 'ofac-sdn', '--published', '2026-12-02', '--out', list);
    await cli('update', 'add', '--repo', repo, '--role', 'compliance', '--path', sanctionsPath('ofac-sdn'), '--file', list);
    await cli('update', 'sign', '--draft', join(repo, 'staged', 'compliance.json'), '--key', key('dee'));
    await cli('update', 'publish', '--repo', repo);
    expect(await t.server.updates.checkNow()).toMatchObject({ kind: 'up_to_date', installed: [sanctionsPath('ofac-sdn')] });

    await page.getByRole('button', { name: /Sign out/ }).click();
    await signIn('tom');
    link.cut();
    await page.getByText("Offline: the bank's server cannot be reached.").waitFor({ timeout: 15_000 });
    await review('Deposit', accounts.Amara!.number, '20.00');
    await page.getByRole('button', { name: /^Confirm deposit/ }).click();
    await page.getByText('Cash deposit made offline.').waitFor();
    link.mend();
    // The server decides it again with its own list: the cash that changed hands is booked to offline exceptions, for compliance to see.
    await expect
      .poll(async () => (await t.server.storage.read((tx) => tx.banking.findBy('syncException', 'open', branchId, 100))).filter((exception) => exception.code === 'sanctions_match').length, { timeout: 30_000 })
      .toBe(1);
    const [exception] = (await t.server.storage.read((tx) => tx.banking.findBy('syncException', 'open', branchId, 100))).filter((found) => found.code === 'sanctions_match');
    expect(exception).toMatchObject({ amountMinor: 2000n, currency: 'USD', status: 'open' });
    expect(exception!.compensationTransferId).not.toBeNull();
    await shot(page, 'updates-05-server-redecides');
  });
});

/**
 * A CTR case worked offline and filed, end to end: Debian's Chromium drives the browser-mode
 * workstation (real renderer, bridge, host and SQLite books) against the real server on PostgreSQL,
 * through a link the test cuts and mends. Cash over 10,000 USD for one customer in a day opens a
 * case at the bank; carol takes it online, and with the link down she reads it from the
 * workstation's copy, adds a note, starts the investigation and proposes a CTR. The link comes
 * back, the work syncs, and dana, a second officer at the same workstation, approves and files the
 * report. The filed XML validates against FinCEN's CTRX schema, and its counts and total are those
 * worked out here from the deposits made.
 */
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, demoUsers } from '@qenex/engine';
import { validateFincenBatch } from '@qenex/engine/node';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { complianceWorkstation, currentAccountOf, engineId, launchBrowser, shot, type Link } from './support';

const { dana } = demoUsers;
const schemaDir = resolve(process.cwd(), '../shared/vectors/fincen-xsd');
/** Amara's cash in the day: the demo seed's deposit of the morning (packages/engine/src/app/demo.ts), then this test's three. */
const seedDepositMinor = 250_000n;
const depositMinor = 400_025n;
const depositCount = 3;

describe('an officer works a CTR case offline, a second officer files it, and the XML is FinCEN’s', () => {
  let t: TestServer;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let page: Page;
  let caseId = '';
  let caseNumber = '';

  const id = engineId;

  beforeAll(async () => {
    t = await startTestServer();
    ({ link, ws } = await complianceWorkstation(t));

    // alice takes 4,000.25 in cash for Amara three times (each within her 5,000.00): with the morning's 2,500.00, over the 10,000 USD of a CTR.
    const current = await currentAccountOf(t, 'Amara Okafor');
    const alice = await t.signIn('alice');
    const session = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id as string;
    for (let index = 0; index < depositCount; index += 1) {
      const deposited = await t.request('POST', `/api/v1/till-sessions/${session}/deposits`, { token: alice, body: { transferId: id(`d${index}`), accountId: current, money: { amount: String(depositMinor), currency: 'USD' } } });
      expect(deposited.status, JSON.stringify(deposited.body)).toBeLessThan(300);
    }
    const carolToken = await t.signIn('carol');
    const queue = (await t.request('GET', '/api/v1/cases?view=queue&queue=monitoring', { token: carolToken })).body as Array<{ id: string; number: string; customerNames: string[] }>;
    expect(queue).toHaveLength(1);
    expect(queue[0]!.customerNames).toEqual(['Amara Okafor']);
    caseId = queue[0]!.id;
    caseNumber = queue[0]!.number;

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
  });

  const row = (number: string) => page.locator('.case-grid .ag-row', { hasText: number }).first();

  async function signIn(username: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('status', { name: /Link to the bank: Online/ }).waitFor();
  }

  async function serverCase() {
    const found = await t.server.engine.execute('case.get', { caseId }, dana);
    if (!found.ok) throw new Error(`case.get: ${found.code} ${found.message}`);
    return found.value;
  }

  it('carol works it offline (note, investigation, CTR proposal); it syncs; dana approves and files; the XML validates and its counts and total match the case', async () => {
    // Online: carol takes the case from the queue; the workstation pulls before it answers, so its copy holds her case.
    await page.goto(ws.browser.url);
    await signIn('carol');
    await page.keyboard.press('Alt+0');
    await page.getByRole('heading', { name: 'Compliance cases' }).waitFor();
    await row(caseNumber).dblclick();
    await page.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    await page.keyboard.press('Alt+T');
    await page.getByText('The case is yours: it is in My cases.').waitFor();
    expect((await serverCase()).case).toMatchObject({ assignee: 'carol', status: 'open' });

    // The link drops. Back in the list, My cases is read from this workstation's copy, and the case is there.
    link.cut();
    await page.getByText("Offline: the bank's server cannot be reached.").waitFor({ timeout: 15_000 });
    await page.keyboard.press('Alt+B');
    await page.keyboard.press('Alt+M');
    await row(caseNumber).waitFor();
    await row(caseNumber).locator('.ag-cell').first().click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    await page.getByText('carol (you)').waitFor();

    // Offline: a note, the investigation, a CTR proposal — each runs here and waits in the outbox.
    const note = 'Offline at the branch: Amara Okafor paid in the takings of her shop over the day; the till slips match.';
    await page.keyboard.press('Alt+N');
    await page.keyboard.type(note);
    await page.getByRole('button', { name: /^Add note/ }).click();
    await page.getByText('Note added to the timeline.').waitFor();
    await page.locator('ol.timeline').getByText(note).waitFor();
    await page.getByRole('button', { name: /^Start investigation/ }).click();
    await page.getByText('Investigation started.', { exact: true }).first().waitFor();
    await page.locator('dd .tag', { hasText: 'Investigating' }).waitFor();
    await page.keyboard.press('Alt+P');
    await page.getByRole('heading', { name: 'Propose a report' }).waitFor();
    await page.getByRole('button', { name: 'Propose CTR' }).click();
    await page.getByText('Currency transaction report proposed: a second officer approves and files it.').waitFor();
    await page.getByText('Proposed on this workstation offline: the bank holds it for a second officer once it syncs.').waitFor();
    await page.getByRole('status', { name: /Link to the bank: Offline, 3 waiting/ }).waitFor();
    await shot(page, 'compliance-offline-01-proposed-offline');
    // Nothing of it has reached the bank yet.
    const before = await serverCase();
    expect(before.case).toMatchObject({ status: 'open', proposal: null });
    expect(before.notes.map((entry) => entry.text)).not.toContain(note);

    // The link is back: the outbox drains, and the bank holds the note, the investigation and the proposal, waiting for a second officer.
    link.mend();
    await page.getByRole('status', { name: 'Link to the bank: Online' }).waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => {
        const synced = await serverCase();
        return { status: synced.case.status, proposal: synced.case.proposal && { status: synced.case.proposal.status, form: synced.case.proposal.form, proposedBy: synced.case.proposal.proposedBy, held: synced.case.proposal.approvalId !== null }, noted: synced.notes.some((entry) => entry.author === 'carol' && entry.text === note) };
      }, { timeout: 20_000 })
      .toEqual({ status: 'investigating', proposal: { status: 'proposed', form: 'CTRX', proposedBy: 'carol', held: true }, noted: true });
    // carol, reading the bank's case again, sees it wait for another officer: she cannot file her own proposal.
    await page.keyboard.press('Alt+R');
    await page.getByText('Another compliance officer approves and files it: you proposed it.').waitFor();
    expect(await page.getByRole('button', { name: /^Approve and file report/ }).count()).toBe(0);

    // dana signs in at the same workstation and approves and files it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    await signIn('dana');
    await page.keyboard.press('Alt+0');
    await page.keyboard.press('Alt+O');
    await row(caseNumber).waitFor();
    await row(caseNumber).dblclick();
    await page.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    await page.getByRole('heading', { name: 'Currency transaction report: waiting for a second officer' }).waitFor();
    await page.getByText('Proposed by carol', { exact: false }).waitFor();
    await page.getByRole('button', { name: /^Approve and file report/ }).click();
    await page.getByText('Report approved and filed.').waitFor();
    await page.locator('dd .tag', { hasText: 'Closed' }).waitFor();
    const filedRow = page.getByRole('table', { name: 'Reports filed' }).locator('tbody tr');
    await filedRow.waitFor();
    await shot(page, 'compliance-offline-02-filed-by-dana');

    // The bank's books: closed as reported, with one report, proposed by carol and approved by dana.
    const filed = await serverCase();
    expect(filed.case).toMatchObject({ status: 'closed', outcome: 'reported', proposal: { status: 'filed' } });
    expect(filed.reports).toHaveLength(1);
    expect(filed.reports[0]).toMatchObject({ form: 'CTRX', proposedBy: 'carol', approvedBy: 'dana' });
    const got = await t.server.engine.execute('report.get', { reportId: filed.reports[0]!.id }, dana);
    if (!got.ok) throw new Error(`report.get: ${got.code} ${got.message}`);
    const report = got.value;

    // FinCEN's schema says the XML is a valid CTRX batch.
    expect(await validateFincenBatch(report.xml, 'CTRX', schemaDir)).toEqual({ valid: true, errors: [] });

    // Counts and total, worked out here: one CTR; five parties of the bank's own and one per person (Amara);
    // her cash in that day in whole dollars, rounded up (the 0.75 of the cents makes a dollar).
    const persons = filed.case.customerIds.length;
    expect(persons).toBe(1);
    const cashInMinor = seedDepositMinor + BigInt(depositCount) * depositMinor;
    const totalDollars = (cashInMinor + 99n) / 100n;
    expect(totalDollars).toBe(14_501n);
    expect({ activityCount: report.activityCount, partyCount: report.partyCount, totalAmountDollars: report.totalAmountDollars }).toEqual({ activityCount: 1, partyCount: 5 + persons, totalAmountDollars: String(totalDollars) });
    const root = /<fc2:EFilingBatchXML\b[^>]*>/.exec(report.xml)?.[0] ?? '';
    const attribute = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(root)?.[1];
    expect({ TotalAmount: attribute('TotalAmount'), PartyCount: attribute('PartyCount'), ActivityCount: attribute('ActivityCount') }).toEqual({ TotalAmount: String(totalDollars), PartyCount: String(5 + persons), ActivityCount: '1' });
    // What dana's screen showed is the report the bank filed, its total as money ($14,501.00).
    const shown = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(totalDollars)).replace('$', '\\$');
    expect(await filedRow.textContent()).toMatch(new RegExp(`CTR.*carol · dana.*${shown}`));
  }, 90_000);
});

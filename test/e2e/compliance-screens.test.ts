/**
 * The compliance officer's screens, end to end: Debian's Chromium drives the browser-mode
 * workstation (real renderer, bridge, host and SQLite books) against the real server on PostgreSQL.
 * Cash over the CTR threshold for one customer opens a monitoring case at the bank; carol finds it
 * in the queue, takes it, reads the evidence (the rule, the day's aggregate), adds a note and starts
 * the investigation, and the server's books hold what she did. A sanctions hit is reviewed side by
 * side with the list entry; taking a case while the link is down says it needs the bank; the
 * scenarios screen shows the live scenario, the draft in shadow and a replay over the history.
 * Every screen is saved as a PNG in artifacts/e2e and checked with axe-core.
 */
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultScenarioInput, demoPassword, demoUsers, driftReference, encodeContentDocument, encodeSanctionsList, fraudModelDocument, limitRuleId, modelPath, sanctionsPath, simulate, systemRole, trainFraudModels, type CommandInput } from '@qenex/engine';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { axeViolations, complianceWorkstation, currentAccountOf, engineId, launchBrowser, shot, type Link } from './support';

const carol = demoUsers.carol;

/** What a host's update client does with a file it verified: update.install, as the system. */
function installVerified(engine: TestServer['server']['engine'], path: string, role: string, body: string) {
  const bytes = new TextEncoder().encode(body);
  return engine.execute(
    'update.install',
    {
      trust: { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: Date.now() },
      install: [{ path, role, sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }],
      remove: [],
      checkedAtMs: Date.now(),
      refusal: null,
      appStaged: null,
    },
    { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' },
  );
}

describe('the compliance officer works a case at the workstation, in a real browser against the real server', () => {
  let t: TestServer;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ctrCaseId = '';
  let ctrCaseNumber = '';
  let screeningCaseNumber = '';

  const id = engineId;

  beforeAll(async () => {
    t = await startTestServer();
    ({ link, ws } = await complianceWorkstation(t));
    const engine = t.server.engine;
    // A draft runs in shadow beside the live pack: the CTR rule holds for review in it.
    const draft = defaultScenarioInput(Date.now() - 60_000, 2);
    const drafted = await engine.execute('monitoring.set_draft', { ...draft, scenario: { ...draft.scenario, rules: draft.scenario.rules.map((rule) => (rule.ruleId === 'cash_over_ctr' ? { ...rule, holdForReview: true } : rule)) } } as CommandInput<'monitoring.set_draft'>, carol);
    expect(drafted.ok).toBe(true);

    const currentOf = (name: string) => currentAccountOf(t, name);
    const amara = await currentOf('Amara');
    const lukas = await currentOf('Lukas');
    // alice takes 4,000.00 in cash for Amara three times in a day (each within her limit of 5,000.00): with the 2,500.00 of the morning, over the 10,000 USD of a CTR.
    const alice = await t.signIn('alice');
    const session = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id as string;
    for (const tail of ['c1', 'c2', 'c3']) {
      const deposited = await t.request('POST', `/api/v1/till-sessions/${session}/deposits`, { token: alice, body: { transferId: id(tail), accountId: amara, money: { amount: '400000', currency: 'USD' } } });
      expect(deposited.status, JSON.stringify(deposited.body)).toBeLessThan(300);
    }
    // Compliance's list names Lukas Brandt: his deposit is refused and a screening case opened.
    const body = encodeSanctionsList({ kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: '2026-12-01', entries: [{ id: 'T-9', type: 'individual', names: ['BRANDT, Lukas'], programs: ['TEST'] }] });
    const installed = await installVerified(engine, sanctionsPath('test-list'), 'compliance', body);
    expect(installed.ok).toBe(true);
    const refused = await t.request('POST', `/api/v1/till-sessions/${session}/deposits`, { token: alice, body: { transferId: id('c4'), accountId: lukas, money: { amount: '10000', currency: 'USD' } } });
    expect(refused.body.code).toBe('sanctions_match');
    screeningCaseNumber = refused.body.caseNumber;

    const carolToken = await t.signIn('carol');
    const queue = (await t.request('GET', '/api/v1/cases?view=queue&queue=monitoring', { token: carolToken })).body as Array<{ id: string; number: string; title: string }>;
    expect(queue).toHaveLength(1);
    ctrCaseId = queue[0]!.id;
    ctrCaseNumber = queue[0]!.number;

    browser = await launchBrowser();
    // The page's CSP forbids injected scripts (as it should); axe is injected past it in this context only.
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    page = await context.newPage();
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

  async function expectAccessible(name: string): Promise<void> {
    await shot(page, name);
    expect(await axeViolations(page), name).toEqual([]);
  }

  /** The grid row of a case, by its number. */
  const row = (number: string) => page.locator('.case-grid .ag-row', { hasText: number }).first();

  /** carol signs in, unless she is signed in already (each test runs on its own too). */
  async function signedIn(): Promise<void> {
    const nav = page.getByRole('navigation', { name: 'Main' });
    if (await nav.isVisible()) return;
    await page.goto(ws.browser.url);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav.waitFor();
  }

  it('carol finds the CTR case in the queue, takes it, reads the evidence, adds a note and starts the investigation; the bank’s books hold it', async () => {
    await signedIn();
    const nav = page.getByRole('navigation', { name: 'Main' });
    // Compliance is in her menu (she may list cases), under its key.
    await expect.poll(() => nav.getByRole('button', { name: /^Compliance/ }).count()).toBe(1);
    await page.keyboard.press('Alt+0');
    await page.getByRole('heading', { name: 'Compliance cases' }).waitFor();
    await row(ctrCaseNumber).waitFor();
    expect(await row(ctrCaseNumber).textContent()).toMatch(/monitoring queue/);
    await expectAccessible('compliance-01-queue');

    // Enter on the selected row opens it.
    await row(ctrCaseNumber).locator('.ag-cell').first().click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${ctrCaseNumber}` }).waitFor();
    await page.getByText('Take the case to work on it').waitFor();
    await page.keyboard.press('Alt+T');
    await page.getByText('The case is yours: it is in My cases.').waitFor();
    await page.getByText('carol (you)').waitFor();

    // The evidence: the CTR rule, the day's cash in aggregated, the threshold, the scenario's version.
    const evidence = page.locator('section.decision').first();
    await evidence.getByRole('rowheader', { name: 'cash_over_ctr' }).waitFor();
    expect(await evidence.textContent()).toMatch(/scenario retail v1/);
    expect(await evidence.textContent()).toMatch(/Aggregate \(USD\)\$1[0-9],[0-9]{3}\.00/);
    expect(await evidence.textContent()).toMatch(/Threshold \(USD\)\$10,000\.00/);
    expect(await page.getByRole('table', { name: 'Linked customers' }).textContent()).toMatch(/Amara Okafor/);

    const note = 'Called the branch: Amara Okafor sold a car and paid the cash in over the day. Asked for the bill of sale.';
    await page.keyboard.press('Alt+N');
    await page.keyboard.type(note);
    await page.getByRole('button', { name: /^Add note/ }).click();
    await page.getByText('Note added to the timeline.').waitFor();
    await page.locator('ol.timeline').getByText(note).waitFor();
    await page.getByRole('button', { name: /^Start investigation/ }).click();
    await page.getByText('Investigation started.', { exact: true }).first().waitFor();
    await page.locator('dd .tag', { hasText: 'Investigating' }).waitFor();
    await expectAccessible('compliance-02-case');

    // The bank's books: the case is carol's, under investigation, and the note is on it, by her.
    const atBank = await t.server.engine.execute('case.get', { caseId: ctrCaseId }, carol);
    if (!atBank.ok) throw new Error(atBank.message);
    expect(atBank.value.case).toMatchObject({ assignee: 'carol', status: 'investigating' });
    expect(atBank.value.notes).toContainEqual(expect.objectContaining({ author: 'carol', text: note, event: null }));
    expect(atBank.value.notes.map((entry) => entry.event)).toEqual(expect.arrayContaining(['opened', 'assigned', 'investigating']));

    // A SAR asks for a narrative and the kind of activity before it can be proposed.
    await page.keyboard.press('Alt+P');
    await page.getByRole('heading', { name: 'Propose a report' }).waitFor();
    await page.getByText('Suspicious activity report (SAR)').click();
    const propose = page.getByRole('button', { name: 'Propose SAR' });
    expect(await propose.isDisabled()).toBe(true);
    await page.getByLabel(/^Narrative/).fill('Three cash deposits in one day for one customer, over the CTR threshold together.');
    await page.getByText('Structuring', { exact: true }).click();
    expect(await propose.isDisabled()).toBe(false);
    await expectAccessible('compliance-03-propose-sar');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Propose a report' }).waitFor({ state: 'detached' });

    // At a phone's width the case still reads top to bottom.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible('compliance-04-case-phone');
    await page.setViewportSize({ width: 1366, height: 900 });

    // Back in the list, My cases holds it now.
    await page.keyboard.press('Alt+B');
    await page.keyboard.press('Alt+M');
    await row(ctrCaseNumber).waitFor();
    expect(await row(ctrCaseNumber).textContent()).toMatch(/carol/);
  });

  it('a sanctions hit is reviewed beside the list entry; taking a case with the link down says it needs the bank', async () => {
    await signedIn();
    await page.keyboard.press('Alt+0');
    await page.keyboard.press('Alt+O');
    await row(screeningCaseNumber).waitFor();
    await row(screeningCaseNumber).dblclick();
    await page.getByRole('heading', { name: `Case ${screeningCaseNumber}` }).waitFor();
    const hit = page.locator('section.hit-review');
    await hit.waitFor();
    expect(await hit.textContent()).toMatch(/Lukas Brandt/);
    expect(await hit.textContent()).toMatch(/1979-11-02/);
    expect(await hit.textContent()).toMatch(/test-list.*T-9.*BRANDT, Lukas/s);
    expect(await hit.getByRole('table').locator('tbody tr').count()).toBeGreaterThan(0);
    await expectAccessible('compliance-05-screening-hit');

    link.cut();
    await page.getByText("Offline: the bank's server cannot be reached.").waitFor({ timeout: 15_000 });
    await page.keyboard.press('Alt+T');
    const refusal = page.getByRole('alert').filter({ hasText: 'needs_server' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Try again when the banner says Online/);
    await shot(page, 'compliance-06-take-offline');
    link.mend();
    await page.locator('.link-pill.online').waitFor({ timeout: 20_000 });
  });

  it('the scenarios screen shows the live pack, the draft in shadow beside it, and replays the draft over the history', async () => {
    await signedIn();
    await page.keyboard.press('Alt+0');
    await page.keyboard.press('Alt+S');
    await page.getByRole('heading', { name: 'Live: retail v1' }).waitFor();
    await page.getByRole('heading', { name: 'Draft (in shadow): retail v2' }).waitFor();
    await shot(page, 'compliance-07-scenarios');
    // The draft held the CTR-sized deposits that the live scenario only alerted on.
    const shadow = page.getByRole('table', { name: /Shadow decisions/ });
    await shadow.waitFor();
    expect(await shadow.textContent()).toMatch(/Alert 20.*Hold 20/s);
    await page.keyboard.press('Alt+H');
    await page.getByText(/^Replay finished: \d+ transactions decided, [1-9]\d* flagged\.$/).waitFor();
    expect(await page.getByRole('table', { name: 'Transactions the draft would have flagged' }).textContent()).toMatch(/cash deposit/);
    await expectAccessible('compliance-08-replay');
  });

  it('a payment the fraud model held shows in the fraud queue, its case giving the score and each reason in words', async () => {
    const engine = t.server.engine;
    // A champion trained on the simulator, deployed as the update client installs it; this test's bank reviews from a low score.
    const simulationStartMs = Date.UTC(2026, 8, 1);
    const trained = trainFraudModels(simulate({ seed: 11, customers: 400, days: 40, startMs: simulationStartMs }).events, { seed: 7, version: 'fraud-gbdt-screens.1', treeCount: 40, split: { trainDays: 24, delayDays: 4, testDays: 12, startMs: simulationStartMs } });
    if (!trained.ok) throw new Error(trained.message);
    const document = fraudModelDocument(trained.value.champion, 'champion', { review: 0.0005, block: 0.9999 }, driftReference(trained.value.evaluationScores, trained.value.evaluation.matrix));
    const body = new TextDecoder().decode(encodeContentDocument(document as never));
    const installed = await installVerified(engine, modelPath('champion'), 'targets', body);
    expect(installed, JSON.stringify(installed).slice(0, 300)).toMatchObject({ ok: true });
    // The online banking front end moves most of Mei's balance, from a laptop abroad.
    const web = { actor: 'webbank', roles: ['digital_channel'], deviceId: 'web-gateway' };
    await t.server.storage.transaction(async (tx) => {
      await tx.banking.put('user', { id: web.actor, displayName: 'Online banking', roles: ['digital_channel'], passwordHash: 'x', status: 'active', createdAtMs: 0, branchId: null });
      const holder = { role: 'digital_channel' };
      await tx.banking.put('limitRule', { id: limitRuleId(holder, 'transfer', 'USD'), holder, kind: 'transfer', currency: 'USD', perTransactionMinor: 100_000_000n, perDayMinor: 1_000_000_000n });
    });
    const mei = await currentAccountOf(t, 'Mei');
    const amara = await currentAccountOf(t, 'Amara');
    const held = await engine.execute('transfer.internal', { transferId: id('f4'), fromAccountId: mei, toAccountId: amara, money: { amount: '300000', currency: 'USD' }, origin: { channel: 'online', deviceId: 'unknown-laptop', country: 'RO' } } as never, web);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const caseNumber = String((held as unknown as { details: { caseNumber: string } }).details.caseNumber);

    await signedIn();
    await page.keyboard.press('Alt+0');
    await page.keyboard.press('Alt+Q');
    await page.getByRole('heading', { name: 'Compliance cases' }).waitFor();
    await page.getByLabel('Queue', { exact: true }).selectOption('fraud');
    await row(caseNumber).waitFor();
    await row(caseNumber).locator('.ag-cell').first().click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    const evidence = page.locator('section.decision', { hasText: 'fraud score' }).first();
    await evidence.waitFor();
    expect(await evidence.textContent()).toMatch(/Held for review.*fraud score [0-9.e-]+ · model fraud-gbdt-screens\.1/s);
    const reasons = page.getByRole('table', { name: /Why the model scored/ });
    expect(await reasons.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await reasons.textContent()).toMatch(/never seen|of the balance|usual amount|hour/);
    await expectAccessible('compliance-09-fraud-case');
  }, 180_000);
});


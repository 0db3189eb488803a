/**
 * A compliance officer's workstation holds the cases assigned to them: notes, the investigation and
 * a report proposal made offline sync like any command, and are refused with the reason when
 * someone reassigned or closed the case meanwhile. A payment to a listed name is refused at an
 * offline workstation too: its case is kept there and reported to the server.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUsers, encodeSanctionsList, Engine, ManualClock, sanctionsPath, SequentialIds, systemRole, WorkstationSync, type Context } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { cheapPasswords, directTransport, serverKeys, world, type World } from '../sync/simulation';

const { carol, dana, adam, alice } = demoUsers;
const officer: Context = { actor: 'carol', roles: ['compliance_officer'], deviceId: 'ws-0' };
let w: World;
let server: SqliteStorage;
let serverEngine: Engine;
let clock: ManualClock;
let ids: SequentialIds;
let station: { storage: SqliteStorage; engine: Engine; sync: WorkstationSync };

async function on(engine: Engine, name: string, input: unknown, as: Context) {
  const result = await engine.executeAny(name, input, as);
  if (!result.ok) throw new Error(`${name}: ${result.code} ${result.message}`);
  return result.value as any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeEach(async () => {
  w = await world(1);
  clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
  ids = new SequentialIds(clock, 77);
  server = new SqliteStorage({ path: ':memory:', image: w.serverImage });
  serverEngine = new Engine({ storage: server, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
  const transport = directTransport(serverEngine);
  const storage = new SqliteStorage({ path: ':memory:', image: w.stationImages[0]! });
  const engine = new Engine({ storage, clock, ids, ...WorkstationSync.engineOptions() });
  station = { storage, engine, sync: new WorkstationSync({ engine, storage, mirror: storage.mirror, clock, transport }) };
  await on(serverEngine, 'device.register_user', { deviceId: 'ws-0', username: 'carol' }, adam);
}, 60_000);

afterEach(async () => {
  await station.storage.close();
  await server.close();
});

/** A case for customer `index` on the server: cash over 10,000 USD in a day (alice's limit here is 10,000 a transaction). */
async function serverCase(index: number, assignee: string): Promise<{ id: string; number: string }> {
  const accountId = w.bank.customers[index]!.accountIds[0]!;
  for (const amount of ['600000', '600000']) {
    await on(serverEngine, 'cash.deposit', { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId, money: { amount, currency: 'USD' } }, { ...alice, deviceId: 'server' });
  }
  const cases = await on(serverEngine, 'case.list', { view: 'queue', queue: 'monitoring' }, carol);
  const found = cases.find((candidate: { customerIds: string[] }) => candidate.customerIds.includes(w.bank.customers[index]!.id));
  await on(serverEngine, 'case.assign', { caseId: found.id, assignee }, carol);
  return found;
}

describe('an officer\u2019s cases on the workstation, offline', () => {
  it('works a case offline (notes, investigation, a report proposal) and the server takes it all; a second officer files the report', async () => {
    const mine = await serverCase(0, 'carol');
    expect(await station.sync.pull()).toBe('pulled');
    const local = await on(station.engine, 'case.list', { view: 'mine' }, officer);
    expect(local.map((found: { id: string }) => found.id)).toEqual([mine.id]);
    const detail = await on(station.engine, 'case.get', { caseId: mine.id }, officer);
    expect(detail.decisions[0].decision.hits[0].ruleId).toBe('cash_over_ctr');

    // The link is down: everything below runs on the workstation's copy and queues.
    clock.advance(60_000);
    await on(station.engine, 'case.investigate', { caseId: mine.id }, officer);
    await on(station.engine, 'case.note', { caseId: mine.id, noteId: ids.next(), text: 'Visited the shop: the takings match the deposits.' }, officer);
    const proposal = await on(station.engine, 'case.propose_report', { caseId: mine.id, proposalId: ids.next(), form: 'CTRX' }, officer);
    expect(proposal.proposal).toMatchObject({ status: 'proposed', approvalId: null }); // the workstation cannot file
    expect(await server.read((tx) => tx.banking.findBy('caseNote', 'case', mine.id, 100))).toHaveLength(2); // opened, assigned

    expect(await station.sync.push()).toBe('answered');
    const outbox = await station.storage.read((tx) => tx.banking.list('outboxEntry', '', 20));
    expect(outbox.map((entry) => [entry.name, entry.status])).toEqual([
      ['case.investigate', 'accepted'],
      ['case.note', 'accepted'],
      ['case.propose_report', 'accepted'],
    ]);
    const onServer = await on(serverEngine, 'case.get', { caseId: mine.id }, dana);
    expect(onServer.case).toMatchObject({ status: 'investigating', proposal: { status: 'proposed', proposedBy: 'carol', approvalId: expect.any(String) } });
    expect(onServer.notes.map((note: { text: string }) => note.text)).toContain('Visited the shop: the takings match the deposits.');
    const filed = await on(serverEngine, 'approval.decide', { approvalId: onServer.case.proposal.approvalId, decision: 'approve' }, dana);
    expect(filed.result.case).toMatchObject({ status: 'closed', outcome: 'reported' });
  });

  it('refuses, with the reason, offline work on a case someone else took or closed meanwhile', async () => {
    const taken = await serverCase(0, 'carol');
    const closing = await serverCase(1, 'carol');
    expect(await station.sync.pull()).toBe('pulled');
    // While carol is offline: her case goes to dana, and the other one is closed by her colleague.
    await on(serverEngine, 'case.assign', { caseId: taken.id, assignee: 'dana' }, dana);
    await on(serverEngine, 'case.assign', { caseId: closing.id, assignee: 'dana' }, dana);
    await on(serverEngine, 'case.close', { caseId: closing.id, outcome: 'false_positive', reason: 'Payroll cash, documented.' }, dana);
    await on(station.engine, 'case.note', { caseId: taken.id, noteId: ids.next(), text: 'Offline note on a case taken meanwhile.' }, officer);
    await on(station.engine, 'case.note', { caseId: closing.id, noteId: ids.next(), text: 'Offline note on a case closed meanwhile.' }, officer);
    expect(await station.sync.push()).toBe('answered');
    const outbox = await station.storage.read((tx) => tx.banking.list('outboxEntry', '', 20));
    expect(outbox).toMatchObject([
      { name: 'case.note', status: 'rejected', code: 'case_reassigned', message: expect.stringMatching(/assigned to dana now; your change was not applied/) },
      { name: 'case.note', status: 'rejected', code: 'case_closed', message: expect.stringMatching(/was closed \(false positive\)/) },
    ]);
    const notes = await server.read((tx) => tx.banking.findBy('caseNote', 'case', taken.id, 100));
    expect(notes.map((note) => note.text)).not.toContain('Offline note on a case taken meanwhile.');
    // After the next pull the workstation no longer holds either case.
    expect(await station.sync.pull()).toBe('pulled');
    expect(await on(station.engine, 'case.list', { view: 'mine' }, officer)).toEqual([]);
  });
});

describe('a payment to a listed name at an offline workstation', () => {
  it('is refused before it posts; the case is kept on the workstation and reaches the server with the hit', async () => {
    const body = encodeSanctionsList({ kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: '2026-11-25', entries: [{ id: 'T-7', type: 'individual', names: ['BRANDT, Lukas'], programs: ['TEST'] }] });
    const bytes = new TextEncoder().encode(body);
    const install = { trust: { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: clock.nowMs() }, install: [{ path: sanctionsPath('test-list'), role: 'compliance', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }], remove: [], checkedAtMs: clock.nowMs(), refusal: null, appStaged: null };
    expect((await station.engine.executeAny('update.install', install, { actor: 'update-client', roles: [systemRole], deviceId: 'ws-0' })).ok).toBe(true);
    const teller: Context = { actor: 'alice', roles: ['teller'], deviceId: 'ws-0' };
    const lukas = w.bank.customers.find((customer) => customer.name === 'Lukas Brandt')!;
    const [before] = await station.storage.read((tx) => tx.ledger.accounts([lukas.accountIds[0]! as never]));
    const paid = await station.engine.executeAny('transfer.internal', { transferId: ids.next(), fromAccountId: w.bank.customers[0]!.accountIds[0]!, toAccountId: lukas.accountIds[0]!, money: { amount: '5000', currency: 'USD' } }, teller);
    expect(paid).toMatchObject({ ok: false, code: 'sanctions_match', details: { entryId: 'T-7', caseNumber: expect.any(String) } });
    const [after] = await station.storage.read((tx) => tx.ledger.accounts([lukas.accountIds[0]! as never]));
    expect(after).toEqual(before);
    const localCases = await station.storage.read((tx) => tx.banking.findBy('complianceCase', 'queue', 'screening', 10));
    expect(localCases).toMatchObject([{ customerIds: [lukas.id], alerts: [{ kind: 'screening', entryId: 'T-7' }] }]);
    expect(await station.sync.push()).toBe('answered');
    const reported = await on(serverEngine, 'case.list', { view: 'queue', queue: 'screening' }, carol);
    expect(reported).toMatchObject([{ customerIds: [lukas.id], alerts: [{ kind: 'screening', listId: 'test-list', entryId: 'T-7', command: 'transfer.internal', explanation: expect.any(Array) }] }]);
    expect(reported[0].title).toMatch(/Refused at workstation ws-0/);
    // Nothing moved on the server either.
    const [onServer] = await server.read((tx) => tx.ledger.accounts([lukas.accountIds[0]! as never]));
    expect(onServer!.creditsPosted).toBe(before!.creditsPosted);
  });
});

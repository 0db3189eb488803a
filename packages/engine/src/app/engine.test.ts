import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../adapters/sqlite/storage';
import { ManualClock } from '../adapters/in-process/clock';
import { SequentialIds } from '../adapters/in-process/ids';
import { ScryptPasswordHasher } from '../adapters/node/password';
import { Engine, type CommandName } from './engine';
import { commands } from './commands';
import { demoUsers, seedDemoBank, type DemoBank } from './demo';

const { alice, tom, bob, carol, olivia, lena } = demoUsers;

describe('engine commands on SQLite', () => {
  let storage: SqliteStorage;
  let engine: Engine;
  let ids: SequentialIds;
  let clock: ManualClock;
  let bank: DemoBank;

  beforeEach(async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
    ids = new SequentialIds(clock);
    engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
    bank = await seedDemoBank(engine, ids, { clock });
  });
  afterEach(async () => storage.close());

  const balances = async (accountId: string) => {
    const result = await engine.execute('account.get', { accountId }, alice);
    if (!result.ok) throw new Error(result.code);
    return result.value.balances;
  };

  /** Everything a refused command could have touched: all ledger totals and all balances. */
  const books = async () => {
    const totals = await engine.execute('ledger.totals', {}, olivia);
    const accounts = await Promise.all(bank.customers.flatMap((c) => c.accountIds).map(balances));
    return JSON.stringify({ totals, accounts });
  };

  it('runs a teller day: deposits, withdrawals and transfers keep every ledger balanced', async () => {
    const [amara] = bank.customers;
    expect(await balances(amara!.accountIds[0]!)).toEqual({ posted: '150000', available: '200000', pending: '0' });
    const totals = await engine.execute('ledger.totals', {}, olivia);
    expect(totals.ok && totals.value.every((ledger) => ledger.balanced)).toBe(true);
  });

  it('answers a retried deposit with the first result and moves money once', async () => {
    const account = bank.customers[0]!.accountIds[1]!;
    const input = { transferId: ids.next(), sessionId: bank.sessionId, accountId: account, money: { amount: '1234', currency: 'USD' } };
    const first = await engine.execute('cash.deposit', input, alice);
    const second = await engine.execute('cash.deposit', input, alice);
    expect(first.ok && first.value.fresh).toBe(true);
    expect(second.ok && second.value.fresh).toBe(false);
    expect((await balances(account)).posted).toBe('101234');
  });

  it('refuses bad input with its own code and changes nothing', async () => {
    const account = bank.customers[0]!.accountIds[0]!;
    const other = bank.customers[1]!.accountIds[0]!;
    const eur = ids.next();
    const before = await books();
    const deposit = (money: { amount: string; currency: string }, accountId: string = account) =>
      engine.execute('cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId, money }, alice);
    expect(await deposit({ amount: '0', currency: 'USD' })).toMatchObject({ ok: false, code: 'amount_must_not_be_zero' });
    expect(await deposit({ amount: '-5', currency: 'USD' })).toMatchObject({ ok: false, code: 'amount_must_not_be_negative' });
    expect(await deposit({ amount: '9223372036854775808', currency: 'USD' })).toMatchObject({ ok: false, code: 'amount_overflows' });
    expect(await deposit({ amount: '12.50', currency: 'USD' })).toMatchObject({ ok: false, code: 'amount_malformed' });
    expect(await deposit({ amount: '100', currency: 'EUR' })).toMatchObject({ ok: false, code: 'currency_mismatch' });
    expect(await deposit({ amount: '100', currency: 'XYZ' })).toMatchObject({ ok: false, code: 'currency_unknown' });
    expect(await deposit({ amount: '100', currency: 'USD' }, eur)).toMatchObject({ ok: false, code: 'account_not_found' });
    expect(await deposit({ amount: '100', currency: 'USD' }, 'not-an-id')).toMatchObject({ ok: false, code: 'id_malformed' });
    const same = await engine.execute(
      'transfer.internal',
      { transferId: ids.next(), fromAccountId: account, toAccountId: account, money: { amount: '1', currency: 'USD' } },
      alice,
    );
    expect(same).toMatchObject({ ok: false, code: 'accounts_must_be_different' });
    // Within alice's transfer limit (5,000.00), over Lukas's 2,100.00 and his 500.00 overdraft.
    const overdraw = await engine.execute(
      'transfer.internal',
      { transferId: ids.next(), fromAccountId: other, toAccountId: account, money: { amount: '400000', currency: 'USD' } },
      alice,
    );
    expect(overdraw).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await books()).toBe(before);
    const audit = await engine.execute('audit.log', { after: 0, limit: 500 }, carol);
    const refusals = audit.ok ? audit.value.filter((record) => record.outcome !== 'ok').map((record) => record.outcome) : [];
    expect(refusals).toEqual(expect.arrayContaining(['amount_must_not_be_zero', 'currency_mismatch', 'insufficient_funds']));
  });

  it('refuses a role without the permission, and records the refusal', async () => {
    const result = await engine.execute('vault.fund', { transferId: ids.next(), branchId: bank.branchId, money: { amount: '1', currency: 'USD' } }, alice);
    expect(result).toMatchObject({ ok: false, code: 'permission_denied' });
    const audit = await engine.execute('audit.log', { after: 0, limit: 500 }, carol);
    expect(audit.ok && audit.value.at(-1)).toMatchObject({ actor: 'alice', command: 'vault.fund', outcome: 'permission_denied' });
  });

  it('holds cash over the teller limit until another supervisor approves', async () => {
    const account = bank.customers[2]!.accountIds[0]!;
    const input = { transferId: ids.next(), sessionId: bank.sessionId, accountId: account, money: { amount: '700000', currency: 'USD' } };
    const held = await engine.execute('cash.deposit', input, alice);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = (held.ok ? '' : String(held.details?.approvalId)) as string;
    expect((await balances(account)).posted).toBe('250000');
    // Another teller may decide only what a teller may check (cash handed to their till), never a payout over a limit.
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, tom)).toMatchObject({
      ok: false,
      code: 'checker_lacks_permission',
    });
    const approved = await engine.execute('approval.decide', { approvalId, decision: 'approve', note: 'customer known' }, bob);
    expect(approved).toMatchObject({ ok: true, value: { approval: { status: 'approved', decidedBy: 'bob' } } });
    expect((await balances(account)).posted).toBe('950000');
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, bob)).toMatchObject({
      ok: false,
      code: 'approval_already_decided',
    });
  });

  it('does not let a supervisor approve their own request', async () => {
    const account = bank.customers[2]!.accountIds[0]!;
    const session = ids.next();
    const tillId = ids.next();
    await engine.execute('till.create', { tillId, branchId: bank.branchId, code: 'T2', currency: 'USD' }, olivia);
    await engine.execute('till.open_session', { sessionId: session, tillId, count: {} }, bob);
    // Over the head teller's own cash limit (20,000.00).
    const held = await engine.execute(
      'cash.deposit',
      { transferId: ids.next(), sessionId: session, accountId: account, money: { amount: '2500000', currency: 'USD' } },
      bob,
    );
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, bob)).toMatchObject({
      ok: false,
      code: 'checker_must_differ',
    });
  });

  it('holds a till close with a short count for the head teller, then posts the difference to over/short', async () => {
    const held = await engine.execute('till.close_session', { sessionId: bank.sessionId, count: { '10000': 100 } }, alice);
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'per_transaction', checker: 'till.supervise' } });
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    const decided = await engine.execute('approval.decide', { approvalId, decision: 'approve', note: 'counted twice' }, bob);
    expect(decided.ok).toBe(true);
    const closed = await storage.read(async (tx) => ({ ok: true as const, value: { session: (await tx.banking.get('tillSession', bank.sessionId))! } }));
    // Float 10,000.00 + three deposits of 2,500.00 − one withdrawal of 400.00 = 17,100.00 on the books; 10,000.00 counted.
    expect(closed.value.session.closingVarianceMinor).toBe(-710000n);
    const till = await engine.execute('ledger.totals', {}, olivia);
    expect(till.ok && till.value.every((ledger) => ledger.balanced)).toBe(true);
    const after = await engine.execute('cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId: bank.customers[0]!.accountIds[0]!, money: { amount: '1', currency: 'USD' } }, alice);
    expect(after).toMatchObject({ ok: false, code: 'session_closed' });
  });

  it("exchanges currency at the bank's published rate as linked legs, each ledger still summing to zero", async () => {
    const customer = bank.customers[0]!;
    const euroAccount = ids.next();
    await engine.execute('account.open', { accountId: euroAccount, customerId: customer.id, productId: 'CURRENT-EUR' }, alice);
    const input = {
      sellTransferId: ids.next(),
      buyTransferId: ids.next(),
      fromAccountId: customer.accountIds[0]!,
      toAccountId: euroAccount,
      money: { amount: '10000', currency: 'USD' },
    };
    // The sheet: EUR/USD mid 1.0850, sell margin 1.5%. The customer buys EUR at 1/(1.0850 × 1.015):
    // 100.00 USD × 10^8 / 110,127,500 = 90.8038… EUR, 90.80 after rounding; the rate shown is 0.9080384100.
    const result = await engine.execute('fx.exchange', input, alice);
    expect(result).toMatchObject({ ok: true, value: { bought: { amount: '9080', currency: 'EUR' }, rate: '0.9080384100' } });
    const replay = await engine.execute('fx.exchange', input, alice);
    expect(replay.ok).toBe(true);
    expect((await balances(euroAccount)).posted).toBe('9080');
    const totals = await engine.execute('ledger.totals', {}, olivia);
    expect(totals.ok && totals.value.map((ledger) => ledger.balanced)).toEqual([true, true]);
  });

  it('prints a statement with a running balance and pages through it', async () => {
    const account = bank.customers[0]!.accountIds[0]!;
    for (let index = 0; index < 5; index += 1) {
      clock.advance(1000);
      await engine.execute('cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId: account, money: { amount: '100', currency: 'USD' } }, alice);
    }
    const page1 = await engine.execute('account.statement', { accountId: account, limit: 3 }, alice);
    expect(page1.ok).toBe(true);
    if (!page1.ok) return;
    expect(page1.value.lines.map((line) => line.balance)).toEqual(['250000', '150000', '150100']);
    const page2 = await engine.execute('account.statement', { accountId: account, limit: 3, after: page1.value.next! }, alice);
    expect(page2.ok && page2.value.lines.map((line) => [line.amount, line.balance])).toEqual([
      ['100', '150200'],
      ['100', '150300'],
      ['100', '150400'],
    ]);
  });

  it('keeps an audit chain that finds an edited record', async () => {
    const intact = await engine.execute('audit.verify', {}, carol);
    expect(intact).toMatchObject({ ok: true, value: { intact: true } });
    storage.db.prepare(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 5`).run();
    const edited = await engine.execute('audit.verify', {}, carol);
    expect(edited).toMatchObject({ ok: true, value: { intact: false, break: { kind: 'hash_mismatch', seq: 5 } } });
  });

  it('refuses malformed input to every command with a code, changes nothing, and audits each refusal', async () => {
    const snapshot = () =>
      JSON.stringify(
        storage.db
          .prepare(`SELECT (SELECT count(*) FROM transfers) AS t, (SELECT count(*) FROM accounts) AS a,
            (SELECT group_concat(data, '|') FROM entities) AS e,
            (SELECT sum(debits_posted) - sum(credits_posted) FROM accounts) AS imbalance`)
          .get(),
        (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      );
    const auditCount = () => Number(storage.db.prepare('SELECT count(*) FROM audit_log').pluck().get());
    const before = snapshot();
    const auditBefore = auditCount();
    const names = Object.keys(commands) as CommandName[];
    const admin = { actor: 'root', roles: ['teller', 'head_teller', 'operations', 'admin', 'auditor', 'compliance_officer'], deviceId: 'test' };
    for (const name of names) {
      for (const garbage of ['garbage', 42, null, [1, 2], { transferId: 'x'.repeat(32), money: { amount: 'NaN', currency: 'USD' } }]) {
        const result = await engine.executeAny(name, garbage, admin);
        if (result.ok) {
          // Commands whose every field is optional accept an object; they must not accept a non-object.
          expect(typeof garbage === 'object' && garbage !== null && !Array.isArray(garbage), `${name} accepted ${JSON.stringify(garbage)}`).toBe(true);
          expect(commands[name].kind === 'read' || name === 'ledger.expire_pending', `${name} accepted garbage`).toBe(true);
          continue;
        }
        expect(result.code, name).toMatch(/^[a-z_]+$/);
        expect(result.message.length, name).toBeGreaterThan(0);
      }
    }
    expect(snapshot()).toBe(before);
    expect(auditCount()).toBeGreaterThan(auditBefore + names.length * 3);
    const verdict = await engine.execute('audit.verify', {}, carol);
    expect(verdict).toMatchObject({ ok: true, value: { intact: true } });
  });

  it('closes an empty account only with a second supervisor, and the ledger then refuses to touch it', async () => {
    const customer = bank.customers[1]!;
    const savings = customer.accountIds[1]!;
    const funded = customer.accountIds[0]!;
    expect(await engine.execute('account.close', { accountId: funded, closingTransferId: ids.next() }, bob)).toMatchObject({
      ok: false,
      code: 'account_balance_not_zero',
    });
    const held = await engine.execute('account.close', { accountId: savings, closingTransferId: ids.next() }, bob);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    // A head teller with no branch cannot be the second person for a branch's account…
    const unassigned = { actor: 'hana', roles: ['head_teller'], deviceId: 'test' };
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, unassigned)).toMatchObject({ ok: false, code: 'checker_out_of_scope' });
    // …one at the branch can.
    await storage.transaction(async (tx) => {
      await tx.banking.put('user', { id: 'hana', displayName: 'Hana', roles: ['head_teller'], passwordHash: 'x', status: 'active', branchId: bank.branchId, createdAtMs: 0 });
    });
    expect(await engine.execute('approval.decide', { approvalId, decision: 'approve' }, unassigned)).toMatchObject({ ok: true });
    const account = await engine.execute('account.get', { accountId: savings }, alice);
    expect(account.ok && account.value.account.status).toBe('closed');
    const deposit = await engine.execute(
      'cash.deposit',
      { transferId: ids.next(), sessionId: bank.sessionId, accountId: savings, money: { amount: '100', currency: 'USD' } },
      alice,
    );
    expect(deposit).toMatchObject({ ok: false, code: 'account_closed' });
    const [ledgerAccount] = await storage.read((tx) => tx.ledger.accounts([savings]));
    const raw = await engine.execute(
      'ledger.create_transfers',
      { transfers: [{ id: ids.next(), debitAccountId: funded, creditAccountId: savings, amount: '1', ledger: 840, code: 1 }] },
      lena,
    );
    expect(raw).toMatchObject({ ok: false, code: 'ledger_account_protected' });
    expect(ledgerAccount!.flags & 32).toBe(32);
  });
});

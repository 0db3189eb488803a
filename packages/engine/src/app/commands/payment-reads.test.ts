import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../adapters/sqlite';
import { ManualClock } from '../../adapters/in-process/clock';
import { SequentialIds } from '../../adapters/in-process/ids';
import { AccountCodes } from '../../core/banking/types';
import { AccountFlags } from '../../core/ledger';
import type { Id128 } from '../../core/ids';
import { Engine } from '../engine';
import { applyAccounts, applyTransfers } from '../ledger';

const gateway = { actor: 'swift-gateway', roles: ['system'], deviceId: 'server' };
const dayMs = 86_400_000;

describe('the end-of-day statement of a busy account', () => {
  it('reads every movement of the day across pages (opening + lines = closing), and says so when there are more than one statement holds', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2, 9));
    const storage = new SqliteStorage({ path: ':memory:' });
    const ids = new SequentialIds(clock);
    const engine = new Engine({ storage, clock, ids });
    const account = ids.next();
    const other = ids.next();
    const count = 2_500;
    await storage.transaction(async (tx) => {
      const nowNs = BigInt(clock.nowMs()) * 1_000_000n;
      const yesterdayNs = nowNs - BigInt(dayMs) * 1_000_000n;
      await applyAccounts(tx.ledger, [{ id: account, ledger: 840, code: AccountCodes.customerCurrent, flags: AccountFlags.history }, { id: other, ledger: 840, code: AccountCodes.headOffice, flags: AccountFlags.history }], yesterdayNs);
      await tx.banking.put('bankAccount', { id: account, number: '00010000000001', customerId: ids.next(), productId: 'CURRENT-USD', kind: 'current', currency: 'USD', branchId: ids.next(), status: 'open', openedAtMs: clock.nowMs() });
      // The day before: a balance to open with. Then 2,500 movements today, more than two pages of the ledger's reads.
      const before = await applyTransfers(tx.ledger, [{ id: ids.next(), debitAccountId: other, creditAccountId: account, amount: 100_000n, ledger: 840, code: 10 }], yesterdayNs);
      expect(before).toEqual(['ok']);
      const events = Array.from({ length: count }, (_, index) => ({ id: ids.next(), debitAccountId: index % 3 === 0 ? account : other, creditAccountId: index % 3 === 0 ? other : account, amount: BigInt(1 + index), ledger: 840, code: 12 }));
      for (let start = 0; start < count; start += 500) expect(new Set(await applyTransfers(tx.ledger, events.slice(start, start + 500), nowNs))).toEqual(new Set(['ok']));
    });
    const found = await engine.execute('payment.customer_statements', { date: '2026-12-02' }, gateway);
    if (!found.ok) throw new Error(found.message);
    const day = found.value.statements.find((statement) => statement.accountId === (account as Id128))!;
    expect(day.complete).toBe(true);
    expect(day.lines).toHaveLength(count);
    const moved = day.lines.reduce((sum, line) => sum + (line.creditDebit === 'CRDT' ? BigInt(line.amountMinor) : -BigInt(line.amountMinor)), 0n);
    expect(BigInt(day.openingMinor)).toBe(100_000n);
    expect(BigInt(day.openingMinor) + moved).toBe(BigInt(day.closingMinor));
    // A non-calendar date is refused as input, never thrown on.
    const refused = await engine.execute('payment.customer_statements', { date: '2026-13-01' }, gateway);
    expect(refused).toMatchObject({ ok: false, code: 'invalid_input' });
    await storage.close();
  });
});

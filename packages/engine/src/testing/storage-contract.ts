import { ScryptPasswordHasher } from '../adapters/node/password';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../adapters/in-process/clock';
import { SequentialIds } from '../adapters/in-process/ids';
import { demoUsers, seedDemoBank } from '../app/demo';
import { Engine } from '../app/engine';
import { applyAccounts, applyTransfers } from '../app/ledger';
import { AuditVerifier, chainAuditRecord, type AuditEntry, type AuditRecord } from '../core/audit';
import type { Customer, Product, TillSession } from '../core/banking/types';
import type { Id128 } from '../core/ids';
import { AccountFlags, type Account, type BalanceRow, type LedgerChanges, type PendingStatus, type Transfer } from '../core/ledger';
import type { Storage } from '../ports/storage';

const i64Max = 2n ** 63n - 1n;
const u32Max = 2 ** 32 - 1;
const USD = 840;
const EUR = 978;

const id = (n: number): Id128 => n.toString(16).padStart(32, '0') as Id128;
const byId = <T extends { readonly id: string }>(items: readonly T[]): T[] => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));

function changes(parts: Partial<LedgerChanges> & { readonly lastTimestamp: bigint }): LedgerChanges {
  return { accountsCreated: [], accountsUpdated: [], transfersCreated: [], transfersUpdated: [], failures: [], balances: [], ...parts };
}

function account(n: number, fields: Partial<Account> = {}): Account {
  return {
    id: id(n),
    ledger: USD,
    code: 100,
    flags: 0,
    debitsPending: 0n,
    debitsPosted: 0n,
    creditsPending: 0n,
    creditsPosted: 0n,
    overdraftLimit: 0n,
    userData128: null,
    userData64: 0n,
    userData32: 0,
    timestamp: BigInt(n),
    ...fields,
  };
}

function transfer(n: number, fields: Partial<Transfer> = {}): Transfer {
  return {
    id: id(n),
    debitAccountId: id(1),
    creditAccountId: id(2),
    amount: 1n,
    pendingId: null,
    userData128: null,
    userData64: 0n,
    userData32: 0,
    timeout: 0,
    ledger: USD,
    code: 1,
    flags: 0,
    timestamp: BigInt(n),
    pendingStatus: 'none',
    expiresAt: 0n,
    ...fields,
  };
}

function balance(accountId: Id128, timestamp: bigint, creditsPosted: bigint): BalanceRow {
  return { accountId, transferId: id(Number(timestamp) + 1000), timestamp, debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted };
}

function auditEntry(n: number): AuditEntry {
  return {
    atMs: Date.UTC(2026, 10, 24) + n,
    actor: 'alice',
    roles: ['teller', 'head_teller'],
    deviceId: 'branch-0001-ws-3',
    command: 'cash.deposit',
    outcome: n % 2 === 0 ? 'ok' : 'insufficient_funds',
    detail: { n, amount: { amount: '9223372036854775807', currency: 'USD' }, note: 'Zoë "quoted" \\ ∑', tags: ['a', null, true, 1.5] },
  };
}

function customer(n: number, fields: Partial<Customer> = {}): Customer {
  return {
    id: id(n),
    branchId: id(900),
    fullName: `Customer ${n}`,
    dateOfBirth: '1984-03-12',
    nationalId: `N-${n}`,
    address: '1 Market Street',
    createdBy: 'alice',
    phone: '+1 415 555 0134',
    email: '',
    kycStatus: 'pending',
    riskRating: 'low',
    createdAtMs: Date.UTC(2026, 10, 24),
    ...fields,
  };
}

function product(productId: string, fields: Partial<Product> = {}): Product {
  return { id: productId, name: `Product ${productId}`, kind: 'current', currency: 'USD', overdraftLimitMinor: 0n, ...fields };
}

function tillSession(n: number, fields: Partial<TillSession> = {}): TillSession {
  return {
    id: id(n),
    tillId: id(800),
    tellerId: 'alice',
    status: 'open',
    openedAtMs: Date.UTC(2026, 10, 24, 9),
    openingCount: { '10000': 80, '5000': 30 },
    openingCountedMinor: 950_000n,
    openingVarianceMinor: 0n,
    closedAtMs: null,
    closingCount: null,
    closingCountedMinor: null,
    closingVarianceMinor: null,
    ...fields,
  };
}

/**
 * The behaviour every `Storage` adapter must share, run against each of them (SQLite and
 * PostgreSQL): the engine on either gives the same results. `open` must give a new, empty storage
 * each time it is called (one per test); `dispose` runs once at the end, after every storage it
 * gave has been closed, to remove what the suite made.
 */
export function describeStorageContract(name: string, open: () => Promise<Storage>, dispose: () => Promise<void>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage | undefined;
    const store = (): Storage => {
      if (storage === undefined) throw new Error('the storage did not open');
      return storage;
    };

    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage?.close();
      storage = undefined;
    });
    afterAll(dispose);

    describeLedgerStore(store);
    describeTransactions(store);
    describeBankingStore(store);
    describeAuditStore(store);
    describeAccessLog(store);
    describeUtxoStore(store);
    describeConcurrency(store);
    describeEngine(store);
  });
}

function describeLedgerStore(store: () => Storage): void {
  describe('ledger store', () => {
    it('starts empty, at timestamp zero', async () => {
      await store().read(async ({ ledger, audit, banking }) => {
        expect(await ledger.lastTimestamp()).toBe(0n);
        expect(await ledger.accounts([id(1)])).toEqual([]);
        expect(await ledger.transfers([id(1)])).toEqual([]);
        expect(await ledger.failures([id(1)])).toEqual([]);
        expect(await ledger.accounts([])).toEqual([]);
        expect(await ledger.duePendings(i64Max, 10)).toEqual([]);
        expect(await ledger.balanceAt(id(1), i64Max)).toBeUndefined();
        expect(await ledger.ledgerTotals()).toEqual([]);
        expect(await audit.head()).toBeUndefined();
        expect(await banking.get('customer', id(1))).toBeUndefined();
      });
    });

    it('round-trips every account, transfer, failure and balance field exactly, up to the 64-bit limits', async () => {
      const full = account(1, {
        ledger: u32Max,
        code: 65_535,
        flags: AccountFlags.history | AccountFlags.debitsMustNotExceedCredits,
        debitsPending: i64Max,
        debitsPosted: i64Max - 1n,
        creditsPending: i64Max - 2n,
        creditsPosted: i64Max - 3n,
        overdraftLimit: i64Max - 4n,
        userData128: id(0xabcdef),
        userData64: i64Max,
        userData32: u32Max,
        timestamp: i64Max - 5n,
      });
      const bare = account(2);
      const statuses: PendingStatus[] = ['none', 'pending', 'posted', 'voided', 'expired'];
      const transfers = statuses.map((pendingStatus, index) =>
        transfer(10 + index, {
          pendingStatus,
          pendingId: index % 2 === 0 ? null : id(10),
          userData128: index % 2 === 0 ? id(0xfeed + index) : null,
        }),
      );
      const extreme = transfer(20, {
        amount: i64Max,
        userData64: i64Max,
        userData32: u32Max,
        timeout: u32Max,
        ledger: u32Max,
        code: 65_535,
        flags: 0xff,
        timestamp: i64Max - 6n,
        expiresAt: i64Max,
        pendingStatus: 'pending',
      });
      const failures = [
        { id: id(30), result: 'exceeds_credits' as const },
        { id: id(31), result: 'accounts_must_be_different' as const },
      ];
      const balances: BalanceRow[] = [
        { accountId: id(1), transferId: id(20), timestamp: i64Max - 6n, debitsPending: i64Max, debitsPosted: 1n, creditsPending: 2n, creditsPosted: i64Max },
      ];
      await store().transaction(async ({ ledger }) => {
        await ledger.apply(
          changes({ accountsCreated: [full, bare], transfersCreated: [...transfers, extreme], failures, balances, lastTimestamp: i64Max - 1n }),
        );
      });
      await store().read(async ({ ledger }) => {
        expect(await ledger.lastTimestamp()).toBe(i64Max - 1n);
        expect(byId(await ledger.accounts([id(2), id(1), id(99), id(1)]))).toEqual([full, bare]);
        const allTransfers = [...transfers, extreme].map((t) => t.id);
        expect(byId(await ledger.transfers([...allTransfers, id(98)]))).toEqual(byId([...transfers, extreme]));
        expect(byId(await ledger.failures([id(31), id(30), id(10)]))).toEqual(failures);
        expect(await ledger.balanceAt(id(1), i64Max)).toEqual(balances[0]);
      });
    });

    it('writes updated balances and flags of accounts and the status of pending transfers', async () => {
      const source = account(1);
      const pending = transfer(10, { pendingStatus: 'pending', flags: 2, timeout: 60, expiresAt: 500n, amount: 7n });
      await store().transaction(({ ledger }) =>
        ledger.apply(changes({ accountsCreated: [source, account(2)], transfersCreated: [pending], lastTimestamp: 10n })),
      );
      const updated = { ...source, debitsPending: 5n, debitsPosted: 6n, creditsPending: 7n, creditsPosted: i64Max, flags: AccountFlags.closed };
      await store().transaction(({ ledger }) =>
        ledger.apply(
          changes({ accountsUpdated: [updated], transfersUpdated: [{ ...pending, pendingStatus: 'posted' }], lastTimestamp: 11n }),
        ),
      );
      await store().read(async ({ ledger }) => {
        expect(await ledger.accounts([id(1)])).toEqual([updated]);
        expect(await ledger.accounts([id(2)])).toEqual([account(2)]);
        expect(await ledger.transfers([id(10)])).toEqual([{ ...pending, pendingStatus: 'posted' }]);
        expect(await ledger.lastTimestamp()).toBe(11n);
      });
    });

    it('reads the balance at a moment and the statement lines after it, oldest first, by page', async () => {
      const a = id(1);
      const rows = [10n, 20n, 30n, 40n].map((timestamp) => balance(a, timestamp, timestamp * 100n));
      const other = balance(id(2), 15n, 1n);
      await store().transaction(({ ledger }) => ledger.apply(changes({ balances: [...rows, other], lastTimestamp: 40n })));
      await store().read(async ({ ledger }) => {
        expect(await ledger.balanceAt(a, 9n)).toBeUndefined();
        expect(await ledger.balanceAt(a, 10n)).toEqual(rows[0]);
        expect(await ledger.balanceAt(a, 25n)).toEqual(rows[1]);
        expect(await ledger.balanceAt(a, i64Max)).toEqual(rows[3]);
        expect(await ledger.balanceRows(a, 0n, 2)).toEqual(rows.slice(0, 2));
        expect(await ledger.balanceRows(a, 20n, 10)).toEqual(rows.slice(2));
        expect(await ledger.balanceRows(a, 40n, 10)).toEqual([]);
        expect(await ledger.balanceRows(id(2), 0n, 10)).toEqual([other]);
      });
    });

    it('pages the transfers of an account across its debit and credit sides in timestamp order', async () => {
      const a = id(1);
      const touching = [1, 2, 3, 4, 5, 6].map((n) =>
        n % 2 === 1
          ? transfer(100 + n, { debitAccountId: a, creditAccountId: id(2), timestamp: BigInt(n) })
          : transfer(100 + n, { debitAccountId: id(3), creditAccountId: a, timestamp: BigInt(n) }),
      );
      const elsewhere = transfer(200, { debitAccountId: id(2), creditAccountId: id(3), timestamp: 7n });
      await store().transaction(({ ledger }) =>
        ledger.apply(changes({ transfersCreated: [...[...touching].reverse(), elsewhere], lastTimestamp: 7n })),
      );
      await store().read(async ({ ledger }) => {
        expect(await ledger.accountTransfers(a, 0n, 4)).toEqual(touching.slice(0, 4));
        expect(await ledger.accountTransfers(a, 4n, 4)).toEqual(touching.slice(4));
        expect(await ledger.accountTransfers(a, 0n, 2)).toEqual(touching.slice(0, 2));
        expect(await ledger.accountTransfers(a, 6n, 4)).toEqual([]);
        expect(await ledger.accountTransfers(id(3), 0n, 10)).toEqual([touching[1], touching[3], touching[5], elsewhere]);
      });
    });

    it('lists due pending transfers oldest first (ties by id), only those pending with a timeout, up to the limit', async () => {
      const pending = (n: number, expiresAt: bigint, pendingStatus: PendingStatus = 'pending'): Transfer =>
        transfer(n, { flags: 2, timeout: 1, pendingStatus, expiresAt });
      const late = pending(11, 300n);
      const first = pending(12, 100n);
      const middle = pending(13, 200n);
      const noTimeout = pending(14, 0n);
      const posted = pending(15, 50n, 'posted');
      const future = pending(16, 1000n);
      const tieHigh = pending(18, 150n);
      const tieLow = pending(17, 150n);
      await store().transaction(({ ledger }) =>
        ledger.apply(
          changes({ transfersCreated: [late, first, middle, noTimeout, posted, future, tieHigh, tieLow], lastTimestamp: 20n }),
        ),
      );
      await store().read(async ({ ledger }) => {
        expect(await ledger.duePendings(500n, 10)).toEqual([first, tieLow, tieHigh, middle, late]);
        expect(await ledger.duePendings(500n, 2)).toEqual([first, tieLow]);
        expect(await ledger.duePendings(100n, 10)).toEqual([first]);
        expect(await ledger.duePendings(99n, 10)).toEqual([]);
      });
    });

    it('totals each ledger, ordered by ledger, beyond 64 bits', async () => {
      const big = { debitsPosted: i64Max, creditsPosted: i64Max, debitsPending: i64Max, creditsPending: 1n };
      await store().transaction(({ ledger }) =>
        ledger.apply(
          changes({
            accountsCreated: [
              account(1, { ledger: EUR, ...big }),
              account(2, { ledger: EUR, ...big }),
              account(3, { ledger: USD, debitsPosted: 5n, creditsPending: 7n }),
              account(4, { ledger: USD, creditsPosted: 5n, debitsPending: 7n }),
            ],
            lastTimestamp: 4n,
          }),
        ),
      );
      expect(await store().read(({ ledger }) => ledger.ledgerTotals())).toEqual([
        { ledger: USD, debitsPosted: 5n, creditsPosted: 5n, debitsPending: 7n, creditsPending: 7n },
        { ledger: EUR, debitsPosted: 2n * i64Max, creditsPosted: 2n * i64Max, debitsPending: 2n * i64Max, creditsPending: 2n },
      ]);
    });
  });
}

function describeTransactions(store: () => Storage): void {
  describe('transactions', () => {
    it('commits the work and returns its value; a read sees what was committed', async () => {
      const value = await store().transaction(async ({ ledger, banking }) => {
        await ledger.apply(changes({ accountsCreated: [account(1)], lastTimestamp: 1n }));
        return banking.nextSequence('numbers');
      });
      expect(value).toBe(1);
      expect(await store().read(({ ledger }) => ledger.accounts([id(1)]))).toEqual([account(1)]);
    });

    it('rolls back the ledger, entities, sequences and audit log together when the work throws', async () => {
      await store().transaction(({ banking }) => banking.nextSequence('numbers'));
      const failure = new Error('the work failed half-way');
      const attempt = store().transaction(async ({ ledger, banking, audit }) => {
        await ledger.apply(
          changes({
            accountsCreated: [account(1), account(2)],
            transfersCreated: [transfer(10)],
            failures: [{ id: id(11), result: 'exceeds_credits' }],
            balances: [balance(id(1), 10n, 1n)],
            lastTimestamp: 10n,
          }),
        );
        await banking.put('customer', customer(50));
        expect(await banking.nextSequence('numbers')).toBe(2);
        expect(await banking.nextSequence('other')).toBe(1);
        await audit.append(chainAuditRecord(undefined, auditEntry(1)));
        expect(await ledger.accounts([id(1)])).toHaveLength(1);
        throw failure;
      });
      await expect(attempt).rejects.toBe(failure);
      await store().read(async ({ ledger, banking, audit }) => {
        expect(await ledger.lastTimestamp()).toBe(0n);
        expect(await ledger.accounts([id(1), id(2)])).toEqual([]);
        expect(await ledger.transfers([id(10)])).toEqual([]);
        expect(await ledger.failures([id(11)])).toEqual([]);
        expect(await ledger.balanceAt(id(1), i64Max)).toBeUndefined();
        expect(await banking.get('customer', id(50))).toBeUndefined();
        expect(await banking.findBy('customer', 'nationalId', 'N-50', 10)).toEqual([]);
        expect(await audit.head()).toBeUndefined();
      });
      expect(await store().transaction(({ banking }) => banking.nextSequence('numbers'))).toBe(2);
      expect(await store().transaction(({ banking }) => banking.nextSequence('other'))).toBe(1);
    });

    it('rolls back when a statement fails, and the storage goes on working', async () => {
      await store().transaction(({ ledger }) => ledger.apply(changes({ accountsCreated: [account(1)], lastTimestamp: 1n })));
      const duplicate = store().transaction(async ({ ledger }) => {
        await ledger.apply(changes({ accountsCreated: [account(2)], lastTimestamp: 2n }));
        await ledger.apply(changes({ accountsCreated: [account(1)], lastTimestamp: 3n }));
      });
      await expect(duplicate).rejects.toThrow();
      await store().read(async ({ ledger }) => {
        expect(await ledger.accounts([id(1), id(2)])).toEqual([account(1)]);
        expect(await ledger.lastTimestamp()).toBe(1n);
      });
      await store().transaction(({ ledger }) => ledger.apply(changes({ accountsCreated: [account(2)], lastTimestamp: 2n })));
      expect(byId(await store().read(({ ledger }) => ledger.accounts([id(1), id(2)])))).toEqual([account(1), account(2)]);
    });
  });
}

function describeBankingStore(store: () => Storage): void {
  describe('banking store', () => {
    it('stores entities by kind and id and finds them by their keys, in id order, up to the limit', async () => {
      const [first, second, third] = [customer(1), customer(2, { fullName: 'Zoë Ørsted' }), customer(3, { branchId: id(901) })];
      await store().transaction(async ({ banking }) => {
        for (const entity of [third, second, first]) await banking.put('customer', entity);
      });
      await store().read(async ({ banking }) => {
        expect(await banking.get('customer', id(2))).toEqual(second);
        expect(await banking.get('branch', id(2))).toBeUndefined();
        expect(await banking.findBy('customer', 'branch', id(900), 10)).toEqual([first, second]);
        expect(await banking.findBy('customer', 'branch', id(900), 1)).toEqual([first]);
        expect(await banking.findBy('customer', 'name', 'zoë ørsted', 10)).toEqual([second]);
        expect(await banking.findBy('customer', 'nationalId', 'N-3', 10)).toEqual([third]);
        expect(await banking.findBy('customer', 'nationalId', 'N-4', 10)).toEqual([]);
        expect(await banking.findBy('till', 'branch', id(900), 10)).toEqual([]);
      });
    });

    it('replacing an entity re-indexes its keys', async () => {
      const open = tillSession(5);
      await store().transaction(async ({ banking }) => {
        await banking.put('customer', customer(1));
        await banking.put('tillSession', open);
      });
      const renamed = customer(1, { nationalId: 'N-NEW', kycStatus: 'verified' });
      const closed = tillSession(5, { status: 'closed', closedAtMs: open.openedAtMs + 1, closingCount: { '10000': 1 }, closingCountedMinor: 10_000n, closingVarianceMinor: -940_000n });
      await store().transaction(async ({ banking }) => {
        expect(await banking.findBy('tillSession', 'openTill', id(800), 10)).toEqual([open]);
        await banking.put('customer', renamed);
        await banking.put('tillSession', closed);
      });
      await store().read(async ({ banking }) => {
        expect(await banking.get('customer', id(1))).toEqual(renamed);
        expect(await banking.findBy('customer', 'nationalId', 'N-1', 10)).toEqual([]);
        expect(await banking.findBy('customer', 'nationalId', 'N-NEW', 10)).toEqual([renamed]);
        expect(await banking.findBy('customer', 'branch', id(900), 10)).toEqual([renamed]);
        expect(await banking.findBy('tillSession', 'openTill', id(800), 10)).toEqual([]);
        expect(await banking.findBy('tillSession', 'openTeller', 'alice', 10)).toEqual([]);
        expect(await banking.findBy('tillSession', 'till', id(800), 10)).toEqual([closed]);
      });
    });

    it('keeps bigints and any text exact', async () => {
      const odd = product('ODD', { name: 'Zoë’s "quoted" \\ back\\slash, {braces}, NULL, ∑ 💶', overdraftLimitMinor: i64Max });
      await store().transaction(({ banking }) => banking.put('product', odd));
      expect(await store().read(({ banking }) => banking.get('product', 'ODD'))).toEqual(odd);
    });

    it('lists a kind by id in byte order, page after page', async () => {
      const ids = ['b', 'B', 'a-1', 'A', 'Ω', 'a'];
      await store().transaction(async ({ banking }) => {
        for (const productId of ids) await banking.put('product', product(productId));
        await banking.put('customer', customer(1));
      });
      await store().read(async ({ banking }) => {
        const all = await banking.list('product', '', 10);
        expect(all.map((p) => p.id)).toEqual(['A', 'B', 'a', 'a-1', 'b', 'Ω']);
        expect((await banking.list('product', 'B', 2)).map((p) => p.id)).toEqual(['a', 'a-1']);
        expect((await banking.list('product', 'b', 2)).map((p) => p.id)).toEqual(['Ω']);
        expect(await banking.list('product', 'Ω', 2)).toEqual([]);
        expect(await banking.list('customer', '', 10)).toEqual([customer(1)]);
        // A range: strictly between its bounds, in byte order, up to the limit.
        expect((await banking.listRange('product', 'A', 'b', 10)).map((p) => p.id)).toEqual(['B', 'a', 'a-1']);
        expect((await banking.listRange('product', 'a', 'a:', 10)).map((p) => p.id)).toEqual(['a-1']);
        expect((await banking.listRange('product', '', 'Ω', 2)).map((p) => p.id)).toEqual(['A', 'B']);
        expect(await banking.listRange('product', 'b', 'b', 10)).toEqual([]);
      });
    });

    it('numbers each named sequence from 1 without gaps, even across a rolled-back transaction', async () => {
      const next = (name: string) => store().transaction(({ banking }) => banking.nextSequence(name));
      expect(await next('account:0001')).toBe(1);
      expect(await next('account:0001')).toBe(2);
      expect(await next('account:0002')).toBe(1);
      const abandoned = store().transaction(async ({ banking }) => {
        expect(await banking.nextSequence('account:0001')).toBe(3);
        expect(await banking.nextSequence('account:0001')).toBe(4);
        throw new Error('abandoned');
      });
      await expect(abandoned).rejects.toThrow('abandoned');
      expect(await next('account:0001')).toBe(3);
      expect(await next('account:0002')).toBe(2);
    });
  });
}

function describeAuditStore(store: () => Storage): void {
  describe('audit store', () => {
    it('appends the hash-chained log, gives its head, and pages it in order', async () => {
      const records: AuditRecord[] = [];
      for (let n = 1; n <= 3; n += 1) {
        await store().transaction(async ({ audit }) => {
          const record = chainAuditRecord(await audit.head(), auditEntry(n));
          await audit.append(record);
          records.push(record);
        });
      }
      await store().read(async ({ audit }) => {
        expect(await audit.head()).toEqual(records[2]);
        expect(await audit.page(0, 2)).toEqual(records.slice(0, 2));
        expect(await audit.page(2, 10)).toEqual(records.slice(2));
        expect(await audit.page(3, 10)).toEqual([]);
        const verifier = new AuditVerifier();
        for (const record of await audit.page(0, 10)) expect(verifier.check(record)).toBeUndefined();
        expect(verifier.head).toEqual({ count: 3, hash: records[2]!.hash });
      });
    });
  });
}

function describeAccessLog(store: () => Storage): void {
  describe('access log', () => {
    it('appends reads durably outside any transaction, pages them in order, and finds them by the customer or account they showed', async () => {
      const read = (n: number, subjects: string[]) => ({ atMs: 1_000 + n, actor: `user-${n}`, deviceId: 'ws-1', command: 'account.get', subjects, detail: { accountId: subjects[0] ?? '', note: 'Zoë "q" ∑' } });
      await store().appendAccess([read(1, [id(1), id(2)]), read(2, [id(2)])]);
      await store().appendAccess([read(3, [id(3)]), read(4, [])]);
      await store().read(async ({ access }) => {
        const all = await access.page(0, 10);
        expect(all.map(({ seq: _seq, ...entry }) => entry)).toEqual([read(1, [id(1), id(2)]), read(2, [id(2)]), read(3, [id(3)]), read(4, [])]);
        expect(all.map((entry) => entry.seq)).toEqual([...all.map((entry) => entry.seq)].sort((a, b) => a - b));
        expect((await access.page(all[1]!.seq, 10)).map((entry) => entry.actor)).toEqual(['user-3', 'user-4']);
        expect((await access.page(0, 10, id(2))).map((entry) => entry.actor)).toEqual(['user-1', 'user-2']);
        expect((await access.page(all[0]!.seq, 10, id(2))).map((entry) => entry.actor)).toEqual(['user-2']);
        expect(await access.page(0, 10, id(9))).toEqual([]);
      });
    });

    it('keeps what was appended when a later write transaction rolls back', async () => {
      await store().appendAccess([{ atMs: 1, actor: 'a', deviceId: 'd', command: 'customer.get', subjects: [id(5)], detail: {} }]);
      await expect(store().transaction(async () => { throw new Error('rolled back'); })).rejects.toThrow('rolled back');
      expect(await store().read(({ access }) => access.page(0, 10, id(5)))).toHaveLength(1);
    });
  });
}

/** A 32-byte hash as the unspent set keeps it, from a small number (64 hex digits). */
const hash = (n: number): string => n.toString(16).padStart(64, 'f');

function describeUtxoStore(store: () => Storage): void {
  describe('CBDC unspent set', () => {
    it('creates, finds, counts and spends output hashes; spending answers how many were unspent', async () => {
      await store().transaction(async ({ utxo }) => {
        expect(await utxo.count()).toBe(0);
        await utxo.create([hash(1), hash(2), hash(3)]);
      });
      await store().read(async ({ utxo }) => {
        expect([...(await utxo.unspent([hash(3), hash(9), hash(1)]))].sort()).toEqual([hash(1), hash(3)]);
        expect(await utxo.unspent([])).toEqual([]);
        expect(await utxo.count()).toBe(3);
      });
      await store().transaction(async ({ utxo }) => {
        expect(await utxo.spend([hash(1), hash(9)])).toBe(1);
        expect(await utxo.spend([hash(1)])).toBe(0);
        expect(await utxo.spend([])).toBe(0);
        expect(await utxo.unspent([hash(1), hash(2)])).toEqual([hash(2)]);
      });
      expect(await store().read(({ utxo }) => utxo.count())).toBe(2);
    });

    it('rolls back spends, creations and settled txids together, and refuses a hash or txid twice', async () => {
      await store().transaction(async ({ utxo }) => {
        await utxo.create([hash(1)]);
        await utxo.recordSettled([hash(100)]);
      });
      await expect(
        store().transaction(async ({ utxo }) => {
          expect(await utxo.spend([hash(1)])).toBe(1);
          await utxo.create([hash(2)]);
          await utxo.recordSettled([hash(101)]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await expect(store().transaction(({ utxo }) => utxo.create([hash(1)]))).rejects.toThrow();
      await expect(store().transaction(({ utxo }) => utxo.recordSettled([hash(100)]))).rejects.toThrow();
      await store().read(async ({ utxo }) => {
        expect(await utxo.unspent([hash(1), hash(2)])).toEqual([hash(1)]);
        expect(await utxo.settled([hash(100), hash(101)])).toEqual([hash(100)]);
        expect(await utxo.count()).toBe(1);
      });
    });

    it('keeps each currency\'s issuer keys byte for byte, and replaces them', async () => {
      const keys = (fill: number) => ({ mlDsa65: new Uint8Array(1952).fill(fill), ed25519: new Uint8Array(32).fill(fill + 1) });
      expect(await store().read(({ utxo }) => utxo.issuer('USD'))).toBeUndefined();
      await store().transaction(({ utxo }) => utxo.setIssuer('USD', keys(7)));
      await store().transaction(({ utxo }) => utxo.setIssuer('EUR', keys(0)));
      await store().transaction(({ utxo }) => utxo.setIssuer('USD', keys(200)));
      expect(await store().read(({ utxo }) => utxo.issuer('USD'))).toEqual(keys(200));
      expect(await store().read(({ utxo }) => utxo.issuer('EUR'))).toEqual(keys(0));
    });
  });
}

function describeConcurrency(store: () => Storage): void {
  describe('concurrency', () => {
    it('serialises concurrent transactions that read-modify-write the same accounts', async () => {
      const nowNs = 1_700_000_000_000_000_000n;
      const [funding, guarded, sink] = [id(1), id(2), id(3)];
      await store().transaction(({ ledger }) =>
        applyAccounts(
          ledger,
          [
            { id: funding, ledger: USD, code: 300 },
            { id: guarded, ledger: USD, code: 100, flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.history },
            { id: sink, ledger: USD, code: 100, flags: AccountFlags.history },
          ],
          nowNs,
        ),
      );
      const fundedMinor = 10;
      const fund = await store().transaction(({ ledger }) =>
        applyTransfers(ledger, [{ id: id(100), debitAccountId: funding, creditAccountId: guarded, amount: BigInt(fundedMinor), ledger: USD, code: 1 }], nowNs),
      );
      expect(fund).toEqual(['ok']);

      // More spenders than the guarded account can pay: a lost update would let too many through.
      const spenders = 16;
      const spent = await Promise.all(
        Array.from({ length: spenders }, (_, n) =>
          store().transaction(({ ledger }) =>
            applyTransfers(ledger, [{ id: id(200 + n), debitAccountId: guarded, creditAccountId: sink, amount: 1n, ledger: USD, code: 1 }], nowNs),
          ),
        ),
      );
      expect(spent.flat().filter((result) => result === 'ok')).toHaveLength(fundedMinor);
      expect(spent.flat().filter((result) => result === 'exceeds_credits')).toHaveLength(spenders - fundedMinor);

      const payers = 12;
      const paid = await Promise.all(
        Array.from({ length: payers }, (_, n) =>
          store().transaction(({ ledger }) =>
            applyTransfers(ledger, [{ id: id(300 + n), debitAccountId: funding, creditAccountId: sink, amount: BigInt(n + 1), ledger: USD, code: 1 }], nowNs),
          ),
        ),
      );
      expect(paid.flat()).toEqual(Array.from({ length: payers }, () => 'ok'));
      const paidMinor = BigInt((payers * (payers + 1)) / 2);

      await store().read(async ({ ledger }) => {
        const accounts = new Map((await ledger.accounts([funding, guarded, sink])).map((a) => [a.id, a]));
        expect(accounts.get(guarded)).toMatchObject({ debitsPosted: BigInt(fundedMinor), creditsPosted: BigInt(fundedMinor) });
        expect(accounts.get(sink)).toMatchObject({ creditsPosted: BigInt(fundedMinor) + paidMinor, debitsPosted: 0n });
        expect(accounts.get(funding)).toMatchObject({ debitsPosted: BigInt(fundedMinor) + paidMinor });
        expect(await ledger.ledgerTotals()).toEqual([
          { ledger: USD, debitsPosted: 2n * BigInt(fundedMinor) + paidMinor, creditsPosted: 2n * BigInt(fundedMinor) + paidMinor, debitsPending: 0n, creditsPending: 0n },
        ]);
        const lines = await ledger.balanceRows(sink, 0n, 100);
        expect(lines).toHaveLength(fundedMinor + payers);
        for (let index = 1; index < lines.length; index += 1) {
          expect(lines[index]!.timestamp).toBeGreaterThan(lines[index - 1]!.timestamp);
          expect(lines[index]!.creditsPosted).toBeGreaterThan(lines[index - 1]!.creditsPosted);
        }
        expect(lines.at(-1)!.creditsPosted).toBe(BigInt(fundedMinor) + paidMinor);
        expect(await ledger.lastTimestamp()).toBe(lines.at(-1)!.timestamp);
      });
    });
  });
}

function describeEngine(store: () => Storage): void {
  describe('engine', () => {
    it('runs the demo bank: every ledger balanced and the audit chain intact', async () => {
      const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
      const ids = new SequentialIds(clock);
      const engine = new Engine({ storage: store(), clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
      const bank = await seedDemoBank(engine, ids, { clock });
      expect(bank.customers).toHaveLength(3);

      const totals = await engine.execute('ledger.totals', {}, demoUsers.olivia);
      if (!totals.ok) throw new Error(`ledger.totals refused: ${totals.code}`);
      expect(totals.value.map((total) => total.ledger).sort()).toEqual([USD, EUR]);
      expect(totals.value.every((total) => total.balanced)).toBe(true);

      const verdict = await engine.execute('audit.verify', {}, demoUsers.carol);
      if (!verdict.ok) throw new Error(`audit.verify refused: ${verdict.code}`);
      expect(verdict.value).toMatchObject({ intact: true, break: null });
      expect(verdict.value.count).toBeGreaterThan(20);
    });
  });
}

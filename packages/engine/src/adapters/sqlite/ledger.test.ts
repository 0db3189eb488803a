import { afterEach, describe, expect, it } from 'vitest';
import { applyAccounts, applyTransfers } from '../../app/ledger';
import { AccountFlags, TransferFlags } from '../../core/ledger';
import { SqliteStorage } from './storage';

const id = (n: number): string => n.toString(16).padStart(32, '0');
const USD = 840;

describe('ledger on SQLite', () => {
  let storage: SqliteStorage;
  afterEach(async () => storage.close());

  it('posts a transfer, refuses an overdraft, and answers a retry with exists', async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    const now = 1_700_000_000_000_000_000n;
    await storage.transaction(async (tx) => {
      const opened = await applyAccounts(
        tx.ledger,
        [
          { id: id(1), ledger: USD, code: 100, flags: AccountFlags.debitsMustNotExceedCredits },
          { id: id(2), ledger: USD, code: 200 },
        ],
        now,
      );
      expect(opened).toEqual(['ok', 'ok']);
    });
    const results = await storage.transaction((tx) =>
      applyTransfers(
        tx.ledger,
        [
          { id: id(10), debitAccountId: id(2), creditAccountId: id(1), amount: 500n, ledger: USD, code: 1 },
          { id: id(11), debitAccountId: id(1), creditAccountId: id(2), amount: 501n, ledger: USD, code: 1 },
          { id: id(12), debitAccountId: id(1), creditAccountId: id(2), amount: 200n, ledger: USD, code: 1, flags: TransferFlags.pending, timeout: 1 },
        ],
        now,
      ),
    );
    expect(results).toEqual(['ok', 'exceeds_credits', 'ok']);
    const again = await storage.transaction((tx) =>
      applyTransfers(
        tx.ledger,
        [
          { id: id(10), debitAccountId: id(2), creditAccountId: id(1), amount: 500n, ledger: USD, code: 1 },
          { id: id(11), debitAccountId: id(1), creditAccountId: id(2), amount: 1n, ledger: USD, code: 1 },
          { id: id(13), pendingId: id(12), amount: 0n, flags: TransferFlags.postPendingTransfer },
        ],
        now + 2_000_000_000n,
      ),
    );
    expect(again).toEqual(['exists', 'id_already_failed', 'pending_transfer_expired']);
    const [account] = await storage.read((tx) => tx.ledger.accounts([id(1)]));
    expect(account).toMatchObject({ creditsPosted: 500n, debitsPosted: 0n, debitsPending: 0n });
    const totals = await storage.read((tx) => tx.ledger.ledgerTotals());
    expect(totals).toEqual([{ ledger: USD, debitsPosted: 500n, creditsPosted: 500n, debitsPending: 0n, creditsPending: 0n }]);
  });
});

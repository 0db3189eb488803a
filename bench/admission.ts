/**
 * What admission costs a teller's command: cash deposits on SQLite (a real file, WAL, synchronous
 * FULL), each admitted by the bank's policy — the caller's standing, the till session and the
 * account's branch for the scope, the teller's limit and the day's tally — against the same
 * deposits under a policy that checks only the permission (as the engine did before the policy
 * table). Both engines run the same commands on copies of the same bank, in the same run.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, ManualClock, SequentialIds, commandPolicies, demoUsers, seedDemoBank, type PolicyTable } from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { check, temporaryDirectory, throughput, type Benchmark, type Figure } from './support';

const deposits = 3_000;
const amountMinor = '500';

/** The bank's table with cash.deposit reduced to its permission: no scope, no limit, no second person. */
const permissionOnly: PolicyTable = {
  ...commandPolicies,
  'cash.deposit': { permission: 'till.operate', scope: 'any', limit: null, secondPerson: { when: 'never' }, runs: 'offline' },
};

async function runDeposits(path: string, policies: PolicyTable | undefined, sessionId: string, accountIds: readonly string[]): Promise<{ seconds: number; posted: bigint }> {
  const storage = new SqliteStorage({ path });
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 30));
  const ids = new SequentialIds(clock, 11);
  const engine = new Engine({ storage, clock, ids, ...(policies === undefined ? {} : { policies }) });
  const started = performance.now();
  for (let index = 0; index < deposits; index += 1) {
    const accountId = accountIds[index % accountIds.length]!;
    const result = await engine.execute('cash.deposit', { transferId: ids.next(), sessionId, accountId, money: { amount: amountMinor, currency: 'USD' } }, demoUsers.alice);
    check(result.ok, `deposit ${index}: ${JSON.stringify(result)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const accounts = await storage.read((tx) => tx.ledger.accounts(accountIds as never));
  const totals = await storage.read((tx) => tx.ledger.ledgerTotals());
  check(totals.every((total) => total.debitsPosted === total.creditsPosted), 'every ledger sums to zero');
  await storage.close();
  return { seconds, posted: accounts.reduce((sum, account) => sum + account.creditsPosted, 0n) };
}

async function admissionBenchmark(): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-admission-');
  try {
    const bankPath = join(directory.path, 'bank.db');
    const storage = new SqliteStorage({ path: bankPath });
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 8));
    const ids = new SequentialIds(clock, 0);
    const bank = await seedDemoBank(new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) }), ids, { clock });
    await storage.close();
    const accountIds = bank.customers.map((customer) => customer.accountIds[0]!);
    copyFileSync(bankPath, join(directory.path, 'policy.db'));
    copyFileSync(bankPath, join(directory.path, 'baseline.db'));
    // 3,000 deposits of 5.00 stay within alice's 25,000.00 a day under the bank's policy.
    const baseline = await runDeposits(join(directory.path, 'baseline.db'), permissionOnly, bank.sessionId, accountIds);
    const admitted = await runDeposits(join(directory.path, 'policy.db'), undefined, bank.sessionId, accountIds);
    check(admitted.posted === baseline.posted, 'both engines posted the same deposits');
    return throughput('admission.cash.deposit', 'commands/s', deposits, admitted.seconds, deposits, baseline.seconds, 'the same deposits under a permission-only policy');
  } finally {
    directory.dispose();
  }
}

export const admissionBenchmarks: readonly Benchmark[] = [{ name: 'admission.cash.deposit', run: admissionBenchmark }];

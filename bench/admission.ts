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

interface Runner {
  readonly storage: SqliteStorage;
  readonly engine: Engine;
  readonly ids: SequentialIds;
  seconds: number;
}

function runner(path: string, policies: PolicyTable | undefined): Runner {
  const storage = new SqliteStorage({ path });
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 30));
  const ids = new SequentialIds(clock, 11);
  return { storage, ids, seconds: 0, engine: new Engine({ storage, clock, ids, ...(policies === undefined ? {} : { policies }) }) };
}

/** Runs `count` deposits from `from` on one engine and adds their time to its total. */
async function depositRound(run: Runner, from: number, count: number, sessionId: string, accountIds: readonly string[]): Promise<void> {
  const started = performance.now();
  for (let index = from; index < from + count; index += 1) {
    const accountId = accountIds[index % accountIds.length]!;
    const result = await run.engine.execute('cash.deposit', { transferId: run.ids.next(), sessionId, accountId, money: { amount: amountMinor, currency: 'USD' } }, demoUsers.alice);
    check(result.ok, `deposit ${index}: ${JSON.stringify(result)}`);
  }
  run.seconds += (performance.now() - started) / 1000;
}

async function finish(run: Runner, accountIds: readonly string[]): Promise<bigint> {
  const accounts = await run.storage.read((tx) => tx.ledger.accounts(accountIds as never));
  const totals = await run.storage.read((tx) => tx.ledger.ledgerTotals());
  check(totals.every((total) => total.debitsPosted === total.creditsPosted), 'every ledger sums to zero');
  await run.storage.close();
  return accounts.reduce((sum, account) => sum + account.creditsPosted, 0n);
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
    // 3,000 deposits of 5.00 stay within alice's 25,000.00 a day under the bank's policy. Each commit
    // waits for the disk, whose speed drifts on this shared machine: the two engines take turns in
    // rounds (the order alternating), so both meet the same disk.
    const baseline = runner(join(directory.path, 'baseline.db'), permissionOnly);
    const admitted = runner(join(directory.path, 'policy.db'), undefined);
    const round = 250;
    for (let from = 0, turn = 0; from < deposits; from += round, turn += 1) {
      const order = turn % 2 === 0 ? [baseline, admitted] : [admitted, baseline];
      for (const run of order) await depositRound(run, from, round, bank.sessionId, accountIds);
    }
    check((await finish(admitted, accountIds)) === (await finish(baseline, accountIds)), 'both engines posted the same deposits');
    return throughput('admission.cash.deposit', 'commands/s', deposits, admitted.seconds, deposits, baseline.seconds, 'the same deposits under a permission-only policy');
  } finally {
    directory.dispose();
  }
}

export const admissionBenchmarks: readonly Benchmark[] = [{ name: 'admission.cash.deposit', run: admissionBenchmark }];

/**
 * The crash test's worker: settles the plan's units (a mint, or a batch for cbdc.settle) into an
 * SQLite file, from the first, again and again, until killed. A unit already settled answers
 * already_settled and changes nothing, so resuming is re-running. Prints "ready", then
 * "committed N" after each unit's transaction has committed.
 */
import { readFileSync } from 'node:fs';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { settlerCtx, tokenEngine, treasurer } from './token-support';

const [databasePath, planPath] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planPath!, 'utf8')) as Array<{ kind: 'mint' | 'settle'; transactions: unknown[] }>;
const storage = new SqliteStorage({ path: databasePath!, checkpoint: 'inline' });
const engine = await tokenEngine(storage);
process.stdout.write('ready\n');
for (;;) {
  for (const [index, unit] of plan.entries()) {
    const answer =
      unit.kind === 'mint'
        ? await engine.executeAny('cbdc.mint', { transaction: unit.transactions[0] }, treasurer)
        : await engine.executeAny('cbdc.settle', { transactions: unit.transactions }, settlerCtx);
    if (!answer.ok && answer.code !== 'already_settled') throw new Error(`unit ${index}: ${answer.code} ${answer.message}`);
    process.stdout.write(`committed ${index}\n`);
  }
}

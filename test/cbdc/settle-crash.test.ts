/**
 * Crash safety of CBDC settlement on SQLite (WAL, synchronous=FULL): a worker process settles a
 * fixed plan of mints and batches and is killed with SIGKILL at random moments, several times.
 * After each kill the file is reopened: every planned transaction is wholly applied (inputs gone,
 * outputs present, txid recorded) or not at all (inputs present, no outputs, no txid); the units
 * that committed are a prefix of the plan, every acknowledged one among them; and the unspent set
 * is exactly the model of that prefix.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cbdcTxid, createdOutputHashes, inputHash, type CbdcTransaction } from '@qenex/engine';
import { seededFraction } from '@qenex/engine/testing';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { UnspentModel, coinsOf, mintTx, spendTx, toJson, usd, type Coin } from './token-support';

const kills = 10;
const killDelayMaxMs = 250;
const batches = 60;
const batchSize = 8;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerPath = fileURLToPath(new URL('./settle-crash-worker.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'qenex-cbdc-crash-'));
const databasePath = join(directory, 'tokens.db');
const planPath = join(directory, 'plan.json');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Unit {
  readonly kind: 'mint' | 'settle';
  readonly txs: CbdcTransaction[];
}

/** Four mints, then batches of payments, each spending a coin made earlier (some made in the same batch). */
function makePlan(): Unit[] {
  const random = seededFraction(7);
  const units: Unit[] = [];
  let coins: Coin[] = [];
  for (let holder = 0; holder < 4; holder += 1) {
    const mint = mintTx(holder + 1, [usd(1_000_000n, holder)]);
    units.push({ kind: 'mint', txs: [mint] });
    coins.push(...coinsOf(mint, [holder]));
  }
  for (let batch = 0; batch < batches; batch += 1) {
    const txs: CbdcTransaction[] = [];
    for (let slot = 0; slot < batchSize; slot += 1) {
      const coin = coins[Math.floor(random() * coins.length)]!;
      coins = coins.filter((other) => other !== coin);
      const value = coin.input.output.value;
      const to = Math.floor(random() * 4);
      const outputs = value > 1n ? [usd(value / 2n, to), usd(value - value / 2n, coin.holder)] : [usd(value, to)];
      const tx = spendTx([coin], outputs);
      txs.push(tx);
      coins.push(...coinsOf(tx, outputs.length === 2 ? [to, coin.holder] : [to]));
    }
    units.push({ kind: 'settle', txs });
  }
  return units;
}

function runWorker(killAfterMs: number): Promise<{ acknowledged: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, databasePath, planPath], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let acknowledged = -1;
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const [word, number] = line.split(' ');
      if (word === 'committed') acknowledged = Math.max(acknowledged, Number(number));
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      resolve({ acknowledged, stderr });
    });
  });
}

/** Checks the file after a kill; answers how many units are present (a prefix of the plan). */
async function check(plan: readonly Unit[]): Promise<number> {
  const storage = new SqliteStorage({ path: databasePath, checkpoint: 'inline' });
  try {
    return await storage.read(async ({ utxo }) => {
      const txids = plan.map((unit) => unit.txs.map(cbdcTxid));
      const settled = new Set(await utxo.settled(txids.flat()));
      let present = 0;
      while (present < plan.length && txids[present]!.every((txid) => settled.has(txid))) present += 1;
      for (let index = present; index < plan.length; index += 1) {
        expect(txids[index]!.filter((txid) => settled.has(txid)), `unit ${index} is after the committed prefix`).toEqual([]);
      }
      const model = new UnspentModel();
      for (const unit of plan.slice(0, present)) for (const tx of unit.txs) expect(model.apply(tx)).toBe('settled');
      for (const unit of plan) {
        for (const tx of unit.txs) {
          const txid = cbdcTxid(tx);
          const outputs = await utxo.unspent(createdOutputHashes(txid, tx));
          if (settled.has(txid)) {
            expect(await utxo.unspent(tx.inputs.map(inputHash)), `settled ${txid} left an input unspent`).toEqual([]);
            // Outputs are present unless a later settled transaction spent them.
            expect(outputs.every((hash) => model.unspent.has(hash))).toBe(true);
          } else {
            expect(outputs, `unsettled ${txid} has outputs`).toEqual([]);
          }
        }
      }
      const modelHashes = [...model.unspent.keys()];
      expect(await utxo.count()).toBe(modelHashes.length);
      expect((await utxo.unspent(modelHashes)).length).toBe(modelHashes.length);
      expect(model.total()).toBe(model.minted - model.redeemed);
      return present;
    });
  } finally {
    await storage.close();
  }
}

describe('CBDC settlement survives SIGKILL at any moment', () => {
  it('leaves each transaction wholly applied or not at all, and the unspent set the model of what committed', async () => {
    const plan = makePlan();
    writeFileSync(planPath, JSON.stringify(plan.map((unit) => ({ kind: unit.kind, transactions: unit.txs.map(toJson) }))));
    const random = seededFraction(11);
    let previous = 0;
    const presents: number[] = [];
    for (let round = 0; round < kills; round += 1) {
      const { acknowledged, stderr } = await runWorker(Math.floor(random() * killDelayMaxMs));
      expect(stderr).not.toMatch(/Error/);
      const present = await check(plan);
      expect(present, 'an acknowledged unit is missing').toBeGreaterThanOrEqual(Math.max(previous, acknowledged + 1));
      previous = present;
      presents.push(present);
    }
    // Some kills must land mid-plan, or the test proved nothing about crashes.
    expect(presents.some((present) => present < plan.length), `units present after each kill: ${presents.join(' ')}`).toBe(true);
    console.log(`units present after each kill (of ${plan.length}): ${presents.join(' ')}`);
  }, 180_000);
});

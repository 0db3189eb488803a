import { SqliteStorage } from '@qenex/engine/sqlite';
import { applyAccounts, applyTransfers, type TransferEvent } from '@qenex/engine/testing';
import { rmSync } from 'node:fs';
const path = '/tmp/qx/prof.db';
for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
const storage = new SqliteStorage({ path });
const aid = (i: number) => '1' + i.toString(16).padStart(31, '0');
const now = () => BigInt(Date.now()) * 1_000_000n;
await storage.transaction((tx) => applyAccounts(tx.ledger, Array.from({ length: 8000 }, (_, i) => ({ id: aid(i), ledger: 840, code: 1 })), now()));
let n = 0;
const batches: TransferEvent[][] = [];
for (let b = 0; b < Number(process.argv[2] ?? 20); b++) {
  const events: TransferEvent[] = [];
  for (let k = 0; k < 8000; k++) { n++; const a = Math.floor(Math.random() * 8000); const c = (a + 1 + Math.floor(Math.random() * 7999)) % 8000; events.push({ id: '2' + n.toString(16).padStart(31, '0'), debitAccountId: aid(a), creditAccountId: aid(c), amount: 5n, ledger: 840, code: 1 }); }
  batches.push(events);
}
const t0 = performance.now();
let phases = { load: 0, core: 0, total: 0 };
for (const events of batches) {
  const s = performance.now();
  await storage.transaction((tx) => applyTransfers(tx.ledger, events, now()));
  phases.total += performance.now() - s;
}
console.log('tps', Math.round(n / ((performance.now() - t0) / 1000)), phases);
await storage.close();
for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });

import { randomBytes } from 'node:crypto';
import { demoUsers, Engine, hybridKeyPair, ManualClock, sealedBoxKeyPair, seedDemoBank, SequentialIds, type AuditAnchor, type DemoBank, type ServerKeys, type Storage } from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';

/** Books for a drill: the demo bank on `storage`, with the server's keys so its audit head can be anchored. */
export interface DrillBooks {
  readonly engine: Engine;
  readonly ids: SequentialIds;
  readonly clock: ManualClock;
  readonly bank: DemoBank;
}

export function drillServerKeys(): ServerKeys {
  return { keyVersion: 1, signing: hybridKeyPair(randomBytes(64)), kem: sealedBoxKeyPair() };
}

export function openEngine(storage: Storage, serverKeys: ServerKeys, clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0))): { engine: Engine; ids: SequentialIds; clock: ManualClock } {
  const ids = new SequentialIds(clock);
  const engine = new Engine({ storage, clock, ids, serverKeys, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
  return { engine, ids, clock };
}

export async function seedBooks(storage: Storage, serverKeys: ServerKeys): Promise<DrillBooks> {
  const { engine, ids, clock } = openEngine(storage, serverKeys);
  const bank = await seedDemoBank(engine, ids, { clock });
  return { engine, ids, clock, bank };
}

/** `count` teller deposits and withdrawals across the demo customers' first accounts. */
export async function tellerActivity(books: DrillBooks, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const customer = books.bank.customers[index % books.bank.customers.length]!;
    books.clock.advance(1_000);
    const command = index % 3 === 2 ? 'cash.withdraw' : 'cash.deposit';
    const result = await books.engine.execute(
      command,
      { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: customer.accountIds[0]!, money: { amount: String(100 + index), currency: 'USD' } },
      demoUsers.alice,
    );
    if (!result.ok) throw new Error(`${command} refused: ${result.code}`);
  }
}

export async function anchorHead(engine: Engine): Promise<AuditAnchor> {
  const result = await engine.execute('audit.anchor', {}, demoUsers.olivia);
  if (!result.ok) throw new Error(`audit.anchor refused: ${result.code}: ${result.message}`);
  return result.value.anchor;
}

/** What the payment tests share: the books with a correspondent, a payment abroad, the gateway run until quiet. */
import { Engine, demoUsers, ManualClock, seedDemoBank, SequentialIds, systemRole, type Context, type DemoBank } from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import type { PaymentGateway } from '@qenex/server';

/** The payment gateway: the server's own process, as no person. */
export const gatewayCtx: Context = { actor: 'swift-gateway', roles: [systemRole], deviceId: 'server' };

export interface PaymentBooks {
  readonly engine: Engine;
  readonly storage: SqliteStorage;
  readonly ids: SequentialIds;
  readonly clock: ManualClock;
  readonly bank: DemoBank;
}

/** The demo bank on SQLite with its USD correspondent; every outgoing payment's message passes the host's check. */
export async function paymentBooks(): Promise<PaymentBooks> {
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 9, 0, 0));
  const ids = new SequentialIds(clock);
  const storage = new SqliteStorage({ path: ':memory:' });
  const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), paymentFormats: () => [] });
  const bank = await seedDemoBank(engine, ids, { clock });
  const set = await engine.execute('payment.set_correspondent', { currency: 'USD', bic: 'CHASUS33XXX', name: 'Correspondent Bank', ownBic: 'QENXGB2LXXX', accountAtCorrespondent: '400012345' }, demoUsers.olivia);
  if (!set.ok) throw new Error(`setting the correspondent: ${set.code}`);
  return { engine, storage, ids, clock, bank };
}

/** A command that must succeed, its value loosely typed for the test to read. */
export async function mustRun(engine: Engine, name: string, input: unknown, ctx: Context): Promise<Record<string, unknown>> {
  const result = await engine.execute(name as never, input as never, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.message}`);
  return result.value as Record<string, unknown>;
}

/** A customer's payment to a beneficiary in Berlin, as payment.send and POST /api/v1/payments take it. */
export function paymentBody(paymentId: string, from: string, amount: string, overrides: Record<string, unknown> = {}) {
  return {
    paymentId,
    fromAccountId: from,
    money: { amount, currency: 'USD' },
    creditor: { name: 'Hans Becker', kind: 'person' as const, account: { iban: 'DE89370400440532013000' }, townName: 'Berlin', country: 'DE' },
    creditorAgentBic: 'COBADEFFXXX',
    debtorAddress: { streetName: 'Market Street', buildingNumber: '1', postCode: '94105', townName: 'San Francisco', country: 'US' },
    remittanceInformation: 'Invoice 2026-117',
    ...overrides,
  };
}

/** Runs the gateway until a cycle sends and applies nothing (at most `cyclesMax`). */
export async function settleGateway(gateway: PaymentGateway, cyclesMax = 20): Promise<void> {
  for (let cycle = 0; cycle < cyclesMax; cycle += 1) {
    const { sent, applied } = await gateway.cycle();
    if (sent === 0 && applied.length === 0) return;
  }
  throw new Error('the gateway was still busy after the cycles allowed');
}

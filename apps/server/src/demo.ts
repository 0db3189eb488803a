import { demoPassword, demoUsers, seedDemoBank, type Clock, type Engine, type IdSource } from '@qenex/engine';
import { demoCorrespondent } from './payments/service';

export { demoPassword };

/** An empty server gets the demo branch and its users (see seedDemoBank), and its USD correspondent. */
export async function seedDemoServer(engine: Engine, ids: IdSource, clock: Clock): Promise<readonly string[]> {
  await seedDemoBank(engine, ids, { password: demoPassword, clock });
  // Payments abroad go through the demo's correspondent (simulated beside the server unless one is configured).
  const correspondent = await engine.execute('payment.set_correspondent', demoCorrespondent, demoUsers.olivia);
  if (!correspondent.ok) throw new Error(`demo correspondent refused: ${correspondent.code}: ${correspondent.message}`);
  return Object.values(demoUsers).map((user) => `${user.actor} (${user.roles.join(', ')})`);
}

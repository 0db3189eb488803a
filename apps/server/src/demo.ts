import { demoPassword, demoUsers, seedDemoBank, type Clock, type Engine, type IdSource } from '@qenex/engine';

export { demoPassword };

/** An empty server gets the demo branch and its users (see seedDemoBank). */
export async function seedDemoServer(engine: Engine, ids: IdSource, clock: Clock): Promise<readonly string[]> {
  await seedDemoBank(engine, ids, { password: demoPassword, clock });
  return Object.values(demoUsers).map((user) => `${user.actor} (${user.roles.join(', ')})`);
}

import { demoPassword, demoUsers, seedDemoBank, type Engine, type IdSource } from '@qenex/engine';

export { demoPassword };

/** An empty server gets the demo branch and its users (see seedDemoBank). */
export async function seedDemoServer(engine: Engine, ids: IdSource): Promise<readonly string[]> {
  await seedDemoBank(engine, ids, demoPassword);
  return Object.values(demoUsers).map((user) => `${user.actor} (${user.roles.join(', ')})`);
}

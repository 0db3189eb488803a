import { demoUsers, seedDemoBank, type Engine, type IdSource } from '@qenex/engine';

/** Passwords of the demo users: printed at start-up, for a demo on a fresh embedded database only. */
export const demoPassword = 'Qenex-Demo-2026!';

/**
 * An empty server gets the demo branch and its users. Two bootstrap administrators create the
 * users and approve each other's role grants, as the maker-checker rule requires; it is all in
 * the audit log under `bootstrap-1` and `bootstrap-2`.
 */
export async function seedDemoServer(engine: Engine, ids: IdSource): Promise<readonly string[]> {
  const maker = { actor: 'bootstrap-1', roles: ['admin'], deviceId: 'server-bootstrap' };
  const checker = { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'server-bootstrap' };
  const users = Object.values(demoUsers);
  for (const user of users) {
    const created = await engine.execute('user.create', { username: user.actor, displayName: user.actor, password: demoPassword }, maker);
    if (!created.ok) throw new Error(`demo user ${user.actor}: ${created.code}`);
    const held = await engine.execute('user.set_roles', { username: user.actor, roles: [...user.roles] as never }, maker);
    const approvalId = held.ok ? undefined : held.details?.approvalId;
    if (typeof approvalId !== 'string') throw new Error(`demo roles for ${user.actor} were not held for approval`);
    const approved = await engine.execute('approval.decide', { approvalId, decision: 'approve', note: 'demo bootstrap' }, checker);
    if (!approved.ok) throw new Error(`demo roles for ${user.actor}: ${approved.code}`);
  }
  await seedDemoBank(engine, ids);
  return users.map((user) => `${user.actor} (${user.roles.join(', ')})`);
}

/**
 * Compliance's re-screen of the customer base: every customer, a page at a time, against the lists
 * in force (a list update changes who matches). A caller walks the pages (`next`) and shows its
 * progress; each customer with a match comes back with the entry, the score and its parts.
 */
import { z } from 'zod';
import type { ScreeningSweep } from '../../core/banking/types';
import { command, ok, refuse } from '../command';
import { openOrJoinCase, sarDueAtMs, screeningQueue } from '../cases';
import { describeMatch, screenParties, screeningAlert, sanctionsListsKey } from '../content';

/** Customers one page screens at most (a page is one read transaction). */
export const rescreenPageMax = 500;

export const rescreenCustomers = command({
  kind: 'read',
  input: z.object({ after: z.string().max(64).regex(/^[0-9a-f]*$/).default(''), limit: z.number().int().min(1).max(rescreenPageMax).default(200) }).strict(),
  async run(env, input) {
    const customers = await env.tx.banking.list('customer', input.after, input.limit);
    const screened = await screenParties(env.tx, async () => customers.map((customer) => ({ name: customer.fullName, type: 'person' as const, birthDate: customer.dateOfBirth })));
    if (screened !== null && 'damaged' in screened) return refuse('screening_unavailable', `The sanctions list ${screened.damaged} here is damaged; nobody can be screened until it is fetched again.`);
    const hits = (screened ?? []).flatMap((result, index) => (result.matches.length === 0 ? [] : [{ customerId: customers[index]!.id, branchId: customers[index]!.branchId, name: customers[index]!.fullName, matches: result.matches.slice(0, 5).map(describeMatch) }]));
    const last = customers[customers.length - 1];
    return ok({ screened: customers.length, listsInForce: screened !== null, customers: hits, next: customers.length === input.limit && last !== undefined ? last.id : null });
  },
});

/**
 * The re-screen after the lists in force changed, a page of customers per call: each customer a
 * list now names gets a case with the hit (once per entry: a case that already holds it is not
 * given it again), and the sweep's progress is kept so anyone can see how far it got. A sweep
 * starts over when the lists change under it; a finished one answers done.
 */
export const sweepCustomers = command({
  kind: 'write',
  input: z.object({ limit: z.number().int().min(1).max(rescreenPageMax).default(200) }).strict(),
  async run(env, input) {
    const listsKey = await sanctionsListsKey(env.tx);
    // No list in force: nothing to screen against, and nothing is reported clean.
    if (listsKey === null) return ok({ id: 'current', listsKey: '', startedAtMs: env.nowMs, updatedAtMs: env.nowMs, finishedAtMs: env.nowMs, after: '', screened: 0, hits: 0, casesOpened: 0, done: true, listsInForce: false });
    const current = await env.tx.banking.get('screeningSweep', 'current');
    const sweep: ScreeningSweep =
      current !== undefined && current.listsKey === listsKey
        ? current
        : { id: 'current', listsKey, startedAtMs: env.nowMs, updatedAtMs: env.nowMs, finishedAtMs: null, after: '', screened: 0, hits: 0, casesOpened: 0 };
    if (sweep.finishedAtMs !== null) return ok({ ...sweep, done: true, listsInForce: true });
    const customers = await env.tx.banking.list('customer', sweep.after, input.limit);
    const screened = await screenParties(env.tx, async () => customers.map((customer) => ({ name: customer.fullName, customerId: customer.id, type: 'person' as const, birthDate: customer.dateOfBirth })));
    if (screened === null || 'damaged' in screened) return refuse('screening_unavailable', 'A sanctions list here is damaged; nobody can be screened until it is fetched again.');
    let hits = 0;
    let casesOpened = 0;
    for (const [index, result] of screened.entries()) {
      const match = result.matches[0];
      if (match === undefined) continue;
      hits += 1;
      const customer = customers[index]!;
      const [open] = await env.tx.banking.findBy('complianceCase', 'customer', customer.id, 1);
      const known = open !== undefined && open.alerts.some((alert) => alert.kind === 'screening' && alert.listId === match.listId && alert.entryId === match.entryId);
      if (known) continue;
      const opened = await openOrJoinCase(env.tx, env.ids, {
        queue: screeningQueue,
        title: `Sanctions hit on re-screen: ${customer.fullName} matches ${match.matchedName} (${match.listId} ${match.entryId})`,
        branchId: customer.branchId,
        customerId: customer.id,
        partyName: null,
        alerts: [screeningAlert('screening.sweep', { party: result.party, match }, env.nowMs)],
        transactionIds: [],
        dueAtMs: sarDueAtMs(env.nowMs),
        nowMs: env.nowMs,
        actor: env.ctx.actor,
      });
      if (opened.version <= 2) casesOpened += 1;
    }
    const last = customers.at(-1);
    const done = customers.length < input.limit;
    const next: ScreeningSweep = { ...sweep, after: last?.id ?? sweep.after, screened: sweep.screened + customers.length, hits: sweep.hits + hits, casesOpened: sweep.casesOpened + casesOpened, updatedAtMs: env.nowMs, finishedAtMs: done ? env.nowMs : null };
    await env.tx.banking.put('screeningSweep', next);
    return ok({ ...next, done, listsInForce: true });
  },
});

/** How far the re-screen after the last list change got. */
export const sweepStatus = command({
  kind: 'read',
  input: z.object({}).strict(),
  async run(env) {
    return ok((await env.tx.banking.get('screeningSweep', 'current')) ?? null);
  },
});

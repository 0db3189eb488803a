/**
 * Compliance's re-screen of the customer base: every customer, a page at a time, against the lists
 * in force (a list update changes who matches). A caller walks the pages (`next`) and shows its
 * progress; each customer with a match comes back with the entry, the score and its parts.
 */
import { z } from 'zod';
import { command, ok, refuse } from '../command';
import { describeMatch, screenParties } from '../content';

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

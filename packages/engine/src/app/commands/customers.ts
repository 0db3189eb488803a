import { z } from 'zod';
import type { Customer } from '../../core/banking/types';
import { command, ok, refuse, type CommandEnv } from '../command';
import { branchSubject, customerSubject } from './subjects';
import { idSchema, limitSchema, nationalIdSchema, textSchema, tokenSchema } from '../schemas';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'not a calendar date');

export const customerSearchMax = 50;

export const createCustomer = command({
  kind: 'write',
  input: z.object({
    customerId: idSchema,
    branchId: idSchema,
    fullName: textSchema(160),
    dateOfBirth: isoDate,
    nationalId: nationalIdSchema,
    address: textSchema(300),
    phone: tokenSchema(/^\+?[0-9 ()-]{6,24}$/, 24, 'a phone number is digits, spaces, dashes, an optional +'),
    email: z.email().max(200).or(z.literal('')).default(''),
  }),
  async run(env, input) {
    if ((await env.tx.banking.get('branch', input.branchId)) === undefined) {
      return refuse('branch_not_found', 'No branch has this id.');
    }
    if (input.dateOfBirth > new Date(env.nowMs).toISOString().slice(0, 10)) {
      return refuse('date_of_birth_in_future', 'The date of birth is in the future.');
    }
    const existing = await env.tx.banking.get('customer', input.customerId);
    if (existing !== undefined) {
      // A retry answers with the record only at its own branch: the caller's scope is the branch they named.
      const same = existing.branchId === input.branchId && existing.nationalId === input.nationalId && existing.fullName === input.fullName;
      return same ? ok(existing) : refuse('customer_id_reused', 'A different customer already has this id.');
    }
    const holder = (await env.tx.banking.findBy('customer', 'nationalId', input.nationalId, 1))[0];
    if (holder !== undefined && holder.branchId === input.branchId) {
      return refuse('customer_already_registered', `This identity document is already registered to customer ${holder.id}.`, { customerId: holder.id });
    }
    if (holder !== undefined) {
      return refuse('customer_already_registered', 'This identity document is already registered at another branch; that branch can transfer the customer.');
    }
    const customer: Customer = {
      id: input.customerId,
      branchId: input.branchId,
      fullName: input.fullName,
      dateOfBirth: input.dateOfBirth,
      nationalId: input.nationalId,
      address: input.address,
      phone: input.phone,
      email: input.email,
      kycStatus: 'pending',
      riskRating: 'medium',
      createdAtMs: env.nowMs,
      createdBy: env.ctx.actor,
    };
    await env.tx.banking.put('customer', customer);
    return ok(customer);
  },
  subject: (env, input) => branchSubject(env, input.branchId),
  // A retry of a registration already made answers as it did; a new one is screened.
  parties: async (env, input) => ((await env.tx.banking.get('customer', input.customerId)) === undefined ? [{ name: input.fullName, type: 'person', birthDate: input.dateOfBirth }] : []),
  // Who they are stays in the customer's record (read through customer.get, scoped and logged), not in the audit log.
  audit: (input) => ({ customerId: input.customerId, branchId: input.branchId })
});

/** Records the outcome of identity verification: never by the person who registered the customer (the policy's separation of duties). */
export const reviewCustomerKyc = command({
  kind: 'write',
  input: z.object({
    customerId: idSchema,
    kycStatus: z.enum(['verified', 'rejected']),
    riskRating: z.enum(['low', 'medium', 'high']),
  }),
  async run(env, input) {
    const customer = await env.tx.banking.get('customer', input.customerId);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    const reviewed: Customer = { ...customer, kycStatus: input.kycStatus, riskRating: input.riskRating };
    await env.tx.banking.put('customer', reviewed);
    return ok(reviewed);
  },
  subject: (env, input) => customerSubject(env, input.customerId),
});

export const getCustomer = command({
  kind: 'read',
  input: z.object({ customerId: idSchema }),
  async run(env, input) {
    const customer = await env.tx.banking.get('customer', input.customerId);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    const accounts = await env.tx.banking.findBy('bankAccount', 'customer', customer.id, 100);
    return ok({ customer, accounts });
  },
  subject: (env, input) => customerSubject(env, input.customerId),
});

/** The branch a caller's search is confined to: theirs, when they are assigned one (a teller sees their branch's customers). */
async function searchBranch(env: CommandEnv): Promise<string | null> {
  return (await env.tx.banking.get('user', env.ctx.actor))?.branchId ?? null;
}

/** Customers one directory page holds at most. */
export const customerDirectoryPageMax = 1000;

/**
 * The customers of the caller's branch (every branch's, for central staff), a page at a time in id
 * order: what a branch's customer list is built from. `next` is where the next page starts (null
 * at the end); a page may hold fewer than `limit` where other branches' customers were skipped.
 */
export const customerDirectory = command({
  kind: 'read',
  input: z.object({
    after: z.union([idSchema, z.literal('')]).default(''),
    limit: z.number().int().min(1).max(customerDirectoryPageMax).default(customerDirectoryPageMax),
  }),
  async run(env, input) {
    const branchId = await searchBranch(env);
    const scanned = await env.tx.banking.list('customer', input.after, input.limit);
    const customers = branchId === null ? scanned : scanned.filter((customer) => customer.branchId === branchId);
    return ok({ customers, next: scanned.length === input.limit ? scanned.at(-1)!.id : null });
  },
});

export const searchCustomers = command({
  kind: 'read',
  input: z.object({
    nationalId: textSchema(32).optional(),
    fullName: textSchema(160).optional(),
    limit: limitSchema,
  }),
  async run(env, input) {
    const limit = Math.min(input.limit, customerSearchMax);
    const branchId = await searchBranch(env);
    const found =
      input.nationalId !== undefined
        ? await env.tx.banking.findBy('customer', 'nationalId', input.nationalId, limit)
        : input.fullName !== undefined
          ? await env.tx.banking.findBy('customer', 'name', input.fullName.toLowerCase(), limit)
          : branchId !== null
            ? await env.tx.banking.findBy('customer', 'branch', branchId, limit)
            : await env.tx.banking.list('customer', '', limit);
    return ok(branchId === null ? found : found.filter((customer) => customer.branchId === branchId));
  },
});

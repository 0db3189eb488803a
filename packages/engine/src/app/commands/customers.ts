import { z } from 'zod';
import type { Customer } from '../../core/banking/types';
import { command, ok, refuse } from '../command';
import { idSchema, limitSchema, textSchema } from '../schemas';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'not a calendar date');

export const customerSearchMax = 50;

export const createCustomer = command({
  permission: 'customer.write',
  kind: 'write',
  input: z.object({
    customerId: idSchema,
    branchId: idSchema,
    fullName: textSchema(160),
    dateOfBirth: isoDate,
    nationalId: z.string().trim().regex(/^[A-Za-z0-9-]{4,32}$/, 'an identity document number is 4-32 letters, digits or dashes'),
    address: textSchema(300),
    phone: z.string().trim().regex(/^\+?[0-9 ()-]{6,24}$/, 'a phone number is digits, spaces, dashes, an optional +'),
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
      const same = existing.nationalId === input.nationalId && existing.fullName === input.fullName;
      return same ? ok(existing) : refuse('customer_id_reused', 'A different customer already has this id.');
    }
    const holder = (await env.tx.banking.findBy('customer', 'nationalId', input.nationalId, 1))[0];
    if (holder !== undefined) {
      return refuse('customer_already_registered', `This identity document is already registered to customer ${holder.id}.`, {
        customerId: holder.id,
      });
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
    };
    await env.tx.banking.put('customer', customer);
    return ok(customer);
  },
});

/** Records the outcome of identity verification; only another role than the one that registered may verify. */
export const reviewCustomerKyc = command({
  permission: 'customer.verify',
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
});

export const getCustomer = command({
  permission: 'customer.read',
  kind: 'read',
  input: z.object({ customerId: idSchema }),
  async run(env, input) {
    const customer = await env.tx.banking.get('customer', input.customerId);
    if (customer === undefined) return refuse('customer_not_found', 'No customer has this id.');
    const accounts = await env.tx.banking.findBy('bankAccount', 'customer', customer.id, 100);
    return ok({ customer, accounts });
  },
});

export const searchCustomers = command({
  permission: 'customer.read',
  kind: 'read',
  input: z.object({
    nationalId: z.string().trim().min(1).max(32).optional(),
    fullName: z.string().trim().min(1).max(160).optional(),
    limit: limitSchema,
  }),
  async run(env, input) {
    const limit = Math.min(input.limit, customerSearchMax);
    if (input.nationalId !== undefined) return ok(await env.tx.banking.findBy('customer', 'nationalId', input.nationalId, limit));
    if (input.fullName !== undefined) {
      return ok(await env.tx.banking.findBy('customer', 'name', input.fullName.toLowerCase(), limit));
    }
    return ok(await env.tx.banking.list('customer', '', limit));
  },
});

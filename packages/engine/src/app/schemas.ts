import { z } from 'zod';
import { idProblem, type Id128 } from '../core/ids';
import { currencyByCode } from '../core/currencies';
import { checkPositive, parseMinor } from '../core/money';

/**
 * Input schemas shared by the commands. A refusal that has its own result code carries it in the
 * issue's params, so `amount: "0"` answers `amount_must_not_be_zero`, not a generic `invalid_input`.
 */
function fail(ctx: z.RefinementCtx, code: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code } });
}

export const idSchema = z
  .string({ error: 'must be a string of 32 lowercase hex digits' })
  .superRefine((value, ctx) => {
    const problem = idProblem(value);
    if (problem === 'malformed') fail(ctx, 'id_malformed', 'must be 32 lowercase hex digits');
    else if (problem === 'zero') fail(ctx, 'id_must_not_be_zero', 'must not be all zeros');
    else if (problem === 'int_max') fail(ctx, 'id_must_not_be_int_max', 'must not be all f');
  })
  .transform((value) => value as Id128);

export const currencySchema = z.string().superRefine((value, ctx) => {
  if (currencyByCode(value) === undefined) fail(ctx, 'currency_unknown', `${value} is not an ISO 4217 currency code`);
});

/** A strictly positive amount of integer minor units, as a string on the wire. */
export const amountSchema = z
  .string({ error: 'must be a string of integer minor units, e.g. "1250" for 12.50' })
  .superRefine((value, ctx) => {
    const parsed = parseMinor(value);
    if (!parsed.ok) {
      fail(ctx, parsed.error, parsed.error === 'amount_overflows' ? 'exceeds the 64-bit range' : 'must be integer minor units');
      return;
    }
    const positive = checkPositive(parsed.value);
    if (!positive.ok) fail(ctx, positive.error, positive.error.replaceAll('_', ' '));
  })
  .transform((value) => BigInt(value));

export const moneySchema = z.object({ amount: amountSchema, currency: currencySchema });

export const nonNegativeAmountSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseMinor(value);
    if (!parsed.ok) fail(ctx, parsed.error, 'must be integer minor units');
    else if (parsed.value < 0n) fail(ctx, 'amount_must_not_be_negative', 'must not be negative');
  })
  .transform((value) => BigInt(value));

export const denominationCountSchema = z.record(z.string().regex(/^\d{1,12}$/), z.number().int().min(0));

export const pageLimitMax = 500;
export const limitSchema = z.number().int().min(1).max(pageLimitMax).default(100);

export const textSchema = (max: number) => z.string().trim().min(1).max(max);

/** Turns the first schema issue into a result code and a message a person can act on. */
export function describeIssues(error: z.ZodError): { code: string; message: string; issues: string[] } {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  const first = error.issues[0];
  const params = first !== undefined && 'params' in first ? (first.params as { code?: unknown } | undefined) : undefined;
  const code = typeof params?.code === 'string' ? params.code : 'invalid_input';
  return { code, message: issues[0] ?? 'invalid input', issues };
}

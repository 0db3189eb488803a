import { z } from 'zod';
import { idProblem, type Id128 } from '../core/ids';
import { currencyByCode } from '../core/currencies';
import { checkPositive, parseMinor } from '../core/money';
import { int64Max, timestampMsMax } from '../core/time';

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

/** Characters no request string may hold: C0 controls (NUL among them) and DEL. PostgreSQL refuses NUL where SQLite keeps it. */
const controlCharacters = /[\u0000-\u001f\u007f]/;

/**
 * The one schema for free text in a request: a named length bound checked before anything else
 * reads the value, no control characters, surrounding spaces trimmed, not empty. Messages never
 * repeat the value, so an error body stays bounded whatever was sent.
 */
export const textSchema = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { message: `must be at most ${max} characters`, abort: true })
    .refine((value) => !controlCharacters.test(value), { message: 'must not contain control characters', params: { code: 'control_character' }, abort: true })
    .transform((value) => value.trim())
    .pipe(z.string().min(1, 'must not be empty'));

/** A string of a fixed shape (ids, codes): bounded first, then matched; the pattern admits no control characters. */
export const tokenSchema = (pattern: RegExp, max: number, description: string) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { message: `must be at most ${max} characters`, abort: true })
    .regex(pattern, description);

/** A secret typed by a person (a password): bounded, no control characters, kept exactly as typed. */
export const secretSchema = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, { message: `must be at most ${max} characters`, abort: true })
    .refine((value) => !controlCharacters.test(value), { message: 'must not contain control characters', params: { code: 'control_character' } });

export const productIdSchema = tokenSchema(/^[A-Z0-9_-]{2,24}$/, 24, 'a product id is 2-24 capital letters, digits, _ or -');
export const nationalIdSchema = tokenSchema(/^[A-Za-z0-9-]{4,32}$/, 32, 'an identity document number is 4-32 letters, digits or dashes');

export const currencySchema = tokenSchema(/^[A-Z]{3}$/, 3, 'must be an ISO 4217 code of three capital letters').superRefine((value, ctx) => {
  if (currencyByCode(value) === undefined) fail(ctx, 'currency_unknown', `${value} is not an ISO 4217 currency code`);
});


/** A ledger position (a statement's cursor): decimal digits, at most the largest 64-bit value. */
export const ledgerCursorSchema = z.string({ error: 'must be a string of decimal digits' }).superRefine((value, ctx) => {
  if (!/^\d{1,19}$/.test(value)) return fail(ctx, 'cursor_malformed', 'must be at most 19 decimal digits');
  if (BigInt(value) > int64Max) fail(ctx, 'cursor_out_of_range', 'must be at most 9223372036854775807');
});

/** A moment in milliseconds since 1970, no later than the ledger's clock holds (a point-in-time query past it would overflow the stores). */
export const timestampMsSchema = z.number({ error: 'must be a number of milliseconds' }).int().min(0).max(timestampMsMax);

/** A strictly positive amount of integer minor units, as a string on the wire. */
/** Digits an amount may have on the wire: 2^63 has 19, and a sign and leading zeros are no reason for more. */
export const amountCharsMax = 40;

export const amountSchema = z
  .string({ error: 'must be a string of integer minor units, e.g. "1250" for 12.50' })
  .superRefine((value, ctx) => {
    if (value.length > amountCharsMax) return fail(ctx, 'amount_malformed', `must be at most ${amountCharsMax} characters`);
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
  .string({ error: 'must be a string of integer minor units' })
  .superRefine((value, ctx) => {
    if (value.length > amountCharsMax) return fail(ctx, 'amount_malformed', `must be at most ${amountCharsMax} characters`);
    const parsed = parseMinor(value);
    if (!parsed.ok) fail(ctx, parsed.error, 'must be integer minor units');
    else if (parsed.value < 0n) fail(ctx, 'amount_must_not_be_negative', 'must not be negative');
  })
  .transform((value) => BigInt(value));

/** Kinds of note and coin one count may list (no currency has more than about twenty). */
export const denominationsPerCountMax = 64;
export const denominationCountSchema = z
  .record(z.string().max(12).regex(/^\d{1,12}$/), z.number().int().min(0).max(1_000_000_000))
  .refine((count) => Object.keys(count).length <= denominationsPerCountMax, `must list at most ${denominationsPerCountMax} denominations`);

export const pageLimitMax = 500;
export const limitSchema = z.number().int().min(1).max(pageLimitMax).default(100);


/** Turns the first schema issue into a result code and a message a person can act on. */
export function describeIssues(error: z.ZodError): { code: string; message: string; issues: string[] } {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  const first = error.issues[0];
  const params = first !== undefined && 'params' in first ? (first.params as { code?: unknown } | undefined) : undefined;
  const code = typeof params?.code === 'string' ? params.code : 'invalid_input';
  return { code, message: issues[0] ?? 'invalid input', issues };
}

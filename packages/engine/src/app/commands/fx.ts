import { z } from 'zod';
import { convertAt, customerRate, marginBasisPointsMax, moveBasisPoints, parseRate, rateDigitsMax, rateToDecimal } from '../../core/banking/fx';
import { TransferCodes, type RateSheet } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import { TransferFlags } from '../../core/ledger';
import { command, ok, refuse, type CommandEnv } from '../command';
import { currencySchema, idSchema, moneySchema, timestampMsSchema, tokenSchema } from '../schemas';
import { branchAccountId } from './branches';
import { post } from './posting';
import { accountSubject, holdersOf, monitoredLegs, moneyMeasure } from './subjects';

/** The longest a rate sheet may be valid: treasury republishes rates at least this often. */
export const rateSheetValidityMsMax = 7 * 24 * 60 * 60 * 1000;
/** What a sheet with nothing agreed to compare with counts as: beyond any tolerance. */
const unboundedMoveBasisPoints = 1_000_000n;
/** Pairs one rates query returns at most. */
export const rateSheetsListMax = 200;

const rateSchema = tokenSchema(/^\d+(\.\d+)?$/, rateDigitsMax + 1, 'a rate is a positive decimal, e.g. "0.9215"');
const basisPointsSchema = z.number().int().min(0).max(marginBasisPointsMax);

function pairId(base: string, quote: string): string {
  return `${base}/${quote}`;
}

/** The sheet that prices an exchange between two currencies, whichever way round it was published. */
async function sheetFor(env: CommandEnv, from: string, to: string): Promise<RateSheet | undefined> {
  return (await env.tx.banking.get('rateSheet', pairId(from, to))) ?? env.tx.banking.get('rateSheet', pairId(to, from));
}

function isCurrent(sheet: RateSheet, nowMs: number): boolean {
  return sheet.validFromMs <= nowMs && nowMs < sheet.validUntilMs;
}

interface SheetInput {
  readonly base: string;
  readonly quote: string;
  readonly mid: string;
  readonly validFromMs: number;
  readonly validUntilMs: number;
}

/** What makes a sheet unpublishable, whoever approves it. */
async function sheetProblem(env: CommandEnv, input: SheetInput) {
  if (input.base === input.quote) return refuse('same_currency', 'A rate is between two different currencies.');
  if (!parseRate(input.mid).ok) return refuse('rate_malformed', `A mid is a positive decimal of at most ${rateDigitsMax} digits.`);
  if (input.validUntilMs <= input.validFromMs || input.validUntilMs - input.validFromMs > rateSheetValidityMsMax) {
    return refuse('validity_invalid', 'A sheet is valid for a positive time of at most seven days.');
  }
  if (input.validUntilMs <= env.nowMs) return refuse('validity_invalid', 'This sheet would already have expired.');
  const reversed = await env.tx.banking.get('rateSheet', pairId(input.quote, input.base));
  if (reversed !== undefined) return refuse('pair_published_other_way', `The pair is published as ${reversed.id}; publish it that way round.`);
  return null;
}

/**
 * Treasury publishes the bank's rate for a currency pair: mid, buy and sell margins, a validity
 * window. A mid that moves more than the policy's tolerance from the last one (or a pair's first
 * sheet) needs a second treasurer — the guard against a mistyped or rogue rate.
 */
export const publishRates = command({
  kind: 'write',
  input: z.object({
    base: currencySchema,
    quote: currencySchema,
    mid: rateSchema,
    buyMarginBasisPoints: basisPointsSchema,
    sellMarginBasisPoints: basisPointsSchema,
    validFromMs: timestampMsSchema,
    validUntilMs: timestampMsSchema,
  }),
  async run(env, input) {
    const invalid = await sheetProblem(env, input);
    if (invalid !== null) return invalid;
    const previous = await env.tx.banking.get('rateSheet', pairId(input.base, input.quote));
    const terms = { mid: input.mid, buyMarginBasisPoints: input.buyMarginBasisPoints, sellMarginBasisPoints: input.sellMarginBasisPoints };
    const sheet: RateSheet = {
      id: pairId(input.base, input.quote),
      ...input,
      version: (previous?.version ?? 0) + 1,
      publishedBy: env.ctx.actor,
      publishedAtMs: env.nowMs,
      // Agreed by a second treasurer: these are the terms the next sheets are measured against.
      anchor: env.approvedBy !== null || previous === undefined ? terms : previous.anchor,
    };
    await env.tx.banking.put('rateSheet', sheet);
    return ok(sheet);
  },
  precheck: sheetProblem,
  async measure(env, input) {
    const previous = await env.tx.banking.get('rateSheet', pairId(input.base, input.quote));
    // A pair's first sheet has nothing to be compared with: it counts as an unbounded move.
    if (previous === undefined) return { amountMinor: unboundedMoveBasisPoints, currency: 'basis_points' };
    // Against the terms last agreed by two: the mid's move from theirs; a margin below theirs is the
    // bank giving away its spread, which one treasurer never does alone.
    const anchor = previous.anchor;
    const marginCut = input.buyMarginBasisPoints < anchor.buyMarginBasisPoints || input.sellMarginBasisPoints < anchor.sellMarginBasisPoints;
    const moved = marginCut ? unboundedMoveBasisPoints : (moveBasisPoints(anchor.mid, input.mid) ?? unboundedMoveBasisPoints);
    return { amountMinor: moved, currency: 'basis_points' };
  },
});

/**
 * The bank's current rates as a rate board shows them, in units of the quote currency per unit of
 * the base: what the bank pays for the base (a customer selling it) and what it asks (a customer buying it).
 */
export const listRates = command({
  kind: 'read',
  input: z.object({}),
  async run(env) {
    const sheets = await env.tx.banking.list('rateSheet', '', rateSheetsListMax);
    return ok(
      sheets.map((sheet) => {
        const selling = customerRate(sheet, sheet.quote, sheet.base)!;
        return {
          ...sheet,
          current: isCurrent(sheet, env.nowMs),
          bankBuys: rateToDecimal(customerRate(sheet, sheet.base, sheet.quote)!),
          bankSells: rateToDecimal({ numerator: selling.denominator, denominator: selling.numerator }),
        };
      }),
    );
  },
});

/**
 * Currency exchange between two accounts of one customer, as two linked transfers through the
 * branch's position account in each currency: each currency's ledger still sums to zero, and
 * either both legs post or neither does. The rate is the bank's current sheet, never a number
 * from the counter; `expectedRate` (what the customer was quoted) only guards against a sheet
 * that changed since: then nothing moves and the customer is quoted again.
 */
export const exchange = command({
  kind: 'write',
  // Strict: a client that sends a rate of its own is told it cannot, rather than silently ignored.
  input: z.strictObject({
    sellTransferId: idSchema,
    buyTransferId: idSchema,
    fromAccountId: idSchema,
    toAccountId: idSchema,
    money: moneySchema,
    expectedRate: rateSchema.optional(),
  }),
  async run(env, input) {
    if (input.sellTransferId === input.buyTransferId) return refuse('transfer_ids_must_differ', 'The two legs need two ids.');
    const from = await env.tx.banking.get('bankAccount', input.fromAccountId);
    const to = await env.tx.banking.get('bankAccount', input.toAccountId);
    if (from === undefined || to === undefined) return refuse('account_not_found', 'Both accounts must exist.');
    if (from.status !== 'open' || to.status !== 'open') return refuse('account_closed', 'Both accounts must be open.');
    if (from.customerId !== to.customerId) return refuse('accounts_of_different_customers', "Exchange moves money between one customer's own accounts.");
    if (from.currency !== input.money.currency) return refuse('currency_mismatch', `The source account is in ${from.currency}.`);
    if (from.currency === to.currency) return refuse('same_currency', 'Both accounts are in the same currency; use a transfer.');
    const sheet = await sheetFor(env, from.currency, to.currency);
    if (sheet === undefined) return refuse('rate_sheet_missing', `The bank publishes no ${from.currency}/${to.currency} rate; treasury must publish one.`);
    if (!isCurrent(sheet, env.nowMs)) return refuse('rate_sheet_stale', `The ${sheet.id} rate is not valid now; treasury must publish a current one.`);
    const rate = customerRate(sheet, from.currency, to.currency)!;
    const shown = rateToDecimal(rate);
    if (input.expectedRate !== undefined && input.expectedRate !== shown) {
      return refuse('rate_changed', `The rate is now ${shown}, not ${input.expectedRate}; quote the customer again.`, { rate: shown });
    }
    const converted = convertAt(input.money.amount, from.currency, to.currency, rate);
    if (!converted.ok) return refuse(converted.error, `The exchange cannot be computed: ${converted.error.replaceAll('_', ' ')}.`);
    const sellPosition = await branchAccountId(env, from.branchId, 'fx_position', from.currency);
    const buyPosition = await branchAccountId(env, to.branchId, 'fx_position', to.currency);
    if (sellPosition === undefined || buyPosition === undefined) {
      return refuse('branch_has_no_position_in_currency', 'The branch does not trade one of these currencies.');
    }
    const posted = await post(env, [
      {
        id: input.sellTransferId,
        debitAccountId: from.id,
        creditAccountId: sellPosition,
        amount: input.money.amount,
        ledger: currencyByCode(from.currency)!.numeric,
        code: TransferCodes.fxExchange,
        flags: TransferFlags.linked,
      },
      {
        id: input.buyTransferId,
        debitAccountId: buyPosition,
        creditAccountId: to.id,
        amount: converted.value,
        ledger: currencyByCode(to.currency)!.numeric,
        code: TransferCodes.fxExchange,
      },
    ]);
    if (!posted.ok) return posted;
    return ok({
      sold: { amount: input.money.amount.toString(), currency: from.currency },
      bought: { amount: converted.value.toString(), currency: to.currency },
      rate: shown,
      sheet: { id: sheet.id, version: sheet.version },
    });
  },
  subject: (env, input) => accountSubject(env, input.fromAccountId),
  measure: async (env, input) => ((await env.tx.ledger.transfers([input.sellTransferId])).length > 0 ? null : moneyMeasure(input.money)),
  parties: (env, input) => holdersOf(env, input.sellTransferId, [input.fromAccountId, input.toAccountId]),
  monitored: (env, input) => monitoredLegs(env, input.sellTransferId, input.money, [{ id: input.sellTransferId, accountId: input.fromAccountId, kind: 'exchange' }]),
  auditResult: (value) => ({ outcome: 'ok', detail: { rate: value.rate, sheet: value.sheet } }),
});

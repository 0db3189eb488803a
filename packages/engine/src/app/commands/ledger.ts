import { z } from 'zod';
import { batchEventsMax, type Account, type Transfer } from '../../core/ledger';
import { applyAccounts, applyTransfersGuarded, expirePendings } from '../ledger';
import { command, ok, refuse } from '../command';
import { parseMinor } from '../../core/money';
import type { JsonValue } from '../../core/canonical-json';
import { amountCharsMax, tokenSchema } from '../schemas';

/** A ledger id as the raw interface takes it: bounded here, judged by the ledger itself (each bad id has its own result code). */
const ledgerIdSchema = tokenSchema(/^[\x21-\x7e]*$/, 64, 'must be 32 lowercase hex digits');

/**
 * The ledger's own interface for operations and integrations: TigerBeetle-style batches with one
 * result per event. Fields are checked by the ledger itself, so each bad field has its own code.
 */
const minorUnits = z.string().max(amountCharsMax).transform((value, ctx) => {
  const parsed = parseMinor(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: 'must be integer minor units', params: { code: parsed.error } });
    return z.NEVER;
  }
  return parsed.value;
});

const transferEvent = z.object({
  id: ledgerIdSchema,
  debitAccountId: ledgerIdSchema.optional(),
  creditAccountId: ledgerIdSchema.optional(),
  amount: minorUnits,
  pendingId: ledgerIdSchema.optional(),
  userData128: ledgerIdSchema.optional(),
  userData64: minorUnits.optional(),
  userData32: z.number().optional(),
  timeout: z.number().optional(),
  ledger: z.number().optional(),
  code: z.number().optional(),
  flags: z.number().optional(),
});

const accountEvent = z.object({
  id: ledgerIdSchema,
  ledger: z.number(),
  code: z.number(),
  flags: z.number().optional(),
  overdraftLimit: minorUnits.optional(),
  userData128: ledgerIdSchema.optional(),
  userData64: minorUnits.optional(),
  userData32: z.number().optional(),
});

/** Optional fields the client left out are absent, not `undefined` (the ledger's types are exact). */
export function definedOnly<T extends object>(event: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function resultCounts(results: readonly string[]): { ok: number; failed: number } {
  const okCount = results.filter((result) => result === 'ok').length;
  return { ok: okCount, failed: results.length - okCount };
}

/** Refused items a batch's audit record lists by name; the rest are counted. */
export const auditedFailuresMax = 32;

/** A batch's audit outcome: `ok` when every item passed, else the first refusal's code, with the refused items. */
export function batchAudit(results: readonly string[], ids: readonly string[]): { outcome: string; detail: { [key: string]: JsonValue } } {
  const failed = results.map((result, index) => ({ index, id: ids[index] ?? '', result })).filter((item) => item.result !== 'ok');
  return {
    outcome: failed[0]?.result ?? 'ok',
    detail: { okCount: results.length - failed.length, failedCount: failed.length, failed: failed.slice(0, auditedFailuresMax) },
  };
}

/**
 * Account codes of the banking chart (customer, till, vault, branch accounts: core/banking's
 * AccountCodes). Only banking commands, with their rules and limits, move these accounts; the raw
 * ledger neither posts to them nor opens accounts under their codes.
 */
export const bankingAccountCodes = { min: 100, max: 999 } as const;

export function protectedAccount(account: Pick<Account, 'code'>): boolean {
  return account.code >= bankingAccountCodes.min && account.code <= bankingAccountCodes.max;
}

export const createLedgerTransfers = command({
  kind: 'write',
  input: z.object({ transfers: z.array(transferEvent).min(1).max(batchEventsMax) }),
  async run(env, input) {
    const outcome = (await applyTransfersGuarded(env.tx.ledger, [[input.transfers.map(definedOnly)]], env.nowNs, protectedAccount))[0]![0]!;
    if (!outcome.ok) return outcome;
    const results = outcome.value.results;
    return ok({ results, ...resultCounts(results) });
  },
  audit: (input) => ({ events: input.transfers.length, firstId: input.transfers[0]?.id ?? '', ids: input.transfers.slice(0, auditedFailuresMax).map((t) => t.id) }),
  auditResult: (value) => batchAudit(value.results, []),
});

export const createLedgerAccounts = command({
  kind: 'write',
  input: z.object({ accounts: z.array(accountEvent).min(1).max(batchEventsMax) }),
  async run(env, input) {
    const reserved = input.accounts.findIndex((account) => protectedAccount(account));
    if (reserved >= 0) {
      return refuse('account_code_reserved', `Account ${reserved}: codes ${bankingAccountCodes.min}-${bankingAccountCodes.max} are the banking chart's; open such accounts through banking commands.`);
    }
    const results = await applyAccounts(env.tx.ledger, input.accounts.map(definedOnly), env.nowNs);
    return ok({ results, ...resultCounts(results) });
  },
  audit: (input) => ({ events: input.accounts.length, firstId: input.accounts[0]?.id ?? '' }),
});

export const expirePendingTransfers = command({
  kind: 'write',
  input: z.object({}),
  async run(env) {
    return ok({ expired: await expirePendings(env.tx.ledger, env.nowNs) });
  },
});

export const lookupLedger = command({
  kind: 'read',
  input: z.object({ ids: z.array(ledgerIdSchema).min(1).max(batchEventsMax) }),
  // The raw view is of the integration accounts: a customer's or a branch's account is read
  // through account.get, scoped to its branch and written to the access log.
  async run(env, input): Promise<{ ok: true; value: { accounts: Account[]; transfers: Transfer[] } }> {
    const [accounts, transfers] = await Promise.all([env.tx.ledger.accounts(input.ids), env.tx.ledger.transfers(input.ids)]);
    const open = accounts.filter((account) => !protectedAccount(account));
    const touched = [...new Set(transfers.flatMap((transfer) => [transfer.debitAccountId, transfer.creditAccountId]))];
    const banking = new Set((await env.tx.ledger.accounts(touched)).filter(protectedAccount).map((account) => account.id));
    return ok({ accounts: open, transfers: transfers.filter((transfer) => !banking.has(transfer.debitAccountId) && !banking.has(transfer.creditAccountId)) });
  },
});

export const ledgerTotals = command({
  kind: 'read',
  input: z.object({}),
  async run(env) {
    const totals = await env.tx.ledger.ledgerTotals();
    return ok(
      totals.map((total) => ({
        ledger: total.ledger,
        debitsPosted: total.debitsPosted.toString(),
        creditsPosted: total.creditsPosted.toString(),
        debitsPending: total.debitsPending.toString(),
        creditsPending: total.creditsPending.toString(),
        balanced: total.debitsPosted === total.creditsPosted && total.debitsPending === total.creditsPending,
      })),
    );
  },
});

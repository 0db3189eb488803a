import { z } from 'zod';
import { TransferFlags, hasFlag, type Transfer } from '../../core/ledger';
import { messageDue, reconcile, type BookMovement, type NostroReconciliation } from '../../core/payments';
import type { Subject } from '../../core/policy';
import { command, ok, refuse, type CommandEnv } from '../command';
import { amountSchema, currencySchema, idSchema, limitSchema, textSchema, tokenSchema } from '../schemas';
import { correspondentFor, dateSchema, messageXmlSchema, paymentMessageCharsMax, paymentView, referenceSchema, uetrSchema } from './payments';

/** Statement entries one reconciliation reads (a correspondent's day for a bank of this size is far fewer). */
export const statementEntriesMax = 20_000;
/** Nostro transfers one reconciliation reads from the books. */
export const nostroTransfersMax = 100_000;
const nostroPageTransfers = 1_000;

const statuses = ['queued', 'sent', 'in_progress', 'settled', 'rejected', 'returned', 'credited', 'blocked', 'returning'] as const;

/** A payment as scope sees it: its customer's branch, or the bank's centre for money that belongs to no customer. */
export async function paymentSubject(env: CommandEnv, paymentId: string): Promise<Subject | null> {
  const payment = await env.tx.banking.get('payment', paymentId);
  return payment === undefined ? null : { branchId: payment.branchId ?? centralSubject };
}

/** The subject of what no branch holds: only staff with no branch reach it. */
const centralSubject = 'central';

/** Payments, newest id last: a branch's staff see their branch's, central staff all (or one status). */
export const listPayments = command({
  kind: 'read',
  input: z.object({ status: z.enum(statuses).optional(), after: idSchema.optional(), limit: limitSchema }).strict(),
  // The caller's own branch: what the list shows is filtered to it below.
  subject: async (env) => {
    const branchId = (await env.tx.banking.get('user', env.ctx.actor))?.branchId ?? null;
    return branchId === null ? null : { branchId };
  },
  async run(env, input) {
    const branchId = (await env.tx.banking.get('user', env.ctx.actor))?.branchId ?? null;
    const found =
      branchId !== null
        ? (await env.tx.banking.findBy('payment', 'branch', branchId, paymentsListScanMax)).filter((payment) => (input.status === undefined || payment.status === input.status) && (input.after === undefined || payment.id > input.after)).slice(0, input.limit)
        : input.status === undefined
          ? await env.tx.banking.list('payment', input.after ?? '', input.limit)
          : await env.tx.banking.findBy('payment', 'status', input.status, input.limit);
    return ok({ payments: found.map(({ messages, ...payment }) => ({ ...paymentView({ ...payment, messages: [] }), messageCount: messages.length })) });
  },
});

/** A branch's payments one list reads before filtering by status (a branch's day is far fewer). */
export const paymentsListScanMax = 5_000;

/** One payment with every message it exchanged, as it was on the wire. */
export const getPayment = command({
  kind: 'read',
  input: z.object({ paymentId: idSchema }).strict(),
  subject: (env, input) => paymentSubject(env, input.paymentId),
  async run(env, input) {
    const payment = await env.tx.banking.get('payment', input.paymentId);
    if (payment === undefined) return refuse('payment_not_found', 'No payment has this id.');
    const messages = await Promise.all(payment.messages.map(async (ref) => ({ ...ref, xml: (await env.tx.banking.get('paymentMessage', ref.id))?.xml ?? null })));
    return ok({ ...paymentView(payment), messages });
  },
});

/** What the gateway has to send: pacs.008s not handed over, returns waiting to go, recalls asked for. */
export const paymentOutbox = command({
  kind: 'read',
  input: z.object({ limit: limitSchema }).strict(),
  async run(env, input) {
    const due = await env.tx.banking.findBy('payment', 'due', 'due', input.limit);
    const currencies = [...new Set(due.map((payment) => payment.currency))];
    const correspondents = (await Promise.all(currencies.map((currency) => env.tx.banking.get('correspondent', currency)))).filter((found) => found !== undefined);
    return ok({ payments: due.map((payment) => ({ ...paymentView(payment), send: messageDue(payment) })), correspondents });
  },
});

const balanceSchema = z.object({ amount: amountSchema.or(z.literal('0').transform(() => 0n)), creditDebit: z.enum(['CRDT', 'DBIT']) }).strict();

const reconcileInput = z
  .object({
    messageId: referenceSchema,
    xml: messageXmlSchema,
    currency: currencySchema,
    statementId: referenceSchema,
    fromDate: dateSchema,
    toDate: dateSchema,
    opening: balanceSchema,
    closing: balanceSchema,
    entries: z
      .array(
        z
          .object({
            amount: amountSchema,
            creditDebit: z.enum(['CRDT', 'DBIT']),
            uetr: uetrSchema.optional(),
            references: z.array(tokenSchema(/^[^\u0000-\u001f]{1,35}$/, 35, 'a reference is 1-35 characters')).max(4).default([]),
            bookingDate: dateSchema,
          })
          .strict(),
      )
      .max(statementEntriesMax),
    note: textSchema(200).optional(),
  })
  .strict();

/**
 * The correspondent's camt.053 of the bank's nostro against the books: each movement matched, each
 * break listed (missing on either side, a balance that differs), the result kept for operations.
 */
export const reconcileNostro = command({
  kind: 'write',
  input: reconcileInput,
  async run(env, input) {
    const correspondent = await correspondentFor(env, input.currency);
    if (!correspondent.ok) return correspondent;
    // The same statement again: reconciled as it was then, not against today's books.
    const seen = await env.tx.banking.get('paymentMessage', `camt.053:received:${input.messageId}`);
    const earlier = await env.tx.banking.get('nostroReconciliation', `${input.currency}:${input.statementId}`);
    if (seen !== undefined && earlier !== undefined && earlier.messageId === input.messageId) return ok({ ...earlier, reconciled: earlier.breaks.length === 0 });
    const fromNs = BigInt(Date.parse(`${input.fromDate}T00:00:00Z`)) * 1_000_000n;
    const toNs = BigInt(Date.parse(`${input.toDate}T00:00:00Z`) + 86_400_000) * 1_000_000n;
    if (!(toNs > fromNs)) return refuse('dates_out_of_order', 'The statement ends before it starts.');
    const nostro = correspondent.value.nostroAccountId;
    const books = await nostroBooks(env, nostro, fromNs, toNs);
    if (books === null) return refuse('too_many_movements', `The nostro moved more than ${nostroTransfersMax} times in this period; reconcile it a day at a time.`);
    const signed = (balance: z.output<typeof balanceSchema>) => (balance.creditDebit === 'CRDT' ? balance.amount : -balance.amount);
    const result = reconcile({
      statement: {
        openingMinor: signed(input.opening),
        closingMinor: signed(input.closing),
        lines: input.entries.map((entry) => ({ uetr: entry.uetr ?? null, references: entry.references, creditDebit: entry.creditDebit, amountMinor: entry.amount, bookingDate: entry.bookingDate })),
      },
      books,
    });
    // A restated statement (same id, another message) replaces the result; each message stays kept under its own id.
    const record: NostroReconciliation = { id: `${input.currency}:${input.statementId}`, messageId: input.messageId, currency: input.currency, statementId: input.statementId, fromDate: input.fromDate, toDate: input.toDate, matched: result.matched, breaks: result.breaks, reconciledAtMs: env.nowMs };
    await env.tx.banking.put('nostroReconciliation', record);
    await env.tx.banking.put('paymentMessage', { id: `camt.053:received:${input.messageId}`, paymentId: null, type: 'camt.053', direction: 'received', messageId: input.messageId, xml: input.xml, atMs: env.nowMs });
    return ok({ ...record, reconciled: result.breaks.length === 0 });
  },
});

/** The nostro's balance at the start and end of the period and every posted movement in it, with its payment. */
async function nostroBooks(env: CommandEnv, nostro: string, fromNs: bigint, toNs: bigint): Promise<{ openingMinor: bigint; closingMinor: bigint; movements: BookMovement[] } | null> {
  const balanceBefore = async (ns: bigint) => {
    const row = await env.tx.ledger.balanceAt(nostro as never, ns - 1n);
    return row === undefined ? 0n : row.debitsPosted - row.creditsPosted;
  };
  const read = await transfersBetween(env, nostro, fromNs, toNs, nostroTransfersMax);
  if (!read.complete) return null;
  const transfers = read.transfers;
  const movementsOf = transfers.filter((transfer) => !hasFlag(transfer.flags, TransferFlags.pending) && !hasFlag(transfer.flags, TransferFlags.voidPendingTransfer));
  const paymentIds = [...new Set(movementsOf.map((transfer) => transfer.userData128).filter((id) => id !== null))];
  const payments = new Map((await Promise.all(paymentIds.map((id) => env.tx.banking.get('payment', id)))).filter((found) => found !== undefined).map((found) => [found.id as string, found]));
  const movements = movementsOf.map((transfer): BookMovement => {
    const payment = transfer.userData128 === null ? undefined : payments.get(transfer.userData128);
    return {
      paymentId: transfer.userData128 ?? transfer.id,
      uetr: payment?.uetr ?? '',
      references: payment === undefined ? [] : [payment.endToEndId, payment.instructionId],
      creditDebit: transfer.creditAccountId === nostro ? 'DBIT' : 'CRDT',
      amountMinor: transfer.amount,
      bookedAtMs: Number(transfer.timestamp / 1_000_000n),
    };
  });
  return { openingMinor: await balanceBefore(fromNs), closingMinor: await balanceBefore(toNs), movements };
}

/** An account's ledger transfers in [fromNs, toNs), page by page; `complete` false when there were more than `max`. */
async function transfersBetween(env: CommandEnv, accountId: string, fromNs: bigint, toNs: bigint, max: number): Promise<{ transfers: Transfer[]; complete: boolean }> {
  const transfers: Transfer[] = [];
  let after = fromNs - 1n;
  for (;;) {
    const page = await env.tx.ledger.accountTransfers(accountId as never, after, nostroPageTransfers);
    const inPeriod = page.filter((transfer) => transfer.timestamp < toNs);
    transfers.push(...inPeriod);
    if (transfers.length > max) return { transfers: transfers.slice(0, max), complete: false };
    if (page.length < nostroPageTransfers || inPeriod.length < page.length) return { transfers, complete: true };
    after = page.at(-1)!.timestamp;
  }
}

export const getReconciliation = command({
  kind: 'read',
  input: z.object({ currency: currencySchema, statementId: referenceSchema }).strict(),
  async run(env, input) {
    const found = await env.tx.banking.get('nostroReconciliation', `${input.currency}:${input.statementId}`);
    if (found === undefined) return refuse('reconciliation_not_found', 'No reconciliation of this statement was made.');
    return ok({ ...found, reconciled: found.breaks.length === 0 });
  },
});

/** Accounts one page of the end-of-day statements covers. */
export const statementAccountsPerPageMax = 200;
/** Ledger movements one account's day statement reads at most; a busier account's statement says it is incomplete. */
export const statementLinesPerDayMax = 100_000;

/**
 * The day's booked movements of a page of customer accounts, with the balance before and after:
 * what the end-of-day camt.053 of each account says. Pending holds are not booked and not listed.
 */
export const customerStatements = command({
  kind: 'read',
  input: z.object({ date: dateSchema, after: z.string().max(32).default(''), limit: z.number().int().min(1).max(statementAccountsPerPageMax).default(statementAccountsPerPageMax) }).strict(),
  async run(env, input) {
    const fromNs = BigInt(Date.parse(`${input.date}T00:00:00Z`)) * 1_000_000n;
    const toNs = fromNs + 86_400_000n * 1_000_000n;
    const accounts = await env.tx.banking.list('bankAccount', input.after, input.limit);
    const statements = [];
    for (const account of accounts) statements.push(await dayOf(env, account, fromNs, toNs));
    const next = accounts.length === input.limit ? accounts.at(-1)!.id : null;
    return ok({ statements, next });
  },
});

async function dayOf(env: CommandEnv, account: { id: string; number: string; currency: string; customerId: string }, fromNs: bigint, toNs: bigint) {
  const postedAt = async (ns: bigint) => {
    const row = await env.tx.ledger.balanceAt(account.id as never, ns - 1n);
    return row === undefined ? 0n : row.creditsPosted - row.debitsPosted;
  };
  const day = await transfersBetween(env, account.id, fromNs, toNs, statementLinesPerDayMax);
  const transfers = day.transfers.filter((transfer) => !hasFlag(transfer.flags, TransferFlags.pending) && !hasFlag(transfer.flags, TransferFlags.voidPendingTransfer));
  const payments = new Map<string, { uetr: string; endToEndId: string; instructionId: string }>();
  for (const id of new Set(transfers.map((transfer) => transfer.userData128).filter((found) => found !== null))) {
    const payment = await env.tx.banking.get('payment', id);
    if (payment !== undefined) payments.set(id, { uetr: payment.uetr, endToEndId: payment.endToEndId, instructionId: payment.instructionId });
  }
  const customer = await env.tx.banking.get('customer', account.customerId);
  const lines = transfers.map((transfer) => ({
    transferId: transfer.id,
    bookedAtMs: Number(transfer.timestamp / 1_000_000n),
    code: transfer.code,
    // From the holder's side: money onto the account is a credit.
    creditDebit: transfer.creditAccountId === account.id ? ('CRDT' as const) : ('DBIT' as const),
    amountMinor: transfer.amount.toString(),
    payment: transfer.userData128 === null ? null : (payments.get(transfer.userData128) ?? null),
  }));
  return { accountId: account.id, number: account.number, currency: account.currency, holder: customer?.fullName ?? '', openingMinor: (await postedAt(fromNs)).toString(), closingMinor: (await postedAt(toNs)).toString(), lines, complete: day.complete };
}

/** Exceptions one answer lists at most. */
export const paymentExceptionsListMax = 500;

/**
 * What the gateway received and the books could not apply (unreadable, for no payment of this
 * bank, refused): kept with the message as it came, for operations to resolve with the correspondent.
 */
export const recordPaymentException = command({
  kind: 'write',
  input: z.object({ messageType: tokenSchema(/^[A-Za-z0-9.]{1,32}$/, 32, 'a message type'), messageId: z.string().max(64).nullable(), xml: z.string().max(paymentMessageCharsMax), code: tokenSchema(/^[a-z0-9_.]{1,64}$/, 64, 'a result code'), message: z.string().max(2_000) }).strict(),
  async run(env, input) {
    const id = env.ids.next();
    await env.tx.banking.put('paymentException', { id, atMs: env.nowMs, ...input });
    return ok({ id });
  },
});

export const listPaymentExceptions = command({
  kind: 'read',
  input: z.object({ after: z.string().max(32).default(''), limit: z.number().int().min(1).max(paymentExceptionsListMax).default(100) }).strict(),
  async run(env, input) {
    return ok({ exceptions: await env.tx.banking.list('paymentException', input.after, input.limit) });
  },
});

import { z } from 'zod';
import { TransferCodes } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import type { Id128 } from '../../core/ids';
import { incomingRefusalCodes, reasonWords, transition, type CorrespondentEvent, type Payment, type PaymentMessageRef } from '../../core/payments';
import { openOrJoinCase, sarDueAtMs, screeningQueue } from '../cases';
import { command, ok, refuse, type CommandEnv, type Outcome } from '../command';
import { screenParties, screeningAlert } from '../content';
import { idSchema, moneySchema, textSchema } from '../schemas';
import {
  bicSchema,
  correspondentFor,
  dateSchema,
  derivedId,
  ledgerEvents,
  messageSha256,
  messageXmlSchema,
  partySchema,
  paymentExceptionsMax,
  paymentMessagesMax,
  paymentTail,
  paymentView,
  reasonCodeSchema,
  referenceSchema,
  uetrSchema,
  withoutUndefined,
} from './payments';
import { post } from './posting';
import { paymentSubject } from './payment-reads';

/**
 * What the correspondent's messages do to the books, applied by the payment gateway (the server's
 * own process, as no person): each message is kept as it came, once; a message seen before changes
 * nothing; each decides the payment by the pure lifecycle (core/payments/lifecycle.ts).
 */

/** What applying a message answers: its effect in words, and the payment now (null for a message seen before). */
export interface MessageApplied {
  readonly effect: string;
  readonly payment: ReturnType<typeof paymentView> | null;
}

const messageInput = { messageId: referenceSchema, xml: messageXmlSchema };
type MessageType = PaymentMessageRef['type'];

async function messageSeen(env: CommandEnv, type: MessageType, direction: 'sent' | 'received', messageId: string): Promise<boolean> {
  return (await env.tx.banking.get('paymentMessage', `${type}:${direction}:${messageId}`)) !== undefined;
}

/** Keeps the message as it came and returns the payment with it on its record. */
async function keepMessage(env: CommandEnv, payment: Payment, message: { type: MessageType; direction: 'sent' | 'received'; messageId: string; xml: string }, effect: string): Promise<Payment> {
  const key = `${message.type}:${message.direction}:${message.messageId}`;
  // A message id seen before with other content is kept beside the first, never over it (the evidence stays as it came).
  const id = (await env.tx.banking.get('paymentMessage', key)) === undefined ? key : `${key}:${messageSha256(message.xml).slice(0, 16)}`;
  await env.tx.banking.put('paymentMessage', { id, paymentId: payment.id, type: message.type, direction: message.direction, messageId: message.messageId, xml: message.xml, atMs: env.nowMs });
  const ref: PaymentMessageRef = { id, type: message.type, direction: message.direction, messageId: message.messageId, atMs: env.nowMs, sha256: messageSha256(message.xml), effect };
  // The message itself is always kept; the payment's own list stops growing at its bound.
  const messages = payment.messages.length < paymentMessagesMax ? [...payment.messages, ref] : payment.messages;
  return { ...payment, messages, updatedAtMs: env.nowMs };
}

async function paymentByUetr(env: CommandEnv, direction: Payment['direction'], uetr: string): Promise<Payment | undefined> {
  return (await env.tx.banking.findBy('payment', 'uetr', `${direction}:${uetr}`, 1))[0];
}

function noted(payment: Payment, text: string): Payment {
  return payment.exceptions.length < paymentExceptionsMax ? { ...payment, exceptions: [...payment.exceptions, text] } : payment;
}

const effectWords: Readonly<Record<string, string>> = {
  duplicate: 'a repeat of what the payment already had: nothing moved',
  stale: 'older news than what the payment already had: nothing moved',
};

/** Decides an outgoing payment by one correspondent message and books what the decision says, once. */
async function applyToOutgoing(env: CommandEnv, payment: Payment, event: CorrespondentEvent, returnedMinor?: bigint): Promise<Outcome<{ payment: Payment; effect: string }, string>> {
  const correspondent = await correspondentFor(env, payment.currency);
  if (!correspondent.ok) return correspondent;
  const decided = transition(payment.status, event);
  const returnTo = await returnDestination(env, payment, correspondent.value);
  const events = ledgerEvents(payment, correspondent.value, decided.action, { amountMinor: returnedMinor ?? payment.amountMinor, toAccountId: returnTo.accountId });
  if (events.length > 0) {
    const booked = await post(env, events);
    // Nothing is booked and the message is refused: the gateway keeps it for operations, and the next message still comes in.
    if (!booked.ok) return refuse('ledger_refused', `The books could not take what this message says (${decided.action}): ${booked.message} Operations should look at it.`);
  }
  const effect = decided.effect === 'applied' ? `now ${decided.next}` : decided.effect === 'contradiction' ? `contradicts the payment being ${payment.status}: nothing moved; operations should check with the correspondent` : effectWords[decided.effect]!;
  let next = decided.effect === 'contradiction' ? noted(payment, `${eventName(event)} arrived when the payment was already ${payment.status}`) : payment;
  if (returnTo.inSuspense && (decided.action === 'return' || decided.action === 'post_then_return')) next = noted(next, 'the money came back after the account was closed: it is in the payments suspense account for operations to pay out');
  return ok({ payment: { ...next, status: decided.next }, effect });
}

/** Where returned money goes: the customer's account, or suspense when that account has been closed since. */
async function returnDestination(env: CommandEnv, payment: Payment, correspondent: { suspenseAccountId: Id128 }): Promise<{ accountId: Id128; inSuspense: boolean }> {
  const account = payment.accountId === null ? undefined : await env.tx.banking.get('bankAccount', payment.accountId);
  return account !== undefined && account.status === 'open' ? { accountId: account.id, inSuspense: false } : { accountId: correspondent.suspenseAccountId, inSuspense: true };
}

function eventName(event: CorrespondentEvent): string {
  return event.kind === 'status' ? `pacs.002 ${event.status}` : event.kind === 'return' ? 'pacs.004' : 'send';
}

const statusCodes = ['ACTC', 'ACSP', 'PDNG', 'ACSC', 'ACCC', 'RJCT'] as const;

/** A pacs.002 from the correspondent about one of our payments: settles, rejects or notes it. */
export const applyPaymentStatus = command({
  kind: 'write',
  input: z.object({ ...messageInput, uetr: uetrSchema, status: z.enum(statusCodes), reasonCode: reasonCodeSchema.optional(), additionalInformation: textSchema(500).optional() }).strict(),
  async run(env, input) {
    if (await messageSeen(env, 'pacs.002', 'received', input.messageId)) return ok<MessageApplied>({ effect: 'duplicate_message', payment: null });
    const payment = await paymentByUetr(env, 'outgoing', input.uetr);
    if (payment === undefined) return refuse('payment_not_found', `No payment of this bank has UETR ${input.uetr}.`);
    const applied = await applyToOutgoing(env, payment, { kind: 'status', status: input.status });
    if (!applied.ok) return applied;
    let next = applied.value.payment;
    if (input.status === 'RJCT' && applied.value.effect === 'now rejected') {
      const code = input.reasonCode ?? 'NARR';
      next = { ...next, reason: { code, words: reasonWords(code), ...(input.additionalInformation === undefined ? {} : { additionalInformation: input.additionalInformation }) } };
    }
    next = await keepMessage(env, next, { type: 'pacs.002', direction: 'received', messageId: input.messageId, xml: input.xml }, `${input.status}: ${applied.value.effect}`);
    await env.tx.banking.put('payment', next);
    return ok({ effect: applied.value.effect, payment: paymentView(next) });
  },
});

/** A pacs.004: the correspondent returns one of our payments (after settlement, or in place of it). */
export const applyPaymentReturn = command({
  kind: 'write',
  input: z.object({ ...messageInput, uetr: uetrSchema, returned: moneySchema, reasonCode: reasonCodeSchema, additionalInformation: textSchema(500).optional() }).strict(),
  async run(env, input) {
    if (await messageSeen(env, 'pacs.004', 'received', input.messageId)) return ok<MessageApplied>({ effect: 'duplicate_message', payment: null });
    const payment = await paymentByUetr(env, 'outgoing', input.uetr);
    if (payment === undefined) return refuse('payment_not_found', `No payment of this bank has UETR ${input.uetr}.`);
    if (input.returned.currency !== payment.currency) return refuse('currency_mismatch', `The return is in ${input.returned.currency}; the payment was in ${payment.currency}.`);
    if (input.returned.amount > payment.amountMinor) return refuse('return_exceeds_payment', 'The correspondent returns more than the payment was; nothing was booked. Operations should query it.');
    const applied = await applyToOutgoing(env, payment, { kind: 'return' }, input.returned.amount);
    if (!applied.ok) return applied;
    let next = applied.value.payment;
    if (applied.value.effect === 'now returned') {
      next = { ...next, reason: { code: input.reasonCode, words: reasonWords(input.reasonCode), ...(input.additionalInformation === undefined ? {} : { additionalInformation: input.additionalInformation }) } };
      if (next.recall !== null) next = { ...next, recall: { ...next.recall, status: 'accepted' } };
    }
    next = await keepMessage(env, next, { type: 'pacs.004', direction: 'received', messageId: input.messageId, xml: input.xml }, `return ${input.reasonCode}: ${applied.value.effect}`);
    await env.tx.banking.put('payment', next);
    return ok({ effect: applied.value.effect, payment: paymentView(next) });
  },
});

/** The gateway handed a message to the correspondent: the payment records it (and a return's money leaves suspense). */
export const markPaymentSent = command({
  kind: 'write',
  input: z.object({ ...messageInput, paymentId: idSchema, type: z.enum(['pacs.008', 'pacs.004', 'camt.056']) }).strict(),
  async run(env, input) {
    const payment = await env.tx.banking.get('payment', input.paymentId);
    if (payment === undefined) return refuse('payment_not_found', 'No payment has this id.');
    if (await messageSeen(env, input.type, 'sent', input.messageId)) return ok({ effect: 'duplicate_message', payment: paymentView(payment) });
    const sent = await afterSending(env, payment, input.type);
    if (!sent.ok) return sent;
    const next = await keepMessage(env, sent.value.payment, { type: input.type, direction: 'sent', messageId: input.messageId, xml: input.xml }, sent.value.effect);
    await env.tx.banking.put('payment', next);
    return ok({ effect: sent.value.effect, payment: paymentView(next) });
  },
});

async function afterSending(env: CommandEnv, payment: Payment, type: 'pacs.008' | 'pacs.004' | 'camt.056'): Promise<Outcome<{ payment: Payment; effect: string }, string>> {
  switch (type) {
    case 'pacs.008':
      if (payment.direction !== 'outgoing') return refuse('wrong_direction', 'A pacs.008 is sent only for an outgoing payment.');
      return applyToOutgoing(env, payment, { kind: 'sent' });
    case 'camt.056':
      if (payment.recall?.status !== 'requested') return refuse('no_recall_requested', 'Nobody asked to recall this payment.');
      return ok({ payment: { ...payment, recall: { ...payment.recall, status: 'sent' } }, effect: 'recall sent' });
    case 'pacs.004': {
      if (payment.direction !== 'incoming' || payment.status !== 'returning') return refuse('nothing_to_return', 'This payment is not waiting to be returned.');
      const correspondent = await correspondentFor(env, payment.currency);
      if (!correspondent.ok) return correspondent;
      const moved = await post(env, [{ id: derivedId(`returned:${payment.id}`), debitAccountId: correspondent.value.suspenseAccountId, creditAccountId: correspondent.value.nostroAccountId, amount: payment.amountMinor, ledger: currencyByCode(payment.currency)!.numeric, code: TransferCodes.paymentReturn, userData128: payment.id }]);
      if (!moved.ok) return refuse('ledger_refused', `The return could not be booked from suspense: ${moved.message}`);
      return ok({ payment: { ...payment, status: 'returned' }, effect: 'returned to the sender' });
    }
    default: {
      const unknown: never = type;
      throw new Error(`unknown message type ${String(unknown)}`);
    }
  }
}

const receiveInput = z
  .object({
    ...messageInput,
    uetr: uetrSchema,
    instructionId: referenceSchema,
    endToEndId: referenceSchema,
    money: moneySchema,
    settlementDate: dateSchema,
    debtor: partySchema,
    debtorAgentBic: bicSchema,
    // Optional as in CBPR+: a payment without the creditor's account is parked and returned (AC01), never refused unbooked.
    creditor: partySchema,
    creditorAgentBic: bicSchema,
    remittanceInformation: textSchema(140).optional(),
    chargeBearer: z.enum(['DEBT', 'CRED', 'SHAR']),
  })
  .strict();

/**
 * An incoming pacs.008 (the correspondent has credited the nostro): both parties screened; the
 * beneficiary credited; a sanctions hit blocked in suspense with a case (a listed party's money is
 * frozen, not sent back); an account the bank cannot credit parked in suspense for a pacs.004
 * with the reason code. Either way the nostro moves as the correspondent's statement will show.
 */
export const receivePayment = command({
  kind: 'write',
  input: receiveInput,
  async run(env, input) {
    const existing = await paymentByUetr(env, 'incoming', input.uetr);
    if (existing !== undefined) return answerRepeat(env, existing, input);
    if ((await messageSeen(env, 'pacs.008', 'received', input.messageId))) return refuse('message_id_reused', `Message id ${input.messageId} was already used by another payment; nothing was booked. Operations should ask the correspondent.`);
    const correspondent = await correspondentFor(env, input.money.currency);
    if (!correspondent.ok) return correspondent;
    const base = incomingPayment(env, input, correspondent.value.bic);
    const decided = await decideIncoming(env, input, base);
    const creditAccountId = decided.status === 'credited' ? decided.accountId! : correspondent.value.suspenseAccountId;
    const moved = await post(env, [{ id: base.id, debitAccountId: correspondent.value.nostroAccountId, creditAccountId, amount: input.money.amount, ledger: currencyByCode(input.money.currency)!.numeric, code: TransferCodes.paymentIn, userData128: base.id }]);
    if (!moved.ok) return refuse('ledger_refused', `The books could not take this incoming payment: ${moved.message} Operations should look at it.`);
    const payment = await keepMessage(env, { ...base, ...decided }, { type: 'pacs.008', direction: 'received', messageId: input.messageId, xml: input.xml }, `received: ${decided.status}`);
    await env.tx.banking.put('payment', payment);
    return ok({ effect: decided.status, payment: paymentView(payment) });
  },
});

/**
 * A pacs.008 with a UETR the bank has already received: the same payment again changes nothing; one
 * that differs (another amount, currency or beneficiary) is kept on the first payment's record as a
 * contradiction for operations, and moves nothing.
 */
async function answerRepeat(env: CommandEnv, existing: Payment, input: z.output<typeof receiveInput>): Promise<Outcome<MessageApplied, string>> {
  const same = existing.amountMinor === input.money.amount && existing.currency === input.money.currency && existing.creditor.name === input.creditor.name;
  if (same) return ok({ effect: 'duplicate', payment: paymentView(existing) });
  const conflicting = noted(existing, `a second pacs.008 (${input.messageId}) with this UETR asked for ${input.money.amount} ${input.money.currency} to ${input.creditor.name}: nothing moved`);
  const next = await keepMessage(env, conflicting, { type: 'pacs.008', direction: 'received', messageId: input.messageId, xml: input.xml }, 'conflicts with the payment already received: nothing moved; operations should ask the correspondent');
  await env.tx.banking.put('payment', next);
  return ok({ effect: 'conflicting_duplicate', payment: paymentView(next) });
}

type IncomingDecision = Pick<Payment, 'status' | 'accountId' | 'customerId' | 'branchId' | 'reason'>;

async function decideIncoming(env: CommandEnv, input: z.output<typeof receiveInput>, payment: Payment): Promise<IncomingDecision> {
  const parked = (code: string, status: 'returning' | 'blocked', words = reasonWords(code)): IncomingDecision => ({ status, accountId: null, customerId: null, branchId: null, reason: { code, words } });
  const screened = await screenParties(env.tx, async () => [
    { name: input.debtor.name, type: input.debtor.kind },
    { name: input.creditor.name, type: input.creditor.kind },
  ]);
  if (screened !== null && 'damaged' in screened) return parked('RR04', 'blocked', `held: the sanctions list ${screened.damaged} is damaged, so nobody could be screened; operations should reinstall it`);
  const hit = screened?.find((result) => result.matches.length > 0);
  if (hit !== undefined) {
    await openOrJoinCase(env.tx, env.ids, {
      queue: screeningQueue,
      title: `Sanctions hit on an incoming payment: ${hit.party.name} matches ${hit.matches[0]!.matchedName} (${hit.matches[0]!.listId} ${hit.matches[0]!.entryId})`,
      branchId: null,
      customerId: null,
      partyName: hit.party.name,
      alerts: [screeningAlert('payment.receive', { party: hit.party, match: hit.matches[0]! }, env.occurredAtMs)],
      transactionIds: [payment.id],
      dueAtMs: sarDueAtMs(env.nowMs),
      nowMs: env.nowMs,
      actor: env.ctx.actor,
    });
    return parked('RR04', 'blocked', 'blocked: a party matches a sanctions list; the money is held in suspense and compliance has the case');
  }
  const reference = input.creditor.account;
  if (reference === undefined) return parked(incomingRefusalCodes.unknownAccount, 'returning');
  const number = 'other' in reference ? reference.other : reference.iban;
  const account = (await env.tx.banking.findBy('bankAccount', 'number', number, 1))[0];
  if (account === undefined) return parked(incomingRefusalCodes.unknownAccount, 'returning');
  if (account.status !== 'open') return parked(incomingRefusalCodes.closedAccount, 'returning');
  if (account.currency !== input.money.currency) return parked(incomingRefusalCodes.wrongCurrency, 'returning');
  return { status: 'credited', accountId: account.id, customerId: account.customerId, branchId: account.branchId, reason: null };
}

function incomingPayment(env: CommandEnv, input: z.output<typeof receiveInput>, correspondentBic: string): Payment {
  return {
    id: derivedId(`incoming:${input.uetr}`),
    direction: 'incoming',
    status: 'credited',
    currency: input.money.currency,
    amountMinor: input.money.amount,
    accountId: null,
    customerId: null,
    branchId: null,
    uetr: input.uetr,
    endToEndId: input.endToEndId,
    instructionId: input.instructionId,
    messageId: input.messageId,
    debtor: withoutUndefined(input.debtor),
    debtorAgentBic: input.debtorAgentBic,
    ...paymentTail(env, input, correspondentBic),
    settlementDate: input.settlementDate,
  };
}

const recallReasons = ['DUPL', 'CUST', 'FRAD', 'TECH', 'UPAY', 'AGNT', 'CURR'] as const;

/** A teller's or operations' request to recall an outgoing payment: the gateway sends the camt.056. */
export const recallPayment = command({
  kind: 'write',
  input: z.object({ paymentId: idSchema, reasonCode: z.enum(recallReasons) }).strict(),
  subject: (env, input) => paymentSubject(env, input.paymentId),
  async run(env, input) {
    const payment = await env.tx.banking.get('payment', input.paymentId);
    if (payment === undefined || payment.direction !== 'outgoing') return refuse('payment_not_found', 'No outgoing payment has this id.');
    if (payment.recall !== null) return ok(paymentView(payment));
    if (!['sent', 'in_progress', 'settled'].includes(payment.status)) {
      return refuse('cannot_recall', `The payment is ${payment.status}: only a payment the correspondent has (sent, in progress or settled) can be recalled.`);
    }
    const next: Payment = { ...payment, recall: { reasonCode: input.reasonCode, requestedAtMs: env.nowMs, direction: 'sent', status: 'requested' }, updatedAtMs: env.nowMs };
    await env.tx.banking.put('payment', next);
    return ok(paymentView(next));
  },
});

/**
 * A camt.056 from the correspondent asking for an incoming payment back: answered with a pacs.004
 * when the money is still on the beneficiary's account (debited to suspense for it now), refused
 * and kept when it is not, or when the payment is blocked under sanctions.
 */
export const receiveRecall = command({
  kind: 'write',
  input: z.object({ ...messageInput, uetr: uetrSchema, reasonCode: reasonCodeSchema }).strict(),
  async run(env, input) {
    if (await messageSeen(env, 'camt.056', 'received', input.messageId)) return ok<MessageApplied>({ effect: 'duplicate_message', payment: null });
    const payment = await paymentByUetr(env, 'incoming', input.uetr);
    if (payment === undefined) return refuse('payment_not_found', `No payment this bank received has UETR ${input.uetr}.`);
    const answered = await answerRecall(env, payment, input.reasonCode);
    const next = await keepMessage(env, answered.payment, { type: 'camt.056', direction: 'received', messageId: input.messageId, xml: input.xml }, answered.effect);
    await env.tx.banking.put('payment', next);
    return ok({ effect: answered.effect, payment: paymentView(next) });
  },
});

async function answerRecall(env: CommandEnv, payment: Payment, reasonCode: string): Promise<{ payment: Payment; effect: string }> {
  const refused = (why: string) => ({ payment: { ...payment, recall: { reasonCode, requestedAtMs: env.nowMs, direction: 'received' as const, status: 'refused' as const } }, effect: `recall refused: ${why}` });
  if (payment.recall !== null) return { payment, effect: 'a recall of this payment was already answered' };
  if (payment.status !== 'credited' || payment.accountId === null) return refused(`the payment is ${payment.status}`);
  const correspondent = await correspondentFor(env, payment.currency);
  if (!correspondent.ok) return refused(correspondent.message);
  const taken = await post(env, [{ id: derivedId(`recalled:${payment.id}`), debitAccountId: payment.accountId as Id128, creditAccountId: correspondent.value.suspenseAccountId, amount: payment.amountMinor, ledger: currencyByCode(payment.currency)!.numeric, code: TransferCodes.paymentReturn, userData128: payment.id }]);
  if (!taken.ok) return refused(taken.code === 'insufficient_funds' ? 'the beneficiary no longer has the money' : taken.message);
  return {
    payment: { ...payment, status: 'returning', reason: { code: incomingRefusalCodes.followingRecall, words: reasonWords(incomingRefusalCodes.followingRecall) }, recall: { reasonCode, requestedAtMs: env.nowMs, direction: 'received', status: 'accepted' } },
    effect: 'recall accepted: the money goes back by pacs.004',
  };
}

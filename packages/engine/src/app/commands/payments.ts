import { z } from 'zod';
import { canonicalJson, type JsonValue } from '../../core/canonical-json';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AccountCodes, TransferCodes } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import type { Id128 } from '../../core/ids';
import { AccountFlags, TransferFlags, type TransferEvent } from '../../core/ledger';
import type { LedgerAction } from '../../core/payments';
import type { Correspondent, Payment, PaymentParty } from '../../core/payments';
import { applyAccounts } from '../ledger';
import { command, ok, refuse, type CommandEnv, type Outcome } from '../command';
import { currencySchema, idSchema, moneySchema, textSchema, tokenSchema } from '../schemas';
import { post } from './posting';
import { accountSubject, holdersOf, moneyMeasure, monitoredLegs } from './subjects';

/** Messages one payment keeps a record of; a correspondent that sends more is answering nonsense. */
export const paymentMessagesMax = 64;
/** Contradicting messages one payment keeps for operations. */
export const paymentExceptionsMax = 32;
/** The largest message the books keep as it came (a CBPR+ pacs.008 is a few kilobytes). */
export const paymentMessageCharsMax = 256 * 1024;

export const bicSchema = tokenSchema(/^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 11, 'a BIC is 8 or 11 capital letters and digits (ISO 9362)');
export const uetrSchema = tokenSchema(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 36, 'a UETR is a lower-case UUID version 4');
/** An ISO 20022 external code (1-4 letters or digits, as the schema allows), upper-cased: a final status is never refused for its reason code's case. */
export const reasonCodeSchema = tokenSchema(/^[A-Za-z0-9]{1,4}$/, 4, 'an ISO 20022 reason code is 1-4 letters or digits').transform((code) => code.toUpperCase());
export const referenceSchema = tokenSchema(/^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/, 35, 'a reference is 1-35 characters of the SWIFT set');
export const dateSchema = tokenSchema(/^\d{4}-\d{2}-\d{2}$/, 10, 'a date is YYYY-MM-DD').refine((text) => {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}, 'must be a calendar date');
export const messageXmlSchema = z.string().min(1).max(paymentMessageCharsMax, { message: `must be at most ${paymentMessageCharsMax} characters` });
export const accountRefSchema = z.union([
  z.object({ iban: tokenSchema(/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/, 34, 'an IBAN is 15-34 capital letters and digits, without spaces') }).strict(),
  // As the wire allows it (FIN-X, restricted: spaces inside too): what a correspondent sends is never refused for its account's form.
  z.object({ other: tokenSchema(/^[A-Za-z0-9/\-?:().,'+](?:[A-Za-z0-9/\-?:().,'+ ]{0,32}[A-Za-z0-9/\-?:().,'+])?$/, 34, 'an account number is 1-34 characters of the SWIFT set') }).strict(),
]);
export const partySchema = z
  .object({
    name: textSchema(140),
    kind: z.enum(['person', 'company']),
    account: accountRefSchema.optional(),
    streetName: textSchema(70).optional(),
    buildingNumber: textSchema(16).optional(),
    postCode: textSchema(16).optional(),
    townName: textSchema(35).optional(),
    country: tokenSchema(/^[A-Z]{2}$/, 2, 'a country is its ISO 3166 code of two capital letters').optional(),
  })
  .strict();

/** A deterministic id for what a payment derives (its post, void or return transfer). */
export function derivedId(seed: string): Id128 {
  return bytesToHex(sha256(utf8ToBytes(seed))).slice(0, 32) as Id128;
}

/** The payment's UETR: a UUID v4 derived from its id, so a resent payment carries the same one. */
export function uetrOf(paymentId: string): string {
  const hex = bytesToHex(sha256(utf8ToBytes(`uetr:${paymentId}`))).slice(0, 32).split('');
  hex[12] = '4';
  hex[16] = '89ab'[Number.parseInt(hex[16]!, 16) % 4]!;
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** Our reference for a payment (MT :20: is 16 characters; the same in pacs.008 InstrId). */
export function instructionIdOf(paymentId: string): string {
  return `QX${paymentId.slice(0, 14).toUpperCase()}`;
}

export function messageSha256(xml: string): string {
  return bytesToHex(sha256(utf8ToBytes(xml)));
}

function ledgerOf(currency: string): number {
  return currencyByCode(currency)!.numeric;
}

export async function correspondentFor(env: CommandEnv, currency: string): Promise<Outcome<Correspondent, 'no_correspondent'>> {
  const found = await env.tx.banking.get('correspondent', currency);
  if (found === undefined) return refuse('no_correspondent', `The bank has no correspondent for ${currency}: payments in ${currency} cannot leave. Operations sets one up.`);
  return ok(found);
}

export const setCorrespondent = command({
  kind: 'write',
  input: z.object({ currency: currencySchema, bic: bicSchema, name: textSchema(140), ownBic: bicSchema, accountAtCorrespondent: tokenSchema(/^[A-Za-z0-9]{1,34}$/, 34, 'an account number is 1-34 letters and digits') }).strict(),
  async run(env, input) {
    const existing = await env.tx.banking.get('correspondent', input.currency);
    const nostroAccountId = existing?.nostroAccountId ?? env.ids.next();
    const suspenseAccountId = existing?.suspenseAccountId ?? env.ids.next();
    if (existing === undefined) {
      const ledger = ledgerOf(input.currency);
      const results = await applyAccounts(
        env.tx.ledger,
        [
          { id: nostroAccountId, ledger, code: AccountCodes.nostro, flags: AccountFlags.history },
          { id: suspenseAccountId, ledger, code: AccountCodes.paymentsSuspense, flags: AccountFlags.history },
        ],
        env.nowNs,
      );
      if (results.some((result) => result !== 'ok')) throw new Error(`nostro accounts refused: ${results.join(',')}`);
    }
    const correspondent: Correspondent = { id: input.currency, ...input, nostroAccountId, suspenseAccountId, createdAtMs: existing?.createdAtMs ?? env.nowMs };
    await env.tx.banking.put('correspondent', correspondent);
    return ok(correspondent);
  },
});

const sendInput = z
  .object({
    paymentId: idSchema,
    fromAccountId: idSchema,
    money: moneySchema,
    // CBPR+ no longer carries a fully unstructured address since November 2026: town and country at least.
    creditor: partySchema.extend({ account: accountRefSchema, townName: textSchema(35), country: tokenSchema(/^[A-Z]{2}$/, 2, 'a country is its ISO 3166 code of two capital letters') }),
    creditorAgentBic: bicSchema,
    /**
     * The customer's address as the payment carries it (CBPR+ asks for a structured one: at least
     * town and country), as on the identity document the teller has before them.
     */
    debtorAddress: z
      .object({ streetName: textSchema(70).optional(), buildingNumber: textSchema(16).optional(), postCode: textSchema(16).optional(), townName: textSchema(35), country: tokenSchema(/^[A-Z]{2}$/, 2, 'a country is its ISO 3166 code of two capital letters') })
      .strict(),
    remittanceInformation: textSchema(140).optional(),
    chargeBearer: z.enum(['DEBT', 'CRED', 'SHAR']).default('SHAR'),
    endToEndId: referenceSchema.optional(),
  })
  .strict();

/**
 * A customer's cross-border payment: admitted (the transfer limit, a second person above it),
 * the creditor screened, the message it makes checked field by field, and the money held on the
 * customer's account by a pending transfer to the nostro until the correspondent answers. The
 * pacs.008 goes out from the payment gateway; a retry with the same id is the same payment.
 */
export const sendPayment = command({
  kind: 'write',
  input: sendInput,
  async run(env, input) {
    const existing = await env.tx.banking.get('payment', input.paymentId);
    if (existing !== undefined) return sameSend(existing, input);
    const correspondent = await correspondentFor(env, input.money.currency);
    if (!correspondent.ok) return correspondent;
    const account = await env.tx.banking.get('bankAccount', input.fromAccountId);
    if (account === undefined) return refuse('account_not_found', 'No account has this id.');
    if (account.status !== 'open') return refuse('account_closed', 'The account is closed.');
    if (account.currency !== input.money.currency) return refuse('currency_mismatch', `The account is in ${account.currency}; the amount is in ${input.money.currency}.`);
    const customer = (await env.tx.banking.get('customer', account.customerId))!;
    const payment = outgoingPayment(env, input, correspondent.value, { account, customerName: customer.fullName });
    const issues = env.paymentFormats?.(payment) ?? [{ field: 'payment', message: 'this host cannot build payment messages' }];
    if (issues.length > 0) {
      return refuse('payment_invalid', `The payment cannot be sent as it stands: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}.`, { issues: issues.map((issue) => ({ ...issue })) });
    }
    const held = await post(env, [
      {
        id: payment.id,
        debitAccountId: account.id,
        creditAccountId: correspondent.value.nostroAccountId,
        amount: input.money.amount,
        ledger: ledgerOf(input.money.currency),
        code: TransferCodes.paymentOut,
        flags: TransferFlags.pending,
        // No timeout: the hold lasts until the correspondent answers (a late ACSC must find it).
        timeout: 0,
        userData128: payment.id,
      },
    ]);
    if (!held.ok) return held;
    await env.tx.banking.put('payment', payment);
    return ok(paymentView(payment));
  },
  subject: (env, input) => accountSubject(env, input.fromAccountId),
  measure: async (env, input) => ((await env.tx.banking.get('payment', input.paymentId)) === undefined ? moneyMeasure(input.money) : null),
  parties: async (env, input) => [...(await holdersOf(env, input.paymentId, [input.fromAccountId])), { name: input.creditor.name, type: input.creditor.kind }],
  monitored: async (env, input) => {
    const legs = await monitoredLegs(env, input.paymentId, input.money, [{ id: input.paymentId, accountId: input.fromAccountId, kind: 'transfer_out', counterpartyAccountId: accountKey(input.creditor.account) }]);
    const country = input.creditor.country ?? input.creditorAgentBic.slice(4, 6);
    return legs.map((leg) => ({ ...leg, counterpartyCountry: country }));
  },
});

function accountKey(account: { iban: string } | { other: string }): string {
  return 'iban' in account ? `iban:${account.iban}` : `acct:${account.other}`;
}

/** A value as JSON sees it (bigints as decimal strings, undefined keys gone), for comparing two requests canonically. */
function plainJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))) as JsonValue;
}

/** A retry is the same payment only when everything it asks for is the same (a corrected IBAN is a new payment, not this one). */
function sameSend(existing: Payment, input: z.output<typeof sendInput>): Outcome<ReturnType<typeof paymentView>, 'transaction_id_reused'> {
  const asked = (payment: Pick<Payment, 'accountId' | 'amountMinor' | 'currency' | 'creditor' | 'creditorAgentBic' | 'chargeBearer' | 'remittanceInformation'>) =>
    canonicalJson(plainJson({ accountId: payment.accountId, amountMinor: payment.amountMinor, currency: payment.currency, creditor: payment.creditor, creditorAgentBic: payment.creditorAgentBic, chargeBearer: payment.chargeBearer, remittanceInformation: payment.remittanceInformation ?? null }));
  const retried = { accountId: input.fromAccountId, amountMinor: input.money.amount, currency: input.money.currency, creditor: withoutUndefined(input.creditor), creditorAgentBic: input.creditorAgentBic, chargeBearer: input.chargeBearer, ...(input.remittanceInformation === undefined ? {} : { remittanceInformation: input.remittanceInformation }) };
  const sameDebtor = existing.debtor.townName === input.debtorAddress.townName && existing.debtor.country === input.debtorAddress.country && (input.endToEndId === undefined || input.endToEndId === existing.endToEndId);
  if (existing.direction !== 'outgoing' || !sameDebtor || asked(existing) !== asked(retried)) return refuse('transaction_id_reused', 'This payment id was already used for a different payment; start a new payment.');
  return ok(paymentView(existing));
}

function outgoingPayment(env: CommandEnv, input: z.output<typeof sendInput>, correspondent: Correspondent, from: { account: { id: Id128; customerId: Id128; branchId: Id128; number: string }; customerName: string }): Payment {
  const instructionId = instructionIdOf(input.paymentId);
  return {
    id: input.paymentId,
    direction: 'outgoing',
    status: 'queued',
    currency: input.money.currency,
    amountMinor: input.money.amount,
    accountId: from.account.id,
    customerId: from.account.customerId,
    branchId: from.account.branchId,
    uetr: uetrOf(input.paymentId),
    endToEndId: input.endToEndId ?? instructionId,
    instructionId,
    messageId: `QXM${input.paymentId.slice(0, 32).toUpperCase()}`,
    debtor: withoutUndefined({ name: from.customerName, kind: 'person', account: { other: from.account.number }, ...input.debtorAddress }),
    debtorAgentBic: correspondent.ownBic,
    ...paymentTail(env, input, correspondent.bic),
    settlementDate: new Date(env.nowMs).toISOString().slice(0, 10),
  };
}

export function withoutUndefined(party: z.output<typeof partySchema> | PaymentParty): PaymentParty {
  return Object.fromEntries(Object.entries(party).filter(([, value]) => value !== undefined)) as unknown as PaymentParty;
}

/** What every new payment record starts with besides its own parties: the creditor's side, who and when, nothing exchanged yet. */
export function paymentTail(env: CommandEnv, input: { creditor: z.output<typeof partySchema>; creditorAgentBic: string; chargeBearer: Payment['chargeBearer']; remittanceInformation?: string | undefined }, correspondentBic: string) {
  return {
    creditor: withoutUndefined(input.creditor),
    creditorAgentBic: input.creditorAgentBic,
    correspondentBic,
    chargeBearer: input.chargeBearer,
    ...(input.remittanceInformation === undefined ? {} : { remittanceInformation: input.remittanceInformation }),
    createdAtMs: env.nowMs,
    updatedAtMs: env.nowMs,
    createdBy: env.ctx.actor,
    reason: null,
    recall: null,
    messages: [],
    exceptions: [],
  } satisfies Partial<Payment>;
}

/** A payment as the wire shows it: amounts as strings, the reason in words. */
export function paymentView(payment: Payment) {
  return { ...payment, amountMinor: payment.amountMinor.toString() };
}

/** The transfers a ledger action makes for an outgoing payment (ids derived, so a retry makes none twice). */
export function ledgerEvents(payment: Payment, correspondent: Correspondent, action: LedgerAction, returned: { readonly amountMinor: bigint; readonly toAccountId: Id128 } = { amountMinor: payment.amountMinor, toAccountId: payment.accountId! }): TransferEvent[] {
  const ledger = ledgerOf(payment.currency);
  const base = { amount: payment.amountMinor, ledger, userData128: payment.id };
  const postEvent: TransferEvent = { ...base, id: derivedId(`post:${payment.id}`), pendingId: payment.id, debitAccountId: payment.accountId!, creditAccountId: correspondent.nostroAccountId, code: TransferCodes.paymentOut, flags: TransferFlags.postPendingTransfer };
  const voidEvent: TransferEvent = { ...base, id: derivedId(`void:${payment.id}`), pendingId: payment.id, debitAccountId: payment.accountId!, creditAccountId: correspondent.nostroAccountId, code: TransferCodes.paymentOut, flags: TransferFlags.voidPendingTransfer };
  const returnEvent: TransferEvent = { ...base, amount: returned.amountMinor, id: derivedId(`return:${payment.id}`), debitAccountId: correspondent.nostroAccountId, creditAccountId: returned.toAccountId, code: TransferCodes.paymentReturn };
  switch (action) {
    case 'none':
      return [];
    case 'post':
      return [postEvent];
    case 'void':
      return [voidEvent];
    case 'return':
      return [returnEvent];
    case 'post_then_return':
      return [postEvent, returnEvent];
    default: {
      const unknown: never = action;
      throw new Error(`unknown ledger action ${String(unknown)}`);
    }
  }
}


/**
 * The payment gateway: the server's own process between the books and the correspondent. It sends
 * what the books say is due (pacs.008 for an admitted payment, pacs.004 for a return, camt.056 for
 * a recall) and applies what the correspondent sends back (pacs.002, pacs.004, pacs.008, camt.056,
 * camt.053) through the engine's payment commands, which decide each message once. The gateway
 * keeps no state of its own that matters: a restart reads the correspondent's messages again from
 * the start, and every one it had applied is a duplicate the books ignore.
 */
import { paymentMessageCharsMax, systemRole, type Context, type Correspondent, type Engine, type Payment, type PaymentFormats } from '@qenex/engine';
import {
  buildCamt056,
  buildPacs004,
  buildPacs008,
  isBic,
  parseMx,
  validateIban,
  type CancellationRequest,
  type CreditTransfer,
  type Issue,
  type PaymentReturn,
  type PaymentStatusReport,
  type Statement,
} from '@qenex/protocols';
import { missingSchemaFiles, validateManyAgainstSchema } from '@qenex/protocols/node';
import type { CorrespondentLink } from './link';
import { creditTransferOf, engineParty, partyKind, recallOf, returnOf } from './messages';

/** Payments one cycle sends at most; the rest wait for the next cycle. */
export const gatewaySendBatchMax = 200;
/** Messages one cycle reads from the correspondent at most. */
export const gatewayReceiveBatchMax = 500;

const gatewayCtx: Context = { actor: 'swift-gateway', roles: [systemRole], deviceId: 'server' };

export interface GatewayLog {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
}

/** What applying one received message did. */
export type Applied = { readonly type: string; readonly ok: true; readonly effect: string } | { readonly type: string; readonly ok: false; readonly code: string; readonly message: string };

/** What the gateway sends, by the message type its schema names. */
const sentTypes = { 'pacs.008': 'pacs.008.001.08', 'pacs.004': 'pacs.004.001.09', 'camt.056': 'camt.056.001.08' } as const;

export class PaymentGateway {
  private cursor = 0;
  /** Whether ISO's schemas are at hand: each message is then also checked against them before it leaves. */
  readonly schemaChecked: boolean;

  constructor(private readonly deps: { readonly engine: Engine; readonly link: CorrespondentLink; readonly nowMs: () => number; readonly log: GatewayLog }) {
    this.schemaChecked = missingSchemaFiles(Object.values(sentTypes)).length === 0;
    if (!this.schemaChecked) deps.log.warn({}, "ISO 20022 schemas not found (QENEX_ISO20022_XSD): messages are checked by the builders' rules only before they leave");
  }

  /** One round: send what is due, then apply what came back (a failure sending never keeps the answers out). */
  async cycle(): Promise<{ sent: number; applied: Applied[] }> {
    const sent = await this.sendDue().catch((error: unknown) => {
      this.deps.log.warn({ err: describeError(error) }, 'sending to the correspondent failed; what is due is sent on the next cycle');
      return 0;
    });
    const applied = await this.receive();
    return { sent, applied };
  }

  async sendDue(): Promise<number> {
    const outbox = await this.deps.engine.execute('payment.outbox', { limit: gatewaySendBatchMax }, gatewayCtx);
    if (!outbox.ok) throw new Error(`payment.outbox refused: ${outbox.code}: ${outbox.message}`);
    const correspondents = new Map(outbox.value.correspondents.map((found) => [found.currency, found]));
    const ready: { paymentId: string; type: keyof typeof sentTypes; xml: string; messageId: string }[] = [];
    for (const due of outbox.value.payments) {
      const correspondent = correspondents.get(due.currency);
      if (correspondent === undefined || due.send === null) continue;
      const built = buildDue(storedPayment(due), correspondent, due.send, this.deps.nowMs());
      if (!built.ok) {
        this.deps.log.warn({ paymentId: due.id, issues: built.issues }, `the ${due.send} for payment ${due.id} cannot be built; it stays due`);
        continue;
      }
      ready.push({ paymentId: due.id, type: due.send, ...built.value });
    }
    let sent = 0;
    for (const message of await this.schemaValid(ready)) {
      try {
        await this.deps.link.send(message.xml);
      } catch (error) {
        // This one stays due; the others still go.
        this.deps.log.warn({ paymentId: message.paymentId, err: describeError(error) }, `the correspondent did not take the ${message.type} for payment ${message.paymentId}; it is sent again on the next cycle`);
        continue;
      }
      const marked = await this.deps.engine.execute('payment.mark_sent', { paymentId: message.paymentId, type: message.type, messageId: message.messageId, xml: message.xml }, gatewayCtx);
      if (!marked.ok) this.deps.log.warn({ paymentId: message.paymentId, code: marked.code }, `payment ${message.paymentId}: ${marked.message}`);
      else sent += 1;
    }
    return sent;
  }

  /** The messages ISO's schema accepts (all of them, in one libxml2 run); any other stays due and is logged. */
  private async schemaValid<M extends { paymentId: string; type: keyof typeof sentTypes; xml: string }>(messages: readonly M[]): Promise<M[]> {
    if (!this.schemaChecked || messages.length === 0) return [...messages];
    const verdicts = await validateManyAgainstSchema(messages.map((message) => ({ xml: message.xml, type: sentTypes[message.type] })));
    return messages.filter((message, index) => {
      const verdict = verdicts[index]!;
      if (!verdict.valid) this.deps.log.warn({ paymentId: message.paymentId, errors: verdict.errors.slice(0, 5) }, `the ${message.type} for payment ${message.paymentId} fails ISO's schema; it stays due`);
      return verdict.valid;
    });
  }

  /**
   * The correspondent's next messages, each applied or kept as an exception; the cursor moves past
   * every one either way, so one message the books cannot take never holds back those after it.
   */
  async receive(): Promise<Applied[]> {
    const page = await this.deps.link.receive(this.cursor, gatewayReceiveBatchMax);
    const applied: Applied[] = [];
    for (const message of page.messages) {
      applied.push(await this.apply(message.xml));
      this.cursor = message.seq;
    }
    this.cursor = Math.max(this.cursor, page.next);
    return applied;
  }

  /** One message from the correspondent, applied to the books, or refused and kept for operations (saying why). */
  async apply(xml: string): Promise<Applied> {
    let outcome: Applied & { messageId?: string | null };
    try {
      outcome = await this.applyOnce(xml);
    } catch (error) {
      outcome = { type: 'unapplied', ok: false, code: 'internal_error', message: `The books could not apply it: ${describeError(error)}` };
    }
    if (!outcome.ok) await this.keepException(xml, outcome);
    const { messageId: _messageId, ...answer } = outcome;
    return answer;
  }

  private async keepException(xml: string, outcome: Extract<Applied, { ok: false }> & { messageId?: string | null }): Promise<void> {
    const kept = await this.deps.engine.execute('payment.record_exception', { messageType: outcome.type, messageId: outcome.messageId ?? null, xml: xml.slice(0, paymentMessageCharsMax), code: outcome.code, message: outcome.message.slice(0, 2_000) }, gatewayCtx);
    if (!kept.ok) this.deps.log.warn({ code: kept.code }, `a message the books could not apply could not be kept either: ${kept.message}`);
  }

  private async applyOnce(xml: string): Promise<Applied & { messageId?: string | null }> {
    const parsed = parseMx(xml);
    if (!parsed.ok) {
      this.deps.log.warn({ issues: parsed.issues.slice(0, 5) }, 'a message from the correspondent could not be read; it changed nothing');
      return { type: 'unreadable', ok: false, code: 'message_invalid', message: parsed.issues.map(describeIssue).join('; ') };
    }
    const { type, header, message } = parsed.value;
    const messageId = header.businessMessageId;
    const call = commandFor(type, message, messageId, xml);
    if (call === null) {
      this.deps.log.warn({ type, messageId }, `a ${type} is not a message a correspondent sends this bank; it changed nothing`);
      return { type, messageId, ok: false, code: 'message_unexpected', message: `A ${type} is not a message a correspondent sends this bank.` };
    }
    const result = await this.deps.engine.execute(call[0] as never, call[1] as never, gatewayCtx);
    if (!result.ok) {
      this.deps.log.warn({ type, messageId, code: result.code }, `${type} ${messageId}: ${result.message}`);
      return { type, messageId, ok: false, code: result.code, message: result.message };
    }
    const effect = typeof (result.value as { effect?: unknown }).effect === 'string' ? (result.value as { effect: string }).effect : 'applied';
    this.deps.log.info({ type, messageId, effect }, `${type} ${messageId}: ${effect}`);
    return { type, ok: true, effect };
  }
}

type EngineCall = readonly [name: string, input: unknown];

function commandFor(type: string, message: unknown, messageId: string, xml: string): EngineCall | null {
  switch (type) {
    case 'pacs.002.001.10': {
      const status = message as PaymentStatusReport;
      const info = status.additionalInformation?.join(' ');
      return ['payment.apply_status', { messageId, xml, uetr: status.originalUetr, status: status.status, ...(status.reasonCode === undefined ? {} : { reasonCode: status.reasonCode }), ...(info === undefined ? {} : { additionalInformation: info }) }];
    }
    case 'pacs.004.001.09': {
      const returned = message as PaymentReturn;
      const info = returned.additionalInformation?.join(' ');
      return ['payment.apply_return', { messageId, xml, uetr: returned.originalUetr, returned: { amount: returned.returnedAmount.amountMinor.toString(), currency: returned.returnedAmount.currency }, reasonCode: returned.reasonCode, ...(info === undefined ? {} : { additionalInformation: info }) }];
    }
    case 'pacs.008.001.08':
      return ['payment.receive', receiveInput(message as CreditTransfer, messageId, xml)];
    case 'camt.056.001.08': {
      const recall = message as CancellationRequest;
      return ['payment.receive_recall', { messageId, xml, uetr: recall.originalUetr, reasonCode: recall.reasonCode }];
    }
    case 'camt.053.001.08':
      return ['payment.reconcile_nostro', reconcileInput(message as Statement, messageId, xml)];
    default:
      // Anything else (a pacs.009, a pain.001) is not the correspondent's to send this bank.
      return null;
  }
}

function receiveInput(transfer: CreditTransfer, messageId: string, xml: string) {
  return {
    messageId,
    xml,
    uetr: transfer.uetr,
    instructionId: transfer.instructionId,
    endToEndId: transfer.endToEndId,
    money: { amount: transfer.settlementAmount.amountMinor.toString(), currency: transfer.settlementAmount.currency },
    settlementDate: transfer.settlementDate,
    debtor: engineParty(transfer.debtor, transfer.debtorAccount, partyKind(transfer.debtor)),
    debtorAgentBic: transfer.debtorAgent.bic ?? transfer.instructingAgent.bic,
    creditor: engineParty(transfer.creditor, transfer.creditorAccount, partyKind(transfer.creditor)),
    creditorAgentBic: transfer.creditorAgent.bic ?? transfer.instructedAgent.bic,
    ...(transfer.remittanceInformation === undefined ? {} : { remittanceInformation: transfer.remittanceInformation }),
    chargeBearer: transfer.chargeBearer,
  };
}

function reconcileInput(statement: Statement, messageId: string, xml: string) {
  const balance = (type: 'OPBD' | 'CLBD') => {
    const found = statement.balances.find((candidate) => candidate.type === type);
    return { amount: (found?.amount.amountMinor ?? 0n).toString(), creditDebit: found?.creditDebit ?? 'CRDT' };
  };
  const dates = statement.entries.map((entry) => entry.bookingDate ?? entry.valueDate).sort();
  const fromDate = statement.fromDate ?? dates[0] ?? statement.creationDateTime.slice(0, 10);
  const toDate = statement.toDate ?? dates.at(-1) ?? fromDate;
  return {
    messageId,
    xml,
    currency: statement.accountCurrency,
    statementId: statement.statementId,
    fromDate,
    toDate,
    opening: balance('OPBD'),
    closing: balance('CLBD'),
    entries: statement.entries.map((entry) => ({
      amount: entry.amount.amountMinor.toString(),
      creditDebit: entry.creditDebit,
      ...(entry.references.uetr === undefined ? {} : { uetr: entry.references.uetr }),
      references: [entry.references.endToEndId, entry.references.instructionId, entry.references.accountOwnerReference].filter((reference): reference is string => reference !== undefined),
      bookingDate: entry.bookingDate ?? entry.valueDate,
    })),
  };
}

/** A payment as the outbox answers it, back in the engine's own shape (the amount a bigint again). */
function storedPayment(view: { amountMinor: string } & Omit<Payment, 'amountMinor'>): Payment {
  return { ...view, amountMinor: BigInt(view.amountMinor) };
}

function buildDue(payment: Payment, correspondent: Correspondent, type: 'pacs.008' | 'pacs.004' | 'camt.056', nowMs: number) {
  const withId = (built: { ok: true; value: string } | { ok: false; issues: readonly Issue[] }, messageId: string) => (built.ok ? { ok: true as const, value: { xml: built.value, messageId } } : built);
  switch (type) {
    case 'pacs.008':
      return withId(buildPacs008(creditTransferOf(payment, correspondent)), payment.messageId);
    case 'pacs.004': {
      const model = returnOf(payment, correspondent, nowMs);
      return withId(buildPacs004(model), model.messageId);
    }
    case 'camt.056': {
      const model = recallOf(payment, correspondent, nowMs);
      return withId(buildCamt056(model), model.assignmentId);
    }
    default: {
      const unknown: never = type;
      throw new Error(`unknown message ${String(unknown)}`);
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeIssue(issue: Issue): string {
  return `${issue.field}: ${issue.message}`;
}

/**
 * The server's check of an outgoing payment before it is admitted: the pacs.008 it would make,
 * built and checked field by field (schema facets and CBPR+ rules), and the creditor's IBAN and
 * bank by their registries. Any issue refuses the payment, naming the field, before money is held.
 */
export const paymentFormats: PaymentFormats = (payment) => {
  const issues: { field: string; message: string }[] = [];
  const account = payment.creditor.account;
  if (account !== undefined && 'iban' in account) {
    const checked = validateIban(account.iban);
    if (!checked.ok) issues.push({ field: 'creditor.account.iban', message: checked.message });
  }
  if (!isBic(payment.creditorAgentBic)) issues.push({ field: 'creditorAgentBic', message: 'is not a BIC (ISO 9362)' });
  const built = buildPacs008(creditTransferOf(payment, { bic: payment.correspondentBic, ownBic: payment.debtorAgentBic }));
  if (!built.ok) issues.push(...built.issues.map((issue) => ({ field: issue.field, message: issue.message })));
  return issues;
};

/** Runs the gateway's cycle on a timer, one cycle at a time; a failed cycle is logged and the next one tries again. */
export class GatewaySchedule {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly gateway: PaymentGateway,
    private readonly intervalMs: number,
    private readonly log: GatewayLog,
  ) {}

  start(): void {
    if (this.intervalMs === 0 || this.timer !== null) return;
    this.timer = setInterval(() => {
      if (this.running !== null) return;
      this.running = this.gateway
        .cycle()
        .catch((error: unknown) => this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'payment gateway cycle failed; it runs again on the next tick'))
        .finally(() => {
          this.running = null;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

/**
 * A correspondent bank for demos and tests: a local HTTP process that speaks the real formats
 * (pacs.008 in, pacs.002 / pacs.004 / pacs.008 / camt.056 / camt.053 out, each a CBPR+ envelope
 * the protocols package builds and validates), keeps the bank's account on its own books, and can
 * be told to reject, delay, duplicate or reorder its statuses. The one stand-in for the world
 * outside this machine (CONVENTIONS: a fake speaks the real wire format).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildCamt053,
  buildCamt056,
  buildPacs002,
  buildPacs004,
  buildPacs008,
  parseMx,
  type CancellationRequest,
  type Checked,
  type CreditTransfer,
  type PaymentReturn,
  type StatementEntry,
  type TransactionStatus,
} from '@qenex/protocols';

/** What the correspondent does with the next payment the bank sends it. */
export type Behaviour =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly reasonCode: string }
  /** Statuses withheld until `release()`; released ones come out last-first (reordered across payments). */
  | { readonly kind: 'delay' }
  /** Every status sent twice: once more under its own message id, once more as a new message. */
  | { readonly kind: 'duplicate' }
  /** The final status before the interim one. */
  | { readonly kind: 'reorder' }
  /** Settled, then returned (less `chargesMinor`) with the reason. */
  | { readonly kind: 'return'; readonly reasonCode: string; readonly chargesMinor?: bigint };

export interface SimulatedCorrespondentOptions {
  readonly bic: string;
  /** The bank it serves: its BIC and its account here. */
  readonly bankBic: string;
  readonly account: string;
  readonly currency: string;
  readonly openingMinor?: bigint;
  readonly nowMs: () => number;
}

/** The largest message it reads (a pacs.008 is a few kilobytes). */
export const correspondentMessageCharsMax = 1024 * 1024;

interface Booked extends StatementEntry {
  readonly sequence: number;
}

export class SimulatedCorrespondent {
  private readonly outbox: { seq: number; xml: string }[] = [];
  private readonly plan: Behaviour[] = [];
  private readonly withheld: string[][] = [];
  private readonly booked: Booked[] = [];
  private readonly settledPayments = new Map<string, CreditTransfer>();
  private readonly returned = new Set<string>();
  private readonly opening: bigint;
  private counter = 0;
  private server: Server | null = null;
  /** Every message the bank handed over, as it came. */
  readonly received: string[] = [];

  constructor(private readonly options: SimulatedCorrespondentOptions) {
    this.opening = options.openingMinor ?? 0n;
  }

  /** Behaviours for the next payments, in order; `accept` once they run out. */
  willDo(...behaviours: Behaviour[]): void {
    this.plan.push(...behaviours);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.route(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }

  /** Withheld statuses go out now, the last withheld first. */
  release(): void {
    for (const group of this.withheld.reverse()) for (const xml of group) this.publish(xml);
    this.withheld.length = 0;
  }

  /** The last message it has for the bank (a test applies one out of turn). */
  lastMessage(): string {
    const last = this.outbox.at(-1);
    if (last === undefined) throw new Error('the correspondent has sent nothing');
    return last.xml;
  }

  /** The bank's balance here: opening plus every entry booked (credits to the bank positive). */
  balanceMinor(): bigint {
    return this.booked.reduce((sum, entry) => sum + (entry.creditDebit === 'CRDT' ? entry.amount.amountMinor : -entry.amount.amountMinor), this.opening);
  }

  /** A payment from one of its customers to the bank's customer: the bank's account is credited and the pacs.008 goes to it. */
  sendIncoming(transfer: Omit<CreditTransfer, 'messageId' | 'creationDateTime' | 'instructingAgent' | 'instructedAgent' | 'settlementMethod' | 'settlementDate'>): CreditTransfer {
    const model: CreditTransfer = { ...transfer, messageId: this.nextId('IN'), creationDateTime: this.dateTime(), instructingAgent: { bic: this.options.bic }, instructedAgent: { bic: this.options.bankBic }, settlementMethod: 'INDA', settlementDate: this.date() };
    this.book('CRDT', model.settlementAmount.amountMinor, { uetr: model.uetr, endToEndId: model.endToEndId, instructionId: model.instructionId });
    this.publish(must(buildPacs008(model)));
    return model;
  }

  /** Asks the bank for an incoming payment back (camt.056). */
  recall(transfer: CreditTransfer, reasonCode: string): void {
    const own = { bic: this.options.bic };
    const request: CancellationRequest = {
      assignmentId: this.nextId('CXL'),
      creationDateTime: this.dateTime(),
      assigner: own,
      assignee: { bic: this.options.bankBic },
      caseId: this.nextId('CASE'),
      caseCreator: own,
      cancellationId: this.nextId('CXLID'),
      originalMessageId: transfer.messageId,
      originalMessageType: 'pacs.008.001.08',
      originalInstructionId: transfer.instructionId,
      originalEndToEndId: transfer.endToEndId,
      originalUetr: transfer.uetr,
      originalSettlementAmount: transfer.settlementAmount,
      originalSettlementDate: transfer.settlementDate,
      reasonCode,
    };
    this.publish(must(buildCamt056(request)));
  }

  /** The camt.053 of the bank's account over everything booked so far. */
  issueStatement(statementId: string): void {
    const date = this.date();
    const closing = this.balanceMinor();
    const balance = (type: 'OPBD' | 'CLBD', amount: bigint) => ({ type, amount: { amountMinor: amount < 0n ? -amount : amount, currency: this.options.currency }, creditDebit: amount < 0n ? ('DBIT' as const) : ('CRDT' as const), date });
    const xml = must(
      buildCamt053({
        messageId: this.nextId('STM'),
        creationDateTime: this.dateTime(),
        statementId,
        sequenceNumber: 1,
        account: { other: this.options.account },
        accountCurrency: this.options.currency,
        accountServicer: { bic: this.options.bic },
        accountOwner: { bic: this.options.bankBic },
        fromDate: date,
        toDate: date,
        balances: [balance('OPBD', this.opening), balance('CLBD', closing)],
        entries: this.booked.map(({ sequence: _sequence, ...entry }) => entry),
      }),
    );
    this.publish(xml);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://correspondent');
    if (request.method === 'GET' && url.pathname === '/messages') {
      const after = Number(url.searchParams.get('after') ?? '0');
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '100'), 1000);
      const messages = this.outbox.filter((message) => message.seq > after).slice(0, limit);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages, next: messages.at(-1)?.seq ?? after }));
      return;
    }
    if (request.method === 'POST' && url.pathname.startsWith('/control/')) {
      const body = await readBody(request);
      const answer = body === null ? { status: 413, text: 'too large' } : this.control(url.pathname.slice('/control/'.length), body);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: answer.text }));
      return;
    }
    if (request.method === 'POST' && url.pathname === '/messages') {
      const body = await readBody(request);
      if (body === null) {
        response.writeHead(413).end('message too large');
        return;
      }
      const taken = this.take(body);
      response.writeHead(taken.ok ? 202 : 400, { 'content-type': 'text/plain' }).end(taken.ok ? 'accepted' : taken.issues.map((issue) => `${issue.field}: ${issue.message}`).join('\n'));
      return;
    }
    response.writeHead(404).end();
  }

  /**
   * What a test or an operator tells the correspondent from outside its process (JSON bodies):
   * `plan` {behaviours: Behaviour[]} (amounts as strings), `release`, `statement` {statementId},
   * `incoming` {transfer} (a CreditTransfer with amounts as strings of minor units).
   */
  private control(action: string, body: string): { status: number; text: string } {
    let input: Record<string, unknown>;
    try {
      input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      return { status: 400, text: 'the body is not JSON' };
    }
    switch (action) {
      case 'plan':
        this.willDo(...((input.behaviours as Behaviour[] | undefined) ?? []).map((behaviour) => ('chargesMinor' in behaviour ? { ...behaviour, chargesMinor: BigInt(String(behaviour.chargesMinor)) } : behaviour)));
        return { status: 200, text: 'planned' };
      case 'release':
        this.release();
        return { status: 200, text: 'released' };
      case 'statement':
        this.issueStatement(String(input.statementId ?? `STM${this.date().replaceAll('-', '')}`));
        return { status: 200, text: 'statement issued' };
      case 'incoming': {
        const transfer = input.transfer as Parameters<SimulatedCorrespondent['sendIncoming']>[0] & { settlementAmount: { amountMinor: string; currency: string } };
        this.sendIncoming({ ...transfer, settlementAmount: { amountMinor: BigInt(transfer.settlementAmount.amountMinor), currency: transfer.settlementAmount.currency } });
        return { status: 200, text: 'sent' };
      }
      default:
        return { status: 404, text: `no control ${action}: plan, release, statement or incoming` };
    }
  }

  /** A message from the bank: read as the real format, refused when it is not one. */
  private take(xml: string): Checked<null> {
    const parsed = parseMx(xml);
    if (!parsed.ok) return parsed;
    this.received.push(xml);
    switch (parsed.value.type) {
      case 'pacs.008.001.08':
        this.decide(parsed.value.message as CreditTransfer);
        return { ok: true, value: null };
      case 'pacs.004.001.09': {
        // The bank sends back a payment it could not apply: the bank's account is debited.
        const returned = parsed.value.message as PaymentReturn;
        this.book('DBIT', returned.returnedAmount.amountMinor, { uetr: returned.originalUetr, endToEndId: returned.originalEndToEndId });
        return { ok: true, value: null };
      }
      case 'camt.056.001.08':
        this.answerRecall(parsed.value.message as CancellationRequest);
        return { ok: true, value: null };
      default:
        return { ok: false, issues: [{ field: 'AppHdr/MsgDefIdr', rule: 'unexpected', message: `a correspondent takes no ${parsed.value.type} from its client` }] };
    }
  }

  private decide(payment: CreditTransfer): void {
    const behaviour = this.plan.shift() ?? { kind: 'accept' };
    const settle = () => {
      this.settledPayments.set(payment.uetr, payment);
      this.book('DBIT', payment.settlementAmount.amountMinor, { uetr: payment.uetr, endToEndId: payment.endToEndId, instructionId: payment.instructionId });
    };
    switch (behaviour.kind) {
      case 'accept':
        settle();
        return this.publishAll([this.status(payment, 'ACSP'), this.status(payment, 'ACSC')]);
      case 'reject':
        return this.publishAll([this.status(payment, 'RJCT', behaviour.reasonCode)]);
      case 'delay':
        settle();
        this.withheld.push([this.status(payment, 'ACSP'), this.status(payment, 'ACSC')]);
        return;
      case 'duplicate': {
        settle();
        const final = this.status(payment, 'ACSC');
        return this.publishAll([final, final, this.status(payment, 'ACSC')]);
      }
      case 'reorder':
        settle();
        return this.publishAll([this.status(payment, 'ACSC'), this.status(payment, 'ACSP')]);
      case 'return': {
        settle();
        const back = payment.settlementAmount.amountMinor - (behaviour.chargesMinor ?? 0n);
        return this.publishAll([this.status(payment, 'ACSC'), this.returnOf(payment, back, behaviour.reasonCode)]);
      }
      default: {
        const unknown: never = behaviour;
        throw new Error(`unknown behaviour ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** A recall of a payment it settled and has not returned: accepted, with the money back by pacs.004. */
  private answerRecall(request: CancellationRequest): void {
    const payment = this.settledPayments.get(request.originalUetr);
    if (payment === undefined || this.returned.has(payment.uetr)) return;
    this.publish(this.returnOf(payment, payment.settlementAmount.amountMinor, 'FOCR'));
  }

  private returnOf(payment: CreditTransfer, amountMinor: bigint, reasonCode: string): string {
    this.returned.add(payment.uetr);
    this.book('CRDT', amountMinor, { uetr: payment.uetr, endToEndId: payment.endToEndId, instructionId: payment.instructionId });
    const model: PaymentReturn = {
      messageId: this.nextId('RTN'),
      creationDateTime: this.dateTime(),
      instructingAgent: { bic: this.options.bic },
      instructedAgent: { bic: this.options.bankBic },
      returnId: this.nextId('RID'),
      originalMessageId: payment.messageId,
      originalMessageType: 'pacs.008.001.08',
      originalInstructionId: payment.instructionId,
      originalEndToEndId: payment.endToEndId,
      originalUetr: payment.uetr,
      originalSettlementAmount: payment.settlementAmount,
      originalSettlementDate: payment.settlementDate,
      returnedAmount: { amountMinor, currency: payment.settlementAmount.currency },
      settlementDate: this.date(),
      settlementMethod: 'INDA',
      chargeBearer: 'SHAR',
      reasonCode,
    };
    return must(buildPacs004(model));
  }

  private status(payment: CreditTransfer, status: TransactionStatus, reasonCode?: string): string {
    return must(
      buildPacs002({
        messageId: this.nextId('STS'),
        creationDateTime: this.dateTime(),
        instructingAgent: { bic: this.options.bic },
        instructedAgent: { bic: this.options.bankBic },
        originalMessageId: payment.messageId,
        originalMessageType: 'pacs.008.001.08',
        originalInstructionId: payment.instructionId,
        originalEndToEndId: payment.endToEndId,
        originalUetr: payment.uetr,
        status,
        ...(reasonCode === undefined ? {} : { reasonCode }),
      }),
    );
  }

  private book(creditDebit: 'CRDT' | 'DBIT', amountMinor: bigint, references: StatementEntry['references']): void {
    this.booked.push({
      sequence: this.booked.length + 1,
      amount: { amountMinor, currency: this.options.currency },
      creditDebit,
      status: 'BOOK',
      bookingDate: this.date(),
      valueDate: this.date(),
      accountServicerReference: this.nextId('REF'),
      transactionCode: 'NTRF',
      references,
    });
  }

  private publishAll(messages: readonly string[]): void {
    for (const xml of messages) this.publish(xml);
  }

  private publish(xml: string): void {
    this.outbox.push({ seq: this.outbox.length + 1, xml });
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.options.bic.slice(0, 4)}${String(this.counter).padStart(8, '0')}`;
  }

  private dateTime(): string {
    return `${new Date(this.options.nowMs()).toISOString().slice(0, 19)}+00:00`;
  }

  private date(): string {
    return new Date(this.options.nowMs()).toISOString().slice(0, 10);
  }
}

function must(built: Checked<string>): string {
  if (!built.ok) throw new Error(`the correspondent built an invalid message: ${built.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
  return built.value;
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > correspondentMessageCharsMax) return null;
  }
  return text;
}

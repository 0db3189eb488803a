import { rolesAllow, type Clock, type Engine } from '@qenex/engine';
import type { SqliteStorage } from '@qenex/engine/sqlite';
import type { BridgeChannels, SessionInfo, WorkItem } from '@qenex/ui/bridge';
import type { LocalStore } from './local-store';
import { describeReceipt, formatMinor, renderReceipt, type ReceiptData } from './receipt';

/** Entries the day's work lists at most. */
export const workTodayMax = 500;

/** What is kept of a receipt: what it says, who made it, where, and who approved it. */
interface StoredReceipt {
  readonly data: ReceiptData;
  /** Online: the bank booked it as it was made. Offline: the outbox says what the bank did with it since. */
  readonly made: 'online' | 'offline';
  readonly tellerUsername: string;
  readonly approvedBy: string | null;
}

/** Where a command made here stands with the bank now. */
type Standing = 'completed' | 'pending_sync' | 'held' | 'rejected' | 'compensated';

type ReceiptKind = ReceiptData['kind'];
const receiptKinds: ReadonlySet<string> = new Set<ReceiptKind>(['cash.deposit', 'cash.withdraw', 'transfer.internal', 'fx.exchange']);

interface Deps {
  readonly local: LocalStore;
  readonly storage: SqliteStorage;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly deviceId: string;
  readonly bankName: string;
  readonly timeZone: string;
}

/** The receipt of each money command made at this workstation, printed from what was recorded when it was made. */
export class ReceiptBook {
  constructor(private readonly deps: Deps) {}

  /** Records what the customer's receipt says, from the command, its answer and the branch's books. */
  async record(command: string, input: unknown, value: unknown, teller: SessionInfo, made: 'online' | 'offline', approvedBy?: string): Promise<void> {
    if (!receiptKinds.has(command)) return;
    const body = input as { transferId?: string; sellTransferId?: string; accountId?: string; fromAccountId?: string; toAccountId?: string; money: { amount: string; currency: string } };
    const reference = body.transferId ?? body.sellTransferId;
    if (reference === undefined) return;
    const lines = await this.lines(command, body, value);
    const branch = await this.deps.storage.read((tx) => tx.banking.get('branch', teller.branchId));
    const data: ReceiptData = {
      bankName: this.deps.bankName,
      branchName: branch?.name ?? teller.branchName,
      branchCode: branch?.code ?? '',
      teller: teller.displayName,
      deviceId: this.deps.deviceId,
      reference,
      kind: command as ReceiptKind,
      atMs: this.deps.clock.nowMs(),
      timeZone: this.deps.timeZone,
      lines,
      amount: { minor: body.money.amount, currency: body.money.currency },
      status: made === 'online' ? 'completed' : 'pending_sync',
      copy: false,
      printedAtMs: 0,
    };
    const stored: StoredReceipt = { data, made, tellerUsername: teller.username, approvedBy: approvedBy ?? null };
    this.deps.local.saveReceipt(reference, JSON.stringify(stored));
  }

  private async lines(command: string, body: { accountId?: string; fromAccountId?: string; toAccountId?: string; money: { amount: string; currency: string } }, value: unknown) {
    const lines: Array<{ label: string; value: string }> = [];
    const account = async (label: string, id: string | undefined) => {
      if (id === undefined) return;
      const found = await this.deps.storage.read(async (tx) => {
        const bankAccount = await tx.banking.get('bankAccount', id);
        const customer = bankAccount === undefined ? undefined : await tx.banking.get('customer', bankAccount.customerId);
        return bankAccount === undefined ? undefined : { number: bankAccount.number, name: customer?.fullName ?? '' };
      });
      if (found !== undefined) lines.push({ label, value: `${maskedNumber(found.number)}  ${found.name}` });
    };
    if (command === 'transfer.internal' || command === 'fx.exchange') {
      await account('From account', body.fromAccountId);
      await account('To account', body.toAccountId);
    } else {
      await account('Account', body.accountId);
    }
    lines.push({ label: 'Amount', value: formatMinor(body.money.amount, body.money.currency) });
    const answer = (value ?? {}) as { rate?: unknown; bought?: { amount?: unknown; currency?: unknown }; balances?: { posted?: unknown } };
    if (command === 'fx.exchange' && typeof answer.rate === 'string' && typeof answer.bought?.amount === 'string') {
      lines.push({ label: 'Rate', value: answer.rate });
      lines.push({ label: 'Credited', value: formatMinor(answer.bought.amount, String(answer.bought.currency)) });
    }
    return lines;
  }

  /**
   * The receipt as a PDF, for the teller who made it (or a supervisor, whose print is a reprint);
   * every print after the first is marked as a copy. A command the bank has not booked (held,
   * refused, reversed) has no receipt: the customer is told what happened instead.
   */
  async print(transferId: string, requester: SessionInfo): Promise<BridgeChannels['receipt.get']['response']> {
    const record = this.deps.local.receipt(transferId);
    if (record === undefined) return { ok: false, code: 'receipt_not_found', message: 'No receipt was recorded for this reference on this workstation.' };
    const stored = JSON.parse(record.data) as StoredReceipt;
    const own = stored.tellerUsername === requester.username;
    if (!own && !rolesAllow(requester.roles, 'till.supervise')) {
      return { ok: false, code: 'receipt_not_yours', message: 'Only the teller who made it, or a supervisor, prints this receipt.' };
    }
    const standing = await this.standing(transferId, stored);
    if (standing === 'held' || standing === 'rejected' || standing === 'compensated') {
      const what = { held: 'is held for a supervisor at the bank', rejected: 'was refused by the bank', compensated: 'was reversed by the bank' }[standing];
      return { ok: false, code: 'not_booked', message: `This command ${what}: it has no receipt. Home shows why, under "Not accepted as made".` };
    }
    this.deps.local.countPrint(transferId);
    const copy = record.printed > 0 || !own;
    const printing: ReceiptData = { ...statusOf(stored, standing), copy, printedAtMs: this.deps.clock.nowMs() };
    const pdf = await renderReceipt(printing);
    const text = describeReceipt(printing);
    const rows = (list: ReadonlyArray<{ label: string; value: string }>) => list.map(({ label, value }) => ({ label, value }));
    return {
      ok: true,
      receipt: {
        reference: transferId,
        copy,
        pdfBase64: pdf.toString('base64'),
        text: { bankName: text.bankName, branch: text.branch, heading: text.heading, amount: text.amount, currencyName: text.currencyName, status: text.status, lines: rows(text.lines), details: rows(text.details), footer: text.footer, reprint: text.reprint ?? null, printed: text.printed },
      },
    };
  }

  /** Today's money commands (UTC day), each with where it stands with the bank. */
  async today(): Promise<WorkItem[]> {
    const dayStartMs = Math.floor(this.deps.clock.nowMs() / 86_400_000) * 86_400_000;
    const items: WorkItem[] = [];
    for (const record of this.deps.local.receiptsSince(dayStartMs, workTodayMax)) {
      const stored = JSON.parse(record.data) as StoredReceipt;
      const { data } = stored;
      items.push({ reference: record.transferId, kind: data.kind, teller: data.teller, atMs: data.atMs, amount: data.amount.minor, currency: data.amount.currency, status: await this.standing(record.transferId, stored) });
    }
    return items;
  }

  private async standing(transferId: string, stored: StoredReceipt): Promise<Standing> {
    if (stored.made === 'online') return 'completed';
    const entry = (await this.deps.storage.read((tx) => tx.banking.findBy('outboxEntry', 'transfer', transferId, 1)))[0];
    if (entry === undefined || entry.status === 'pending') return 'pending_sync';
    return entry.status === 'accepted' ? 'completed' : entry.status;
  }
}

/** What the receipt says of its status: booked (and by whose approval), or made offline and awaiting the bank. */
function statusOf(stored: StoredReceipt, standing: 'completed' | 'pending_sync'): ReceiptData {
  const { data, approvedBy } = stored;
  if (standing === 'pending_sync') {
    const lines = approvedBy === null ? data.lines : [...data.lines, { label: 'Approved at the counter by', value: approvedBy }].slice(0, 6);
    return { ...data, lines, status: 'pending_sync' };
  }
  return approvedBy === null ? { ...data, status: 'completed' } : { ...data, status: 'approved_by', approvedBy };
}

/** An account number as a receipt shows it: the last four digits. */
function maskedNumber(number: string): string {
  return number.length <= 4 ? number : `•••• ${number.slice(-4)}`;
}

import type { Clock, Engine } from '@qenex/engine';
import type { SqliteStorage } from '@qenex/engine/sqlite';
import type { BridgeChannels, SessionInfo, WorkItem } from '@qenex/ui/bridge';

/** Entries the day's work lists at most. */
export const workTodayMax = 500;
import type { LocalStore } from './local-store';
import { describeReceipt, formatMinor, renderReceipt, type ReceiptData } from './receipt';

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
  async record(command: string, input: unknown, value: unknown, teller: SessionInfo, status: 'completed' | 'pending_sync', approvedBy?: string): Promise<void> {
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
      ...(approvedBy === undefined ? { status } : { status: 'approved_by' as const, approvedBy }),
      copy: false,
      printedAtMs: 0,
    };
    this.deps.local.saveReceipt(reference, JSON.stringify(data));
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

  /** The receipt as a PDF; every print after the first is marked as a copy. */
  async print(transferId: string): Promise<BridgeChannels['receipt.get']['response']> {
    const record = this.deps.local.printReceipt(transferId);
    if (record === undefined) return { ok: false, code: 'receipt_not_found', message: 'No receipt was recorded for this reference on this workstation.' };
    const data = JSON.parse(record.data) as ReceiptData;
    const status = data.status === 'pending_sync' && (await this.accepted(transferId)) ? 'completed' : data.status;
    const printing: ReceiptData = { ...data, status, copy: record.printed > 0, printedAtMs: this.deps.clock.nowMs() };
    const pdf = await renderReceipt(printing);
    const text = describeReceipt(printing);
    const rows = (list: ReadonlyArray<{ label: string; value: string }>) => list.map(({ label, value }) => ({ label, value }));
    return {
      ok: true,
      receipt: {
        reference: transferId,
        copy: printing.copy,
        pdfBase64: pdf.toString('base64'),
        text: { bankName: text.bankName, branch: text.branch, heading: text.heading, amount: text.amount, currencyName: text.currencyName, status: text.status, lines: rows(text.lines), details: rows(text.details), footer: text.footer, reprint: text.reprint ?? null, printed: text.printed },
      },
    };
  }

  /** Today's money commands (UTC day), with the bank's answer for those made offline. */
  async today(): Promise<WorkItem[]> {
    const dayStartMs = Math.floor(this.deps.clock.nowMs() / 86_400_000) * 86_400_000;
    const records = this.deps.local.receiptsSince(dayStartMs, workTodayMax);
    const items: WorkItem[] = [];
    for (const record of records) {
      const data = JSON.parse(record.data) as ReceiptData;
      let status: WorkItem['status'] = data.status === 'pending_sync' ? 'pending_sync' : 'completed';
      if (status === 'pending_sync') {
        const entry = (await this.deps.storage.read((tx) => tx.banking.findBy('outboxEntry', 'transfer', record.transferId, 1)))[0];
        if (entry !== undefined && entry.status !== 'pending') status = entry.status === 'accepted' ? 'completed' : entry.status;
      }
      items.push({ reference: record.transferId, kind: data.kind, teller: data.teller, atMs: data.atMs, amount: data.amount.minor, currency: data.amount.currency, status });
    }
    return items;
  }

  private async accepted(transferId: string): Promise<boolean> {
    const entries = await this.deps.storage.read((tx) => tx.banking.findBy('outboxEntry', 'transfer', transferId, 1));
    return entries[0]?.status === 'accepted';
  }
}

/** An account number as a receipt shows it: the last four digits. */
function maskedNumber(number: string): string {
  return number.length <= 4 ? number : `•••• ${number.slice(-4)}`;
}

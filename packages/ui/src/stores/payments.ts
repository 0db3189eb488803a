import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { BridgeOutcome, UiCommand } from '../bridge';

/** A SWIFT payment as the list shows it (amounts are strings of minor units). */
export interface PaymentRow {
  id: string;
  direction: 'outgoing' | 'incoming';
  status: string;
  currency: string;
  amountMinor: string;
  debtor: { name: string };
  creditor: { name: string; account?: { iban: string } | { other: string }; townName?: string; country?: string };
  creditorAgentBic: string;
  debtorAgentBic: string;
  uetr: string;
  endToEndId: string;
  reason: { code: string; words: string; additionalInformation?: string } | null;
  recall: { reasonCode: string; status: string; direction: string } | null;
  createdAtMs: number;
  updatedAtMs: number;
  createdBy: string;
  messageCount?: number;
  exceptions: string[];
}

export interface PaymentMessage {
  id: string;
  type: string;
  direction: 'sent' | 'received';
  messageId: string;
  atMs: number;
  sha256: string;
  effect: string;
  xml: string | null;
}

export interface PaymentDetail extends PaymentRow {
  messages: PaymentMessage[];
}

/** What a teller types for a payment abroad; the store gives it its id once, so a retry is the same payment. */
export interface PaymentDraft {
  fromAccountId: string;
  amountMinor: string;
  currency: string;
  creditorName: string;
  creditorKind: 'person' | 'company';
  creditorAccount: string;
  creditorAgentBic: string;
  creditorTown: string;
  creditorCountry: string;
  debtorTown: string;
  debtorCountry: string;
  remittance: string;
}

export interface PaymentsStore {
  rows: PaymentRow[];
  loading: boolean;
  error: { code: string; message: string } | null;
  selected: PaymentDetail | null;
  load(): Promise<void>;
  open(paymentId: string): Promise<void>;
  close(): void;
  send(draft: PaymentDraft, paymentId: string): Promise<BridgeOutcome>;
  recall(paymentId: string, reasonCode: string): Promise<BridgeOutcome>;
}

/** The most payments the list reads at once (newest first after sorting). */
export const paymentListMax = 500;

/** An IBAN is two letters and two check digits; anything else is an account number at the beneficiary's bank. */
function accountReference(text: string): { iban: string } | { other: string } {
  const compact = text.replaceAll(' ', '').toUpperCase();
  return /^[A-Z]{2}[0-9]{2}/.test(compact) ? { iban: compact } : { other: text.trim() };
}

export function paymentInput(draft: PaymentDraft, paymentId: string): Record<string, unknown> {
  const optional = (key: string, value: string) => (value.trim() === '' ? {} : { [key]: value.trim() });
  return {
    paymentId,
    fromAccountId: draft.fromAccountId,
    money: { amount: draft.amountMinor, currency: draft.currency },
    creditor: { name: draft.creditorName.trim(), kind: draft.creditorKind, account: accountReference(draft.creditorAccount), ...optional('townName', draft.creditorTown), ...optional('country', draft.creditorCountry.toUpperCase()) },
    creditorAgentBic: draft.creditorAgentBic.replaceAll(' ', '').toUpperCase(),
    debtorAddress: { townName: draft.debtorTown.trim(), country: draft.debtorCountry.trim().toUpperCase() },
    ...optional('remittanceInformation', draft.remittance),
  };
}

export function createPaymentsStore(run: (command: UiCommand, input: unknown) => Promise<BridgeOutcome>): UseBoundStore<StoreApi<PaymentsStore>> {
  return create<PaymentsStore>((set, get) => ({
    rows: [],
    loading: false,
    error: null,
    selected: null,
    async load() {
      set({ loading: true, error: null });
      const found = await run('payment.list', { limit: paymentListMax });
      if (!found.ok) return set({ loading: false, error: { code: found.code, message: found.message } });
      const rows = [...(found.value as { payments: PaymentRow[] }).payments].sort((a, b) => b.createdAtMs - a.createdAtMs);
      set({ loading: false, rows });
    },
    async open(paymentId) {
      const found = await run('payment.get', { paymentId });
      if (!found.ok) return set({ error: { code: found.code, message: found.message } });
      set({ selected: found.value as PaymentDetail, error: null });
    },
    close() {
      set({ selected: null });
    },
    async send(draft, paymentId) {
      const outcome = await run('payment.send', paymentInput(draft, paymentId));
      if (outcome.ok) await get().load();
      return outcome;
    },
    async recall(paymentId, reasonCode) {
      const outcome = await run('payment.recall', { paymentId, reasonCode });
      if (outcome.ok) await get().open(paymentId);
      return outcome;
    },
  }));
}

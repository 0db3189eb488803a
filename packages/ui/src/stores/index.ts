import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { BridgeOutcome, QenexApi, SessionInfo, SyncStatus, UiCommand, WorkItem } from '../bridge';
import { setCurrencyExponents } from '../money';
import { createUpdatesStore, type UpdatesStore } from './updates';
import { createComplianceStore, type ComplianceStore } from './compliance';
import { createPaymentsStore, type PaymentsStore } from './payments';
import { newId } from '../ids';

/**
 * One zustand store per area (session, sync, till, customers, approvals, updates, compliance, payments), each fed only through the
 * typed bridge: screens read the stores and call their actions, never the bridge itself.
 */
export interface SessionStore {
  session: SessionInfo | null;
  checking: boolean;
  error: { code: string; message: string } | null;
  restore(): Promise<void>;
  signIn(username: string, password: string): Promise<boolean>;
  signOut(): Promise<void>;
  can(command: UiCommand): boolean;
}

export interface SyncStore {
  status: SyncStatus;
  refresh(): Promise<void>;
  syncNow(): Promise<void>;
}

export interface TillView {
  session: { id: string; tillId: string; openedAtMs: number; openingCount: Record<string, number>; openingCountedMinor: string };
  till: { id: string; code: string; currency: string };
  cash: { posted: string; available: string };
  denominations: number[];
}

export interface TillStore {
  current: TillView | null;
  tills: Array<{ till: { id: string; code: string; currency: string }; openSession: { id: string; tellerId: string } | null; cash: { posted: string }; denominations: number[] }>;
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
}

export interface CustomerRow {
  id: string;
  fullName: string;
  nationalId: string;
  dateOfBirth: string;
  phone: string;
  kycStatus: string;
  riskRating: string;
}

export interface CustomerStore {
  rows: CustomerRow[];
  loading: boolean;
  /** Customers loaded so far while the directory is read page by page. */
  loaded: number;
  error: string | null;
  load(): Promise<void>;
  /** Rows put in directly (a benchmark's or an import's); the screens treat them as loaded. */
  setRows(rows: CustomerRow[]): void;
}

export interface ApprovalItem {
  id: string;
  command: string;
  requestedBy: string;
  reason: string;
  requestedAtMs: number;
  input: Record<string, unknown>;
  status: string;
}

export interface ApprovalStore {
  items: ApprovalItem[];
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
  decide(approvalId: string, decision: 'approve' | 'reject'): Promise<BridgeOutcome>;
}

export interface WorkStore {
  items: readonly WorkItem[];
  load(): Promise<void>;
}

export interface Stores {
  readonly api: QenexApi;
  readonly session: UseBoundStore<StoreApi<SessionStore>>;
  readonly sync: UseBoundStore<StoreApi<SyncStore>>;
  readonly till: UseBoundStore<StoreApi<TillStore>>;
  readonly customers: UseBoundStore<StoreApi<CustomerStore>>;
  readonly approvals: UseBoundStore<StoreApi<ApprovalStore>>;
  readonly work: UseBoundStore<StoreApi<WorkStore>>;
  readonly updates: UseBoundStore<StoreApi<UpdatesStore>>;
  readonly compliance: UseBoundStore<StoreApi<ComplianceStore>>;
  readonly payments: UseBoundStore<StoreApi<PaymentsStore>>;
  /** A command as the signed-in person, through the bridge. */
  run(command: UiCommand, input: unknown): Promise<BridgeOutcome>;
}

/** Directory pages (of 1,000) the customer list reads at most: a branch of a million customers. */
const customerDirectoryPagesMax = 1000;

const emptyStatus: SyncStatus = { link: 'connecting', lastContactMs: null, lastError: null, waiting: 0, unsettled: [], recent: [], syncing: false };

export function createStores(api: QenexApi): Stores {
  const run = (command: UiCommand, input: unknown) => api['engine.run']({ command, input });

  const session = create<SessionStore>((set, get) => ({
    session: null,
    checking: true,
    error: null,
    async restore() {
      const current = await api['session.current']({});
      if (current.session !== null) setCurrencyExponents(current.session.currencies);
      set({ session: current.session ?? null, checking: false });
    },
    async signIn(username, password) {
      set({ error: null });
      const answer = await api['session.signIn']({ username, password });
      if (!answer.ok) {
        set({ error: { code: answer.code, message: answer.message } });
        return false;
      }
      setCurrencyExponents(answer.session.currencies);
      set({ session: answer.session, error: null });
      return true;
    },
    async signOut() {
      await api['session.signOut']({});
      set({ session: null });
    },
    can(command) {
      return get().session?.allowed.includes(command) ?? false;
    },
  }));

  api.on('session.ended', ({ reason }) => session.setState({ session: null, error: { code: 'session_ended', message: `You were signed out: ${reason} Sign in again.` } }));

  const sync = create<SyncStore>((set) => ({
    status: emptyStatus,
    async refresh() {
      set({ status: await api['sync.status']({}) });
    },
    async syncNow() {
      set({ status: await api['sync.now']({}) });
    },
  }));
  api.on('sync.changed', (status) => sync.setState({ status }));

  const till = create<TillStore>((set) => ({
    current: null,
    tills: [],
    loading: false,
    error: null,
    async load() {
      set({ loading: true, error: null });
      const current = await run('till.current_session', {});
      const branchId = session.getState().session?.branchId;
      const tills = branchId === undefined ? { ok: false as const } : await run('till.list', { branchId });
      set({
        loading: false,
        current: current.ok ? (current.value as TillView) : null,
        tills: tills.ok ? (tills.value as TillStore['tills']) : [],
        error: !current.ok && current.code !== 'no_open_session' ? current.message : null,
      });
    },
  }));

  const customers = create<CustomerStore>((set) => ({
    rows: [],
    loading: false,
    loaded: 0,
    error: null,
    async load() {
      set({ loading: true, error: null, loaded: 0 });
      const rows: CustomerRow[] = [];
      let after = '';
      for (let page = 0; page < customerDirectoryPagesMax; page += 1) {
        const found = await run('customer.directory', { after, limit: 1000 });
        if (!found.ok) return set({ loading: false, error: `${found.message} (${found.code})` });
        const value = found.value as { customers: CustomerRow[]; next: string | null };
        rows.push(...value.customers);
        set({ loaded: rows.length });
        if (value.next === null) break;
        after = value.next;
      }
      set({ rows, loading: false });
    },
    setRows(rows) {
      set({ rows, loading: false, error: null });
    },
  }));

  const approvals = create<ApprovalStore>((set, get) => ({
    items: [],
    loading: false,
    error: null,
    async load() {
      set({ loading: true, error: null });
      const found = await run('approval.list', { status: 'pending', limit: 100 });
      set(found.ok ? { items: found.value as ApprovalItem[], loading: false } : { loading: false, error: found.message });
    },
    async decide(approvalId, decision) {
      const outcome = await run('approval.decide', { approvalId, decision });
      await get().load();
      return outcome;
    },
  }));

  const work = create<WorkStore>((set) => ({
    items: [],
    async load() {
      set({ items: (await api['work.today']({})).items });
    },
  }));

  const updates = createUpdatesStore(run);

  const compliance = createComplianceStore({ run, me: () => session.getState().session?.username ?? null, newId: () => newId() });
  // Cases are the signed-in officer's: whoever signs in next starts from nothing shown.
  session.subscribe((state, previous) => {
    if (state.session?.username !== previous.session?.username) compliance.getState().reset();
  });

  const payments = createPaymentsStore(run);

  return { api, session, sync, till, customers, approvals, work, updates, compliance, payments, run };
}

/**
 * The one typed bridge between the screens and the workstation engine: `window.qenex`.
 *
 * In the Electron app the preload builds it over IPC (`ipcRenderer.invoke('qenex:<channel>')`);
 * in browser mode the same object is built over HTTP (`POST /bridge/<channel>`) and a WebSocket for
 * events. Either way the screens see only this interface, and the host on the other side validates
 * every request against its schema before anything runs.
 */

/** Commands the screens may ask the engine for, run as the signed-in user. The host refuses any other. */
export const uiCommands = [
  'till.current_session',
  'till.list',
  'till.open_session',
  'till.close_session',
  'cash.deposit',
  'cash.withdraw',
  'transfer.internal',
  'fx.exchange',
  'fx.rates',
  'customer.search',
  'customer.directory',
  'customer.get',
  'account.get',
  'account.statement',
  'approval.list',
  'approval.decide',
  'update.status',
  'case.list',
  'case.get',
  'case.assign',
  'case.note',
  'case.investigate',
  'case.close',
  'case.propose_report',
  'monitoring.settings',
  'monitoring.shadow',
  'monitoring.replay',
  'payment.send',
  'payment.list',
  'payment.get',
  'payment.recall',
] as const;
export type UiCommand = (typeof uiCommands)[number];

/** A command's answer as it crosses the bridge: JSON only (amounts are strings of minor units). */
export type BridgeOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };

export interface SessionInfo {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  /** The commands this user's roles may run at all (from the policy table): screens show only these. */
  readonly allowed: readonly string[];
  readonly branchId: string;
  readonly branchName: string;
  readonly deviceId: string;
  /** ISO 4217 minor-unit exponents of every currency, from the engine's table: amounts are typed and shown in these. */
  readonly currencies: Readonly<Record<string, number>>;
  /** Where the sign-in was checked: by the server, or offline against the credential cached at the last online sign-in. */
  readonly verifiedBy: 'server' | 'cached_credential';
}

export interface OutboxItem {
  readonly seq: number;
  readonly name: string;
  readonly actor: string;
  readonly atMs: number;
  readonly transferId: string;
  readonly amount: string | null;
  readonly currency: string | null;
  readonly status: 'pending' | 'accepted' | 'held' | 'rejected' | 'compensated';
  readonly code: string | null;
  readonly message: string | null;
}

export interface SyncStatus {
  readonly link: 'online' | 'offline' | 'connecting';
  /** When the server last answered, or null if it never did in this run. */
  readonly lastContactMs: number | null;
  readonly lastError: string | null;
  readonly waiting: number;
  /** Commands the server did not accept as they were made (held, refused, compensated), newest first. */
  readonly unsettled: readonly OutboxItem[];
  /** The latest commands in the outbox, newest first, for the day's work. */
  readonly recent: readonly OutboxItem[];
  readonly syncing: boolean;
}

export interface WorkItem {
  readonly reference: string;
  readonly kind: string;
  readonly teller: string;
  readonly atMs: number;
  readonly amount: string;
  readonly currency: string;
  /** completed: booked at the bank; pending_sync: made offline, not yet confirmed; or what the bank did with it. */
  readonly status: 'completed' | 'pending_sync' | 'held' | 'rejected' | 'compensated';
}

export interface ReceiptRow {
  readonly label: string;
  readonly value: string;
}

/** What the receipt says, for showing it on screen beside the PDF (the same strings the PDF prints). */
export interface ReceiptText {
  readonly bankName: string;
  readonly branch: string;
  readonly heading: string;
  readonly amount: string;
  readonly currencyName: string;
  readonly status: string;
  readonly lines: readonly ReceiptRow[];
  readonly details: readonly ReceiptRow[];
  readonly footer: string;
  readonly reprint: string | null;
  readonly printed: string;
}

export interface ReceiptInfo {
  readonly reference: string;
  readonly copy: boolean;
  readonly pdfBase64: string;
  readonly text: ReceiptText;
}

export interface PreviewInfo {
  /** What the policy would answer now: run at once, held for a second person (why), or refused (why). */
  readonly decision: 'allow' | 'hold' | 'refuse';
  readonly code: string | null;
  readonly reason: string | null;
  /** Why a hold: over a per-transaction or daily limit, the stand-in policy, or always. */
  readonly basis: string | null;
  /** The bank's rate an exchange would use (quote per base, as a decimal string). */
  readonly rate: string | null;
  /** The amount credited for an exchange, in the target account's currency (minor units). */
  readonly counterAmount: string | null;
  /** What the command would answer (balances after, for a deposit), when it would run. */
  readonly value: unknown;
}

/** Each channel: its request and its answer. */
export interface BridgeChannels {
  'session.signIn': { request: { username: string; password: string }; response: { ok: true; session: SessionInfo } | { ok: false; code: string; message: string } };
  'session.signOut': { request: Record<string, never>; response: { ok: true } };
  'session.current': { request: Record<string, never>; response: { session: SessionInfo | null } };
  'engine.run': { request: { command: UiCommand; input: unknown }; response: BridgeOutcome };
  'engine.preview': { request: { command: UiCommand; input: unknown }; response: { ok: true; preview: PreviewInfo } | { ok: false; code: string; message: string } };
  /** A supervisor approves (or rejects) a held command on the spot, signing in with their own password. */
  'approval.onTheSpot': {
    request: { approvalId: string; username: string; password: string; decision: 'approve' | 'reject'; note?: string | undefined };
    response: BridgeOutcome;
  };
  'sync.status': { request: Record<string, never>; response: SyncStatus };
  'sync.now': { request: Record<string, never>; response: SyncStatus };
  'receipt.get': { request: { transferId: string }; response: { ok: true; receipt: ReceiptInfo } | { ok: false; code: string; message: string } };
  /** The money commands made at this workstation today (online and offline), newest first, with where each stands. */
  'work.today': { request: Record<string, never>; response: { items: readonly WorkItem[] } };
  /** Typed input the screens keep across a dropped link or a restart (a form's draft). */
  'draft.save': { request: { key: string; value: string }; response: { ok: true } | { ok: false; code: string; message: string } };
  'draft.load': { request: { key: string }; response: { value: string | null } };
}
export type BridgeChannel = keyof BridgeChannels;
export const bridgeChannels = [
  'session.signIn',
  'session.signOut',
  'session.current',
  'engine.run',
  'engine.preview',
  'approval.onTheSpot',
  'sync.status',
  'sync.now',
  'receipt.get',
  'work.today',
  'draft.save',
  'draft.load',
] as const satisfies readonly BridgeChannel[];

/** Events the host sends without being asked. */
export interface BridgeEvents {
  'sync.changed': SyncStatus;
  'session.ended': { reason: string };
}
export type BridgeEvent = keyof BridgeEvents;
export const bridgeEvents = ['sync.changed', 'session.ended'] as const satisfies readonly BridgeEvent[];

/** `window.qenex`: one method per channel, and `on` for events (returns the unsubscribe). */
export type QenexApi = {
  readonly [C in BridgeChannel]: (request: BridgeChannels[C]['request']) => Promise<BridgeChannels[C]['response']>;
} & {
  readonly on: <E extends BridgeEvent>(event: E, listener: (payload: BridgeEvents[E]) => void) => () => void;
};

/** Largest request the host reads from the renderer, in bytes of JSON. */
export const bridgeRequestBytesMax = 64 * 1024;

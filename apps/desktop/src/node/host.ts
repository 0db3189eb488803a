import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, RandomIds, WorkstationSync, allCurrencies, commandPolicies, denominationsOf, rolesAllow, systemClock, type Clock, type Context, type DeviceSecrets, type Preview } from '@qenex/engine';
import { HttpSyncTransport } from '@qenex/engine/http';
import { UpdateAgent } from './update-agent';
import type { BackupSchedule } from '@qenex/engine/node';
import { workstationBackupSchedule, type WorkstationBackupsConfig } from './backup-schedule';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import type { BridgeChannel, BridgeChannels, BridgeEvent, BridgeOutcome, PreviewInfo, SessionInfo, SyncStatus, UiCommand } from '@qenex/ui/bridge';
import { uiCommands } from '@qenex/ui/bridge';
import { ChangeListener } from './change-listener';
import { LocalStore } from './local-store';
import { ReceiptBook } from './receipts';
import { ServerClient, outcomeOf, type ServerAnswer } from './server-client';
import { SyncLoop } from './sync-loop';

/** What a workstation is started with: where its files are, which server it belongs to, where its secret keys are kept. */
export interface HostConfig {
  readonly dataDir: string;
  readonly serverUrl: string;
  /** The device's secret keys, kept outside the database (Electron safeStorage, or a sealed key file). */
  readonly secrets: { load(): Promise<Uint8Array | null>; save(secret: Uint8Array): Promise<void> };
  readonly fetcher?: typeof fetch;
  readonly clock?: Clock;
  /** How often the workstation syncs when the server's change notifications said nothing (and to notice the link is back). */
  readonly syncIntervalMs?: number;
  /** scrypt cost of cached credentials (tests make it cheap). */
  readonly passwordCost?: number;
  readonly bankName?: string;
  readonly timeZone?: string;
  /** Scheduled encrypted backups of this workstation's books, to the bank's backup key; absent, none on a schedule. */
  readonly backups?: WorkstationBackupsConfig;
  /** Signed updates: root 1 of the bank's repository as shipped with the install; absent, this workstation takes none. */
  readonly updates?: { readonly pinnedRoot: Uint8Array; readonly appVersion: string; readonly platform: string; readonly intervalMs?: number };
}

/** The workstation as the bridge sees it: one handler per channel, and events. */
export interface BridgeHost {
  handle(channel: BridgeChannel, request: unknown, clientId?: string): Promise<unknown>;
  /** Events; `clientId` names the one client an event is for (absent: every signed-in client). */
  on(listener: (event: BridgeEvent, payload: unknown, clientId?: string) => void): () => void;
  /** Whether someone is signed in on this client: only they hear events. */
  signedIn?(clientId: string): boolean;
  /** The client's id changes (browser mode issues a new one at each sign-in): its session moves with it. */
  rekey?(from: string, to: string): void;
  close(): Promise<void>;
}

interface HostSession {
  readonly clientId: string;
  readonly startedAtMs: number;
  lastUsedAtMs: number;
  readonly info: SessionInfo;
  /** The bearer token of the server session made at an online sign-in; null when signed in offline. */
  readonly token: string | null;
}

/** Where the policy table lets each screen command run. */
const runsWhere = (runs: string): ReadonlySet<string> => new Set(uiCommands.filter((command) => commandPolicies[command]?.runs === runs));
/** The commands a teller's work sends to the server while online, and may run on this workstation while offline (the policy's `offline`). */
const offlineCapable = runsWhere('offline');
/** Commands only the server may decide (the policy's `online`): refused here while the link is down. */
const onlineOnly = runsWhere('online');
/**
 * Reads the server answers better while online (it holds the whole history and every hold). The
 * compliance reads are here because a workstation's copy of the branch holds no cases or scenarios
 * yet (an officer's cases are not in its sync snapshot): online they come from the server, offline
 * from whatever the local copy has. The shadow and replay reads only the server answers; listed here
 * they are reads (no outbox drain, no pull after), and offline they say they need the server; so
 * are the SWIFT payments, which only the server sends and follows.
 */
const readOnline: ReadonlySet<string> = new Set(['account.statement', 'approval.list', 'update.status', 'case.list', 'case.get', 'monitoring.settings', 'monitoring.shadow', 'monitoring.replay', 'payment.list', 'payment.get']);

export function decodeSecrets(bytes: Uint8Array): DeviceSecrets {
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Partial<DeviceSecrets>;
  if (typeof parsed.signingSeed !== 'string' || typeof parsed.kemSecretKey !== 'string') throw new Error('the stored device secrets are not readable');
  return { signingSeed: parsed.signingSeed, kemSecretKey: parsed.kemSecretKey };
}

export function encodeSecrets(secrets: DeviceSecrets): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(secrets));
}

/** Opens an enrolled workstation: its books, its sync with the server, and the bridge the screens use. */
export async function openWorkstation(config: HostConfig): Promise<WorkstationHost> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const stored = await config.secrets.load();
  if (stored === null) throw new Error('This workstation is not enrolled: its device keys are missing. Enrol it first (npm run workstation:enrol).');
  const secrets = decodeSecrets(stored);
  const storage = new SqliteStorage({ path: join(config.dataDir, 'workstation.db') });
  const state = await storage.read((tx) => tx.banking.get('workstation', 'local'));
  if (state === undefined) {
    await storage.close();
    throw new Error('This workstation is not enrolled: its local state is missing. Enrol it first.');
  }
  return new WorkstationHost(config, storage, secrets, state.deviceId, state.branchId, state.keyVersion);
}

/**
 * The workstation behind the bridge. Teller commands go to the server while the link is up (the
 * server decides, holds and books them at once); while it is down, those the policy lets run offline
 * run on this workstation's books within the stand-in limits and wait in the outbox, and the server
 * decides them again when they are pushed. Reads come from the local copy of the branch, which every
 * pull refreshes.
 */
export class WorkstationHost implements BridgeHost {
  private readonly clock: Clock;
  private readonly engine: Engine;
  /** The same books, admitted as the server would admit them online: what a preview shows while online. */
  private readonly onlinePreview: Engine;
  private readonly client: ServerClient;
  private readonly local: LocalStore;
  private readonly passwords: ScryptPasswordHasher;
  private readonly sync: SyncLoop;
  private readonly receipts: ReceiptBook;
  private readonly changes: ChangeListener;
  private readonly updates: UpdateAgent | null;
  private readonly backups: BackupSchedule | null;
  private readonly sessions = new Map<string, HostSession>();
  /** Failed offline sign-ins per typed name: the cached credential cannot be guessed at full speed. */
  private readonly offlineFailures = new Map<string, { count: number; lastAtMs: number }>();
  /** Commands held at the server from this workstation, by approval id: their receipt is recorded when a supervisor here approves them. */
  private readonly held = new Map<string, { readonly command: string; readonly input: unknown; readonly teller: SessionInfo }>();
  private readonly listeners = new Set<(event: BridgeEvent, payload: unknown, clientId?: string) => void>();

  constructor(
    config: HostConfig,
    private readonly storage: SqliteStorage,
    secrets: DeviceSecrets,
    readonly deviceId: string,
    readonly branchId: string,
    keyVersion: number,
  ) {
    this.clock = config.clock ?? systemClock;
    const ids = new RandomIds(this.clock);
    this.passwords = new ScryptPasswordHasher({ N: config.passwordCost ?? 2 ** 15, r: 8, p: 1 });
    this.engine = new Engine({ storage, clock: this.clock, ids, passwords: this.passwords, ...WorkstationSync.engineOptions() });
    this.onlinePreview = new Engine({ storage, clock: this.clock, ids, host: 'authority' });
    this.client = new ServerClient(config.serverUrl, deviceId, config.fetcher);
    this.local = new LocalStore(join(config.dataDir, 'workstation-local.db'));
    const sync = new WorkstationSync({ engine: this.engine, storage, mirror: storage.mirror, clock: this.clock, transport: new HttpSyncTransport(config.serverUrl, config.fetcher), secrets });
    this.sync = new SyncLoop({ sync, storage, clock: this.clock, intervalMs: config.syncIntervalMs ?? 15_000, emit: (status) => this.emit('sync.changed', status) });
    this.receipts = new ReceiptBook({ local: this.local, storage, engine: this.engine, clock: this.clock, deviceId, bankName: config.bankName ?? 'QENEX Bank', timeZone: config.timeZone ?? 'UTC' });
    this.sync.start();
    // The server says when something changed: the workstation pulls then, not only at the interval.
    this.changes = new ChangeListener({ serverUrl: config.serverUrl, deviceId, keyVersion, signingSeed: secrets.signingSeed, onChange: () => this.sync.kick() });
    this.changes.start();
    this.updates =
      config.updates === undefined
        ? null
        : new UpdateAgent({
            engine: this.engine,
            storage,
            clock: this.clock,
            serverUrl: config.serverUrl,
            ...(config.fetcher === undefined ? {} : { fetcher: config.fetcher }),
            deviceId,
            branchId,
            keyVersion,
            signingSeed: secrets.signingSeed,
            pinnedRoot: config.updates.pinnedRoot,
            appVersion: config.updates.appVersion,
            platform: config.updates.platform,
            stagingDir: join(config.dataDir, 'updates'),
            ...(config.updates.intervalMs === undefined ? {} : { intervalMs: config.updates.intervalMs }),
          });
    this.updates?.start();
    this.backups =
      config.backups === undefined
        ? null
        : workstationBackupSchedule({
            database: storage.db,
            directory: join(config.dataDir, 'backups'),
            config: config.backups,
            nowMs: () => this.clock.nowMs(),
            // The operator's log: a failed backup says why; the next turn tries again.
            report: (event) => {
              if (event.kind === 'backup_failed') process.stderr.write(`qenex workstation: backup failed (${event.code}): ${event.message}\n`);
              if (event.kind === 'backup_done') process.stderr.write(`qenex workstation: backup ${event.file} (${event.fileBytes} bytes)\n`);
            },
          });
    void this.backups?.start();
  }

  /** The update agent, when this workstation takes signed updates (tests and the admin tools ask it to check now). */
  get updateAgent(): UpdateAgent | null {
    return this.updates;
  }

  on(listener: (event: BridgeEvent, payload: unknown, clientId?: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signedIn(clientId: string): boolean {
    return this.sessions.has(clientId);
  }

  rekey(from: string, to: string): void {
    const session = this.sessions.get(from);
    if (session === undefined) return;
    this.sessions.delete(from);
    this.sessions.set(to, { ...session, clientId: to });
  }

  private emit(event: BridgeEvent, payload: unknown, clientId?: string): void {
    for (const listener of this.listeners) listener(event, payload, clientId);
  }

  /** One bridge request, already checked against its schema by whoever received it. */
  async handle(channel: BridgeChannel, request: unknown, clientId = 'window'): Promise<unknown> {
    this.expire(clientId);
    switch (channel) {
      case 'session.signIn': {
        const { username, password } = request as BridgeChannels['session.signIn']['request'];
        return this.signIn(clientId, username.trim().toLowerCase(), password);
      }
      case 'session.signOut':
        return this.signOut(clientId);
      case 'session.current':
        return { session: this.sessions.get(clientId)?.info ?? null };
      case 'engine.run': {
        const { command, input } = request as BridgeChannels['engine.run']['request'];
        return this.run(clientId, command, input);
      }
      case 'engine.preview': {
        const { command, input } = request as BridgeChannels['engine.preview']['request'];
        return this.preview(clientId, command, input);
      }
      case 'approval.onTheSpot':
        return this.approveOnTheSpot(clientId, request as BridgeChannels['approval.onTheSpot']['request']);
      case 'sync.status':
        return this.visibleStatus(clientId, this.sync.status());
      case 'sync.now':
        return this.visibleStatus(clientId, this.sessions.has(clientId) ? await this.sync.now() : this.sync.status());
      case 'receipt.get': {
        const session = this.sessions.get(clientId);
        if (session === undefined) return notSignedIn;
        return this.receipts.print((request as { transferId: string }).transferId, session.info);
      }
      case 'work.today':
        return this.sessions.has(clientId) ? { items: await this.receipts.today() } : { items: [] };
      case 'draft.save': {
        const session = this.sessions.get(clientId);
        if (session === undefined) return notSignedIn;
        const { key, value } = request as BridgeChannels['draft.save']['request'];
        const saved = this.local.saveDraft(session.info.username, key, value, this.clock.nowMs());
        return saved ? { ok: true } : { ok: false, code: 'draft_too_large', message: 'This draft is too large to keep; finish or clear the form.' };
      }
      case 'draft.load': {
        const session = this.sessions.get(clientId);
        return { value: session === undefined ? null : this.local.draft(session.info.username, (request as { key: string }).key) };
      }
    }
  }

  /**
   * A session ends after `sessionLifetimeMs` (the server's own) or `sessionIdleMs` without a request:
   * an unattended counter does not stay signed in.
   */
  private expire(clientId: string): void {
    const session = this.sessions.get(clientId);
    if (session === undefined) return;
    const nowMs = this.clock.nowMs();
    if (nowMs - session.startedAtMs > sessionLifetimeMs || nowMs - session.lastUsedAtMs > sessionIdleMs) {
      void this.signOut(clientId);
      this.emit('session.ended', { reason: nowMs - session.startedAtMs > sessionLifetimeMs ? 'the session reached its 8 hours.' : 'nothing was done here for 15 minutes.' }, clientId);
      return;
    }
    session.lastUsedAtMs = nowMs;
  }

  /** Before sign-in, only whether the bank can be reached: the branch's commands are for its staff. */
  private visibleStatus(clientId: string, status: SyncStatus): SyncStatus {
    if (this.sessions.has(clientId)) return status;
    return { ...status, lastError: null, waiting: 0, unsettled: [], recent: [] };
  }

  /**
   * The server no longer knows this person's session (401: expired, revoked, disabled): they sign in
   * again. Only the authentication layer's answer counts: a refusal about someone else (the maker of
   * an approval who was disabled since) says nothing about the caller's session.
   */
  private endSession(session: HostSession, answer: Extract<ServerAnswer, { reached: true }>): void {
    if (answer.status !== 401) return;
    // Only the session that made the request: a late answer must not sign out whoever signed in since.
    if (this.sessions.get(session.clientId)?.token !== session.token) return;
    const outcome = outcomeOf(answer);
    this.sessions.delete(session.clientId);
    this.emit('session.ended', { reason: outcome.ok ? 'the bank ended the session.' : outcome.message }, session.clientId);
  }

  private async signIn(clientId: string, username: string, password: string): Promise<BridgeChannels['session.signIn']['response']> {
    const answer = await this.client.signIn(username, password);
    if (answer.reached) {
      this.sync.sawServer();
      if (answer.status !== 201) {
        const refused = outcomeOf(answer);
        if (answer.status === 401 || answer.status === 403) {
          // The bank said no: this name's cached credential no longer opens the workstation offline, and its standing is pulled now.
          this.local.forgetCredential(username);
          this.sync.kick();
        }
        return refused.ok ? { ok: false, code: 'sign_in_failed', message: 'The server did not sign you in.' } : { ok: false, code: refused.code, message: refused.message };
      }
      const token = String((answer.body as { token?: unknown }).token);
      // The branch's users come with each pull: make sure this one is here.
      if ((await this.localUser(username)) === undefined) await this.sync.now();
      const user = await this.localUser(username);
      if (user === undefined) {
        await this.client.signOut(token);
        return { ok: false, code: 'user_not_on_device', message: `${username} is not registered on this workstation; an administrator registers branch staff on their workstation.` };
      }
      this.local.saveCredential({ username, passwordHash: await this.passwords.hash(password), displayName: user.displayName, verifiedAtMs: this.clock.nowMs() });
      return this.startSession(clientId, username, token, 'server');
    }
    this.sync.lostServer(answer.message);
    return this.signInOffline(clientId, username, password);
  }

  /** The link is down: the credential cached at this person's last online sign-in, and their standing as of the last pull. */
  private async signInOffline(clientId: string, username: string, password: string): Promise<BridgeChannels['session.signIn']['response']> {
    const waitMs = this.offlineDelayMs(username);
    if (waitMs > 0) return { ok: false, code: 'sign_in_delayed', message: `Several sign-ins failed for this name; wait ${Math.ceil(waitMs / 1000)} s before trying again.` };
    const found = this.local.credential(username);
    const cached = found !== undefined && this.clock.nowMs() - found.verifiedAtMs <= cachedCredentialMaxAgeMs ? found : undefined;
    const valid = cached === undefined ? await this.passwords.verifyNone(password) : await this.passwords.verify(password, cached.passwordHash);
    const user = await this.localUser(username);
    if (!valid || cached === undefined || user === undefined) {
      this.offlineFailed(username);
      return { ok: false, code: 'sign_in_failed', message: 'The name or password is wrong, or this person has not signed in here online in the last 7 days (the bank cannot be reached to check).' };
    }
    this.offlineFailures.delete(username);
    if (user.status !== 'active') return { ok: false, code: 'user_disabled', message: `${username} is disabled.` };
    return this.startSession(clientId, username, null, 'cached_credential');
  }

  private offlineDelayMs(username: string): number {
    const failures = this.offlineFailures.get(username);
    if (failures === undefined || failures.count < offlineFailuresFree) return 0;
    return failures.lastAtMs + 1000 * 2 ** Math.min(failures.count - offlineFailuresFree, 8) - this.clock.nowMs();
  }

  private offlineFailed(username: string): void {
    const failures = this.offlineFailures.get(username);
    if (this.offlineFailures.size >= 10_000) this.offlineFailures.clear();
    this.offlineFailures.set(username, { count: (failures?.count ?? 0) + 1, lastAtMs: this.clock.nowMs() });
  }

  private async startSession(clientId: string, username: string, token: string | null, verifiedBy: SessionInfo['verifiedBy']): Promise<BridgeChannels['session.signIn']['response']> {
    const user = (await this.localUser(username))!;
    const branch = await this.storage.read((tx) => tx.banking.get('branch', this.branchId));
    const allowed = Object.entries(commandPolicies)
      .filter(([name, policy]) => (uiCommands as readonly string[]).includes(name) && rolesAllow(user.roles, policy.permission))
      .map(([name]) => name);
    const info: SessionInfo = {
      username,
      displayName: user.displayName,
      roles: [...user.roles],
      allowed,
      branchId: this.branchId,
      branchName: branch === undefined ? 'Branch' : `${branch.name} (${branch.code})`,
      deviceId: this.deviceId,
      currencies: currencyExponents,
      verifiedBy,
    };
    const previous = this.sessions.get(clientId);
    if (previous?.token != null) await this.client.signOut(previous.token);
    this.sessions.set(clientId, { clientId, info, token, startedAtMs: this.clock.nowMs(), lastUsedAtMs: this.clock.nowMs() });
    return { ok: true, session: info };
  }

  private async signOut(clientId: string): Promise<{ ok: true }> {
    const session = this.sessions.get(clientId);
    this.sessions.delete(clientId);
    if (session?.token != null) await this.client.signOut(session.token);
    return { ok: true };
  }

  private localUser(username: string) {
    return this.storage.read((tx) => tx.banking.get('user', username));
  }

  private contextOf(session: HostSession): Context {
    return { actor: session.info.username, roles: session.info.roles, deviceId: this.deviceId };
  }

  /** Whether this command goes to the server now: the link is up and this person has a server session. */
  private online(session: HostSession): boolean {
    return session.token !== null && this.sync.status().link === 'online';
  }

  private async run(clientId: string, command: UiCommand, input: unknown): Promise<BridgeOutcome> {
    const session = this.sessions.get(clientId);
    if (session === undefined) return notSignedIn;
    const writes = offlineCapable.has(command) || (onlineOnly.has(command) && !readOnline.has(command)) || command === 'approval.decide';
    if (session.token === null && this.sync.status().link === 'online' && (writes || readOnline.has(command))) {
      // Signed in on the cached credential, and the bank is back: the stand-in rules no longer apply; the bank decides again.
      this.sessions.delete(clientId);
      this.emit('session.ended', { reason: 'the bank can be reached again, and work goes to it now.' }, clientId);
      return { ok: false, code: 'sign_in_again', message: 'The bank can be reached again: sign in again so your work goes to it (you signed in while the link was down).' };
    }
    if (writes && this.online(session)) {
      // Work made offline reaches the bank first: an online command never overtakes the outbox.
      const drained = await this.drainOutbox();
      if (!drained && !offlineCapable.has(command)) {
        return { ok: false, code: 'outbox_not_drained', message: 'Work made here while offline is still reaching the bank; try again in a moment.' };
      }
      if (drained) return command === 'approval.decide' ? this.decideOnline(session, input) : this.runOnline(session, command, input);
      // Not drained: it queues behind the earlier work here, and the bank decides it in order.
    } else if (readOnline.has(command) && this.online(session)) {
      return this.runOnline(session, command, input);
    }
    if (onlineOnly.has(command)) {
      const why = session.token === null ? 'you signed in while the link was down; sign in again once it is up' : 'the link to the bank is down';
      return { ok: false, code: 'needs_server', message: `This needs the bank's server, and ${why}. Everything else keeps working here.` };
    }
    const outcome = withDenominations(command, jsonOutcome(await this.engine.executeAny(command, input, this.contextOf(session))));
    this.rememberHeld(outcome, command, input, session.info);
    if (outcome.ok && offlineCapable.has(command)) {
      await this.receipts.record(command, input, outcome.value, session.info, 'offline');
      this.sync.kick();
    }
    if (outcome.ok && command === 'approval.decide' && (input as { decision?: unknown }).decision === 'approve') {
      await this.recordApproved(String((input as { approvalId?: unknown }).approvalId), outcome, session.info.displayName, 'offline');
      this.sync.kick();
    }
    return outcome;
  }

  /** Whether the outbox is empty once a sync has pushed what it can. */
  private async drainOutbox(): Promise<boolean> {
    if (this.sync.status().waiting === 0 && !(await this.outboxPending())) return true;
    const status = await this.sync.now();
    return status.waiting === 0 && !(await this.outboxPending());
  }

  private async outboxPending(): Promise<boolean> {
    return this.storage.read(async (tx) => {
      const state = await tx.banking.get('workstation', 'local');
      return state !== undefined && state.lastAckedCommandSeq < state.lastCommandSeq;
    });
  }

  private async runOnline(session: HostSession, command: string, input: unknown): Promise<BridgeOutcome> {
    const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const answer = await this.client.run(session.token!, command, body, idempotencyKeyOf(command, body));
    if (!answer.reached) return this.linkLost(answer, offlineCapable.has(command));
    this.sync.sawServer();
    const outcome = outcomeOf(answer);
    this.endSession(session, answer);
    this.rememberHeld(outcome, command, input, session.info);
    if (outcome.ok && !readOnline.has(command)) {
      // The server booked it: bring this workstation's copy of the branch up to date before answering.
      await this.sync.now();
      if (offlineCapable.has(command) || command === 'fx.exchange') await this.receipts.record(command, input, outcome.value, session.info, 'online');
    }
    return outcome;
  }

  private linkLost(answer: Extract<ServerAnswer, { reached: false }>, runsHere: boolean): BridgeOutcome {
    this.sync.lostServer(answer.message);
    return {
      ok: false,
      code: 'link_lost',
      message: runsHere
        ? 'The link to the bank dropped before the server answered. Confirm again: it runs on this workstation now, and it can never be booked twice.'
        : 'The link to the bank dropped before the server answered. This needs the bank: wait until the banner says online and confirm again (it can never be done twice).',
    };
  }

  private async decideOnline(session: HostSession, input: unknown): Promise<BridgeOutcome> {
    const { approvalId, decision, note } = (input ?? {}) as { approvalId?: unknown; decision?: unknown; note?: unknown };
    if (typeof approvalId !== 'string' || (decision !== 'approve' && decision !== 'reject')) return { ok: false, code: 'invalid_input', message: 'Name the approval and approve or reject.' };
    const answer = await this.client.decide(session.token!, approvalId, decision, typeof note === 'string' ? note : undefined);
    if (!answer.reached) return this.linkLost(answer, false);
    const outcome = outcomeOf(answer);
    this.endSession(session, answer);
    if (outcome.ok) {
      await this.sync.now();
      if (decision === 'approve') await this.recordApproved(approvalId, outcome, session.info.displayName, 'online');
    }
    return outcome;
  }

  /** The receipt of a held command this workstation made, once a supervisor approved it. */
  private async recordApproved(approvalId: string, outcome: BridgeOutcome & { ok: true }, approver: string, made: 'online' | 'offline'): Promise<void> {
    const held = this.held.get(approvalId);
    if (held === undefined) return;
    this.held.delete(approvalId);
    const value = (outcome.value as { result?: unknown } | null)?.result ?? outcome.value;
    await this.receipts.record(held.command, held.input, value, held.teller, made, approver);
  }

  private rememberHeld(outcome: BridgeOutcome, command: string, input: unknown, teller: SessionInfo): void {
    if (outcome.ok || outcome.code !== 'approval_required' || typeof outcome.details?.approvalId !== 'string') return;
    if (this.held.size >= heldRememberedMax) this.held.delete(this.held.keys().next().value!);
    this.held.set(outcome.details.approvalId, { command, input, teller });
  }

  /**
   * A supervisor at the teller's screen decides a held command with their own name and password.
   * Online, the server checks them and decides; offline, the credential cached here does, and the
   * server re-decides the command when it is pushed (it cannot verify a counter approval).
   */
  private async approveOnTheSpot(clientId: string, request: BridgeChannels['approval.onTheSpot']['request']): Promise<BridgeOutcome> {
    const teller = this.sessions.get(clientId);
    if (teller === undefined) return notSignedIn;
    const username = request.username.trim().toLowerCase();
    if (username === teller.info.username) return { ok: false, code: 'checker_must_differ', message: 'A second person must approve: the supervisor signs in with their own name.' };
    // Only a command this teller made here and was held: the supervisor's password is never spent on another.
    const held = this.held.get(request.approvalId);
    if (held === undefined || held.teller.username !== teller.info.username) {
      return { ok: false, code: 'approval_not_yours', message: 'This approval is not one of your held commands; a supervisor decides it from the approvals queue.' };
    }
    // A pseudo-client of its own per approval: two approvals at once never share a supervisor's session.
    const supervisorClient = `${clientId}#supervisor#${crypto.randomUUID()}`;
    const signed = await this.signIn(supervisorClient, username, request.password);
    if (!signed.ok) return { ok: false, code: signed.code, message: signed.message };
    try {
      return await this.run(supervisorClient, 'approval.decide', { approvalId: request.approvalId, decision: request.decision, ...(request.note === undefined ? {} : { note: request.note }) });
    } finally {
      await this.signOut(supervisorClient);
    }
  }

  private async preview(clientId: string, command: UiCommand, input: unknown): Promise<BridgeChannels['engine.preview']['response']> {
    const session = this.sessions.get(clientId);
    if (session === undefined) return notSignedIn;
    const engine = this.online(session) ? this.onlinePreview : this.engine;
    const preview = await engine.preview(command, input, this.contextOf(session));
    return { ok: true, preview: previewInfo(preview) };
  }

  async close(): Promise<void> {
    this.changes.stop();
    this.updates?.stop();
    // A backup running is finished first (it reads the books about to close).
    await this.backups?.stop();
    await this.sync.stop();
    // Best effort and at once: a dead link must not hold shutdown for each session in turn.
    await Promise.race([Promise.allSettled([...this.sessions.keys()].map((clientId) => this.signOut(clientId))), new Promise((done) => setTimeout(done, 2_000).unref?.())]);
    this.local.close();
    await this.storage.close();
  }
}

/**
 * The Idempotency-Key of an online command, from the ids the command carries, so a resend is the same
 * request: a transfer's id, a till session's, a case note's or a report proposal's (made by the
 * screen once per note and proposal). Null: a new key each time (the client makes one) — a case's
 * assignment, investigation or closing carries no id of its own, and a key from the case id alone
 * would replay an earlier refusal of the same case.
 */
function idempotencyKeyOf(command: string, body: Record<string, unknown>): string | null {
  if (typeof body.transferId === 'string') return `ws-${body.transferId}`;
  if (typeof body.sellTransferId === 'string') return `ws-${body.sellTransferId}`;
  if (typeof body.sessionId === 'string') return `ws-${command}-${body.sessionId}`;
  if (command === 'case.note' && typeof body.noteId === 'string') return `ws-${command}-${body.noteId}`;
  if (command === 'case.propose_report' && typeof body.proposalId === 'string') return `ws-${command}-${body.proposalId}`;
  return null;
}

/** Tills answer with the notes and coins of their currency, so the screens count in them. */
function withDenominations(command: string, outcome: BridgeOutcome): BridgeOutcome {
  if (!outcome.ok) return outcome;
  const of = (till: { currency?: unknown } | undefined) => [...(denominationsOf(String(till?.currency ?? '')) ?? [])];
  if (command === 'till.current_session') {
    const value = outcome.value as { till?: { currency?: unknown } };
    return { ok: true, value: { ...value, denominations: of(value.till) } };
  }
  if (command === 'till.list') {
    return { ok: true, value: (outcome.value as Array<{ till?: { currency?: unknown } }>).map((entry) => ({ ...entry, denominations: of(entry.till) })) };
  }
  return outcome;
}

/** Held commands whose receipt this workstation remembers until a supervisor decides them. */
const heldRememberedMax = 1000;

/** A workstation session's longest life (the server's own), and how long it may sit unused. */
export const sessionLifetimeMs = 8 * 60 * 60 * 1000;
export const sessionIdleMs = 15 * 60 * 1000;
/** How old a cached credential may be for an offline sign-in: a week without signing in online, and the person signs in online again. */
export const cachedCredentialMaxAgeMs = 7 * 24 * 60 * 60 * 1000;
/** Offline sign-in failures of one name before each further try waits (doubling from one second). */
const offlineFailuresFree = 3;

/** The engine's ISO 4217 exponents, as the screens need them. */
const currencyExponents: Readonly<Record<string, number>> = Object.fromEntries(allCurrencies().map((currency) => [currency.code, currency.exponent]));

const notSignedIn = { ok: false, code: 'session_missing', message: 'Sign in first.' } as const;

/** An engine answer as it crosses the bridge: JSON, bigint amounts as strings. */
function wireJson<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))) as T;
}

function jsonOutcome(outcome: { ok: boolean }): BridgeOutcome {
  return wireJson<BridgeOutcome>(outcome);
}

function previewInfo(preview: Preview): PreviewInfo {
  const safe = wireJson<{ value?: unknown; details?: { basis?: unknown } }>(preview);
  const value = (safe.value ?? null) as { rate?: unknown; bought?: { amount?: unknown } } | null;
  return {
    decision: preview.decision,
    code: preview.decision === 'allow' ? null : preview.code,
    reason: preview.decision === 'allow' ? null : preview.message,
    basis: typeof safe.details?.basis === 'string' ? safe.details.basis : null,
    rate: typeof value?.rate === 'string' ? value.rate : null,
    counterAmount: typeof value?.bought?.amount === 'string' ? value.bought.amount : null,
    value: safe.value ?? null,
  };
}

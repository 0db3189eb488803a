import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { Approval, CaseNote, ComplianceCase, ComplianceReport, Decision, DecisionOutcome, FraudDecisionRecord, MonitoredTransaction, MonitoringConfig, MonitoringDecisionRecord } from '@qenex/engine';
import type { BridgeOutcome, UiCommand } from '../bridge';

/** An engine type as it crosses the bridge: JSON, so every bigint arrives as a decimal string. */
export type Wire<T> = T extends string | number | boolean | null | undefined ? T : T extends bigint ? string : T extends readonly (infer U)[] ? readonly Wire<U>[] : T extends object ? { readonly [K in keyof T]: Wire<T[K]> } : T;

export type CaseView = 'mine' | 'queue' | 'open' | 'closed';
export type CaseRow = Wire<ComplianceCase>;
export type SarCategory = 'structuring' | 'terrorist_financing' | 'fraud' | 'money_laundering' | 'identity' | 'other';

export interface CaseCustomer {
  readonly id: string;
  readonly name: string;
  readonly branchId: string;
  readonly dateOfBirth: string;
  readonly riskRating: string;
  readonly kycStatus: string;
}

/** `case.get`: the case, its timeline, the decisions and hits behind it, its customers, reports and held payment. */
export interface CaseDetail {
  readonly case: CaseRow;
  readonly notes: readonly Wire<CaseNote>[];
  readonly decisions: readonly Wire<MonitoringDecisionRecord>[];
  /** The fraud model's decisions behind the case's fraud alerts, each with its reasons (absent from a server before the fraud engine). */
  readonly fraudDecisions?: readonly Wire<Omit<FraudDecisionRecord, 'event'>>[];
  readonly customers: readonly CaseCustomer[];
  readonly reports: readonly Wire<Omit<ComplianceReport, 'xml'>>[];
  readonly approval: Wire<Approval> | null;
}

export interface MonitoringSettings {
  readonly live: Wire<MonitoringConfig> | null;
  readonly draft: Wire<MonitoringConfig> | null;
}

export interface ShadowResults {
  readonly draft: { readonly scenarioId: string; readonly version: number } | null;
  readonly results: readonly { readonly transactionId: string; readonly customerId: string; readonly command: string; readonly shadow: Wire<Decision>; readonly live: Wire<Decision> | null }[];
}

export interface ReplayFlag {
  readonly transaction: Wire<MonitoredTransaction>;
  readonly decision: Wire<Decision>;
  readonly live: Wire<Decision> | null;
}

/** A replay of the draft over the stored history, page by page: how far it got, what it counted, what it flagged. */
export interface ReplayRun {
  readonly state: Progress;
  readonly scenario: { readonly id: string; readonly version: number } | null;
  readonly decided: number;
  readonly pages: number;
  readonly counts: Readonly<Record<DecisionOutcome, number>>;
  readonly flagged: readonly ReplayFlag[];
  /** Where the next page starts; null when the whole history was read. */
  readonly next: string | null;
}

/** Every async action's visible state: idle, working (on what), done, or failed with what to do next. */
export type Progress = { kind: 'idle' } | { kind: 'working'; what: string } | { kind: 'done'; message: string } | { kind: 'failed'; code: string; message: string };

export interface ReportProposalInput {
  readonly form: 'CTRX' | 'SARX';
  readonly narrative: string;
  readonly categories: readonly SarCategory[];
}

export interface ComplianceStore {
  /** The case list and the open case, or the scenarios. */
  pane: 'cases' | 'scenarios';
  view: CaseView;
  /** The queue the Queue list shows: new alerts wait in `monitoring`, sanctions hits in `screening`. */
  queue: string;
  cases: readonly CaseRow[];
  listState: Progress;
  openCaseId: string | null;
  detail: CaseDetail | null;
  detailState: Progress;
  /** The last action on the open case (take, note, investigate, close, propose, release, file). */
  action: Progress;
  /** Customer names seen in cases opened so far, for the queue's customer column. */
  customerNames: Readonly<Record<string, string>>;
  settings: MonitoringSettings | null;
  settingsState: Progress;
  shadow: ShadowResults | null;
  shadowState: Progress;
  replay: ReplayRun;
  showPane(pane: 'cases' | 'scenarios'): void;
  setView(view: CaseView): Promise<void>;
  setQueue(queue: string): Promise<void>;
  loadCases(): Promise<void>;
  openCase(caseId: string): Promise<void>;
  backToList(): void;
  reloadCase(): Promise<void>;
  take(): Promise<boolean>;
  addNote(text: string): Promise<boolean>;
  investigate(): Promise<boolean>;
  close(outcome: 'confirmed' | 'false_positive', reason: string): Promise<boolean>;
  proposeReport(proposal: ReportProposalInput): Promise<boolean>;
  decideHeldPayment(decision: 'approve' | 'reject'): Promise<boolean>;
  fileReport(): Promise<boolean>;
  loadScenarios(): Promise<void>;
  replayDraft(): Promise<void>;
  stopReplay(): void;
  /** Forgets everything shown (another person signs in). */
  reset(): void;
}

/** Cases one list shows (the engine's page, casesListMax). */
export const caseListLimit = 200;
/** Shadow decisions the scenarios screen lists. */
export const shadowListLimit = 100;
/** Transactions one replay page decides, and pages one replay reads at most (a million transactions). */
export const replayPageSize = 500;
export const replayPagesMax = 2_000;
/** Flagged transactions a replay keeps on screen; the counts go on past it. */
export const replayFlaggedShownMax = 1_000;
/** The queues cases wait in (the engine's monitoringQueue and screeningQueue). */
export const caseQueues = ['monitoring', 'screening', 'fraud'] as const;
/** Customer names remembered for the queue. */
const customerNamesMax = 5_000;

const idle: Progress = { kind: 'idle' };
const emptyReplay: ReplayRun = { state: idle, scenario: null, decided: 0, pages: 0, counts: { allow: 0, alert: 0, hold: 0, block: 0 }, flagged: [], next: null };

/** What the officer can do about a refusal, added to the engine's own words. */
export function nextStep(code: string): string | null {
  switch (code) {
    case 'case_reassigned':
      return 'Nothing was changed. Take the case again (Alt+T) if it should be yours; the list shows who has it now.';
    case 'case_closed':
      return 'The case is closed and keeps its record; for anything new, open the queue (Alt+Q).';
    case 'needs_server':
      return 'Try again when the banner says Online. Notes, investigation, closing and report proposals on your own cases work offline.';
    case 'link_lost':
      return 'Wait until the link is back, then do it again: it is never done twice.';
    case 'outbox_not_drained':
      return 'Work made here offline is still reaching the bank; try again in a moment.';
    case 'report_pending':
      return 'A second officer approves (or rejects) the waiting report first; it is in their Approvals.';
    case 'narrative_required':
      return 'Write the narrative and tick at least one kind of activity, then propose again.';
    case 'case_not_found':
      return 'This case is not in the books this screen reads; refresh the list (Alt+R).';
    case 'scenario_not_found':
      return 'Compliance sets a draft scenario first; it then runs in shadow beside the live one.';
    case 'checker_must_differ':
      return 'Another compliance officer decides it.';
    case 'sign_in_again':
      return 'Sign in again so your work goes to the bank.';
    default:
      return null;
  }
}

/** Refusals about the link or the session rather than the case: nothing about the case changed. */
const linkRefusals: ReadonlySet<string> = new Set(['needs_server', 'link_lost', 'outbox_not_drained', 'sign_in_again', 'bridge_failed', 'workstation_unreachable', 'session_missing']);

function failed(outcome: Extract<BridgeOutcome, { ok: false }>): Progress {
  const next = nextStep(outcome.code);
  return { kind: 'failed', code: outcome.code, message: next === null ? outcome.message : `${outcome.message} ${next}` };
}

export interface ComplianceDeps {
  run(command: UiCommand, input: unknown): Promise<BridgeOutcome>;
  /** The signed-in officer's username (null when no one is). */
  me(): string | null;
  /** A new 32-hex id for a note or a report proposal. */
  newId(): string;
}

/** The compliance officer's store, over the same `run` every other store uses. */
export function createComplianceStore(deps: ComplianceDeps): UseBoundStore<StoreApi<ComplianceStore>> {
  const run = (command: UiCommand, input: unknown): Promise<BridgeOutcome> =>
    deps.run(command, input).catch((error: unknown) => ({ ok: false as const, code: 'bridge_failed', message: error instanceof Error ? error.message : String(error) }));
  // A replay stops when its number is no longer the current one (stopped, or another started).
  let replayRun = 0;

  return create<ComplianceStore>((set, get) => {
    /** One action on the open case: working, then done or failed with what to do next; the case is read again after it. */
    const act = async (what: string, command: UiCommand, input: Record<string, unknown>, done: (value: unknown) => string): Promise<boolean> => {
      const caseId = get().openCaseId;
      if (caseId === null) return false;
      set({ action: { kind: 'working', what } });
      const outcome = await run(command, { caseId, ...input });
      if (!outcome.ok) {
        set({ action: failed(outcome) });
        // A refusal about the case (taken, closed, a report waiting) is read again; one about the link changed nothing.
        if (!linkRefusals.has(outcome.code)) await get().reloadCase();
        return false;
      }
      set({ action: { kind: 'done', message: done(outcome.value) } });
      await get().reloadCase();
      void get().loadCases();
      return true;
    };

    const decideApproval = async (what: string, approvalId: string | null, decision: 'approve' | 'reject', done: string): Promise<boolean> => {
      if (approvalId === null) return false;
      set({ action: { kind: 'working', what } });
      const outcome = await run('approval.decide', { approvalId, decision });
      if (!outcome.ok) {
        set({ action: failed(outcome) });
        return false;
      }
      set({ action: { kind: 'done', message: done } });
      await get().reloadCase();
      void get().loadCases();
      return true;
    };

    const initial = {
      pane: 'cases' as const,
      view: 'queue' as CaseView,
      queue: 'monitoring',
      cases: [],
      listState: idle,
      openCaseId: null,
      detail: null,
      detailState: idle,
      action: idle,
      customerNames: {},
      settings: null,
      settingsState: idle,
      shadow: null,
      shadowState: idle,
      replay: emptyReplay,
    };

    return {
      ...initial,

      reset() {
        replayRun += 1;
        set(initial);
      },

      showPane(pane) {
        set({ pane });
      },

      async setView(view) {
        set({ view, cases: [] });
        await get().loadCases();
      },

      async setQueue(queue) {
        set({ queue, cases: [] });
        await get().loadCases();
      },

      async loadCases() {
        const { view, queue } = get();
        set({ listState: { kind: 'working', what: 'Reading the cases' } });
        const outcome = await run('case.list', view === 'queue' ? { view, queue, limit: caseListLimit } : { view, limit: caseListLimit });
        // The officer moved to another list meanwhile: this answer is not theirs to show.
        if (get().view !== view || get().queue !== queue) return;
        if (!outcome.ok) return set({ listState: failed(outcome) });
        const cases = outcome.value as CaseRow[];
        set({ cases, listState: { kind: 'done', message: `${cases.length} case${cases.length === 1 ? '' : 's'}${cases.length === caseListLimit ? ' (the most urgent)' : ''}.` } });
      },

      async openCase(caseId) {
        set({ openCaseId: caseId, detail: null, action: idle });
        await get().reloadCase();
      },

      backToList() {
        set({ openCaseId: null, detail: null, action: idle, detailState: idle });
      },

      async reloadCase() {
        const caseId = get().openCaseId;
        if (caseId === null) return;
        set({ detailState: { kind: 'working', what: get().detail === null ? 'Opening the case' : 'Reading the case again' } });
        const outcome = await run('case.get', { caseId });
        if (get().openCaseId !== caseId) return;
        if (!outcome.ok) {
          const shown = get().detail;
          // What was read before stays on screen, said to be as of then.
          return set({ detailState: shown === null ? failed(outcome) : { kind: 'failed', code: outcome.code, message: `The case could not be read again (${outcome.message}); what is shown is as it was read before.` } });
        }
        const detail = outcome.value as CaseDetail;
        const known = get().customerNames;
        const names = Object.keys(known).length >= customerNamesMax ? {} : { ...known };
        for (const customer of detail.customers) names[customer.id] = customer.name;
        set({ detail, detailState: idle, customerNames: names });
      },

      take() {
        const me = deps.me();
        if (me === null) return Promise.resolve(false);
        return act('Taking the case', 'case.assign', { assignee: me }, () => 'The case is yours: it is in My cases.');
      },

      addNote(text) {
        return act('Adding the note', 'case.note', { noteId: deps.newId(), text }, () => 'Note added to the timeline.');
      },

      investigate() {
        return act('Starting the investigation', 'case.investigate', {}, () => 'Investigation started.');
      },

      close(outcome, reason) {
        return act('Closing the case', 'case.close', { outcome, reason }, () => `Closed as ${outcome === 'false_positive' ? 'a false positive' : 'confirmed'}.`);
      },

      proposeReport({ form, narrative, categories }) {
        const input: Record<string, unknown> = { proposalId: deps.newId(), form };
        if (narrative.trim() !== '') input.narrative = narrative.trim();
        if (categories.length > 0) input.categories = [...categories];
        return act('Proposing the report', 'case.propose_report', input, () => `${form === 'CTRX' ? 'Currency transaction' : 'Suspicious activity'} report proposed: a second officer approves and files it.`);
      },

      decideHeldPayment(decision) {
        const approvalId = get().detail?.approval?.id ?? null;
        return decideApproval(decision === 'approve' ? 'Releasing the payment' : 'Refusing the payment', approvalId, decision, decision === 'approve' ? 'Payment released: it is booked.' : 'Payment refused: nothing was booked.');
      },

      fileReport() {
        const approvalId = get().detail?.case.proposal?.approvalId ?? null;
        return decideApproval('Approving and filing the report', approvalId, 'approve', 'Report approved and filed.');
      },

      async loadScenarios() {
        set({ settingsState: { kind: 'working', what: 'Reading the scenarios' }, shadowState: { kind: 'working', what: 'Reading the shadow decisions' } });
        const [settings, shadow] = await Promise.all([run('monitoring.settings', {}), run('monitoring.shadow', { limit: shadowListLimit })]);
        set(settings.ok ? { settings: settings.value as MonitoringSettings, settingsState: idle } : { settingsState: failed(settings) });
        set(shadow.ok ? { shadow: shadow.value as ShadowResults, shadowState: idle } : { shadowState: failed(shadow) });
      },

      async replayDraft() {
        const mine = (replayRun += 1);
        const counts = { allow: 0, alert: 0, hold: 0, block: 0 };
        const flagged: ReplayFlag[] = [];
        let decided = 0;
        let after = '';
        set({ replay: { ...emptyReplay, state: { kind: 'working', what: 'Replaying the draft over the history: 0 transactions decided so far' } } });
        for (let page = 1; page <= replayPagesMax; page += 1) {
          const outcome = await run('monitoring.replay', after === '' ? { which: 'draft', limit: replayPageSize } : { which: 'draft', after, limit: replayPageSize });
          if (mine !== replayRun) return;
          if (!outcome.ok) return set({ replay: { ...get().replay, state: failed(outcome) } });
          const value = outcome.value as { scenario: { id: string; version: number }; decided: number; counts: Record<DecisionOutcome, number>; flagged: ReplayFlag[]; next: string | null };
          decided += value.decided;
          for (const outcomeKind of Object.keys(counts) as DecisionOutcome[]) counts[outcomeKind] += value.counts[outcomeKind];
          flagged.push(...value.flagged.slice(0, Math.max(0, replayFlaggedShownMax - flagged.length)));
          const finished = value.next === null;
          const state: Progress = finished
            ? { kind: 'done', message: `Replay finished: ${decided.toLocaleString('en-US')} transactions decided, ${(counts.alert + counts.hold + counts.block).toLocaleString('en-US')} flagged.` }
            : { kind: 'working', what: `Replaying the draft over the history: ${decided.toLocaleString('en-US')} transactions decided so far` };
          set({ replay: { state, scenario: value.scenario, decided, pages: page, counts: { ...counts }, flagged: [...flagged], next: value.next } });
          if (finished) return;
          after = value.next!;
        }
        set({ replay: { ...get().replay, state: { kind: 'done', message: `Replay stopped after ${replayPagesMax} pages (${decided.toLocaleString('en-US')} transactions); the counts are of those.` } } });
      },

      stopReplay() {
        replayRun += 1;
        const replay = get().replay;
        if (replay.state.kind === 'working') set({ replay: { ...replay, state: { kind: 'done', message: `Replay stopped: ${replay.decided.toLocaleString('en-US')} transactions decided so far.` } } });
      },
    };
  });
}

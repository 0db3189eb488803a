/**
 * Cases as the commands keep them: alerts and screening hits open a case (or join the open case of
 * the same customer), and every change appends a note; notes are never edited.
 */
import { dayMs } from '../core/monitoring/limits';
import type { CaseAlert, CaseNote, ComplianceCase } from '../core/banking/types';
import type { IdSource } from '../ports/ids';
import type { StorageTx } from '../ports/storage';

/** A CTR is due 15 calendar days after the day of the cash (31 CFR 1010.306(a)(1)). */
export const ctrFilingDays = 15;
/** A SAR is due 30 calendar days after initial detection (31 CFR 1020.320(b)(3)). */
export const sarFilingDays = 30;
/** Alerts one case gathers before a new case is opened for the customer. */
export const caseAlertsMax = 500;
/** Transactions one case links. */
export const caseTransactionsMax = 2_000;
/** Notes one case holds. */
export const caseNotesMax = 5_000;
/** The queue new alerts wait in until someone takes them. */
export const monitoringQueue = 'monitoring';
export const screeningQueue = 'screening';

export interface CaseOpening {
  readonly queue: string;
  readonly title: string;
  readonly branchId: string | null;
  readonly customerId: string | null;
  readonly partyName: string | null;
  readonly alerts: readonly CaseAlert[];
  readonly transactionIds: readonly string[];
  /** When the filing clock for these alerts runs out. */
  readonly dueAtMs: number;
  readonly approvalId?: string;
  readonly nowMs: number;
  readonly actor: string;
  /** Join the customer's open case only when it is in this queue (a fraud alert does not join a sanctions case, whose outcome would become its label). */
  readonly joinQueueOnly?: string;
}

export function caseNumber(sequence: number): string {
  return `C-${String(sequence).padStart(6, '0')}`;
}

/** The due date of a CTR for cash on `atMs`'s UTC day, and of a SAR detected at `nowMs`. */
export function ctrDueAtMs(atMs: number): number {
  return (Math.floor(atMs / dayMs) + 1 + ctrFilingDays) * dayMs - 1;
}
export function sarDueAtMs(nowMs: number): number {
  return nowMs + sarFilingDays * dayMs;
}

function union(a: readonly string[], b: readonly string[], max: number): string[] {
  const merged = [...new Set([...a, ...b])];
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/**
 * Puts the alerts on the customer's open case, or opens one: one investigation per customer at a
 * time, so an officer sees the whole picture. A party who is no customer gets a case of their own.
 */
export async function openOrJoinCase(tx: StorageTx, ids: IdSource, opening: CaseOpening): Promise<ComplianceCase> {
  const existing = opening.customerId === null ? [] : await tx.banking.findBy('complianceCase', 'customer', opening.customerId, opening.joinQueueOnly === undefined ? 1 : 16);
  const open = existing.find((found) => found.status !== 'closed' && found.alerts.length + opening.alerts.length <= caseAlertsMax && (opening.joinQueueOnly === undefined || found.queue === opening.joinQueueOnly));
  if (open !== undefined) {
    const joined: ComplianceCase = {
      ...open,
      alerts: [...open.alerts, ...opening.alerts],
      transactionIds: union(open.transactionIds, opening.transactionIds, caseTransactionsMax),
      dueAtMs: Math.min(open.dueAtMs, opening.dueAtMs),
      approvalId: opening.approvalId ?? open.approvalId,
      updatedAtMs: opening.nowMs,
      version: open.version + 1,
    };
    await tx.banking.put('complianceCase', joined);
    await appendNote(tx, joined, { author: opening.actor, atMs: opening.nowMs, text: `${opening.title} (joined this case).`, event: 'alert' });
    return (await tx.banking.get('complianceCase', joined.id))!;
  }
  const created: ComplianceCase = {
    id: ids.next(),
    number: caseNumber(await tx.banking.nextSequence('complianceCase')),
    title: opening.title,
    status: 'open',
    outcome: null,
    assignee: null,
    queue: opening.queue,
    branchId: opening.branchId,
    customerIds: opening.customerId === null ? [] : [opening.customerId],
    partyName: opening.partyName,
    transactionIds: [...new Set(opening.transactionIds)].slice(0, caseTransactionsMax),
    alerts: opening.alerts,
    approvalId: opening.approvalId ?? null,
    dueAtMs: opening.dueAtMs,
    openedAtMs: opening.nowMs,
    updatedAtMs: opening.nowMs,
    closedAtMs: null,
    notesCount: 0,
    proposal: null,
    version: 1,
  };
  await tx.banking.put('complianceCase', created);
  await appendNote(tx, created, { author: opening.actor, atMs: opening.nowMs, text: `Case opened: ${opening.title}.`, event: 'opened' });
  return (await tx.banking.get('complianceCase', created.id))!;
}

/** Appends a note (and counts it on the case, whose version moves); the note's id is its place. */
export async function appendNote(tx: StorageTx, onCase: ComplianceCase, note: Pick<CaseNote, 'author' | 'atMs' | 'text' | 'event' | 'requestId'>): Promise<CaseNote> {
  const seq = onCase.notesCount + 1;
  const stored: CaseNote = { id: noteId(onCase.id, seq), caseId: onCase.id, seq, ...note };
  await tx.banking.put('caseNote', stored);
  await tx.banking.put('complianceCase', { ...onCase, notesCount: seq, updatedAtMs: note.atMs, version: onCase.version + 1 });
  return stored;
}

export function noteId(caseId: string, seq: number): string {
  return `${caseId}:${String(seq).padStart(6, '0')}`;
}

/**
 * Compliance cases as commands: the queue and an officer's own cases, a case with its timeline and
 * evidence, assignment, notes (appended, never edited), status, closing with an outcome, and a
 * report proposed by one officer and filed on a second officer's approval. The commands an officer
 * makes on a workstation offline (notes, status, closing, proposing) sync like any other and are
 * refused, with the reason, when someone else closed or reassigned the case meanwhile.
 */
import { fraudQueue, labelFromCase } from '../fraud';
import { z } from 'zod';
import type { CaseAlert, CaseStatus, ComplianceCase } from '../../core/banking/types';
import { rolesAllow } from '../../core/rbac';
import { command, ok, refuse, type CommandEnv, type Refusal } from '../command';
import { appendNote, caseNotesMax, monitoringQueue, openOrJoinCase, sarDueAtMs, screeningQueue } from '../cases';
import { idSchema, limitSchema, textSchema, tokenSchema } from '../schemas';
import { usernameSchema } from './identity';

export const casesListMax = 200;
/** A note: a paragraph or two of an investigator's findings. */
export const caseNoteLengthMax = 4_000;
/** A SAR narrative: FinCEN's limit on the narrative (Part V) is 17,000 characters. */
export const narrativeLengthMax = 17_000;

const queueSchema = tokenSchema(/^[a-z][a-z0-9_-]{1,31}$/, 32, 'a queue is 2-32 lowercase letters, digits, _ or -');

export const listCases = command({
  kind: 'read',
  input: z
    .object({
      view: z.enum(['mine', 'queue', 'open', 'closed']).default('open'),
      queue: queueSchema.optional(),
      limit: limitSchema,
    })
    .strict(),
  async run(env, input) {
    const limit = Math.min(input.limit, casesListMax);
    const found =
      input.view === 'mine'
        ? await env.tx.banking.findBy('complianceCase', 'assignee', env.ctx.actor, limit)
        : input.view === 'queue'
          ? await env.tx.banking.findBy('complianceCase', 'queue', input.queue ?? 'monitoring', limit)
          : input.view === 'closed'
            ? await env.tx.banking.findBy('complianceCase', 'status', 'closed', limit)
            : [...(await env.tx.banking.findBy('complianceCase', 'status', 'open', limit)), ...(await env.tx.banking.findBy('complianceCase', 'status', 'investigating', limit))].slice(0, limit);
    // Most urgent first: the filing clock; each with its customers' names, for the queue.
    const named = [];
    for (const onCase of [...found].sort((a, b) => a.dueAtMs - b.dueAtMs || (a.number < b.number ? -1 : 1))) {
      const customers = await Promise.all(onCase.customerIds.map((id) => env.tx.banking.get('customer', id)));
      named.push({ ...onCase, customerNames: customers.map((customer) => customer?.fullName ?? null) });
    }
    return ok(named);
  },
});

export const getCase = command({
  kind: 'read',
  input: z.object({ caseId: idSchema }).strict(),
  async run(env, input) {
    const found = await env.tx.banking.get('complianceCase', input.caseId);
    if (found === undefined) return refuse('case_not_found', 'No case has this id.');
    const notes = await env.tx.banking.findBy('caseNote', 'case', found.id, caseNotesMax);
    const decisions = [];
    const fraudDecisions = [];
    for (const alert of found.alerts) {
      if (alert.kind === 'fraud') {
        const decision = await env.tx.banking.get('fraudDecision', alert.decisionId);
        // The stored payment (kept for training) stays out: the case names it by id.
        if (decision !== undefined) {
          const { event: _event, ...shown } = decision;
          fraudDecisions.push(shown);
        }
      }
      if (alert.kind !== 'monitoring') continue;
      const decision = await env.tx.banking.get('monitoringDecision', alert.decisionId);
      if (decision !== undefined) decisions.push(decision);
    }
    const customers = [];
    for (const customerId of found.customerIds) {
      const customer = await env.tx.banking.get('customer', customerId);
      if (customer !== undefined) customers.push({ id: customer.id, name: customer.fullName, branchId: customer.branchId, dateOfBirth: customer.dateOfBirth, riskRating: customer.riskRating, kycStatus: customer.kycStatus });
    }
    const reports = (await env.tx.banking.findBy('complianceReport', 'case', found.id, 20)).map(({ xml: _xml, ...summary }) => summary);
    const approval = found.approvalId === null ? null : ((await env.tx.banking.get('approval', found.approvalId)) ?? null);
    return ok({ case: found, notes, decisions, fraudDecisions, customers, reports, approval });
  },
});

/**
 * The case as the caller may change it: it exists, is not closed, and is theirs. Offline work
 * replayed later meets this check on the server, so a note made on a case someone else took or
 * closed meanwhile is refused with who did it and when.
 */
async function ownOpenCase(env: CommandEnv, caseId: string): Promise<ComplianceCase | Refusal> {
  const found = await env.tx.banking.get('complianceCase', caseId);
  if (found === undefined) return refuse('case_not_found', 'No case has this id.');
  if (found.status === 'closed') {
    return refuse('case_closed', `Case ${found.number} was closed (${found.outcome?.replaceAll('_', ' ') ?? 'no outcome'}) on ${new Date(found.closedAtMs ?? found.updatedAtMs).toISOString()}; your change was not applied.`, { caseNumber: found.number });
  }
  if (found.assignee !== env.ctx.actor) {
    const whose = found.assignee === null ? `back in the ${found.queue} queue` : `assigned to ${found.assignee}`;
    return refuse('case_reassigned', `Case ${found.number} is ${whose} now; your change was not applied. Ask them, or take the case again.`, { caseNumber: found.number, assignee: found.assignee });
  }
  return found;
}

function isRefusal(value: ComplianceCase | Refusal): value is Refusal {
  return 'ok' in value;
}

/** Gives a case to an officer (or back to a queue): online only, so two people cannot take it at once. */
export const assignCase = command({
  kind: 'write',
  input: z.object({ caseId: idSchema, assignee: usernameSchema.nullable(), queue: queueSchema.optional() }).strict(),
  async run(env, input) {
    const found = await env.tx.banking.get('complianceCase', input.caseId);
    if (found === undefined) return refuse('case_not_found', 'No case has this id.');
    if (found.status === 'closed') return refuse('case_closed', `Case ${found.number} is closed.`);
    if (input.assignee !== null) {
      const user = await env.tx.banking.get('user', input.assignee);
      if (user === undefined || user.status !== 'active') return refuse('assignee_unknown', `There is no active user ${input.assignee}.`);
      if (!rolesAllow(user.roles, 'compliance.review')) return refuse('assignee_not_compliance', `${input.assignee} is not a compliance officer; cases go to those who may review them.`);
    }
    if (found.assignee === input.assignee && (input.queue === undefined || input.queue === found.queue)) return ok(found);
    const moved: ComplianceCase = { ...found, assignee: input.assignee, queue: input.queue ?? found.queue, updatedAtMs: env.nowMs, version: found.version + 1 };
    await env.tx.banking.put('complianceCase', moved);
    const text = input.assignee === null ? `Returned to the ${moved.queue} queue.` : `Assigned to ${input.assignee}${found.assignee === null ? '' : ` (was ${found.assignee})`}.`;
    await appendNote(env.tx, moved, { author: env.ctx.actor, atMs: env.nowMs, text, event: 'assigned' });
    return ok((await env.tx.banking.get('complianceCase', moved.id))!);
  },
});

export const addCaseNote = command({
  kind: 'write',
  input: z.object({ caseId: idSchema, noteId: idSchema, text: textSchema(caseNoteLengthMax) }).strict(),
  async run(env, input) {
    const replayed = await env.tx.banking.findBy('caseNote', 'request', input.noteId, 1);
    if (replayed[0] !== undefined) return ok(replayed[0]);
    const found = await ownOpenCase(env, input.caseId);
    if (isRefusal(found)) return found;
    if (found.notesCount >= caseNotesMax) return refuse('case_notes_full', `Case ${found.number} holds ${caseNotesMax} notes; open a new case to go on.`);
    return ok(await appendNote(env.tx, found, { author: env.ctx.actor, atMs: env.occurredAtMs, text: input.text, event: null, requestId: input.noteId }));
  },
  audit: (input) => ({ caseId: input.caseId, noteId: input.noteId, length: input.text.length }),
});

const statusOrder: Readonly<Record<CaseStatus, number>> = { open: 0, investigating: 1, closed: 2 };

export const startInvestigation = command({
  kind: 'write',
  input: z.object({ caseId: idSchema }).strict(),
  async run(env, input) {
    const found = await ownOpenCase(env, input.caseId);
    if (isRefusal(found)) return found;
    if (statusOrder[found.status] >= statusOrder.investigating) return ok(found);
    const moved: ComplianceCase = { ...found, status: 'investigating', updatedAtMs: env.nowMs, version: found.version + 1 };
    await env.tx.banking.put('complianceCase', moved);
    await appendNote(env.tx, moved, { author: env.ctx.actor, atMs: env.occurredAtMs, text: 'Investigation started.', event: 'investigating' });
    return ok((await env.tx.banking.get('complianceCase', moved.id))!);
  },
});

/** Closes a case with its outcome: confirmed (suspicion stands, no report) or a false positive. A reported case closes when its report is filed. */
export const closeCase = command({
  kind: 'write',
  input: z.object({ caseId: idSchema, outcome: z.enum(['confirmed', 'false_positive']), reason: textSchema(caseNoteLengthMax) }).strict(),
  async run(env, input) {
    const found = await ownOpenCase(env, input.caseId);
    if (isRefusal(found)) return found;
    if (found.proposal !== null && found.proposal.status === 'proposed') return refuse('report_pending', `Case ${found.number} has a ${found.proposal.form} report waiting for a second officer; decide that first.`);
    return ok(await closeWith(env, found, input.outcome, `Closed as ${input.outcome.replaceAll('_', ' ')}: ${input.reason}`));
  },
  audit: (input) => ({ caseId: input.caseId, outcome: input.outcome }),
});

export async function closeWith(env: CommandEnv, found: ComplianceCase, outcome: NonNullable<ComplianceCase['outcome']>, text: string): Promise<ComplianceCase> {
  const closed: ComplianceCase = { ...found, status: 'closed', outcome, closedAtMs: env.nowMs, updatedAtMs: env.nowMs, version: found.version + 1 };
  await env.tx.banking.put('complianceCase', closed);
  await appendNote(env.tx, closed, { author: env.ctx.actor, atMs: env.occurredAtMs, text, event: 'closed' });
  // The investigator's verdict on each payment the fraud model flagged becomes a training label.
  await labelFromCase(env.tx, closed, env.nowMs);
  return (await env.tx.banking.get('complianceCase', closed.id))!;
}

export const sarCategorySchema = z.enum(['structuring', 'terrorist_financing', 'fraud', 'money_laundering', 'identity', 'other']);

export const reportProposalSchema = z
  .object({
    caseId: idSchema,
    proposalId: idSchema,
    form: z.enum(['CTRX', 'SARX']),
    narrative: textSchema(narrativeLengthMax).optional(),
    categories: z.array(sarCategorySchema).min(1).max(6).optional(),
  })
  .strict();

/**
 * An officer proposes the case's report (offline too). On the server the proposal waits for a
 * second officer: it is held as `case.file_report`, decided through the approvals like any
 * maker-checker command.
 */
export const proposeReport = command({
  kind: 'write',
  input: reportProposalSchema,
  async run(env, input) {
    const found = await ownOpenCase(env, input.caseId);
    if (isRefusal(found)) return found;
    if (found.proposal?.id === input.proposalId) return ok(found);
    if (found.proposal !== null && found.proposal.status === 'proposed') return refuse('report_pending', `Case ${found.number} already has a ${found.proposal.form} report waiting for a second officer.`);
    if (input.form === 'SARX' && (input.narrative === undefined || input.categories === undefined)) {
      return refuse('narrative_required', 'A suspicious activity report needs a narrative and at least one category of activity.');
    }
    const approvalId = env.requestApproval === null ? null : await env.requestApproval('case.file_report', { caseId: input.caseId, proposalId: input.proposalId }, `${input.form} report on case ${found.number} proposed by ${env.ctx.actor}`);
    const proposal: NonNullable<ComplianceCase['proposal']> = {
      id: input.proposalId,
      form: input.form,
      narrative: input.narrative ?? null,
      categories: input.categories ?? [],
      proposedBy: env.ctx.actor,
      proposedAtMs: env.occurredAtMs,
      status: 'proposed',
      approvalId,
    };
    const proposed: ComplianceCase = { ...found, proposal, status: 'investigating', updatedAtMs: env.nowMs, version: found.version + 1 };
    await env.tx.banking.put('complianceCase', proposed);
    await appendNote(env.tx, proposed, { author: env.ctx.actor, atMs: env.occurredAtMs, text: `${input.form === 'CTRX' ? 'Currency transaction' : 'Suspicious activity'} report proposed; a second officer files it.`, event: 'report_proposed' });
    return ok((await env.tx.banking.get('complianceCase', proposed.id))!);
  },
  audit: (input) => ({ caseId: input.caseId, proposalId: input.proposalId, form: input.form }),
});

/** Bytes of the details one refusal report carries at most (a hit's explanation is a few hundred). */
export const refusalReportBytesMax = 16_384;

const reportedDetailsSchema = z
  .record(z.string().max(40), z.unknown())
  .refine((details) => JSON.stringify(details).length <= refusalReportBytesMax, `must be at most ${refusalReportBytesMax} bytes as JSON`);

const explanationSchema = z.array(z.object({ part: z.string().max(40), value: z.number(), detail: z.string().max(400) })).max(40);

/**
 * A workstation refused a payment offline (a sanctions hit, a monitoring block) and tells the
 * server so compliance sees it: the case is opened (or joined) from what the workstation found,
 * marked as its report. Nothing moves; a resent report adds nothing.
 */
export const reportRefusal = command({
  kind: 'write',
  input: z
    .object({
      reportId: idSchema,
      command: tokenSchema(/^[a-z][a-z_.]{2,47}$/, 48, 'a command name'),
      code: z.enum(['sanctions_match', 'monitoring_block', 'fraud_block']),
      message: textSchema(2_000),
      customerId: idSchema.optional(),
      partyName: textSchema(200).optional(),
      details: reportedDetailsSchema,
    })
    .strict(),
  async run(env, input) {
    const replayed = await env.tx.banking.findBy('caseNote', 'request', input.reportId, 1);
    if (replayed[0] !== undefined) return ok({ caseId: replayed[0].caseId });
    const customer = input.customerId === undefined ? undefined : await env.tx.banking.get('customer', input.customerId);
    if (input.customerId !== undefined && customer === undefined) return refuse('customer_not_found', 'The report names a customer the bank does not have.');
    const alert = reportedAlert(input, env.occurredAtMs);
    if (alert === null) return refuse('report_malformed', 'The refusal report does not carry the evidence of its hit.');
    const opened = await openOrJoinCase(env.tx, env.ids, {
      queue: input.code === 'sanctions_match' ? screeningQueue : input.code === 'fraud_block' ? fraudQueue : monitoringQueue,
      title: `Refused at workstation ${env.ctx.deviceId}: ${input.code === 'sanctions_match' ? 'sanctions hit' : input.code === 'fraud_block' ? 'fraud model block' : 'monitoring block'} on ${input.command}${customer === undefined ? '' : ` for ${customer.fullName}`}`,
      branchId: customer?.branchId ?? null,
      customerId: customer?.id ?? null,
      partyName: customer === undefined ? (input.partyName ?? null) : null,
      alerts: [alert],
      transactionIds: [],
      dueAtMs: sarDueAtMs(env.nowMs),
      nowMs: env.nowMs,
      actor: env.ctx.actor,
    });
    await appendNote(env.tx, opened, { author: env.ctx.actor, atMs: env.occurredAtMs, text: `Reported by workstation ${env.ctx.deviceId}: ${input.message}`, event: 'reported', requestId: input.reportId });
    return ok({ caseId: opened.id });
  },
  audit: (input) => ({ reportId: input.reportId, command: input.command, code: input.code }),
});

function reportedAlert(input: { code: 'sanctions_match' | 'monitoring_block' | 'fraud_block'; command: string; partyName?: string | undefined; details: Record<string, unknown> }, atMs: number): CaseAlert | null {
  const details = input.details;
  if (input.code === 'sanctions_match') {
    const explanation = explanationSchema.safeParse(details.explanation);
    const text = (value: unknown) => (typeof value === 'string' && value.length <= 200 ? value : null);
    const listId = text(details.listId);
    const entryId = text(details.entryId);
    const matchedName = text(details.matchedName);
    if (listId === null || entryId === null || matchedName === null || typeof details.score !== 'number' || !explanation.success) return null;
    return { kind: 'screening', command: input.command, partyName: input.partyName ?? '', listId, entryId, matchedName, score: details.score, explanation: explanation.data, atMs };
  }
  if (input.code === 'fraud_block') {
    const reasons = z.array(z.string().max(300)).max(16).safeParse(details.reasons);
    const version = typeof details.modelVersion === 'string' && details.modelVersion.length <= 128 ? details.modelVersion : null;
    const probability = details.probability;
    if (!reasons.success || version === null || typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) return null;
    return { kind: 'fraud', decisionId: '', transactionId: '', outcome: 'block', probability, modelVersion: version, reasons: reasons.data.map((words) => ({ feature: '', value: null, contribution: 0, words })), atMs };
  }
  const rules = z.array(z.string().max(48)).max(64).safeParse(details.rules);
  if (!rules.success || typeof details.score !== 'number') return null;
  return { kind: 'monitoring', decisionId: '', transactionId: '', outcome: 'block', score: details.score, ruleIds: rules.data, atMs };
}

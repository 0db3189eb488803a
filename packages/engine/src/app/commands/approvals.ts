import { z } from 'zod';
import type { Approval } from '../../core/banking/types';
import { rolesAllow } from '../../core/rbac';
import { command, ok, refuse, type CommandEnv } from '../command';
import { appendNote } from '../cases';
import { proposalRejected } from './reports';
import { idSchema, limitSchema, textSchema } from '../schemas';

export const approvalsListMax = 100;

/** Held commands; a caller assigned to a branch sees their branch's. */
export const listApprovals = command({
  kind: 'read',
  input: z.object({ status: z.enum(['pending', 'approved', 'rejected']).default('pending'), limit: limitSchema }),
  async run(env, input) {
    const limit = Math.min(input.limit, approvalsListMax);
    const branchId = (await env.tx.banking.get('user', env.ctx.actor))?.branchId ?? null;
    if (branchId === null) return ok(await env.tx.banking.findBy('approval', 'status', input.status, limit));
    return ok(await env.tx.banking.findBy('approval', 'branchStatus', `${branchId}:${input.status}`, limit));
  },
});

/**
 * The checker's decision on a held command. Approving runs the command as its maker asked, in this
 * same transaction, admitted again with the maker's standing now and this caller as the second
 * person (the policy says who may be that person): if it now fails (the customer's balance
 * changed, the maker was disabled), nothing is recorded and the request stays pending. Rejecting
 * moves nothing. The maker never decides their own request.
 */
export const decideApproval = command({
  kind: 'write',
  input: z.object({
    approvalId: idSchema,
    decision: z.enum(['approve', 'reject']),
    note: textSchema(300).optional(),
  }),
  async run(env, input) {
    const approval = await env.tx.banking.get('approval', input.approvalId);
    if (approval === undefined) return refuse('approval_not_found', 'No approval request has this id.');
    if (approval.status !== 'pending') return refuse('approval_already_decided', `This request was already ${approval.status}.`);
    if (approval.requestedBy === env.ctx.actor) {
      return refuse('checker_must_differ', 'You asked for this approval; another supervisor must decide it.');
    }
    // A hold of transaction monitoring is compliance's to release or refuse, whatever the command.
    const release = approval.basis === 'monitoring';
    if (release && !rolesAllow(env.ctx.roles, 'compliance.review')) {
      return refuse('checker_lacks_permission', 'This payment is held for compliance review; a compliance officer decides it.');
    }
    // Rejecting is a decision too: only someone who may approve the request may turn it down.
    const second = env.policyOf(approval.command)?.secondPerson;
    const checkerPermission = release ? 'compliance.review' : second === undefined || second.when === 'never' ? null : second.checker;
    if (input.decision === 'reject' && checkerPermission !== null && !rolesAllow(env.ctx.roles, checkerPermission)) {
      return refuse('checker_lacks_permission', `Deciding ${approval.command} needs ${checkerPermission}, which your roles do not grant.`);
    }
    const checkerBranch = (await env.tx.banking.get('user', env.ctx.actor))?.branchId ?? null;
    if (checkerBranch !== null && approval.branchId !== null && approval.branchId !== checkerBranch) {
      return refuse('checker_out_of_scope', "This request belongs to another branch; that branch's supervisors decide it.");
    }
    const decided: Approval = {
      ...approval,
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: env.ctx.actor,
      decidedAtMs: env.nowMs,
      note: input.note ?? null,
    };
    if (input.decision === 'reject') {
      await env.tx.banking.put('approval', decided);
      if (release) await noteOnHeldCase(env, approval, `Held ${approval.command} refused by ${env.ctx.actor}; nothing was posted.${input.note === undefined ? '' : ` ${input.note}`}`);
      if (approval.command === 'case.file_report') await proposalRejected(env, String(approval.input.caseId), String(approval.input.proposalId), input.note ?? null);
      return ok({ approval: decided, result: null });
    }
    const result = await env.runApproved(approval);
    if (!result.ok) return refuse(result.code, `The approved command failed: ${result.message}`);
    await env.tx.banking.put('approval', decided);
    if (release) await noteOnHeldCase(env, approval, `Held ${approval.command} released by ${env.ctx.actor}; it has posted.${input.note === undefined ? '' : ` ${input.note}`}`);
    return ok({ approval: decided, result: result.value });
  },
});

/** The release or refusal of a monitoring hold goes on the record of the case that holds it. */
async function noteOnHeldCase(env: CommandEnv, approval: Approval, text: string): Promise<void> {
  const [held] = await env.tx.banking.findBy('complianceCase', 'approval', approval.id, 1);
  if (held === undefined) return;
  await appendNote(env.tx, held, { author: env.ctx.actor, atMs: env.nowMs, text, event: 'hold_decided' });
}

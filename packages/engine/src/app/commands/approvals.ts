import { z } from 'zod';
import type { Approval } from '../../core/banking/types';
import { command, ok, refuse } from '../command';
import { idSchema, limitSchema, textSchema } from '../schemas';

export const approvalsListMax = 100;

export const listApprovals = command({
  permission: 'approval.decide',
  kind: 'read',
  input: z.object({ status: z.enum(['pending', 'approved', 'rejected']).default('pending'), limit: limitSchema }),
  async run(env, input) {
    return ok(await env.tx.banking.findBy('approval', 'status', input.status, Math.min(input.limit, approvalsListMax)));
  },
});

/**
 * The checker's decision on a held command. Approving runs the command as its maker asked, in this
 * same transaction: if it now fails (the customer's balance changed, say), nothing is recorded and
 * the request stays pending. The checker must be another user than the maker.
 */
export const decideApproval = command({
  permission: 'approval.decide',
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
    const decided: Approval = {
      ...approval,
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: env.ctx.actor,
      decidedAtMs: env.nowMs,
      note: input.note ?? null,
    };
    if (input.decision === 'reject') {
      await env.tx.banking.put('approval', decided);
      return ok({ approval: decided, result: null });
    }
    const requester = { actor: approval.requestedBy, roles: approval.requestedRoles, deviceId: env.ctx.deviceId };
    const result = await env.runApproved(approval.command, approval.input, requester, {
      approvalId: approval.id,
      approvedBy: env.ctx.actor,
    });
    if (!result.ok) return refuse(result.code, `The approved command failed: ${result.message}`);
    await env.tx.banking.put('approval', decided);
    return ok({ approval: decided, result: result.value });
  },
});

import type { DeviceStanding, PushBatch } from './types';
import { batchCommandsMax } from './types';

export type BatchDecision =
  | { readonly kind: 'apply' }
  /** Seen before: answer with the stored answer, apply nothing. */
  | { readonly kind: 'duplicate' }
  | {
      readonly kind: 'refuse';
      readonly code:
        | 'device_not_active'
        | 'device_revoked'
        | 'sequence_gap'
        | 'chain_broken'
        | 'batch_empty'
        | 'batch_too_large'
        | 'commands_not_in_sequence';
      readonly message: string;
    };

/**
 * What the server does with a verified batch, from the device's standing alone: the next batch in
 * the chain is applied; one already applied is a duplicate (answered again, never re-applied); a
 * skipped number or a batch that does not extend the chain is refused.
 */
export function decideBatch(device: DeviceStanding, batch: PushBatch, digest: string, lastCommandSeq: number): BatchDecision {
  if (device.status === 'revoked') return refuse('device_revoked', 'This workstation was revoked; it must enrol again.');
  if (device.status !== 'active') return refuse('device_not_active', 'This workstation is not approved yet; an administrator must approve its enrolment.');
  if (batch.batchSeq <= device.lastBatchSeq) return { kind: 'duplicate' };
  if (batch.batchSeq !== device.lastBatchSeq + 1) {
    return refuse('sequence_gap', `Batch ${batch.batchSeq} arrived but ${device.lastBatchSeq + 1} was expected; resend from ${device.lastBatchSeq + 1}.`);
  }
  if (batch.prevDigest !== device.lastBatchDigest) return refuse('chain_broken', 'The batch does not follow the last one the server accepted.');
  if (batch.commands.length === 0) return refuse('batch_empty', 'A batch carries at least one command.');
  if (batch.commands.length > batchCommandsMax) return refuse('batch_too_large', `A batch carries at most ${batchCommandsMax} commands.`);
  let expected = lastCommandSeq + 1;
  for (const command of batch.commands) {
    if (command.seq !== expected) return refuse('commands_not_in_sequence', `Command ${command.seq} arrived where ${expected} was expected.`);
    expected += 1;
  }
  void digest;
  return { kind: 'apply' };
}

function refuse(code: Extract<BatchDecision, { kind: 'refuse' }>['code'], message: string): BatchDecision {
  return { kind: 'refuse', code, message };
}

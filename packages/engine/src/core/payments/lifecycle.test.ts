import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition, type CorrespondentEvent } from './lifecycle';
import type { PaymentStatus } from './types';

const events: readonly CorrespondentEvent[] = [
  { kind: 'sent' },
  { kind: 'return' },
  ...(['ACTC', 'ACSP', 'PDNG', 'ACSC', 'ACCC', 'RJCT'] as const).map((status) => ({ kind: 'status', status }) as const),
];

/** Runs a sequence from a queued payment: the hold's fate and the money that came back. */
function run(sequence: readonly CorrespondentEvent[]) {
  let status: PaymentStatus = 'queued';
  let resolved = 0;
  let posted = false;
  let voided = false;
  let returns = 0;
  for (const event of sequence) {
    const next = transition(status, event);
    if (next.action === 'post' || next.action === 'post_then_return') {
      resolved += 1;
      posted = true;
    }
    if (next.action === 'void') {
      resolved += 1;
      voided = true;
    }
    if (next.action === 'return' || next.action === 'post_then_return') returns += 1;
    status = next.next;
  }
  return { status, resolved, posted, voided, returns };
}

describe('an outgoing payment decided by whatever the correspondent sends', () => {
  it('resolves its hold at most once and returns money at most once, in any order, with duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 12 }), (sequence) => {
        const result = run(sequence);
        expect(result.resolved).toBeLessThanOrEqual(1);
        expect(result.posted && result.voided).toBe(false);
        expect(result.returns).toBeLessThanOrEqual(1);
        // Money comes back only on what was posted; a voided hold never posts.
        if (result.returns === 1) expect(result.posted).toBe(true);
        // A final answer settles the hold: settled/returned posted it, rejected voided it.
        if (['settled', 'returned'].includes(result.status)) expect(result.posted).toBe(true);
        if (result.status === 'rejected') expect(result.voided).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets an interim status undo a final one', () => {
    expect(transition('settled', { kind: 'status', status: 'ACSP' })).toEqual({ next: 'settled', action: 'none', effect: 'stale' });
    expect(transition('rejected', { kind: 'status', status: 'PDNG' }).next).toBe('rejected');
  });

  it('keeps a reject after settlement as a contradiction, moving nothing', () => {
    expect(transition('settled', { kind: 'status', status: 'RJCT' })).toEqual({ next: 'settled', action: 'none', effect: 'contradiction' });
    expect(transition('rejected', { kind: 'status', status: 'ACSC' })).toEqual({ next: 'rejected', action: 'none', effect: 'contradiction' });
  });

  it('posts and returns when a return overtakes the acceptance it implies', () => {
    expect(transition('sent', { kind: 'return' })).toEqual({ next: 'returned', action: 'post_then_return', effect: 'applied' });
    expect(transition('returned', { kind: 'status', status: 'ACSC' }).action).toBe('none');
  });
});

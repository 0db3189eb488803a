import type { Payment, PaymentStatus } from './types';

/**
 * What a message from the correspondent does to an outgoing payment, as a pure decision: the next
 * status and the one ledger action it takes. Statuses may come late, twice or out of order: a
 * terminal status absorbs what follows it, an interim one never undoes a final one, and a message
 * that contradicts what already happened (a reject after settlement) moves nothing and is kept for
 * operations. So each pending hold is posted or voided exactly once, whatever the wire does.
 */
export type CorrespondentEvent =
  | { readonly kind: 'sent' }
  | { readonly kind: 'status'; readonly status: 'ACTC' | 'ACSP' | 'PDNG' | 'ACSC' | 'ACCC' | 'RJCT' }
  | { readonly kind: 'return' };

/**
 * - `post`: the pending hold becomes the payment; `void`: the hold is released;
 * - `return`: money comes back on the nostro to the customer (after settlement);
 * - `post_then_return`: a return arrived before the acceptance it implies: post, then return.
 */
export type LedgerAction = 'none' | 'post' | 'void' | 'return' | 'post_then_return';

export interface Transition {
  readonly next: PaymentStatus;
  readonly action: LedgerAction;
  readonly effect: 'applied' | 'duplicate' | 'stale' | 'contradiction';
}

const open: ReadonlySet<PaymentStatus> = new Set(['queued', 'sent', 'in_progress']);

function stay(status: PaymentStatus, effect: Transition['effect']): Transition {
  return { next: status, action: 'none', effect };
}

export function transition(status: PaymentStatus, event: CorrespondentEvent): Transition {
  switch (event.kind) {
    case 'sent':
      return status === 'queued' ? { next: 'sent', action: 'none', effect: 'applied' } : stay(status, 'stale');
    case 'return':
      if (status === 'settled') return { next: 'returned', action: 'return', effect: 'applied' };
      if (open.has(status)) return { next: 'returned', action: 'post_then_return', effect: 'applied' };
      if (status === 'returned') return stay(status, 'duplicate');
      return stay(status, 'contradiction');
    case 'status':
      return statusTransition(status, event.status);
    default: {
      const unknown: never = event;
      throw new Error(`unknown correspondent event ${JSON.stringify(unknown)}`);
    }
  }
}

function statusTransition(status: PaymentStatus, code: Extract<CorrespondentEvent, { kind: 'status' }>['status']): Transition {
  switch (code) {
    case 'ACTC':
    case 'ACSP':
    case 'PDNG':
      return status === 'queued' || status === 'sent' ? { next: 'in_progress', action: 'none', effect: 'applied' } : stay(status, status === 'in_progress' ? 'duplicate' : 'stale');
    case 'ACSC':
    case 'ACCC':
      if (open.has(status)) return { next: 'settled', action: 'post', effect: 'applied' };
      if (status === 'settled' || status === 'returned') return stay(status, status === 'settled' ? 'duplicate' : 'stale');
      return stay(status, 'contradiction');
    case 'RJCT':
      if (open.has(status)) return { next: 'rejected', action: 'void', effect: 'applied' };
      if (status === 'rejected') return stay(status, 'duplicate');
      return stay(status, 'contradiction');
    default: {
      const unknown: never = code;
      throw new Error(`unknown status ${String(unknown)}`);
    }
  }
}

/** Whether the payment's pending hold is still open (neither posted nor voided). */
export function holdOpen(status: PaymentStatus): boolean {
  return open.has(status);
}

/** The message a payment waits for the payment gateway to send, or null when it waits for none. */
export function messageDue(payment: Pick<Payment, 'direction' | 'status' | 'recall'>): 'pacs.008' | 'pacs.004' | 'camt.056' | null {
  if (payment.direction === 'outgoing' && payment.status === 'queued') return 'pacs.008';
  if (payment.direction === 'incoming' && payment.status === 'returning') return 'pacs.004';
  if (payment.recall?.direction === 'sent' && payment.recall.status === 'requested') return 'camt.056';
  return null;
}

import type { Payment } from '../core/payments';

/** One reason the message a payment would make is not valid: the field and what is wrong with it. */
export interface PaymentFormatIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * The host's check of the message an outgoing payment will make (the server: the protocols
 * package builds the pacs.008 and validates it), run before the payment is admitted, so a payment
 * that could never be sent is refused at the counter, naming the field, and nothing is held.
 */
export type PaymentFormats = (payment: Payment) => readonly PaymentFormatIssue[];

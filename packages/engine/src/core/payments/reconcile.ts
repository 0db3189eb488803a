import type { ReconciliationBreak } from './types';

/**
 * The nostro reconciled against the correspondent's statement of the same account: every movement
 * the books made on the nostro is matched with one statement entry of the same payment (by UETR,
 * else by the payment's references), the same direction and the same amount; what is left on either
 * side is a break, and so is an opening or closing balance the books do not share.
 */
export interface StatementLine {
  readonly uetr: string | null;
  /** The entry's references (end-to-end id, instruction id, the account owner's reference). */
  readonly references: readonly string[];
  /** The correspondent's side: CRDT = money came onto the bank's account, DBIT = it left. */
  readonly creditDebit: 'CRDT' | 'DBIT';
  readonly amountMinor: bigint;
  readonly bookingDate: string;
}

export interface BookMovement {
  readonly paymentId: string;
  readonly uetr: string;
  readonly references: readonly string[];
  readonly creditDebit: 'CRDT' | 'DBIT';
  readonly amountMinor: bigint;
  readonly bookedAtMs: number;
}

export interface ReconciliationInput {
  readonly statement: { readonly openingMinor: bigint; readonly closingMinor: bigint; readonly lines: readonly StatementLine[] };
  readonly books: { readonly openingMinor: bigint; readonly closingMinor: bigint; readonly movements: readonly BookMovement[] };
}

export function reconcile(input: ReconciliationInput): { matched: number; breaks: ReconciliationBreak[] } {
  const unmatched = [...input.books.movements];
  const breaks: ReconciliationBreak[] = [];
  let matched = 0;
  for (const line of input.statement.lines) {
    const index = unmatched.findIndex((movement) => sameMovement(movement, line));
    if (index === -1) {
      breaks.push({ kind: 'missing_in_books', uetr: line.uetr, reference: line.references[0] ?? null, creditDebit: line.creditDebit, amountMinor: line.amountMinor.toString(), bookingDate: line.bookingDate });
      continue;
    }
    unmatched.splice(index, 1);
    matched += 1;
  }
  for (const movement of unmatched) {
    breaks.push({ kind: 'missing_in_statement', uetr: movement.uetr, paymentId: movement.paymentId, creditDebit: movement.creditDebit, amountMinor: movement.amountMinor.toString(), bookedAtMs: movement.bookedAtMs });
  }
  const { statement, books } = input;
  if (statement.openingMinor !== books.openingMinor) breaks.push({ kind: 'opening_balance', statementMinor: statement.openingMinor.toString(), booksMinor: books.openingMinor.toString() });
  if (statement.closingMinor !== books.closingMinor) breaks.push({ kind: 'closing_balance', statementMinor: statement.closingMinor.toString(), booksMinor: books.closingMinor.toString() });
  return { matched, breaks };
}

function sameMovement(movement: BookMovement, line: StatementLine): boolean {
  if (movement.creditDebit !== line.creditDebit || movement.amountMinor !== line.amountMinor) return false;
  if (line.uetr !== null) return line.uetr === movement.uetr;
  return line.references.some((reference) => movement.references.includes(reference));
}

/**
 * What every translation shares: its result, its options, reading the FIN text, the possible
 * duplicate flag (MT trailer PDE ↔ AppHdr PssblDplct) and the final check that compares the
 * source model with the model read back from the output (./differences).
 */
import type { Checked, Issue, TranslationNote } from '../payment/model';
import { buildFin, parseFin, type FinMessage } from '../swift-mt/fin';
import type { FinHeaderOptions } from '../swift-mt/headers';
import { distinctNotes, unnotedDifferences } from './differences';

export interface Translation {
  /** The translated message: FIN text for MT, the XML envelope for MX. */
  readonly output: string;
  /** What could not be carried, was truncated, or was carried differently; field paths of the source model (or its MT tags). */
  readonly notes: readonly TranslationNote[];
}

export interface TranslateOptions {
  /**
   * MX GrpHdr/CreDtTm and AppHdr/CreDt of an MT to MX translation (ISO 8601 with an offset):
   * the moment of the translation, which the caller's clock knows. Without it the creation time
   * the MT layer infers stands in (the output header's input time, or the value date).
   */
  readonly creationDateTime?: string;
  /** Block 1 and 2 details of an MX to MT translation (session, sequence, priority, line break). */
  readonly header?: FinHeaderOptions;
}

/** The object without one of its keys (exactOptionalPropertyTypes: an absent key, not an undefined one). */
export function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

export const issue = (field: string, rule: string, message: string): Issue => ({ field, rule, message });

/** Parses FIN text of one of `types` (block 2's message type). */
export function finOfType(finText: string, types: readonly string[]): Checked<FinMessage> {
  const parsed = parseFin(finText);
  if (!parsed.ok) return parsed;
  const type = parsed.value.applicationHeader?.messageType;
  if (type === undefined || !types.includes(type)) return { ok: false, issues: [issue('block2', 'message_type', `MT${type ?? '?'} is not an MT${types.join(' or MT')}`)] };
  return parsed;
}

/** A FIN trailer's PDE (possible duplicate emission) is the AppHdr's PssblDplct. */
export function isPossibleDuplicate(message: FinMessage): boolean {
  return message.trailer?.some((tag) => tag.tag === 'PDE') ?? false;
}

/** The built message with a PDE trailer when the MX header said possible duplicate. */
export function withPossibleDuplicate(message: FinMessage, possibleDuplicate: boolean | undefined): string {
  return buildFin(possibleDuplicate === true ? { ...message, trailer: [...(message.trailer ?? []), { tag: 'PDE', value: '' }] } : message);
}

/**
 * The notes of a translation: the mapping's own notes, then one for each field where the model
 * read back from the output differs from the source model and no note said so.
 */
export function finalNotes(source: unknown, readBack: unknown, notes: readonly TranslationNote[], target: string): TranslationNote[] {
  return distinctNotes([...notes, ...unnotedDifferences(source, readBack, notes, target)]);
}

/**
 * The output read back. A translation that cannot read back what it wrote has a gap, but the input
 * came from outside: it is refused with the reader's issues (rule `translate.read_back`), never a
 * throw, so no message can crash a request.
 */
export function readBack<T>(result: Checked<T>, what: string): Checked<T> {
  if (result.ok) return result;
  return { ok: false, issues: result.issues.map((entry) => issue(entry.field, 'translate.read_back', `the translation wrote a ${what} it cannot read back (${entry.rule}): ${entry.message}`)) };
}

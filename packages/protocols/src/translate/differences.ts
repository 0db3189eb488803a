/**
 * The honest check of a translation: the model the source message holds is compared, field by
 * field, with the model read back from the message the translation wrote. Every path where the
 * two differ must be named by a note; a difference no note names gets one here, so nothing is
 * lost silently whatever the MT or MX mapping forgot to say.
 */
import type { TranslationNote } from '../payment/model';
import { truncationMarker } from '../swift-mt/text';

/** Model nesting is shallow (a party's address lines are four deep): deeper is not a payment model. */
const modelDepthMax = 10;
/** A value quoted in a note is cut here: the note says what changed, it is not a copy of the payment. */
const quotedCharsMax = 60;

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The model paths (`debtor.name`, `charges[0].amount.amountMinor`) where two models differ, leaf
 * by leaf: an object present on one side only is walked to its leaves, so a note on one of its
 * fields never stands for the whole object.
 */
export function differingPaths(before: unknown, after: unknown, path = '', depth = 0): string[] {
  if (Object.is(before, after)) return [];
  const walkable = (isObject(before) || before === undefined) && (isObject(after) || after === undefined);
  if (!walkable || depth >= modelDepthMax) return [path];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const isArray = Array.isArray(before) || Array.isArray(after);
  return [...keys].flatMap((key) => {
    const inner = isArray ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    return differingPaths((before as Record<string, unknown> | undefined)?.[key], (after as Record<string, unknown> | undefined)?.[key], inner, depth + 1);
  });
}

/** Whether a note's field names a path: the same path, or an object or list the path lies in. */
export function covers(noteField: string, path: string): boolean {
  return path === noteField || path.startsWith(`${noteField}.`) || path.startsWith(`${noteField}[`);
}

/** The value at a model path such as `creditor.postalAddress.addressLines[1]`. */
export function valueAt(model: unknown, path: string): unknown {
  let value = model;
  for (const key of path.split(/\.|\[|\]\.?/).filter((part) => part !== '')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function quoted(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? 'nothing';
  return text.length > quotedCharsMax ? `${text.slice(0, quotedCharsMax - 1)}…` : text;
}

function isTruncation(before: unknown, after: unknown): boolean {
  return typeof before === 'string' && typeof after === 'string' && after.endsWith(truncationMarker) && after.length <= before.length && before.startsWith(after.slice(0, -1));
}

/** `XXX` is the head office's branch: `BANKDEFFXXX` and `BANKDEFF` are one BIC, written short in an MT header. */
function isSameBic(before: unknown, after: unknown): boolean {
  return typeof before === 'string' && typeof after === 'string' && /^[A-Z0-9]{8}XXX$/.test(before) && before.slice(0, 8) === after;
}

function noteOf(path: string, before: unknown, after: unknown, target: string): TranslationNote {
  if (after === undefined) return { field: path, kind: 'dropped', detail: `${target} does not carry it (was ${quoted(before)})` };
  if (isTruncation(before, after)) return { field: path, kind: 'truncated', detail: `cut to ${String(after).length} characters with the ${truncationMarker} marker` };
  if (isSameBic(before, after)) return { field: path, kind: 'restructured', detail: `the same BIC written without its XXX branch (${quoted(after)})` };
  if (before === undefined) return { field: path, kind: 'restructured', detail: `added by ${target}: ${quoted(after)}` };
  return { field: path, kind: 'restructured', detail: `${target} reads back ${quoted(after)} (was ${quoted(before)})` };
}

/**
 * A note for every path where `before` and `after` differ that none of `notes` names. `target`
 * names the message written ("MT103"), for the notes' wording.
 */
export function unnotedDifferences(before: unknown, after: unknown, notes: readonly TranslationNote[], target: string): TranslationNote[] {
  return differingPaths(before, after)
    .filter((path) => !notes.some((note) => covers(note.field, path)))
    .map((path) => noteOf(path, valueAt(before, path), valueAt(after, path), target));
}

/** Notes without exact repeats, in the order they were made. */
export function distinctNotes(notes: readonly TranslationNote[]): TranslationNote[] {
  const seen = new Set<string>();
  return notes.filter((note) => {
    const key = `${note.field}\u0000${note.kind}\u0000${note.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

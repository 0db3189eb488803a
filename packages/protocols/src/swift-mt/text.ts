/**
 * Fitting model text into MT lines. Truncation follows the CBPR+ translation practice: the text is
 * cut to the room there is and its last character replaced by `+`, so a reader sees it was cut.
 * Wrapped lines are read back by concatenation (as the MT to MX translation reads 70 and 72), so a
 * wrap never adds or loses a character; a line never starts with `:` or `-`, which would end the
 * field or the block.
 */
import type { TranslationNote } from '../payment/model';

export const truncationMarker = '+';

export class Notes {
  readonly list: TranslationNote[] = [];

  add(field: string, kind: TranslationNote['kind'], detail: string): void {
    this.list.push({ field, kind, detail });
  }

  /** A note for each optional model field that MT has no place for. */
  dropIfPresent(entries: readonly (readonly [string, unknown])[], why: string): void {
    for (const [field, value] of entries) if (value !== undefined) this.add(field, 'dropped', why);
  }
}

/** The text cut to `lengthMax` with the `+` marker when it is longer; `cut` says whether it was. */
export function fitLine(text: string, lengthMax: number): { readonly line: string; readonly cut: boolean } {
  if (text.length <= lengthMax) return { line: text, cut: false };
  return { line: text.slice(0, lengthMax - 1) + truncationMarker, cut: true };
}

/** Lines of at most `width`, at most `linesMax` of them (the last cut with `+` when the text is longer). */
export function wrapText(text: string, width: number, linesMax: number): { readonly lines: readonly string[]; readonly cut: boolean } {
  const lines: string[] = [];
  let at = 0;
  while (at < text.length && lines.length < linesMax) {
    let end = Math.min(at + width, text.length);
    // The next line must not start with : or -: end this one earlier (down to one character).
    while (end < text.length && end - at > 1 && isLineStartForbidden(text[end])) end -= 1;
    lines.push(text.slice(at, end));
    at = end;
  }
  if (at >= text.length) return { lines, cut: false };
  const last = lines.pop() ?? '';
  lines.push(last.length >= width ? last.slice(0, width - 1) + truncationMarker : last + truncationMarker);
  return { lines, cut: true };
}

function isLineStartForbidden(character: string | undefined): boolean {
  return character === ':' || character === '-';
}

/** `at` cut into pieces of at most `width` (for the numbered lines of 50F and 59F). */
export function chunks(text: string, width: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += width) pieces.push(text.slice(at, at + width));
  return pieces;
}

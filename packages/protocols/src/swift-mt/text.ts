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

/**
 * Lines of at most `width`, at most `linesMax` of them (the last cut with `+` when the text is
 * longer). A line after the first (or every line, when `continues`: the field has lines before
 * them) must not start with `:` or `-`, which would end the field or the block: such a line is
 * written with a space before it, which joinLines takes away again. The space marks exactly the
 * lines whose text starts with spaces and then `:` or `-`, so the reading back is exact.
 */
export function wrapText(text: string, width: number, linesMax: number, continues = false): { readonly lines: readonly string[]; readonly cut: boolean } {
  const lines: string[] = [];
  let at = 0;
  while (at < text.length && lines.length < linesMax) {
    const continuation = continues || lines.length > 0;
    const escaped = text.slice(at, at + width - 1);
    if (continuation && escapedStart.test(escaped)) {
      lines.push(` ${escaped}`);
      at += escaped.length;
      continue;
    }
    // The full line would begin with spaces and then `:` or `-` only at its last place: stop short of it.
    const full = text.slice(at, at + width);
    const line = continuation && escapedStart.test(full) ? escaped : full;
    lines.push(line);
    at += line.length;
  }
  if (at >= text.length) return { lines, cut: false };
  const last = lines.pop() ?? '';
  lines.push(last.length >= width ? last.slice(0, width - 1) + truncationMarker : last + truncationMarker);
  return { lines, cut: true };
}

/** Spaces (none or more) and then `:` or `-`: the start of a line wrapText writes with a space before it. */
const escapedStart = /^ *[:-]/;

/**
 * Narrative lines read back as one text (70, 72, 86, 50F/59F name lines). The translation rules
 * join MT's narrative lines without a separator because a writer cuts text at the line's full
 * width, mid-word; a line that ends before the full width ended where the writer broke it, at a
 * word, so a space goes between it and the next (two words are never merged). A line that is full
 * is joined as it is, so text wrapped by wrapText reads back unchanged. A line that starts with
 * spaces and then `:` or `-` was begun with a space by the writer (wrapText; an MT line cannot start
 * with `:` or `-`): that one space is dropped and the line joined as it is.
 */
export function joinLines(lines: readonly string[], width: number, continues = false): string {
  let text = '';
  lines.forEach((line, index) => {
    const own = (continues || index > 0) && /^ +[:-]/.test(line) ? line.slice(1) : line;
    if (index === 0 || (lines[index - 1] ?? '').length >= width) text += own;
    else text += own === '' || text === '' || text.endsWith(' ') || own.startsWith(' ') ? own : ` ${own}`;
  });
  return text;
}

/** `at` cut into pieces of at most `width` (for the numbered lines of 50F and 59F). */
export function chunks(text: string, width: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += width) pieces.push(text.slice(at, at + width));
  return pieces;
}

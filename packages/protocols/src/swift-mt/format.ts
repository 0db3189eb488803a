/**
 * The SWIFT field format notation (`16x`, `6!n3!a15d`, `4*35x`, `[/1!a][/34x]`) interpreted once
 * per spec into a regular expression, so every field of every message type is checked by the same
 * code instead of a hand-written check per field.
 *
 * The notation as SWIFT writes it, with the two additions this interpreter needs:
 * - `n` digits, `a` upper-case letters, `c` upper-case letters and digits, `h` hex, `x` the SWIFT X
 *   set, `d` digits with one decimal comma, `e` a space, `y` EDIFACT level A, `z` the extended set.
 * - `16x` up to 16, `6!n` exactly 6, `4*35x` up to 4 lines of up to 35, `[…]` optional.
 * - A line break is written as `\n` in the spec (field values here always separate lines with `\n`).
 * - `(A|B)` chooses between two sub-formats (50F's party identifier is `/34x` or `4!a/2!a/27x`).
 * - `4*(1!n/33x)` is up to four lines each in the format in brackets (50F's and 59F's numbered lines).
 * - `<D|C|RD|RC>` is one of a fixed set of codes (61's debit/credit mark, which `2a` cannot tell
 *   from the funds code that follows it).
 * Any other character is itself (`/`, `//`, `,`).
 *
 * Variable-length parts match lazily: in `16x[//16x]` the `//` then starts the second subfield,
 * as the standard means, instead of being swallowed by the first.
 */

/** The SWIFT X character set, without the line break (which separates lines, never sits in one). */
export const charsetX = "A-Za-z0-9/\\-?:().,'+ ";
const classes: Readonly<Record<string, string>> = {
  n: '0-9',
  a: 'A-Z',
  c: 'A-Z0-9',
  h: '0-9A-F',
  x: charsetX,
  d: '0-9,',
  e: ' ',
  y: "A-Z0-9.,\\-()/='+:?!\"%&*<>; ",
  z: `${charsetX}=!"%&*<>;{@#_`,
};

const xValue = new RegExp(`^[${charsetX}\\n]*$`);
const xCharacter = new RegExp(`[${charsetX}\\n]`);

/** The first character of `value` outside the X set (line breaks allowed), or undefined. */
export function firstNonXCharacter(value: string): string | undefined {
  if (xValue.test(value)) return undefined;
  for (const character of value) if (!xCharacter.test(character)) return character;
  return undefined;
}

export type FormatFailure = { readonly ok: false; readonly rule: 'length' | 'format'; readonly message: string };
export type FormatResult = { readonly ok: true; readonly parts: readonly (string | undefined)[] } | FormatFailure;

interface Compiled {
  readonly exact: RegExp;
  /** The same shape with every length and line count unbounded: matching it means only a length is wrong. */
  readonly relaxed: RegExp;
  /** Indexes (into the captured parts) of the `d` components, whose comma is checked after the match. */
  readonly decimalParts: readonly number[];
}

/** Specs are a fixed set written in this package: the cache stays as small as the field table. */
const compiled = new Map<string, Compiled>();
/** A spec longer than this is a programming error, not a field format. */
const specLengthMax = 200;

/** Checks `value` (lines separated by `\n`) against `spec`; the captured parts are in spec order. */
export function matchFormat(spec: string, value: string): FormatResult {
  const pattern = compileFormat(spec);
  const match = pattern.exact.exec(value);
  if (match === null) {
    if (pattern.relaxed.test(value)) return { ok: false, rule: 'length', message: `a part is too long or too short, or there are too many lines, for ${describe(spec)}` };
    return { ok: false, rule: 'format', message: `does not match the format ${describe(spec)}` };
  }
  const parts = match.slice(1);
  for (const index of pattern.decimalParts) {
    const part = parts[index];
    if (part !== undefined && !/^\d+,\d*$/.test(part)) {
      return { ok: false, rule: 'format', message: `${part} is not an amount: digits, one decimal comma (mandatory), at least one digit before it` };
    }
  }
  return { ok: true, parts };
}

function describe(spec: string): string {
  return spec.replaceAll('\n', '$');
}

export function compileFormat(spec: string): Compiled {
  const cached = compiled.get(spec);
  if (cached !== undefined) return cached;
  if (spec.length > specLengthMax) throw new RangeError(`format spec too long: ${spec.slice(0, 40)}…`);
  const exact = new SpecCompiler(spec, false).compile();
  const relaxed = new SpecCompiler(spec, true).compile();
  const made: Compiled = { exact: new RegExp(`^${exact.source}$`), relaxed: new RegExp(`^${relaxed.source}$`), decimalParts: exact.decimalParts };
  compiled.set(spec, made);
  return made;
}

/** A recursive-descent reader of one spec, writing the regular expression as it reads. */
class SpecCompiler {
  private at = 0;
  private groups = 0;
  /** Off inside a repeated group, whose parts are written twice in the expression and captured by neither. */
  private capturing = true;
  private readonly decimalParts: number[] = [];

  constructor(
    private readonly spec: string,
    private readonly relaxed: boolean,
  ) {}

  compile(): { readonly source: string; readonly decimalParts: readonly number[] } {
    const source = this.alternatives();
    if (this.at !== this.spec.length) throw new SyntaxError(`format spec ${this.spec}: unexpected ${this.spec[this.at]} at ${this.at}`);
    return { source, decimalParts: this.decimalParts };
  }

  private alternatives(): string {
    const choices = [this.sequence()];
    while (this.spec[this.at] === '|') {
      this.at += 1;
      choices.push(this.sequence());
    }
    return choices.length === 1 ? (choices[0] ?? '') : `(?:${choices.join('|')})`;
  }

  private sequence(): string {
    let source = '';
    for (;;) {
      const next = this.spec[this.at];
      if (next === undefined || next === '|' || next === ']' || next === ')') return source;
      source += this.item(next);
    }
  }

  private item(next: string): string {
    if (next === '[') return `(?:${this.enclosed(']')})?`;
    if (next === '(') return `(?:${this.enclosed(')')})`;
    if (next === '<') return this.codes();
    if (/\d/.test(next)) return /^\d+\*\(/.test(this.spec.slice(this.at)) ? this.repeatedLines() : this.component();
    this.at += 1;
    return next === '\n' ? '\\n' : escapeLiteral(next);
  }

  private enclosed(close: string): string {
    this.at += 1;
    const inner = this.alternatives();
    if (this.spec[this.at] !== close) throw new SyntaxError(`format spec ${this.spec}: ${close} expected at ${this.at}`);
    this.at += 1;
    return inner;
  }

  private codes(): string {
    const end = this.spec.indexOf('>', this.at);
    if (end === -1) throw new SyntaxError(`format spec ${this.spec}: > expected`);
    const codes = this.spec.slice(this.at + 1, end).split('|');
    this.at = end + 1;
    return `${this.open()}${codes.map(escapeLiteral).join('|')})`;
  }

  /** `4*(1!n/33x)`: up to four lines each in the group's format (only the last line's parts are captured). */
  private repeatedLines(): string {
    const lines = this.number();
    this.at += 1;
    const outer = this.capturing;
    this.capturing = false;
    const group = this.enclosed(')');
    this.capturing = outer;
    const more = this.relaxed ? '*' : `{0,${lines - 1}}`;
    return `(?:${group})(?:\\n(?:${group}))${more}`;
  }

  /** `16x`, `6!n` or `4*35x`: one captured part. */
  private component(): string {
    const first = this.number();
    let lines = 1;
    let length = first;
    if (this.spec[this.at] === '*') {
      this.at += 1;
      lines = first;
      length = this.number();
    }
    const fixed = this.spec[this.at] === '!';
    if (fixed) this.at += 1;
    const type = this.spec[this.at] ?? '';
    const characters = classes[type];
    if (characters === undefined) throw new SyntaxError(`format spec ${this.spec}: unknown character type ${type}`);
    this.at += 1;
    if (type === 'd' && this.capturing) this.decimalParts.push(this.groups);
    const line = `[${characters}]${this.quantifier(length, fixed)}`;
    if (lines === 1) return `${this.open()}${line})`;
    const more = this.relaxed ? '*' : `{0,${lines - 1}}`;
    return `${this.open()}${line}(?:\\n${line})${more})`;
  }

  /** A capturing group counted as a part, or a plain one inside a repeated group. */
  private open(): string {
    if (!this.capturing) return '(?:';
    this.groups += 1;
    return '(';
  }

  private quantifier(length: number, fixed: boolean): string {
    if (this.relaxed) return '+?';
    return fixed ? `{${length}}` : `{1,${length}}?`;
  }

  private number(): number {
    const digits = /^\d+/.exec(this.spec.slice(this.at))?.[0] ?? '';
    this.at += digits.length;
    return Number(digits);
  }
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

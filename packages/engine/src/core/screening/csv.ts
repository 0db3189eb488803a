/**
 * A strict CSV reader (RFC 4180): fields separated by commas, records by CRLF (a bare LF is
 * accepted too), a field in double quotes may hold commas, line breaks and "" for one quote. A
 * quote inside an unquoted field, text after a closing quote or an unterminated quote is refused,
 * not guessed at: the caller learns which line is wrong. One Ctrl-Z (0x1A) at the very end, the
 * old DOS end-of-file mark that OFAC's files still carry, is dropped; anywhere else it is refused.
 */

export interface CsvOptions {
  /** Every record has exactly this many fields. */
  readonly fieldsPerRecord: number;
  readonly recordsMax: number;
  /** In UTF-16 code units, after unquoting. */
  readonly fieldCharsMax: number;
}

export type CsvResult = { readonly ok: true; readonly records: string[][] } | { readonly ok: false; readonly message: string };

const comma = 0x2c;
const quote = 0x22;
const carriageReturn = 0x0d;
const lineFeed = 0x0a;
const controlZ = '\u001a';
const byteOrderMark = '\ufeff';

export function parseCsv(text: string, options: CsvOptions): CsvResult {
  const body = stripEnvelope(text);
  if (body.includes(controlZ)) return { ok: false, message: 'a Ctrl-Z (0x1A) before the end of the file' };
  const records: string[][] = [];
  let record: string[] = [];
  let line = 1;
  let index = 0;
  while (index < body.length) {
    const field = readField(body, index, line);
    if (!field.ok) return field;
    if (field.value.length > options.fieldCharsMax) return { ok: false, message: `line ${line}: a field over ${options.fieldCharsMax} characters` };
    record.push(field.value);
    line = field.line;
    index = field.next;
    const code = body.charCodeAt(index);
    if (code === comma) {
      index += 1;
      if (index === body.length) record.push('');
      else continue;
    } else if (code === carriageReturn || code === lineFeed) {
      index += code === carriageReturn && body.charCodeAt(index + 1) === lineFeed ? 2 : 1;
    }
    if (record.length !== options.fieldsPerRecord) return { ok: false, message: `line ${line}: ${record.length} fields where ${options.fieldsPerRecord} are expected` };
    if (records.length === options.recordsMax) return { ok: false, message: `more than ${options.recordsMax} records` };
    records.push(record);
    record = [];
    line += 1;
  }
  return { ok: true, records };
}

/** The text without a leading byte-order mark and without one trailing Ctrl-Z. */
function stripEnvelope(text: string): string {
  const start = text.startsWith(byteOrderMark) ? 1 : 0;
  const end = text.endsWith(controlZ) ? text.length - 1 : text.length;
  return text.slice(start, end);
}

type FieldRead = { readonly ok: true; readonly value: string; readonly next: number; readonly line: number } | { readonly ok: false; readonly message: string };

/** One field from `start`: it ends just before a comma, a line break or the end of the text. */
function readField(body: string, start: number, line: number): FieldRead {
  if (body.charCodeAt(start) === quote) return readQuoted(body, start, line);
  let index = start;
  while (index < body.length) {
    const code = body.charCodeAt(index);
    if (code === comma || code === carriageReturn || code === lineFeed) break;
    if (code === quote) return { ok: false, message: `line ${line}: a quote inside an unquoted field` };
    index += 1;
  }
  return { ok: true, value: body.slice(start, index), next: index, line };
}

function readQuoted(body: string, start: number, line: number): FieldRead {
  const parts: string[] = [];
  let lineNow = line;
  let from = start + 1;
  for (;;) {
    const close = body.indexOf('"', from);
    if (close === -1) return { ok: false, message: `line ${line}: a quoted field is never closed` };
    const part = body.slice(from, close);
    lineNow += countLineBreaks(part);
    parts.push(part);
    if (body.charCodeAt(close + 1) === quote) {
      parts.push('"');
      from = close + 2;
      continue;
    }
    const after = body.charCodeAt(close + 1);
    if (close + 1 < body.length && after !== comma && after !== carriageReturn && after !== lineFeed) {
      return { ok: false, message: `line ${lineNow}: text after a closing quote` };
    }
    return { ok: true, value: parts.join(''), next: close + 1, line: lineNow };
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

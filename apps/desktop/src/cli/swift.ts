/**
 * `npm run qenex -- swift parse|build|translate|validate FILE` — SWIFT messages from a terminal,
 * MT (FIN) or MX (ISO 20022 envelope) told apart by their first character; `-` reads stdin.
 *
 *   parse FILE        one JSON line: { syntax, format, valid, message (the model, amounts as
 *                     strings of minor units) or fin (the blocks, when it does not map), issues,
 *                     notes }; an MX message is checked against the official schemas too.
 *                     Exit 0 valid, 1 invalid.
 *   build FILE.json   { "format": "mt103" | "pacs.008" | "mt940" | "mt950" | "camt.053",
 *                     "message": <model> } to the message on stdout; what MT could not carry as
 *                     JSON lines on stderr. Invalid input: each issue a JSON line on stdout, exit 1.
 *   translate FILE    MT103 ↔ pacs.008, MT940/MT950 ↔ camt.053: the translated message alone on
 *                     stdout (so it can be piped to a file); each note on what could not be
 *                     carried, was cut or carried differently a JSON line {field, kind, detail}
 *                     on stderr. [--statement mt950] for a camt.053 to MT950; [--created ISO]
 *                     for the MX creation time (default: now). Refused: issues on stdout, exit 1.
 *   validate FILE     nothing and exit 0 when valid; each error a JSON line {field, rule,
 *                     message} on stdout and exit 1 when not.
 *
 * Exit 2 on usage errors (unknown subcommand, missing or unreadable file).
 */
import { readFile } from 'node:fs/promises';
import { buildSwiftMessage, modelToJson, readSwiftMessage, translate, type Issue, type MxType, type ReadMessage, type TranslationNote } from '@qenex/protocols';
import { missingSchemaFiles, validateAgainstSchema } from '@qenex/protocols/node';

/** Largest input read: an MX envelope is refused by its parser beyond 1,000,000 characters, FIN far earlier. */
export const swiftInputBytesMax = 4 * 1024 * 1024;

export class SwiftUsageError extends Error {}

export interface SwiftIo {
  /** The file's text, `-` for stdin. */
  readonly read: (path: string) => Promise<string>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Now, ISO 8601 with an offset: the creation time of an MX translated from MT. */
  readonly now: () => string;
}

export interface SwiftOptions {
  readonly [key: string]: string | boolean | undefined;
}

const usageLine = 'swift parse|build|translate|validate FILE (- for stdin) [--statement mt940|mt950] [--created ISO-DATE-TIME]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    bytes += buffer.length;
    if (bytes > swiftInputBytesMax) throw new SwiftUsageError(`stdin holds more than ${swiftInputBytesMax} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads FILE, or stdin for `-`; a missing or oversized file is a usage error. */
export async function readSwiftInput(path: string): Promise<string> {
  if (path === '-') return readStdin();
  try {
    const bytes = await readFile(path);
    if (bytes.length > swiftInputBytesMax) throw new SwiftUsageError(`${path} holds more than ${swiftInputBytesMax} bytes`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof SwiftUsageError) throw error;
    throw new SwiftUsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const issueLine = (entry: Issue) => JSON.stringify({ field: entry.field, rule: entry.rule, message: entry.message });
const noteLine = (note: TranslationNote) => JSON.stringify({ field: note.field, kind: note.kind, detail: note.detail });

/** libxml2 names the element in `Element '{namespace}Name'`; the rest of its message says the rule. */
function schemaIssue(message: string): Issue {
  const element = /Element '\{[^}]*\}([^']+)'/.exec(message)?.[1];
  return { field: element ?? 'schema', rule: 'xsd', message: message.replace(/^\S+:\d+: /, '') };
}

/** The message's issues, with an MX message's schema errors (official XSDs) after the parser's. */
async function issuesOf(read: ReadMessage, text: string, io: SwiftIo): Promise<Issue[]> {
  const issues = [...read.issues];
  const type: MxType | undefined = read.mxType;
  if (read.syntax !== 'mx' || type === undefined) return issues;
  if (missingSchemaFiles([type]).length > 0) {
    io.err(`qenex swift: the ISO 20022 schemas for ${type} are not installed (set QENEX_ISO20022_XSD): not checked against them`);
    return issues;
  }
  // The parser reads past a byte order mark and leading blank lines; libxml2 must see what it read.
  const schema = await validateAgainstSchema(text.replace(/^\uFEFF/, '').trimStart(), type);
  if (!schema.valid) issues.push(...(schema.errors.length > 0 ? schema.errors.map(schemaIssue) : [{ field: 'schema', rule: 'xsd', message: 'libxml2 did not validate the envelope' }]));
  return issues;
}

async function parseCommand(text: string, io: SwiftIo): Promise<number> {
  const read = readSwiftMessage(text);
  if (!read.ok) {
    read.issues.forEach((entry) => io.out(issueLine(entry)));
    return 1;
  }
  const issues = await issuesOf(read.value, text, io);
  const { syntax, format, model, fin, notes } = read.value;
  io.out(modelToJson({ syntax, format: format ?? null, valid: issues.length === 0, ...(model === undefined ? { fin } : { message: model }), issues, notes }));
  return issues.length === 0 ? 0 : 1;
}

async function validateCommand(text: string, io: SwiftIo): Promise<number> {
  const read = readSwiftMessage(text);
  const issues = read.ok ? await issuesOf(read.value, text, io) : read.issues;
  issues.forEach((entry) => io.out(issueLine(entry)));
  return issues.length === 0 ? 0 : 1;
}

function buildCommand(text: string, io: SwiftIo): number {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    io.out(issueLine({ field: '', rule: 'json.syntax', message: error instanceof Error ? error.message : String(error) }));
    return 1;
  }
  const built = buildSwiftMessage(json);
  if (!built.ok) {
    built.issues.forEach((entry) => io.out(issueLine(entry)));
    return 1;
  }
  io.out(built.value.text);
  built.value.notes.forEach((note) => io.err(noteLine(note)));
  return 0;
}

function translateCommand(text: string, options: SwiftOptions, io: SwiftIo): number {
  const statement = options.statement;
  if (statement !== undefined && statement !== 'mt940' && statement !== 'mt950') throw new SwiftUsageError('--statement is mt940 or mt950');
  const created = typeof options.created === 'string' ? options.created : io.now();
  const translated = translate(text, { creationDateTime: created, ...(statement === 'mt950' ? { statementType: '950' as const } : {}) });
  if (!translated.ok) {
    translated.issues.forEach((entry) => io.out(issueLine(entry)));
    return 1;
  }
  io.out(translated.value.output);
  translated.value.notes.forEach((note) => io.err(noteLine(note)));
  return 0;
}

/** `swift <subcommand> FILE`: the exit code (2 for usage errors, thrown as SwiftUsageError). */
export async function swiftCommand(args: readonly string[], options: SwiftOptions, io: SwiftIo): Promise<number> {
  const [subcommand, path, ...rest] = args;
  if (subcommand === undefined || path === undefined || rest.length > 0) throw new SwiftUsageError(usageLine);
  const known = ['parse', 'build', 'translate', 'validate'];
  if (!known.includes(subcommand)) throw new SwiftUsageError(`unknown subcommand ${subcommand}: ${usageLine}`);
  const text = await io.read(path);
  switch (subcommand) {
    case 'parse':
      return parseCommand(text, io);
    case 'build':
      return buildCommand(text, io);
    case 'translate':
      return translateCommand(text, options, io);
    default:
      return validateCommand(text, io);
  }
}

/** Now as ISO 8601 with the local offset (CBPR+ wants an offset, not Z). */
export function localDateTime(date: Date = new Date()): string {
  const offsetMinutes = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

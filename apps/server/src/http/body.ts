import { batchEventsMax, envelopePayloadCharsMax } from '@qenex/engine';

/**
 * What the HTTP edge lets through to a route: bodies, path parameters and query strings are read
 * here and refused, with a stable code, when no honest client would send them. PostgreSQL refuses
 * NUL in text and SQLite accepts it, so a control character that reached the engine would make the
 * two hosts disagree; a body nested ten thousand deep would overflow the stack of anything that
 * walks it recursively. Nothing here recurses, and no refusal repeats what it refused.
 */

/** Objects and arrays inside each other; real bodies nest a few levels (a sync push is 4 deep). */
export const bodyDepthMax = 32;
/** Fields that can make one ledger event: a transfer has 12 (with its own object, 13). */
const ledgerEventEntriesMax = 16;
/** Keys and array items over a whole body: a full ledger batch (8190 events) with room to spare. */
export const bodyEntriesMax = (batchEventsMax + 1) * ledgerEventEntriesMax;
/** A key is a field name or a denomination; none is long. */
export const keyLengthMax = 256;
/** A string of text (a name, an address, a note), in UTF-16 code units. */
export const textLengthMax = 65_536;
/**
 * A string of base64url only (sealed sync batches, signatures, public keys) may be as long as the
 * largest envelope the sync protocol signs: the body limit is the tighter bound in practice.
 */
export const encodedLengthMax = envelopePayloadCharsMax;
/** A path parameter or query value: ids, usernames, a searched name (160 at most). */
export const parameterLengthMax = 256;
/** Distinct query parameters; the most any route reads is three. */
export const queryParametersMax = 16;

/** Keys that would reach an object's prototype when a body is merged or assigned somewhere. */
const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const controlCharacter = /[\u0000-\u001f\u007f]/;
/** With the `u` flag a well-formed pair is one code point; only a lone half is in category Cs. */
const loneSurrogate = /\p{Cs}/u;
const base64urlOnly = /^[A-Za-z0-9_-]*$/;

export type EdgeRefusalCode =
  | 'bad_request'
  | 'body_too_deep'
  | 'body_too_complex'
  | 'control_character'
  | 'lone_surrogate'
  | 'forbidden_key'
  | 'string_too_long'
  | 'number_out_of_range';

export interface EdgeRefusalReason {
  readonly code: EdgeRefusalCode;
  readonly detail: string;
}

/** A refusal thrown into Fastify (from the body parser or the request hook); the error handler answers it. */
export class EdgeRefusal extends Error {
  readonly statusCode = 400;
  constructor(readonly reason: EdgeRefusalReason) {
    super(reason.detail);
    this.name = 'EdgeRefusal';
  }
}

export type BodyReading = { readonly ok: true; readonly value: unknown } | ({ readonly ok: false } & EdgeRefusalReason);

/** Reads a JSON body: nesting first (before anything parses it), then the parse, then every value. */
export function readJsonBody(text: string): BodyReading {
  if (text.trim() === '') {
    return { ok: false, code: 'bad_request', detail: 'The body is empty, which is not JSON; send {} when there is nothing to say, or leave out the content type.' };
  }
  if (!nestingWithin(text, bodyDepthMax)) {
    return { ok: false, code: 'body_too_deep', detail: `The body nests objects and arrays more than ${bodyDepthMax} deep; send a flatter body.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the body; only the position is ours to repeat.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    return { ok: false, code: 'bad_request', detail: `The body is not valid JSON${where}; send one complete JSON value in UTF-8.` };
  }
  const fault = firstFault(value);
  return fault === undefined ? { ok: true, value } : { ok: false, ...fault };
}

const stringEnd = /["\\]/g;
const structural = /["[\]{}]/g;

/**
 * Whether `text` nests `[` and `{` at most `depthMax` deep, outside string literals. One linear pass
 * that jumps between the characters that matter (native regex search); malformed JSON is left for
 * JSON.parse to refuse.
 */
export function nestingWithin(text: string, depthMax: number): boolean {
  let depth = 0;
  let index = 0;
  while (index < text.length) {
    structural.lastIndex = index;
    const found = structural.exec(text);
    if (found === null) return true;
    const character = found[0];
    index = found.index + 1;
    if (character === '"') {
      index = afterString(text, index);
    } else if (character === '[' || character === '{') {
      depth += 1;
      if (depth > depthMax) return false;
    } else {
      depth -= 1;
    }
  }
  return true;
}

/** The index just past the closing quote of the string literal whose contents start at `index`. */
function afterString(text: string, index: number): number {
  let at = index;
  for (;;) {
    stringEnd.lastIndex = at;
    const found = stringEnd.exec(text);
    if (found === null) return text.length;
    // A backslash escapes the one character after it (an escaped quote does not end the string).
    if (found[0] === '\\') at = found.index + 2;
    else return found.index + 1;
  }
}

/** A value still to be looked at, with the way back to the root for naming where a fault is. */
interface Pending {
  readonly value: unknown;
  readonly parent: Pending | undefined;
  readonly key: string | number | undefined;
}

/**
 * The first thing in a parsed body that the edge refuses, found by an iterative walk (an explicit
 * stack, no recursion); `undefined` when there is none.
 */
export function firstFault(root: unknown): EdgeRefusalReason | undefined {
  const stack: Pending[] = [{ value: root, parent: undefined, key: undefined }];
  let entries = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    const { value } = item;
    if (typeof value === 'string') {
      const fault = stringFault(value, `The string at ${where(item)}`);
      if (fault !== undefined) return fault;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) return numberFault(item);
    } else if (Array.isArray(value)) {
      entries += value.length;
      if (entries > bodyEntriesMax) return complexityFault();
      for (let index = value.length - 1; index >= 0; index -= 1) stack.push({ value: value[index], parent: item, key: index });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      entries += keys.length;
      if (entries > bodyEntriesMax) return complexityFault();
      for (const key of keys) {
        const fault = keyFault(key, item);
        if (fault !== undefined) return fault;
      }
      for (let index = keys.length - 1; index >= 0; index -= 1) {
        const key = keys[index]!;
        stack.push({ value: (value as Record<string, unknown>)[key], parent: item, key });
      }
    }
  }
  return undefined;
}

function keyFault(key: string, object: Pending): EdgeRefusalReason | undefined {
  const fault = stringFault(key, `A key in the object at ${where(object)}`, keyBound);
  if (fault !== undefined) return fault;
  if (forbiddenKeys.has(key)) {
    return { code: 'forbidden_key', detail: `The object at ${where(object)} has a key named "${key}"; no field is called that, so leave it out.` };
  }
  return undefined;
}

/** How long a string may be: `lengthMax`, or `encodedLengthMax` when it is base64url only. */
export interface StringBound {
  readonly lengthMax: number;
  readonly encodedLengthMax?: number;
}

const valueBound: StringBound = { lengthMax: textLengthMax, encodedLengthMax };
const keyBound: StringBound = { lengthMax: keyLengthMax };
const parameterBound: StringBound = { lengthMax: parameterLengthMax };

/** Faults of one string (a value, a key, a parameter), named in the detail by `subject`. */
export function stringFault(text: string, subject: string, bound: StringBound = valueBound): EdgeRefusalReason | undefined {
  if (text.length > bound.lengthMax && !withinEncodedBound(text, bound)) {
    const encoded = bound.encodedLengthMax === undefined ? '' : ` (${bound.encodedLengthMax} when it is base64url only)`;
    return { code: 'string_too_long', detail: `${subject} is longer than ${bound.lengthMax} characters${encoded}; send less.` };
  }
  if (controlCharacter.test(text)) {
    return { code: 'control_character', detail: `${subject} holds a control character (U+0000 to U+001F or U+007F); remove it, or send bytes as base64url.` };
  }
  if (loneSurrogate.test(text)) {
    return { code: 'lone_surrogate', detail: `${subject} holds half of a UTF-16 surrogate pair, which is no character; send well-formed Unicode.` };
  }
  return undefined;
}

function withinEncodedBound(text: string, bound: StringBound): boolean {
  return bound.encodedLengthMax !== undefined && text.length <= bound.encodedLengthMax && base64urlOnly.test(text);
}

function numberFault(item: Pending): EdgeRefusalReason {
  return {
    code: 'number_out_of_range',
    detail: `The number at ${where(item)} is beyond ±${Number.MAX_SAFE_INTEGER}, where JSON numbers stop being exact; send large values (amounts) as strings of digits.`,
  };
}

function complexityFault(): EdgeRefusalReason {
  return { code: 'body_too_complex', detail: `The body has more than ${bodyEntriesMax} keys and array items in all; send it in smaller requests.` };
}

/** Characters of the path to a fault that a detail names, e.g. `body.transfers[3].id`. */
const whereLengthMax = 120;
/** A key is named in a detail only when it looks like a field name or a denomination. */
const nameable = /^[\w$.-]{1,64}$/;

/** Where a value sits, as a path from the body; keys that do not look like names are not repeated. */
function where(item: Pending): string {
  const parts: string[] = [];
  let length = 0;
  for (let at: Pending | undefined = item; at !== undefined && at.key !== undefined; at = at.parent) {
    parts.push(pathPart(at.key));
    length += parts.at(-1)!.length;
    if (length > whereLengthMax) return `body…${parts.reverse().join('').slice(-whereLengthMax)}`;
  }
  return `body${parts.reverse().join('')}`;
}

function pathPart(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key) && key.length <= 64) return `.${key}`;
  return nameable.test(key) ? `["${key}"]` : '[…]';
}

/** A query parameter's name for a detail, when it looks like one. */
function parameterName(name: string): string {
  return nameable.test(name) ? `The query parameter ${name}` : 'A query parameter';
}

/**
 * Path parameters and query values, checked like body strings but shorter, before the route runs.
 * Fastify's query parser gives an array for a repeated name; each item is checked.
 */
export function parametersFault(params: unknown, query: unknown): EdgeRefusalReason | undefined {
  for (const [name, value] of Object.entries((params ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    const fault = stringFault(value, `The path parameter ${name}`, parameterBound);
    if (fault !== undefined) return fault;
  }
  const entries = Object.entries((query ?? {}) as Record<string, unknown>);
  if (entries.length > queryParametersMax) {
    return { code: 'body_too_complex', detail: `The query string has more than ${queryParametersMax} parameters; send only those the route reads.` };
  }
  for (const [name, value] of entries) {
    const nameFault = stringFault(name, 'A query parameter name', parameterBound);
    if (nameFault !== undefined) return nameFault;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string') continue;
      const fault = stringFault(item, parameterName(name), parameterBound);
      if (fault !== undefined) return fault;
    }
  }
  return undefined;
}

/**
 * Route fuzz: every operation in the OpenAPI document the server serves (so a new route is covered
 * the day it is added) gets at least 50 hostile requests, made from its parameters and its request
 * schema: deep nesting, control characters and lone surrogates in strings, keys, path and query
 * parameters, 1 MiB strings, wrong types, prototype keys, numbers past what JSON or bigint holds,
 * wrong content types, empty and truncated bodies, broken headers.
 *
 * What must hold: no answer is a 5xx; every 4xx is problem+json with a stable code; what the edge
 * must refuse is refused; the books (ledger totals, every demo account's balances, pending
 * approvals) did not move; and the server is healthy afterwards and still takes a deposit.
 *
 * Probes are sent as the demo user whose roles grant the operation's permission, so they reach
 * validation and the command, not a 403. Reads get the demo bank's real ids in their paths (to
 * reach the query); writes get fresh ids, so nothing a probe carries can find money to move.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchEventsMax,
  decodeBase64url,
  demoPassword,
  demoUsers,
  deviceKeyId,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  rolesAllow,
  pushAad,
  sealedBoxKeyPair,
  sealedBoxToJson,
  sealPush,
  sealTo,
  signEnvelope,
  type OutboxCommand,
  type Permission,
} from '@qenex/engine';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { readonly [key: string]: unknown };
type User = keyof typeof demoUsers;

/** Requests in flight at once: the machine has two cores shared with others. */
const concurrencyMax = 4;
/** Hostile requests each operation gets at least. */
const probesPerOperationMin = 50;
/** Characters of a body or a probe repeated in a failure report. */
const reportCharsMax = 300;
const mebibyte = 1024 * 1024;

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly schema?: Schema;
}

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly permission: Permission | undefined;
  readonly authenticated: boolean;
  readonly idempotent: boolean;
  /** Authenticated by a workstation's signature in the body, not a session. */
  readonly deviceSigned: boolean;
  readonly parameters: readonly Parameter[];
  readonly bodySchema: Schema | undefined;
}

interface Probe {
  /** What is hostile about it, for the report. */
  readonly label: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** The edge must refuse it (a 4xx), not only survive it. */
  readonly mustRefuse: boolean;
}

interface Answer {
  readonly operation: Operation;
  readonly probe: Probe;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

let t: TestServer;
const tokens = {} as Record<User, string>;
let operations: Operation[] = [];
let answers: Answer[] = [];
let booksBefore: Books;
/** Real ids of the demo bank by path-parameter name, for reads. */
const realIds: Record<string, string> = {};

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function cut(text: string, length = reportCharsMax): string {
  return text.length <= length ? text : `${text.slice(0, length)}… (${text.length} chars)`;
}

// ---------------------------------------------------------------------------------------------
// The document, as a client reads it
// ---------------------------------------------------------------------------------------------

function operationsOf(document: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const found: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters ?? []) as Parameter[];
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      found.push({
        method: method.toUpperCase(),
        template,
        permission: operation['x-permission'] as Permission | undefined,
        // An operation with `security: []` is public or signed by a device; the rest need a session.
        authenticated: !Array.isArray(operation.security) || (operation.security as unknown[]).length > 0,
        idempotent: parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key'),
        deviceSigned: operation['x-authentication'] !== undefined,
        parameters,
        bodySchema: content?.['application/json']?.schema,
      });
    }
  }
  return found;
}

/** The demo user allowed to run an operation; tom is kept for signing out (his sessions are spent). */
function userFor(operation: Operation): User | undefined {
  if (!operation.authenticated) return undefined;
  const candidates: User[] = ['alice', 'bob', 'olivia', 'carol', 'adam'];
  const permission = operation.permission;
  return candidates.find((user) => permission === undefined || rolesAllow(demoUsers[user].roles, permission)) ?? 'alice';
}

function isSignOut(operation: Operation): boolean {
  return operation.method === 'DELETE' && operation.template === '/api/v1/sessions/current';
}

// ---------------------------------------------------------------------------------------------
// A request body made from a schema, and the places to put something hostile in it
// ---------------------------------------------------------------------------------------------

/**
 * A body of the schema's shape with plausible leaves: a fresh id for each id field (so no write
 * finds anything to act on), a fresh capitalised name for other strings (no lowercase-only pattern
 * such as a username's matches it, so a probe cannot create a user by accident), the schema's
 * first enum value, its minimum or 0. Where the schema allows anything, `filler` says what to put.
 */
function baseOf(schema: Schema | undefined, name: string, filler: () => Json): Json {
  if (schema === undefined || Object.keys(schema).length === 0) return filler();
  if (Array.isArray(schema.oneOf)) return baseOf(schema.oneOf[0] as Schema, name, filler);
  if (Array.isArray(schema.enum)) return schema.enum[0] as Json;
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const value: Record<string, Json> = {};
      for (const [key, property] of Object.entries(properties)) value[key] = baseOf(property, key, filler);
      if (typeof schema.additionalProperties === 'object') value['1'] = baseOf(schema.additionalProperties as Schema, '1', filler);
      return value;
    }
    case 'array':
      return [baseOf(schema.items as Schema | undefined, name, filler)];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'string':
      if (name === 'id' || name.endsWith('Id')) return hex(16);
      if (name === 'currency') return 'USD';
      if (name === 'amount') return '1';
      return `Fuzz${hex(3)}`;
    default:
      return `Fuzz${hex(3)}`;
  }
}

/** A small nested value, so there is structure to be hostile in. */
const genericFiller = (): Json => ({ a: { b: ['x', 1, true, null] } });

/**
 * For a device-signed operation, an unconstrained field (the `message`) gets a real envelope: a
 * batch sealed to this server and signed by a workstation the server has never enrolled. The probes
 * then reach the envelope's own checks, field by field, instead of stopping at its shape.
 */
let deviceEnvelope: Json = null;

function fillerFor(operation: Operation): () => Json {
  return operation.deviceSigned ? () => structuredClone(deviceEnvelope) : genericFiller;
}

async function makeDeviceEnvelope(): Promise<Json> {
  const serverKeys = (await t.request('GET', '/api/v1/server-keys')).body as { kemPublicKey: string };
  const signing = hybridKeyPair(new Uint8Array(64).fill(7));
  const commands: OutboxCommand[] = [
    { seq: 1, name: 'cash.deposit', input: { transferId: hex(16), sessionId: hex(16), accountId: hex(16), money: { amount: '100', currency: 'USD' } }, actor: 'alice', roles: ['teller'], atMs: Date.now() },
  ];
  const envelope = sealPush({ deviceId: 'ws-fuzz', batchSeq: 1, prevDigest: '', commands }, { keyId: deviceKeyId('ws-fuzz', 1), secretKeys: signing.secretKeys }, decodeBase64url(serverKeys.kemPublicKey)!);
  return JSON.parse(JSON.stringify(envelope)) as Json;
}

type Step = string | number;

/** Every place in a value (its object properties and first array items), root excluded. */
function placesOf(value: Json, path: Step[] = []): Step[][] {
  const places: Step[][] = [];
  if (Array.isArray(value)) {
    if (value.length > 0) places.push([...path, 0], ...placesOf(value[0]!, [...path, 0]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) places.push([...path, key], ...placesOf(child, [...path, key]));
  }
  return places;
}

/** The objects in a value (root included), where a hostile key can go. */
function objectsOf(value: Json, path: Step[] = []): Step[][] {
  if (Array.isArray(value)) return value.length > 0 ? objectsOf(value[0]!, [...path, 0]) : [];
  if (value === null || typeof value !== 'object') return [];
  return [path, ...Object.entries(value).flatMap(([key, child]) => objectsOf(child, [...path, key]))];
}

const slot = '\u0001slot\u0001';

/** The body's JSON text with `rawJson` (any text, valid JSON or not) at `path`. */
function withRawAt(base: Json, path: Step[], rawJson: string): string {
  if (path.length === 0) return rawJson;
  const copy = structuredClone(base);
  let parent = copy as Record<Step, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<Step, Json>;
  parent[path.at(-1)!] = slot;
  return JSON.stringify(copy).replace(JSON.stringify(slot), () => rawJson);
}

/** The body's JSON text with a raw `"key": value` member added to the object at `path`. */
function withMemberAt(base: Json, path: Step[], rawMember: string): string {
  const objectText = (value: Json): string => {
    const text = JSON.stringify(value);
    return text === '{}' ? `{${rawMember}}` : `{${rawMember},${text.slice(1)}`;
  };
  if (path.length === 0) return objectText(base);
  let target = base;
  for (const step of path) target = (target as Record<Step, Json>)[step]!;
  return withRawAt(base, path, objectText(target));
}

function valueAt(value: Json, path: Step[]): Json {
  let at = value;
  for (const step of path) at = (at as Record<Step, Json>)[step]!;
  return at;
}

/** The same shape with every leaf an array, which no field takes: one schema issue per field. */
function wrongTyped(value: Json): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.fromEntries(Object.keys(value).map((key) => [key, []]));
}

/** A copy of the value without what is at `path` (a property deleted, an array item removed). */
function without(base: Json, path: Step[]): Json {
  const copy = structuredClone(base);
  let parent = copy as Record<Step, Json> | Json[];
  for (const step of path.slice(0, -1)) parent = (parent as Record<Step, Json>)[step] as Record<Step, Json>;
  const last = path.at(-1)!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

function describePlace(path: Step[]): string {
  return path.length === 0 ? 'body' : `body.${path.join('.')}`;
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

interface Hostile {
  readonly label: string;
  /** As JSON text, for bodies. */
  readonly json: string;
  readonly mustRefuse: boolean;
  /** Only where the field is a string: a megabyte in place of every number and object would only repeat what the strings prove. */
  readonly stringFieldsOnly?: true;
}

const oneMiBText = 'free text '.repeat(mebibyte / 10).padEnd(mebibyte, '.');
const oneMiBEncoded = 'x'.repeat(mebibyte);

/** What goes into a body field in place of its value. */
const hostileValues: readonly Hostile[] = [
  { label: 'NUL', json: JSON.stringify('\u0000'), mustRefuse: true },
  { label: 'NUL inside', json: JSON.stringify('al\u0000ice'), mustRefuse: true },
  { label: 'U+0001', json: JSON.stringify('\u0001'), mustRefuse: true },
  { label: 'U+001F', json: JSON.stringify('a\u001fb'), mustRefuse: true },
  { label: 'U+007F', json: JSON.stringify('a\u007f'), mustRefuse: true },
  { label: 'newline', json: JSON.stringify('line\nbreak'), mustRefuse: true },
  { label: 'lone high surrogate', json: '"x\\ud800"', mustRefuse: true },
  { label: 'lone low surrogate', json: '"\\udfffx"', mustRefuse: true },
  { label: '1 MiB of text', json: JSON.stringify(oneMiBText), mustRefuse: true, stringFieldsOnly: true },
  { label: '1e400', json: '1e400', mustRefuse: true },
  { label: '-1e400', json: '-1e400', mustRefuse: true },
  { label: '2^64 as a number', json: '18446744073709551616', mustRefuse: true },
  { label: '2^53+1 as a number', json: '9007199254740993', mustRefuse: true },
  { label: 'nested 33 deep', json: `${'['.repeat(33)}${']'.repeat(33)}`, mustRefuse: true },
  { label: 'nested 10,000 deep', json: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, mustRefuse: true },
  { label: '1 MiB of base64url letters', json: JSON.stringify(oneMiBEncoded), mustRefuse: false, stringFieldsOnly: true },
  { label: '70 KiB of letters', json: JSON.stringify('y'.repeat(70 * 1024)), mustRefuse: false },
  { label: 'empty string', json: '""', mustRefuse: false },
  { label: 'zero', json: '0', mustRefuse: false },
  { label: '-1', json: '-1', mustRefuse: false },
  { label: '1.5', json: '1.5', mustRefuse: false },
  { label: '2^53-1', json: String(Number.MAX_SAFE_INTEGER), mustRefuse: false },
  { label: 'true', json: 'true', mustRefuse: false },
  { label: 'null', json: 'null', mustRefuse: false },
  { label: 'empty array', json: '[]', mustRefuse: false },
  { label: 'array of a string', json: '["x"]', mustRefuse: false },
  { label: 'empty object', json: '{}', mustRefuse: false },
  { label: '20-digit numeric string', json: '"99999999999999999999"', mustRefuse: false },
  { label: '2^63 as a string', json: '"9223372036854775808"', mustRefuse: false },
  { label: '-1 as a string', json: '"-1"', mustRefuse: false },
  { label: '1e400 as a string', json: '"1e400"', mustRefuse: false },
  { label: 'right-to-left override and emoji', json: JSON.stringify('\u202efuzz😀'), mustRefuse: false },
  { label: 'SQL', json: JSON.stringify("' OR 1=1; DROP TABLE ledger_transfers; --"), mustRefuse: false },
];

/** What goes into a path segment (already percent-encoded as a client would send it). */
const hostileSegments: ReadonlyArray<{ label: string; segment: string; mustRefuse: boolean }> = [
  { label: 'NUL', segment: '%00', mustRefuse: true },
  { label: 'NUL inside', segment: 'a%00b', mustRefuse: true },
  { label: 'U+0001', segment: '%01', mustRefuse: true },
  { label: 'U+001F', segment: '%1F', mustRefuse: true },
  { label: 'U+007F', segment: '%7F', mustRefuse: true },
  { label: 'CR LF', segment: '%0D%0A', mustRefuse: true },
  { label: 'surrogate as UTF-8 (invalid)', segment: '%ED%A0%80', mustRefuse: true },
  { label: 'invalid UTF-8 byte', segment: '%FF', mustRefuse: true },
  { label: 'broken percent escape', segment: '%zz', mustRefuse: true },
  { label: 'lone percent sign', segment: '%', mustRefuse: true },
  { label: '300 characters', segment: 'a'.repeat(300), mustRefuse: true },
  { label: '20 KiB (past the header limit)', segment: 'a'.repeat(20 * 1024), mustRefuse: true },
  { label: 'emoji', segment: '%F0%9F%98%80', mustRefuse: false },
  { label: '__proto__', segment: '__proto__', mustRefuse: false },
  { label: 'constructor', segment: 'constructor', mustRefuse: false },
  { label: '-1', segment: '-1', mustRefuse: false },
  { label: '1e400', segment: '1e400', mustRefuse: false },
  { label: '2^64', segment: '18446744073709551616', mustRefuse: false },
  { label: 'encoded slash', segment: '..%2F..%2Fhealth', mustRefuse: false },
  { label: 'space', segment: '%20', mustRefuse: false },
  { label: 'quote and angle brackets', segment: '%22%3Cscript%3E', mustRefuse: false },
];

/** What goes into a query value (percent-encoded). */
const hostileQueryValues: ReadonlyArray<{ label: string; value: string; mustRefuse: boolean }> = [
  { label: 'NUL', value: '%00', mustRefuse: true },
  { label: 'NUL inside', value: 'a%00b', mustRefuse: true },
  { label: 'U+0001', value: '%01', mustRefuse: true },
  { label: 'U+007F', value: 'a%7F', mustRefuse: true },
  { label: 'newline', value: 'a%0Ab', mustRefuse: true },
  { label: '300 characters', value: 'q'.repeat(300), mustRefuse: true },
  { label: '8 KiB', value: 'q'.repeat(8 * 1024), mustRefuse: true },
  { label: '20-digit number', value: '99999999999999999999', mustRefuse: false },
  { label: '2^63', value: '9223372036854775808', mustRefuse: false },
  { label: '2^63-1', value: '9223372036854775807', mustRefuse: false },
  { label: '2^64', value: '18446744073709551616', mustRefuse: false },
  { label: '2^53-1', value: String(Number.MAX_SAFE_INTEGER), mustRefuse: false },
  { label: '2^53+1', value: '9007199254740993', mustRefuse: false },
  { label: '1e400', value: '1e400', mustRefuse: false },
  { label: '-1', value: '-1', mustRefuse: false },
  { label: '1.5', value: '1.5', mustRefuse: false },
  { label: 'zero', value: '0', mustRefuse: false },
  { label: 'leading zeros', value: '00000000000000000001', mustRefuse: false },
  { label: 'hex', value: '0x10', mustRefuse: false },
  { label: 'NaN', value: 'NaN', mustRefuse: false },
  { label: 'empty', value: '', mustRefuse: false },
  { label: 'invalid UTF-8', value: '%FF%FE', mustRefuse: false },
  { label: 'broken percent escape', value: '%zz', mustRefuse: false },
  { label: 'emoji', value: '%F0%9F%98%80', mustRefuse: false },
  { label: 'overlong NUL (invalid UTF-8)', value: '%C0%80', mustRefuse: false },
  { label: 'right-to-left override', value: '%E2%80%AE1', mustRefuse: false },
  { label: 'plus sign', value: '+1', mustRefuse: false },
  { label: 'minus zero', value: '-0', mustRefuse: false },
  { label: 'SQL', value: "1'%20OR%20'1'='1", mustRefuse: false },
  { label: 'array syntax', value: '[1,2]', mustRefuse: false },
];

// ---------------------------------------------------------------------------------------------
// Probes for one operation
// ---------------------------------------------------------------------------------------------

function pathValue(operation: Operation, name: string): string {
  // Reads get the real thing (to reach the query); writes never touch anything real.
  if (operation.method === 'GET' && realIds[name] !== undefined) return realIds[name]!;
  return name === 'id' || name.endsWith('Id') ? hex(16) : `fuzz${hex(4)}`;
}

function pathWith(operation: Operation, replaced?: { name: string; segment: string }): string {
  return operation.template.replace(/\{([A-Za-z]+)\}/g, (_match, name: string) =>
    replaced?.name === name ? replaced.segment : encodeURIComponent(pathValue(operation, name)),
  );
}

function headersFor(operation: Operation, extra: Record<string, string> = {}): Record<string, string> {
  const user = userFor(operation);
  const headers: Record<string, string> = {};
  if (user !== undefined) headers.authorization = `Bearer ${tokens[user]}`;
  if (operation.idempotent) headers['idempotency-key'] = `fuzz-${hex(12)}`;
  return { ...headers, ...extra };
}

const json = { 'content-type': 'application/json' };

function pathProbes(operation: Operation): Probe[] {
  const names = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
  return names.flatMap((name) =>
    hostileSegments.map((hostile) => ({
      label: `path ${name}: ${hostile.label}`,
      path: pathWith(operation, { name, segment: hostile.segment }),
      headers: headersFor(operation, jsonIfBody(operation)),
      mustRefuse: hostile.mustRefuse,
      ...bodyIfAny(operation),
    })),
  );
}

/** A body of the operation's shape, for probes whose hostility is elsewhere. */
function bodyIfAny(operation: Operation): { body?: string } {
  return operation.bodySchema === undefined ? {} : { body: JSON.stringify(baseOf(operation.bodySchema, '', fillerFor(operation))) };
}

function jsonIfBody(operation: Operation): Record<string, string> {
  return operation.bodySchema === undefined ? {} : json;
}

function queryProbes(operation: Operation): Probe[] {
  const declared = operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
  const names = [...declared, 'unknown'];
  const path = pathWith(operation);
  const probe = (label: string, query: string, mustRefuse: boolean): Probe => ({
    label: `query ${label}`,
    path: `${path}?${query}`,
    headers: headersFor(operation, jsonIfBody(operation)),
    mustRefuse,
    ...bodyIfAny(operation),
  });
  const probes = names.flatMap((name) => hostileQueryValues.map((hostile) => probe(`${name}: ${hostile.label}`, `${name}=${hostile.value}`, hostile.mustRefuse)));
  const first = names[0]!;
  probes.push(
    probe('NUL in a name', '%00=1', true),
    probe('U+001F in a name', 'a%1Fb=1', true),
    probe('300-character name', `${'n'.repeat(300)}=1`, true),
    probe('40 parameters', Array.from({ length: 40 }, (_, index) => `p${index}=1`).join('&'), true),
    probe(`${first} repeated`, `${first}=1&${first}=2`, false),
    probe(`${first} with brackets`, `${first}[]=1&${first}[a]=2`, false),
    probe(`${first} without a value`, first, false),
    probe('__proto__ as a name', '__proto__=1&constructor=2&prototype=3', false),
    probe('only separators', '&&&==&', false),
    probe('20 KiB query (past the header limit)', `unknown=${'q'.repeat(20 * 1024)}`, true),
  );
  return probes;
}

function headerProbes(operation: Operation): Probe[] {
  const path = pathWith(operation);
  const probe = (label: string, headers: Record<string, string>): Probe => ({ label: `header ${label}`, path, headers, mustRefuse: false, ...bodyIfAny(operation) });
  const base = headersFor(operation, jsonIfBody(operation));
  const { authorization: _authorization, ...unsigned } = base;
  const probes = [
    probe('no Authorization', unsigned),
    probe('Bearer with a short token', { ...base, authorization: 'Bearer abc' }),
    probe('Bearer with an unknown token', { ...base, authorization: `Bearer ${hex(32)}` }),
    probe('Bearer with a 4 KiB token', { ...base, authorization: `Bearer ${'t'.repeat(4096)}` }),
    probe('Basic credentials', { ...base, authorization: `Basic ${Buffer.from(`alice:${demoPassword}`).toString('base64')}` }),
    probe('an odd X-Device-Id', { ...base, 'x-device-id': `../${'d'.repeat(200)}` }),
    probe('an X-Device-Id of the right shape', { ...base, 'x-device-id': 'ws-fuzz' }),
    probe('lowercase bearer', { ...base, ...(base.authorization === undefined ? {} : { authorization: base.authorization.replace('Bearer', 'bearer') }) }),
    probe('two tokens', { ...base, authorization: `Bearer ${hex(32)}, Bearer ${hex(32)}` }),
    probe('Accept: application/xml', { ...base, accept: 'application/xml' }),
    probe('a 4 KiB cookie', { ...base, cookie: `c=${'c'.repeat(4096)}` }),
    probe('X-Forwarded-For with a script', { ...base, 'x-forwarded-for': '<script>, 999.1.1.1' }),
  ];
  if (operation.idempotent) {
    const { 'idempotency-key': _key, ...keyless } = base;
    probes.push(
      probe('no Idempotency-Key', keyless),
      probe('a short Idempotency-Key', { ...base, 'idempotency-key': 'short' }),
      probe('a 4 KiB Idempotency-Key', { ...base, 'idempotency-key': 'k'.repeat(4096) }),
      probe('an Idempotency-Key with a space', { ...base, 'idempotency-key': 'key with space' }),
    );
  }
  return probes;
}

function bodyProbes(operation: Operation): Probe[] {
  if (operation.method === 'GET') return [];
  const variants = variantsOf(operation.bodySchema);
  const probes = wholeBodyProbes(operation, variants[0]);
  variants.forEach((variant, index) => probes.push(...placeProbes(operation, variant, variants.length === 1 ? '' : `(variant ${index + 1}) `)));
  return probes;
}

/** A schema with alternatives (oneOf) is fuzzed in each of them; any other schema is its only variant. */
function variantsOf(schema: Schema | undefined): Array<Schema | undefined> {
  return Array.isArray(schema?.oneOf) ? (schema.oneOf as Schema[]) : [schema];
}

type BodyBuilder = (base: Json, text: string) => string | Uint8Array;

/**
 * Makes a body probe of one variant of the body: a fresh base per probe (new ids, new names, so
 * sign-in's per-name rate limit does not stop the fuzz), transformed by `build`.
 */
function bodyProbeMaker(operation: Operation, variant: Schema | undefined) {
  const path = pathWith(operation);
  return (label: string, build: BodyBuilder, mustRefuse: boolean, contentType: string | null = 'application/json'): Probe => {
    const base = baseOf(variant, '', fillerFor(operation));
    return {
      label: `body ${label}`,
      path,
      headers: headersFor(operation, contentType === null ? {} : { 'content-type': contentType }),
      body: build(base, JSON.stringify(base)),
      mustRefuse,
    };
  };
}

/** Probes of the body as a whole: its nesting, size, encoding, content type and JSON syntax. */
function wholeBodyProbes(operation: Operation, variant: Schema | undefined): Probe[] {
  const probe = bodyProbeMaker(operation, variant);
  const fixed = (text: string) => () => text;
  return [
    probe('nested 10,000 deep in arrays', fixed(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), true),
    probe('nested 10,000 deep in objects', fixed(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), true),
    probe('nested 100,000 deep, unterminated', fixed('['.repeat(100_000)), true),
    probe('nested 10,000 deep inside a string (harmless)', (base) => withMemberAt(base, [], `"note":${JSON.stringify(`\\"${'['.repeat(10_000)}`)}`), false),
    probe('__proto__ key', (base) => withMemberAt(base, [], '"__proto__":{"isAdmin":true}'), true),
    probe('constructor key', (base) => withMemberAt(base, [], '"constructor":{"prototype":{"isAdmin":true}}'), true),
    probe('prototype key', (base) => withMemberAt(base, [], '"prototype":1'), true),
    probe('200,000 keys', fixed(`{${Array.from({ length: 200_000 }, (_, index) => `"k${index}":0`).join(',')}}`), true),
    probe('140,000 array items', fixed(`[${new Array(140_000).fill('0').join(',')}]`), true),
    probe('1 MiB key', fixed(`{${JSON.stringify('k'.repeat(mebibyte))}:1}`), true),
    probe('300-character key', (base) => withMemberAt(base, [], `${JSON.stringify('k'.repeat(300))}:1`), true),
    probe('empty with a JSON content type', fixed(''), true),
    probe('only whitespace', fixed(' \n\t '), true),
    probe('truncated JSON', (_base, text) => text.slice(0, Math.max(1, Math.floor(text.length / 2))), true),
    probe('trailing garbage', (_base, text) => `${text}x`, true),
    probe('two JSON values', (_base, text) => `${text} ${text}`, true),
    probe('single quotes', (_base, text) => (text.includes('"') ? text : '{"a":1}').replaceAll('"', "'"), true),
    probe('invalid UTF-8 bytes', () => Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]), true),
    probe('UTF-16 with a UTF-16 content type', (_base, text) => Buffer.from(text, 'utf16le'), true, 'application/json; charset=utf-16'),
    probe('a byte-order mark first', (_base, text) => `\ufeff${text}`, false),
    probe('6 MiB (past the body limit)', fixed(`{"pad":"${'x'.repeat(6 * mebibyte)}"}`), true),
    probe('as text/plain', (_base, text) => text, true, 'text/plain'),
    probe('as application/xml', fixed('<a/>'), true, 'application/xml'),
    probe('as a form', fixed('a=1&b=2'), true, 'application/x-www-form-urlencoded'),
    probe('as multipart', fixed('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'), true, 'multipart/form-data; boundary=x'),
    probe('as application/problem+json', (_base, text) => text, true, 'application/problem+json'),
    probe('without a content type', (_base, text) => text, false, null),
    probe('whole body null', fixed('null'), false),
    probe('whole body true', fixed('true'), false),
    probe('whole body a number', fixed('42'), false),
    probe('whole body 1e400', fixed('1e400'), true),
    probe('whole body a string', fixed('"fuzz"'), false),
    probe('whole body an empty array', fixed('[]'), false),
    probe('whole body an array of the body', (_base, text) => `[${text}]`, false),
    probe('whole body an empty object', fixed('{}'), false),
    probe('duplicate keys', (base) => withMemberAt(base, [], '"a":1,"a":2'), false),
  ];
}

/** Probes of each place in the body: hostile keys in each object, hostile values in each field. */
function placeProbes(operation: Operation, variant: Schema | undefined, prefix: string): Probe[] {
  const make = bodyProbeMaker(operation, variant);
  const probe = (label: string, build: BodyBuilder, mustRefuse: boolean) => make(`${prefix}${label}`, build, mustRefuse);
  const shape = baseOf(variant, '', fillerFor(operation));
  const probes: Probe[] = [];
  for (const place of objectsOf(shape).slice(1)) {
    probes.push(probe(`__proto__ key in ${describePlace(place)}`, (base) => withMemberAt(base, place, '"__proto__":{"polluted":true}'), true));
  }
  for (const place of objectsOf(shape)) {
    probes.push(
      probe(`NUL in a key of ${describePlace(place)}`, (base) => withMemberAt(base, place, `${JSON.stringify('k\u0000')}:1`), true),
      probe(`U+0001 in a key of ${describePlace(place)}`, (base) => withMemberAt(base, place, `${JSON.stringify('\u0001')}:1`), true),
    );
  }
  for (const place of placesOf(shape).filter((place) => Array.isArray(valueAt(shape, place)))) {
    const label = `${describePlace(place)}: ${batchEventsMax} items, every field of the wrong type`;
    probes.push(probe(label, (base) => withRawAt(base, place, JSON.stringify(new Array(batchEventsMax).fill(wrongTyped((valueAt(base, place) as Json[])[0] ?? null)))), false));
  }
  for (const place of placesOf(shape)) {
    const isString = typeof valueAt(shape, place) === 'string';
    for (const hostile of hostileValues.filter((candidate) => isString || candidate.stringFieldsOnly !== true)) probes.push(probe(`${describePlace(place)}: ${hostile.label}`, (base) => withRawAt(base, place, hostile.json), hostile.mustRefuse));
    probes.push(probe(`${describePlace(place)}: left out`, (base) => JSON.stringify(without(base, place)), false));
  }
  return probes;
}

function probesOf(operation: Operation): Probe[] {
  return [...pathProbes(operation), ...queryProbes(operation), ...headerProbes(operation), ...bodyProbes(operation)];
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

async function send(operation: Operation, probe: Probe): Promise<Answer> {
  const hasBody = probe.body !== undefined && operation.method !== 'GET';
  try {
    const response = await fetch(`${t.url}${probe.path}`, {
      method: operation.method,
      headers: probe.headers,
      ...(hasBody ? { body: probe.body } : {}),
    });
    return { operation, probe, status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  } catch (error) {
    // No answer at all is as bad as a 5xx: report it as one.
    return { operation, probe, status: 599, contentType: '', text: `no answer: ${String((error as { cause?: unknown }).cause ?? error)}` };
  }
}

/** Signing out spends the session: the sign-out route gets a fresh one of tom's before each probe. */
async function freshSession(): Promise<string> {
  const created = await t.server.engine.executeAny('session.create', { username: 'tom', password: demoPassword, deviceId: 'fuzz' }, { actor: 'anonymous', roles: [], deviceId: 'fuzz' });
  if (!created.ok) throw new Error(`tom could not sign in: ${created.code}`);
  return (created.value as { token: string }).token;
}

async function runOperation(operation: Operation, probes: readonly Probe[]): Promise<Answer[]> {
  const results: Answer[] = [];
  for (const probe of probes) {
    const authorization = probe.headers.authorization;
    if (isSignOut(operation) && authorization?.includes(tokens.alice) === true) {
      const spent = authorization.replace(tokens.alice, await freshSession());
      results.push(await send(operation, { ...probe, headers: { ...probe.headers, authorization: spent } }));
    } else {
      results.push(await send(operation, probe));
    }
  }
  return results;
}

/** Runs operations `concurrencyMax` at a time; each operation's probes in order. */
async function runAll(planned: ReadonlyArray<{ operation: Operation; probes: readonly Probe[] }>): Promise<Answer[]> {
  const queue = [...planned];
  const results: Answer[] = [];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) results.push(...(await runOperation(next.operation, next.probes)));
  };
  await Promise.all(Array.from({ length: concurrencyMax }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Inside a device-signed batch, where the edge cannot look
// ---------------------------------------------------------------------------------------------

/**
 * A sync push is sealed to the server: the edge sees only ciphertext, and what is inside reaches
 * the engine as the device signed it. An enrolled, approved workstation sends batches with hostile
 * commands in them. Each is a transfer.internal between fresh ids: refused on replay, and never
 * compensated (only cash is), so no probe here can move money either.
 */
interface EnrolledDevice {
  readonly id: string;
  readonly signer: { readonly keyId: string; readonly secretKeys: ReturnType<typeof hybridKeyPair>['secretKeys'] };
  readonly serverKemPublicKey: Uint8Array;
  batchSeq: number;
  prevDigest: string;
  commandSeq: number;
}

async function enrolDevice(): Promise<EnrolledDevice> {
  const id = 'ws-fuzz-signed';
  const signing = hybridKeyPair(new Uint8Array(64).fill(9));
  const kem = sealedBoxKeyPair(new Uint8Array(32).fill(10));
  const branchId = realIds.branchId!;
  const enrolled = await t.request('POST', '/api/v1/devices', {
    token: tokens.adam,
    body: { deviceId: id, branchId, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) },
  });
  expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
  // A second administrator approves (maker-checker); the demo bank has one, so the engine is asked as another.
  const approved = await t.server.engine.executeAny('device.approve', { deviceId: id }, { actor: 'ada', roles: ['admin'], deviceId: 'fuzz' });
  expect(approved.ok).toBe(true);
  const serverKeys = (await t.request('GET', '/api/v1/server-keys')).body as { kemPublicKey: string };
  return { id, signer: { keyId: deviceKeyId(id, 1), secretKeys: signing.secretKeys }, serverKemPublicKey: decodeBase64url(serverKeys.kemPublicKey)!, batchSeq: 0, prevDigest: '', commandSeq: 0 };
}

/**
 * A push as a workstation seals and signs it (sealPush's wire format), from the batch's JSON text
 * as given, so the text can hold what JSON.stringify on this side could not make (20,000 levels).
 */
function sealBatchText(device: EnrolledDevice, batchSeq: number, text: string): unknown {
  const sealed = sealTo(device.serverKemPublicKey, new TextEncoder().encode(text), pushAad(device.id, batchSeq));
  return signEnvelope({ kind: 'push', deviceId: device.id, batchSeq, sealed: { ...sealedBoxToJson(sealed) } }, device.signer);
}

/**
 * One command each, hostile in one place: who did it, their roles, when, and what they sent.
 * `note` is raw JSON text put into the command's input.
 */
const batchHostiles: ReadonlyArray<{ readonly label: string; readonly change: (command: Record<string, Json>) => void; readonly note?: string }> = [
  { label: 'actor: NUL', change: (command) => (command.actor = '\u0000') },
  { label: 'actor: NUL inside', change: (command) => (command.actor = 'al\u0000ice') },
  { label: 'actor: U+0001', change: (command) => (command.actor = 'alice\u0001') },
  { label: 'actor: lone surrogate', change: (command) => (command.actor = 'alice\ud800') },
  { label: 'actor: 1 MiB of text', change: (command) => (command.actor = oneMiBText) },
  { label: 'roles: NUL in a role', change: (command) => (command.roles = ['tel\u0000ler']) },
  { label: 'input.fromAccountId: NUL', change: (command) => ((command.input as Record<string, Json>).fromAccountId = '\u0000') },
  { label: 'input.money.currency: NUL', change: (command) => (((command.input as Record<string, Json>).money as Record<string, Json>).currency = 'US\u0000') },
  { label: 'input.money.amount: U+0001', change: (command) => (((command.input as Record<string, Json>).money as Record<string, Json>).amount = '1\u0001') },
  { label: 'input.note: 1 MiB of text', change: (command) => ((command.input as Record<string, Json>).note = oneMiBText) },
  { label: 'input: nested 33 deep', change: () => undefined, note: `${'['.repeat(33)}${']'.repeat(33)}` },
  { label: 'input: nested 20,000 deep', change: () => undefined, note: `${'['.repeat(20_000)}${']'.repeat(20_000)}` },
  { label: 'input: __proto__ key', change: () => undefined, note: '{"__proto__":{"isAdmin":true}}' },
  { label: 'atMs: -1', change: (command) => (command.atMs = -1) },
  { label: 'atMs: 2^53-1', change: (command) => (command.atMs = Number.MAX_SAFE_INTEGER) },
];

function signedBatchOperation(): Operation {
  const push = operations.find((operation) => operation.method === 'POST' && operation.template === '/api/v1/sync/push');
  expect(push, 'the document has POST /api/v1/sync/push').toBeDefined();
  return push!;
}

/** Sends each hostile batch in turn; an accepted one moves the device's chain on, as a workstation's would. */
async function sendSignedBatches(device: EnrolledDevice): Promise<Answer[]> {
  const operation = signedBatchOperation();
  const results: Answer[] = [];
  for (const hostile of batchHostiles) {
    const command: Record<string, Json> = {
      seq: device.commandSeq + 1,
      name: 'transfer.internal',
      input: { transferId: hex(16), fromAccountId: hex(16), toAccountId: hex(16), money: { amount: '100', currency: 'USD' } },
      actor: 'alice',
      roles: ['teller'],
      atMs: Date.now(),
    };
    hostile.change(command);
    if (hostile.note !== undefined) (command.input as Record<string, Json>).note = slot;
    const batchSeq = device.batchSeq + 1;
    const text = JSON.stringify({ deviceId: device.id, batchSeq, prevDigest: device.prevDigest, commands: [command] });
    const message = sealBatchText(device, batchSeq, hostile.note === undefined ? text : text.replace(JSON.stringify(slot), () => hostile.note!));
    const probe: Probe = { label: `sealed batch ${hostile.label}`, path: operation.template, headers: json, body: JSON.stringify({ message }), mustRefuse: false };
    const answer = await send(operation, probe);
    results.push(answer);
    if (answer.status === 200) {
      device.batchSeq += 1;
      device.commandSeq += 1;
      device.prevDigest = (JSON.parse(answer.text) as { answer: { payload: { batchDigest: string } } }).answer.payload.batchDigest;
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The books, read through the API as the compliance officer and operations
// ---------------------------------------------------------------------------------------------

interface Books {
  readonly totals: unknown;
  readonly balances: Record<string, unknown>;
  readonly pendingApprovals: number;
}

async function readJson(path: string, user: User): Promise<any> {
  const reply = await t.request('GET', path, { token: tokens[user] });
  expect(reply.status, `${path}: ${JSON.stringify(reply.body)}`).toBe(200);
  return reply.body;
}

async function accountIds(): Promise<string[]> {
  const customers = (await readJson('/api/v1/customers?limit=100', 'carol')) as Array<{ id: string }>;
  const details = await Promise.all(customers.map((customer) => readJson(`/api/v1/customers/${customer.id}`, 'carol')));
  return details.flatMap((detail) => (detail.accounts as Array<{ id: string }>).map((account) => account.id)).sort();
}

async function books(): Promise<Books> {
  const ids = await accountIds();
  const accounts = await Promise.all(ids.map((id) => readJson(`/api/v1/accounts/${id}`, 'carol')));
  const approvals = (await readJson('/api/v1/approvals?status=pending&limit=500', 'olivia')) as unknown[];
  return {
    totals: await readJson('/api/v1/ledger/totals', 'carol'),
    balances: Object.fromEntries(ids.map((id, index) => [id, accounts[index].balances])),
    pendingApprovals: approvals.length,
  };
}

async function discoverDemo(): Promise<void> {
  const customers = (await readJson('/api/v1/customers?limit=100', 'carol')) as Array<{ id: string }>;
  const detail = await readJson(`/api/v1/customers/${customers[0]!.id}`, 'carol');
  const current = await readJson('/api/v1/till-sessions/current', 'alice');
  Object.assign(realIds, {
    customerId: customers[0]!.id,
    accountId: (detail.accounts as Array<{ id: string }>)[0]!.id,
    branchId: current.till.branchId,
    tillId: current.till.id,
    sessionId: current.session.id,
  });
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

function report(offenders: readonly Answer[]): string {
  return offenders
    .map((answer) => {
      const body = answer.probe.body === undefined ? '' : ` body ${cut(typeof answer.probe.body === 'string' ? answer.probe.body : `<${answer.probe.body.length} bytes>`, 120)}`;
      return `${answer.operation.method} ${answer.operation.template} [${answer.probe.label}] ${cut(answer.probe.path, 160)}${body} → ${answer.status} ${cut(answer.text)}`;
    })
    .join('\n');
}

beforeAll(async () => {
  t = await startTestServer();
  for (const user of Object.keys(demoUsers) as User[]) tokens[user] = await t.signIn(user);
  await discoverDemo();
  const device = await enrolDevice();
  booksBefore = await books();
  deviceEnvelope = await makeDeviceEnvelope();
  const document = (await t.request('GET', '/api/v1/openapi.json')).body;
  operations = operationsOf(document);
  const planned = operations.map((operation) => ({ operation, probes: probesOf(operation) }));
  answers = [...(await runAll(planned)), ...(await sendSignedBatches(device))];
}, 600_000);

afterAll(async () => {
  await t?.close();
  await dropTestDatabase();
});

describe('hostile input on every route of the OpenAPI document', () => {
  it('covers every operation, the device-signed sync routes and the transfer routes included, with at least 50 probes each', () => {
    const keys = operations.map((operation) => `${operation.method} ${operation.template}`);
    for (const expected of ['POST /api/v1/sync/push', 'POST /api/v1/sync/pull', 'POST /api/v1/sync/key-rotation', 'POST /api/v1/transfers', 'POST /api/v1/transfers/{pendingId}/post', 'POST /api/v1/transfers/{pendingId}/void', 'GET /ready']) {
      expect(keys).toContain(expected);
    }
    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(`${answer.operation.method} ${answer.operation.template}`, (counts.get(`${answer.operation.method} ${answer.operation.template}`) ?? 0) + 1);
    const thin = keys.filter((key) => (counts.get(key) ?? 0) < probesPerOperationMin).map((key) => `${key}: ${counts.get(key) ?? 0}`);
    expect(thin, 'operations with fewer than 50 probes').toEqual([]);
  });

  it('answers no hostile request with a 5xx (or with no answer at all)', () => {
    const offenders = answers.filter((answer) => answer.status >= 500);
    expect(offenders.length, `5xx answers:\n${report(offenders)}`).toBe(0);
  });

  it('answers every 4xx as problem+json with a stable code and a bounded detail that does not echo the input', () => {
    const malformed = answers.filter((answer) => {
      if (answer.status < 400 || answer.status >= 500) return false;
      if (!answer.contentType.startsWith('application/problem+json')) return true;
      const body = JSON.parse(answer.text) as { code?: unknown; detail?: unknown; instance?: unknown };
      const bounded = typeof body.detail === 'string' && body.detail.length <= 1_001 && (body.instance === undefined || (typeof body.instance === 'string' && body.instance.length <= 201));
      return typeof body.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.code) || !bounded || answer.text.length > 16 * 1024 || answer.text.includes('free text free text');
    });
    expect(malformed.length, `4xx answers that are not bounded problem+json with a code:\n${report(malformed)}`).toBe(0);
  });

  it('refuses with a 4xx what the edge must refuse: control characters, deep or oversized bodies, prototype keys, wrong content types', () => {
    const passed = answers.filter((answer) => answer.probe.mustRefuse && (answer.status < 400 || answer.status >= 500));
    expect(passed.length, `hostile requests not refused with a 4xx:\n${report(passed)}`).toBe(0);
  });

  it('changed nothing in the books: ledger totals, every account balance, pending approvals', async () => {
    expect(await books()).toEqual(booksBefore);
  });

  it('is healthy afterwards: /health and /ready answer 200, and alice can still take a cash deposit', async () => {
    expect((await t.request('GET', '/health')).status).toBe(200);
    expect((await t.request('GET', '/ready')).status).toBe(200);
    const accountId = realIds.accountId!;
    const before = await readJson(`/api/v1/accounts/${accountId}`, 'carol');
    const deposit = await t.request('POST', `/api/v1/till-sessions/${realIds.sessionId}/deposits`, {
      token: tokens.alice,
      body: { transferId: hex(16), accountId, money: { amount: '1234', currency: 'USD' } },
    });
    expect(deposit.status, JSON.stringify(deposit.body)).toBe(201);
    const after = await readJson(`/api/v1/accounts/${accountId}`, 'carol');
    expect(BigInt(after.balances.posted) - BigInt(before.balances.posted)).toBe(1234n);
  });
});

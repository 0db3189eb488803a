/**
 * Validation of a parsed FIN message: the headers, every block 4 field's characters and format,
 * the fields' presence, order and options for its type, and the type's network-validated rules.
 * Issues name the field as the standard does (`32A`, `seqB/59F`, `block3/121`) and the rule.
 */
import type { Issue } from '../payment/model';
import { matchFormat, firstNonXCharacter, charsetX } from './format';
import { amountIssues, dateIssues, markIssues, type MessageKind, type Rules } from './checks';
import { fieldFormats, uetrPattern } from './fields';
import { messageTypeOf, userHeaderValue, type FinMessage, type TextField } from './fin';
import { placeFields, slot, type Slot } from './structure';
import { mt103Rules } from './rules-mt103';
import { mt202Rules } from './rules-mt202';
import { statementRules } from './rules-statement';

/** The FIN limit on the text block of a user message, in characters. */
export const textBlockLengthMax = 10_000;

const partyOptions = 'AFK';
const mt103Slots: readonly Slot[] = [
  slot('20', '-', 'M'),
  slot('13', 'C', 'O', { repeats: true }),
  slot('23', 'B', 'M'),
  slot('23', 'E', 'O', { repeats: true }),
  slot('26', 'T', 'O'),
  slot('32', 'A', 'M'),
  slot('33', 'B', 'O'),
  slot('36', '-', 'O'),
  slot('50', partyOptions, 'M'),
  slot('51', 'A', 'O'),
  slot('52', 'AD', 'O'),
  slot('53', 'ABD', 'O'),
  slot('54', 'ABD', 'O'),
  slot('55', 'ABD', 'O'),
  slot('56', 'ACD', 'O'),
  slot('57', 'ABCD', 'O'),
  slot('59', '-AF', 'M'),
  slot('70', '-', 'O'),
  slot('71', 'A', 'M'),
  slot('71', 'F', 'O', { repeats: true }),
  slot('71', 'G', 'O'),
  slot('72', '-', 'O'),
  slot('77', 'B', 'O'),
  // MT103 REMIT ({119:REMIT}): the remittance envelope; the rules allow it only there, and 70 not with it.
  slot('77', 'T', 'O'),
];

const mt202SequenceA: readonly Slot[] = [
  slot('20', '-', 'M'),
  slot('21', '-', 'M'),
  slot('13', 'C', 'O', { repeats: true }),
  slot('32', 'A', 'M'),
  slot('52', 'AD', 'O'),
  slot('53', 'ABD', 'O'),
  slot('54', 'ABD', 'O'),
  slot('56', 'AD', 'O'),
  slot('57', 'ABD', 'O'),
  slot('58', 'AD', 'M'),
  slot('72', '-', 'O'),
];

const seqB = { sequence: 'seqB/' };
const mt202CovSlots: readonly Slot[] = [
  ...mt202SequenceA,
  slot('50', partyOptions, 'M', seqB),
  slot('52', 'AD', 'O', seqB),
  slot('56', 'ACD', 'O', seqB),
  slot('57', 'ABCD', 'O', seqB),
  slot('59', '-AF', 'M', seqB),
  slot('70', '-', 'O', seqB),
  slot('72', '-', 'O', seqB),
  slot('33', 'B', 'O', seqB),
];

const entry = { repeats: true, group: 'entry' };
const mt940Slots: readonly Slot[] = [
  slot('20', '-', 'M'),
  slot('21', '-', 'O'),
  slot('25', '-P', 'M'),
  slot('28', 'C', 'M'),
  slot('60', 'FM', 'M'),
  slot('61', '-', 'O', entry),
  slot('86', '-', 'O', { group: 'entry' }),
  slot('62', 'FM', 'M'),
  slot('64', '-', 'O'),
  slot('65', '-', 'O', { repeats: true }),
  slot('86', '-', 'O'),
];

const mt950Slots: readonly Slot[] = [
  slot('20', '-', 'M'),
  slot('25', '-', 'M'),
  slot('28', 'C', 'M'),
  slot('60', 'FM', 'M'),
  slot('61', '-', 'O', { repeats: true }),
  slot('62', 'FM', 'M'),
  slot('64', '-', 'O'),
];

const definitions: Readonly<Record<MessageKind, { readonly slots: readonly Slot[]; readonly rules: Rules }>> = {
  MT103: { slots: mt103Slots, rules: mt103Rules },
  MT202: { slots: mt202SequenceA, rules: mt202Rules },
  MT202COV: { slots: mt202CovSlots, rules: mt202Rules },
  MT940: { slots: mt940Slots, rules: statementRules },
  MT950: { slots: mt950Slots, rules: statementRules },
};

/** MT103, MT202, MT202COV (202 with {119:COV}), MT940, MT950; undefined for other types. */
export function messageKindOf(message: FinMessage): MessageKind | undefined {
  switch (messageTypeOf(message)) {
    case '103':
      return 'MT103';
    case '202':
      return userHeaderValue(message, '119') === 'COV' ? 'MT202COV' : 'MT202';
    case '940':
      return 'MT940';
    case '950':
      return 'MT950';
    default:
      return undefined;
  }
}

/** Every issue of the message; empty when the network would accept it (as far as these rules go). */
export function validateFin(message: FinMessage): Issue[] {
  const issues: Issue[] = [];
  if (message.applicationHeader === undefined) issues.push({ field: 'block2', rule: 'mandatory', message: 'the application header block {2:} is missing' });
  if (message.text === undefined) issues.push({ field: 'block4', rule: 'mandatory', message: 'the text block {4:} is missing' });
  const kind = messageKindOf(message);
  if (kind === undefined) {
    if (message.applicationHeader !== undefined) issues.push({ field: 'block2', rule: 'message_type', message: `MT${messageTypeOf(message) ?? ''} is not one of the types validated here (103, 202, 202 COV, 940, 950)` });
    return issues;
  }
  issues.push(...headerIssues(message, kind));
  const fields = message.text ?? [];
  const length = fields.reduce((sum, field) => sum + field.tag.length + field.value.length + 4, 0);
  if (length > textBlockLengthMax) issues.push({ field: 'block4', rule: 'length', message: `the text block is longer than ${textBlockLengthMax} characters` });
  const definition = definitions[kind];
  const placement = placeFields(definition.slots, fields);
  issues.push(...placement.issues);
  const names = new Map(placement.placed.map((entry) => [entry.field, entry.name]));
  for (const field of fields) issues.push(...fieldIssues(names.get(field) ?? field.tag, field));
  issues.push(...definition.rules({ message, kind, fields, placed: placement.placed }));
  return issues;
}

/** Block 1, block 2 and block 3 of a user message of this kind. */
function headerIssues(message: FinMessage, kind: MessageKind): Issue[] {
  const issues: Issue[] = [];
  const basic = message.basicHeader;
  if (basic.applicationId !== 'F' || basic.serviceId !== '01') issues.push({ field: 'block1', rule: 'format', message: 'a user message has F01 in its basic header' });
  const header = message.applicationHeader;
  if (header?.priority !== undefined && !['S', 'U', 'N'].includes(header.priority)) issues.push({ field: 'block2', rule: 'format', message: `priority ${header.priority} is not S, U or N` });
  const tags = message.userHeader ?? [];
  const uetr = userHeaderValue(message, '121');
  const needsUetr = kind === 'MT103' || kind === 'MT202' || kind === 'MT202COV';
  if (needsUetr && uetr === undefined) issues.push({ field: 'block3/121', rule: 'mandatory', message: 'the UETR (field 121) is mandatory' });
  if (uetr !== undefined && !uetrPattern.test(uetr)) issues.push({ field: 'block3/121', rule: 'format', message: `${uetr} is not a lower-case UUID version 4` });
  issues.push(...userHeaderTagIssues(tags, kind));
  return issues;
}

/** Block 3 tags in the order the standard lists them, each in its format. */
const userHeaderTags: readonly { readonly tag: string; readonly pattern: RegExp }[] = [
  { tag: '103', pattern: /^[A-Z]{3}$/ },
  { tag: '113', pattern: new RegExp(`^[${"A-Za-z0-9/\\-?:().,'+ "}]{4}$`) },
  { tag: '108', pattern: new RegExp(`^[${"A-Za-z0-9/\\-?:().,'+ "}]{1,16}$`) },
  { tag: '119', pattern: /^[A-Z0-9]{1,8}$/ },
  { tag: '423', pattern: /^\d{12}(\d{1,3})?$/ },
  { tag: '106', pattern: /^\d{6}[A-Z0-9]{12}\d{4}\d{6}$/ },
  { tag: '424', pattern: new RegExp(`^[${"A-Za-z0-9/\\-?:().,'+ "}]{1,16}$`) },
  { tag: '111', pattern: /^\d{3}$/ },
  { tag: '121', pattern: /^.+$/ },
  { tag: '115', pattern: /^.{1,32}$/ },
  { tag: '165', pattern: /^\/[A-Z0-9]{3}\/.{0,34}$/ },
  // Sanctions screening (433) and payment controls (434): `/3!a[/20x]`, the code alone or with information.
  { tag: '433', pattern: /^\/[A-Z]{3}(\/.{0,20})?$/ },
  { tag: '434', pattern: /^\/[A-Z]{3}(\/.{0,20})?$/ },
];

function userHeaderTagIssues(tags: readonly { readonly tag: string; readonly value: string }[], kind: MessageKind): Issue[] {
  const issues: Issue[] = [];
  let last = -1;
  for (const { tag, value } of tags) {
    const index = userHeaderTags.findIndex((known) => known.tag === tag);
    const known = userHeaderTags[index];
    if (known === undefined) {
      issues.push({ field: `block3/${tag}`, rule: 'not_allowed', message: `tag ${tag} is not a user header tag` });
      continue;
    }
    if (index <= last) issues.push({ field: `block3/${tag}`, rule: 'order', message: `tag ${tag} is out of order or repeated` });
    last = Math.max(last, index);
    if (!known.pattern.test(value)) issues.push({ field: `block3/${tag}`, rule: 'format', message: `${JSON.stringify(value)} is not a valid value of tag ${tag}` });
  }
  const validation = tags.find((entry) => entry.tag === '119')?.value;
  const allowed = kind === 'MT103' ? ['STP', 'REMIT'] : kind === 'MT202COV' ? ['COV'] : [];
  if (validation !== undefined && !allowed.includes(validation)) issues.push({ field: 'block3/119', rule: 'format', message: `validation flag ${validation} is not allowed in ${kind}` });
  return issues;
}

/** A continuation line starting with : or - (it would end the field or the block). */
const continuationStart = /\n[:-]/;

/** 77T (MT103 REMIT envelope contents) is `9000z`: the extended Z set, line breaks counted in the 9,000. */
export const envelopeContentsLengthMax = 9000;
const charsetZ = new RegExp(`^[${charsetX}=!"%&*<>;{@#_\\n]*$`);

function envelopeIssues(name: string, value: string): Issue[] {
  if (!charsetZ.test(value)) return [{ field: name, rule: 'charset_z', message: 'a character is outside the SWIFT Z character set' }];
  // On the network a line break is CRLF: two characters of the 9,000.
  const length = value.length + (value.split('\n').length - 1);
  if (value === '' || length > envelopeContentsLengthMax) return [{ field: name, rule: 'length', message: `77T holds 1 to ${envelopeContentsLengthMax} characters` }];
  return [];
}

/** Characters, line starts, format and the content every use of the field shares. */
function fieldIssues(name: string, field: TextField): Issue[] {
  if (field.tag === '77T') return envelopeIssues(name, field.value);
  const bad = firstNonXCharacter(field.value);
  if (bad !== undefined) return [{ field: name, rule: 'charset_x', message: `character ${JSON.stringify(bad)} is outside the SWIFT X character set` }];
  const issues: Issue[] = [];
  if (continuationStart.test(field.value)) {
    issues.push({ field: name, rule: 'line_start', message: 'a continuation line must not start with : or -' });
  }
  const spec = fieldFormats[field.tag];
  if (spec === undefined) return issues;
  const format = matchFormat(spec, field.value);
  if (!format.ok) return [...issues, { field: name, rule: format.rule, message: `${field.tag} ${format.message}` }];
  return [...issues, ...contentIssues(name, field.tag, format.parts)];
}

function contentIssues(name: string, tag: string, parts: readonly (string | undefined)[]): Issue[] {
  switch (tag) {
    case '20':
    case '21':
      return referenceIssues(name, parts[0] ?? '');
    case '32A':
      return [...dateIssues(name, parts[0] ?? ''), ...amountIssues(name, parts[1] ?? '', parts[2] ?? '')];
    case '33B':
    case '71F':
    case '71G':
      return amountIssues(name, parts[0] ?? '', parts[1] ?? '');
    case '60F':
    case '60M':
    case '62F':
    case '62M':
    case '64':
    case '65':
      return [...markIssues(name, parts[0] ?? ''), ...dateIssues(name, parts[1] ?? ''), ...amountIssues(name, parts[2] ?? '', parts[3] ?? '')];
    default:
      return [];
  }
}

/** T26: a reference must not start or end with a slash nor contain two slashes running. */
function referenceIssues(name: string, reference: string): Issue[] {
  if (reference.startsWith('/') || reference.endsWith('/') || reference.includes('//')) return [{ field: name, rule: 'slash', message: 'a reference must not start or end with / nor contain //' }];
  return [];
}

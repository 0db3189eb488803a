/**
 * Review fuzz: near-valid FIN and MX inputs (one valid message with a few characters inserted,
 * deleted or replaced) must never make the parser, validator, mappers or translator throw, and
 * every FIN text the parser accepts must rebuild byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFin, mt103ToCreditTransfer, mt202ToInstitutionTransfer, mtStatementToStatement, parseFin, parseMx, readSwiftMessage, translate, validateFin } from '@qenex/protocols';
import { seeds } from './messages';

const alphabet = ['{', '}', ':', '\r\n', '\n', '-', '/', '//', 'A', 'Z', '0', '9', ',', ' ', '1/', '3/', ':61:', ':86:', ':23E:', ':71F:', 'RC', 'D', 'C', 'NTRF', '{121:', '<', '>', '&', '\u00e9'];

const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace'), text: fc.constantFrom(...alphabet), length: fc.integer({ min: 1, max: 3 }) });

function mutate(text: string, edits: readonly { at: number; kind: string; text: string; length: number }[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    if (edit.kind === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else if (edit.kind === 'delete') out = out.slice(0, at) + out.slice(at + edit.length);
    else out = out.slice(0, at) + edit.text + out.slice(at + edit.length);
  }
  return out;
}

function exercise(text: string): void {
  const parsed = parseFin(text);
  if (parsed.ok) {
    expect(buildFin(parsed.value)).toBe(text);
    validateFin(parsed.value);
    const type = parsed.value.applicationHeader?.messageType;
    if (type === '103') mt103ToCreditTransfer(parsed.value);
    if (type === '202') mt202ToInstitutionTransfer(parsed.value);
    if (type === '940' || type === '950') mtStatementToStatement(parsed.value);
  }
  readSwiftMessage(text);
  translate(text, { creationDateTime: '2025-01-03T12:00:00+00:00' });
}

describe('review fuzz: no throw on near-valid input', () => {
  for (const [name, text] of Object.entries(seeds)) {
    it(`seed ${name} is itself accepted and rebuilt`, () => {
      const parsed = parseFin(text);
      expect(parsed.ok).toBe(true);
      exercise(text);
    });
    it(`mutations of ${name}`, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
          exercise(mutate(text, edits));
        }),
        { numRuns: 1500, seed: 20250103 },
      );
    });
  }
  it('random MX-ish text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        parseMx(`<Envelope xmlns="urn:swift:xsd:envelope">${text}</Envelope>`);
        translate(`<${text}`);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

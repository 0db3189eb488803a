/**
 * Hostile input: the reader and every parser answer with issues, never a throw, never an
 * expanded entity, never unbounded work.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMx } from './mx';
import { buildPacs008, parsePacs008 } from './pacs008';
import { exampleCreditTransfer } from './testing/arbitraries';
import { mxMessageCharsMax, readXml, xmlDepthMax } from './xml';

const built = buildPacs008(exampleCreditTransfer);
if (!built.ok) throw new Error('the example must build');
const xml = built.value;

function rules(text: string): string[] {
  const parsed = parseMx(text);
  expect(parsed.ok).toBe(false);
  return parsed.ok ? [] : parsed.issues.map((issue) => issue.rule);
}

describe('hostile XML gets issues, never a throw', () => {
  it('a billion-laughs entity bomb is refused unread', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Envelope xmlns="urn:swift:xsd:envelope">&lol2;</Envelope>`;
    expect(rules(bomb)).toEqual(['xml.doctype']);
  });

  it('an external entity (XXE) is refused unread, in any letter case', () => {
    expect(rules(`<?xml version="1.0"?><!doctype x [<!entity xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`)).toEqual(['xml.doctype']);
  });

  it('an entity reference without a declaration is refused, not passed through', () => {
    expect(rules(xml.replace('<Ustrd>Invoice', '<Ustrd>&xxe;Invoice'))).toContain('xml.entity');
  });

  it('a leading byte-order mark is not part of the document', () => {
    expect(parsePacs008(`\uFEFF${xml}`)).toEqual({ ok: true, value: exampleCreditTransfer });
  });

  it('character references and CDATA are decoded like the predefined entities', () => {
    const withReferences = xml.replace('Invoice 2025/117', '&#73;nvoice 2025&#x2F;117').replace('<TwnNm>Berlin</TwnNm>', '<TwnNm><![CDATA[Berlin]]></TwnNm>');
    expect(parsePacs008(withReferences)).toEqual({ ok: true, value: exampleCreditTransfer });
  });

  it(`input over ${mxMessageCharsMax} characters is refused unread`, () => {
    expect(rules(xml.replace('</Envelope>', `${' '.repeat(mxMessageCharsMax)}</Envelope>`))).toEqual(['xml.size']);
  });

  it(`nesting deeper than ${xmlDepthMax} is refused`, () => {
    const deep = `${'<a>'.repeat(xmlDepthMax + 1)}${'</a>'.repeat(xmlDepthMax + 1)}`;
    const read = readXml(deep);
    expect(read.ok ? [] : read.issues.map((issue) => issue.rule)).toEqual(['xml.size']);
  });

  it('malformed XML, a wrong envelope namespace, a Document without namespace, two roots', () => {
    expect(rules(xml.slice(0, -20))).toEqual(['xml.well_formed']);
    expect(rules(xml.replace('urn:swift:xsd:envelope', 'urn:other'))).toEqual(['mx.envelope']);
    expect(rules(xml.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"', ''))).toEqual(['mx.namespace']);
    expect(rules(`${xml.replace(/^<\?xml[^>]*\?>/, '')}<Envelope/>`)).toEqual(['xml.single_root']);
  });

  it('a Document element in the wrong namespace inside the right one is not read', () => {
    const foreign = xml.replace('<Dbtr>', '<Dbtr xmlns="urn:other">').replace('</Dbtr>', '</Dbtr>');
    expect(rules(foreign)).toContain('xml.element_not_supported');
  });

  it('missing elements are named', () => {
    const parsed = parsePacs008(xml.replace(/<Dbtr>.*?<\/Dbtr>/, ''));
    expect(parsed.ok ? [] : parsed.issues).toContainEqual(expect.objectContaining({ field: 'Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Dbtr', rule: 'xml.element_missing' }));
    expect(rules(xml.replace(/<AppHdr .*<\/AppHdr>/, ''))).toEqual(['mx.envelope']);
  });

  it('random text, and the message cut or spliced anywhere, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.tuple(fc.nat(xml.length), fc.nat(xml.length), fc.string({ maxLength: 20 })).map(([from, to, insert]) => xml.slice(0, Math.min(from, to)) + insert + xml.slice(Math.max(from, to)))), (text) => {
        const parsed = parseMx(text);
        expect(typeof parsed.ok).toBe('boolean');
        if (!parsed.ok) expect(parsed.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

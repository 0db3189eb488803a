import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeText, childElements, childText, collapseWhiteSpace, parseXml, utcInstant, xmlCharsMax, xmlDepthMax, xmlLimits, type XmlElement } from './xml';

function root(text: string): XmlElement {
  const result = parseXml(text);
  if (!result.ok) throw new Error(result.message);
  return result.root;
}

function refusal(text: string, limits = xmlLimits): string {
  const result = parseXml(text, limits);
  if (result.ok) throw new Error('accepted');
  return result.message;
}

/** The classic "billion laughs": ten levels of ten references, a billion "lol"s from a kilobyte. */
const billionLaughs = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  '  <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, level) => `  <!ENTITY lol${level + 1} "${`&lol${level === 0 ? '' : level};`.repeat(10)}">`),
  ']>',
  '<lolz>&lol9;</lolz>',
].join('\n');

describe('parseXml on well-formed documents', () => {
  it('reads elements, attributes, text and local names, skipping the declaration, comments and processing instructions', () => {
    const document = root(
      '\ufeff<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- a comment -->\n<?style x?>' +
        '<ofac:sdnList xmlns:ofac="urn:x" a="1" b = \'two\'><ofac:sdnEntry><uid>7</uid><empty/><note>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#x1F600;</note></ofac:sdnEntry><!-- between --><sdnEntry/></ofac:sdnList>\n<!-- after -->\n',
    );
    expect(document.name).toBe('sdnList');
    expect([...document.attributes]).toEqual([['xmlns:ofac', 'urn:x'], ['a', '1'], ['b', 'two']]);
    expect(childElements(document, 'sdnEntry')).toHaveLength(2);
    const entry = document.children[0]!;
    expect(childText(entry, 'uid')).toBe('7');
    expect(childText(entry, 'empty')).toBeUndefined();
    expect(childText(entry, 'missing')).toBeUndefined();
    expect(childText(entry, 'note')).toBe('a <b> & "c" \'d\' AB😀');
  });

  it('keeps CDATA as written, normalises line ends to LF and white space in attributes to spaces', () => {
    const document = root('<a x="1\r\n2\t3&#10;4">one\r\ntwo\rthree<![CDATA[<not> &markup;]]></a>');
    expect(document.text).toBe('one\ntwo\nthree<not> &markup;');
    expect(document.attributes.get('x')).toBe('1 2 3\n4');
    expect(attributeText(document, 'x')).toBe('1 2 3 4');
  });

  it('collapses white space of every kind for names, as XML Schema does', () => {
    expect(collapseWhiteSpace('  FARDC\u00a0 General \n')).toBe('FARDC General');
  });

  it('accepts nesting exactly at the depth limit', () => {
    const depth = xmlDepthMax;
    expect(root(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`).name).toBe('a');
  });
});

describe('parseXml on hostile or malformed input', () => {
  it('refuses a DTD: no entity expansion (billion laughs), no external entity (XXE)', () => {
    const started = performance.now();
    expect(refusal(billionLaughs)).toMatch(/document type declaration \(DTD\)/);
    expect(performance.now() - started).toBeLessThan(100);
    expect(refusal('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')).toMatch(/DTD/);
    expect(refusal('<!DOCTYPE html><html/>')).toMatch(/DTD/);
    expect(refusal('<x><!ENTITY e "x"></x>')).toMatch(/DTD/);
  });

  it('refuses a reference to any entity but the five XML defines, and a bare &', () => {
    expect(refusal('<x>&lol9;</x>')).toMatch(/&lol9; is not one of XML's five/);
    expect(refusal('<x>&nbsp;</x>')).toMatch(/not one of XML's five/);
    expect(refusal('<x a="&e;"/>')).toMatch(/not one of XML's five/);
    expect(refusal('<x>Tom & Jerry</x>')).toMatch(/a & that starts no reference/);
    expect(refusal('<x>&constructor;</x>')).toMatch(/not one of XML's five/);
  });

  it('refuses deep nesting at the limit, without running off the stack', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(refusal(deep)).toMatch(new RegExp(`nested over ${xmlDepthMax} deep`));
    expect(refusal(`${'<a>'.repeat(xmlDepthMax + 1)}${'</a>'.repeat(xmlDepthMax + 1)}`)).toMatch(/nested over/);
  });

  it('refuses a document over its length, element or attribute limits', () => {
    expect(refusal('<a>xxxx</a>', { ...xmlLimits, charsMax: 10 })).toMatch(/over 10 characters/);
    expect(refusal(`<a>${'<b/>'.repeat(11)}</a>`, { ...xmlLimits, elementsMax: 10 })).toMatch(/more than 10 elements/);
    expect(refusal(`<a ${Array.from({ length: 65 }, (_, index) => `a${index}="1"`).join(' ')}/>`)).toMatch(/over 64 attributes/);
    expect(refusal(`<${'a'.repeat(257)}/>`)).toMatch(/a name over 256 characters/);
  });

  it('refuses a huge input at once, by its length, before reading it', () => {
    const huge = '<a>'.padEnd(xmlCharsMax + 1, 'x');
    const started = performance.now();
    expect(refusal(huge)).toMatch(new RegExp(`over ${xmlCharsMax} characters`));
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses what is not well-formed', () => {
    expect(refusal('')).toMatch(/no root element/);
    expect(refusal('  \n')).toMatch(/no root element/);
    expect(refusal('<a><b></a></b>')).toMatch(/<\/a> where <\/b> is expected/);
    expect(refusal('<a>')).toMatch(/ends inside <a>/);
    expect(refusal('</a>')).toMatch(/no element is open/);
    expect(refusal('<a/><b/>')).toMatch(/a second root element <b>/);
    expect(refusal('text<a/>')).toMatch(/text outside the root/);
    expect(refusal('<a/>text')).toMatch(/text outside the root/);
    expect(refusal('<a x="1" x="2"/>')).toMatch(/the attribute x twice/);
    expect(refusal('<a x=1/>')).toMatch(/not quoted/);
    expect(refusal('<a x="1/>')).toMatch(/never closed/);
    expect(refusal('<a x="<"/>')).toMatch(/a < in the value/);
    expect(refusal('<a x="1"y="2"/>')).toMatch(/malformed/);
    expect(refusal('<a x/>')).toMatch(/has no value/);
    expect(refusal('<1a/>')).toMatch(/without a valid name/);
    expect(refusal('<a><!-- never closed</a>')).toMatch(/comment is never closed/);
    expect(refusal('<a><![CDATA[x</a>')).toMatch(/CDATA section is never closed/);
    expect(refusal('<a>]]></a>')).toMatch(/\]\]> in text/);
    expect(refusal('<a/><?xml version="1.0"?>')).toMatch(/not at the very start/);
    expect(refusal('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toMatch(/encoding ISO-8859-1; only UTF-8/);
    expect(refusal('<?xml encoding="UTF-8"?><a/>')).toMatch(/malformed XML declaration/);
  });

  it('refuses characters XML does not allow, written or referenced, and says on which line', () => {
    expect(refusal('<a>\n\n\u0000</a>')).toMatch(/^line 3: a character XML does not allow/);
    expect(refusal('<a>\u001b</a>')).toMatch(/character XML does not allow/);
    expect(refusal('<a>\ud800</a>')).toMatch(/character XML does not allow/);
    expect(refusal('<a>\uffff</a>')).toMatch(/character XML does not allow/);
    expect(refusal('<a>&#0;</a>')).toMatch(/names a character XML does not allow/);
    expect(refusal('<a>&#xD800;</a>')).toMatch(/names a character XML does not allow/);
    expect(refusal('<a>&#x110000;</a>')).toMatch(/names a character XML does not allow/);
  });

  it('never throws, whatever the input: a document or a refusal (property)', () => {
    const fragments = fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<c/>', '&amp;', '&', '<!--', '-->', '<![CDATA[', ']]>', '<!DOCTYPE a>', '<?x?>', '"', "'", '=', ' ', 'text', '\u0000', '\ud800');
    const inputs = fc.oneof(fc.string(), fc.array(fragments, { maxLength: 40 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(inputs, (input) => {
        const result = parseXml(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('utcInstant', () => {
  it('gives the UTC instant of an xs:dateTime with a zone, to the millisecond', () => {
    expect(utcInstant('2026-02-27T00:00:09.554Z')).toBe('2026-02-27T00:00:09.554Z');
    expect(utcInstant('2026-08-05T16:47:04.449+02:00')).toBe('2026-08-05T14:47:04.449Z');
    expect(utcInstant('2026-01-01T01:00:00-05:30')).toBe('2026-01-01T06:30:00.000Z');
    expect(utcInstant('2026-01-01T00:00:00.1234567Z')).toBe('2026-01-01T00:00:00.123Z');
  });

  it('gives nothing for a time without a zone or a date that does not exist', () => {
    for (const text of ['2026-02-27T00:00:09', '2026-02-27', '2026-04-31T00:00:00Z', '2026-02-27T24:00:00Z', '27/02/2026', '']) expect(utcInstant(text)).toBeUndefined();
  });
});

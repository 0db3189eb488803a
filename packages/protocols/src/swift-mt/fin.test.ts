import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFin, parseFin, type FinIssue } from './fin';
import { finText, mt103Base, mt202CovBase, mt940Base, mt950Base, sampleUetr } from './test-messages';

const crlf = finText(mt103Base, { trailer: '{5:{MAC:00000000}{CHK:1A2B3C4D5E6F}}' });

function issueOf(text: string): FinIssue {
  const result = parseFin(text);
  if (result.ok) throw new Error('expected a parse error');
  return result.issues[0] as FinIssue;
}

describe('parseFin and buildFin', () => {
  it('reads the five blocks into their parts', () => {
    const result = parseFin(crlf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const message = result.value;
    expect(message.basicHeader).toEqual({ applicationId: 'F', serviceId: '01', logicalTerminal: 'BANKDEFFAXXX', sessionNumber: '0000', sequenceNumber: '000000' });
    expect(message.applicationHeader).toEqual({ direction: 'I', messageType: '103', destination: 'BANKITRRXXXX', priority: 'N' });
    expect(message.userHeader).toEqual([{ tag: '121', value: sampleUetr }]);
    expect(message.text?.find((field) => field.tag === '50K')?.value).toBe('/DE44500105175407324931\nANNA SCHMIDT\nLINDENALLEE 12\n60311 FRANKFURT');
    expect(message.trailer).toEqual([
      { tag: 'MAC', value: '00000000' },
      { tag: 'CHK', value: '1A2B3C4D5E6F' },
    ]);
    expect(message.layout?.lineBreak).toBe('\r\n');
  });

  it.each([
    ['CRLF', finText(mt103Base)],
    ['LF', finText(mt103Base, { lineBreak: '\n' })],
    ['LF with a final newline', `${finText(mt103Base, { lineBreak: '\n' })}\n`],
    ['CRLF with trailer and trailing CRLF', `${crlf}\r\n`],
    ['MT202 COV', finText(mt202CovBase, { type: '202', userHeader: `{119:COV}{121:${sampleUetr}}` })],
    ['MT940', finText(mt940Base, { type: '940', userHeader: '' })],
    ['MT950', finText(mt950Base, { type: '950', userHeader: '' })],
    ['blocks out of order with an unknown block S', `{1:F01BANKDEFFAXXX0000000000}{3:{108:ABC}{999:X}}{2:I103BANKITRRXXXXN}{4:\r\n:20:X\r\n-}{S:{SAC:}{COP:P}}{5:{TNG:}}`],
    ['an output header', `{1:F01BANKITRRAXXX1234123456}{2:O1031130240115BANKDEFFAXXX00011234562401151131N}{4:\r\n:20:X\r\n-}`],
    ['a system block 4 of tags', `{1:F21BANKDEFFAXXX0000000000}{4:{177:2401151130}{451:0}}`],
    ['an empty text block', `{1:F01BANKDEFFAXXX0000000000}{2:I103BANKITRRXXXXN}{4:\r\n-}`],
  ])('gives back the same bytes: %s', (_, text) => {
    const result = parseFin(text);
    expect(result.ok).toBe(true);
    if (result.ok) expect(buildFin(result.value)).toBe(text);
  });

  it('writes a message without a layout in block order with CRLF', () => {
    const result = parseFin(finText(mt103Base, { lineBreak: '\n' }));
    if (!result.ok) throw new Error('parse');
    const { layout: _layout, ...bare } = result.value;
    expect(buildFin(bare)).toBe(finText(mt103Base));
  });

  it('names the block, field and line of a parse error', () => {
    expect(issueOf('{1:F01BANKDEFFAXXX000000000}')).toMatchObject({ field: 'block1', rule: 'format', line: 1 });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{2:X103BANKITRRXXXXN}')).toMatchObject({ field: 'block2', rule: 'format' });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{4:\r\n:20:X\r\n')).toMatchObject({ field: 'block4', rule: 'format', line: 2 });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{4:\r\nNOFIELD\r\n-}')).toMatchObject({ field: 'block4', rule: 'format', line: 2 });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{4:\r\n:20:X\r\n:21:Y\n:23B:CRED\r\n-}')).toMatchObject({ field: 'block4', rule: 'line_ending', line: 3 });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{1:F01BANKDEFFAXXX0000000000}')).toMatchObject({ field: 'block1', rule: 'duplicate' });
    expect(issueOf('{2:I103BANKITRRXXXXN}')).toMatchObject({ field: 'block1', rule: 'mandatory' });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000}{3:{121:abc}')).toMatchObject({ field: 'block3', rule: 'format' });
    expect(issueOf('{1:F01BANKDEFFAXXX0000000000} ')).toMatchObject({ field: 'message', rule: 'format' });
  });

  it('refuses input longer than the limit unread', () => {
    expect(issueOf(`{1:F01BANKDEFFAXXX0000000000}{4:\r\n:20:${'A'.repeat(100_000)}\r\n-}`)).toMatchObject({ rule: 'length' });
  });

  it('gives back the same bytes for every message it accepts (mutated messages)', () => {
    const seeds = [crlf, finText(mt940Base, { type: '940', lineBreak: '\n' }), finText(mt202CovBase, { type: '202' })];
    const alphabet = ['{', '}', ':', '\r\n', '\n', '\r', '-', 'A', '1', '/', ' ', ':20:', '{3:', '}{'];
    const mutation = fc.record({
      seed: fc.constantFrom(...seeds),
      edits: fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 4 }), insert: fc.array(fc.constantFrom(...alphabet), { maxLength: 3 }) }), { maxLength: 4 }),
    });
    let accepted = 0;
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let text = seed;
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          text = text.slice(0, at) + edit.insert.join('') + text.slice(at + edit.cut);
        }
        const result = parseFin(text);
        if (result.ok) {
          accepted += 1;
          expect(buildFin(result.value)).toBe(text);
        } else expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLine, joinLines, wrapText } from './text';

describe('fitting text into MT lines', () => {
  it('cuts a long line with the + marker', () => {
    expect(fitLine('A'.repeat(36), 35)).toEqual({ line: `${'A'.repeat(34)}+`, cut: true });
    expect(fitLine('A'.repeat(35), 35)).toEqual({ line: 'A'.repeat(35), cut: false });
  });

  it('writes a wrapped line that would start with : or - with a space before it', () => {
    expect(wrapText(`${'A'.repeat(35)}-B`, 35, 4).lines).toEqual(['A'.repeat(35), ' -B']);
    expect(wrapText('-'.repeat(70), 35, 4).lines).toEqual(['-'.repeat(35), ` ${'-'.repeat(34)}`, ' -']);
    expect(wrapText(':X', 35, 4, true).lines).toEqual([' :X']);
  });

  it('never starts a continuation line with : or -, and joinLines gives the text back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('A', ' ', '-', ':', '/'), minLength: 1, maxLength: 120 }), fc.boolean(), (text, continues) => {
        const { lines, cut } = wrapText(text, 35, 5, continues);
        if (cut) return;
        expect(joinLines(lines, 35, continues)).toBe(text);
        for (const line of continues ? lines : lines.slice(1)) expect(line).not.toMatch(/^[-:]/);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(35);
      }),
      { numRuns: 2000 },
    );
  });

  it('joins narrative lines: a full line runs on, a shorter one ended at a word (a space goes between)', () => {
    expect(joinLines(['LINE ONE OF INFORMATION', 'LINE TWO'], 65)).toBe('LINE ONE OF INFORMATION LINE TWO');
    expect(joinLines([`${'A'.repeat(34)}B`, 'CDE'], 35)).toBe(`${'A'.repeat(34)}BCDE`);
    expect(joinLines(['ENDS WITH SPACE ', 'NEXT'], 35)).toBe('ENDS WITH SPACE NEXT');
  });

  it('cuts the last line with + when the text needs more lines than there are', () => {
    const { lines, cut } = wrapText('B'.repeat(200), 35, 4);
    expect(cut).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(`${'B'.repeat(34)}+`);
  });
});

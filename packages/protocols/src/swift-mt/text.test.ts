import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLine, wrapText } from './text';

describe('fitting text into MT lines', () => {
  it('cuts a long line with the + marker', () => {
    expect(fitLine('A'.repeat(36), 35)).toEqual({ line: `${'A'.repeat(34)}+`, cut: true });
    expect(fitLine('A'.repeat(35), 35)).toEqual({ line: 'A'.repeat(35), cut: false });
  });

  it('never starts a wrapped line with : or -, and concatenating the lines gives the text back', () => {
    expect(wrapText(`${'A'.repeat(35)}-B`, 35, 4).lines).toEqual([`${'A'.repeat(34)}`, 'A-B']);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('A', ' ', '-', ':', '/'), minLength: 1, maxLength: 120 }).filter((text) => !/^[-:]/.test(text) && !/^[-:]+$/.test(text.slice(1))), (text) => {
        const { lines, cut } = wrapText(text, 35, 4);
        expect(cut).toBe(false);
        expect(lines.join('')).toBe(text);
        for (const line of lines.slice(1)) expect(line).not.toMatch(/^[-:]/);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(35);
      }),
    );
  });

  it('cuts the last line with + when the text needs more lines than there are', () => {
    const { lines, cut } = wrapText('B'.repeat(200), 35, 4);
    expect(cut).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(`${'B'.repeat(34)}+`);
  });
});

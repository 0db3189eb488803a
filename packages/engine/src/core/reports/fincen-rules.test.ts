import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrativeBlockCharsMax, narrativeCharsMax } from './fincen-codes';
import { charCount, dollarsRoundedUp, fincenDate, isFincenText, narrativeBlocks } from './fincen-rules';

describe('whole dollars', () => {
  it("rounds every amount up to the next whole dollar, FinCEN's $15,265.25 → 15266", () => {
    expect(dollarsRoundedUp(1_526_525n)).toBe(15_266n);
    expect(dollarsRoundedUp(1_526_500n)).toBe(15_265n);
    expect(dollarsRoundedUp(1n)).toBe(1n);
    expect(dollarsRoundedUp(0n)).toBe(0n);
  });

  it('is the least whole number of dollars not below the amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n }), (cents) => {
        const dollars = dollarsRoundedUp(cents);
        return dollars * 100n >= cents && (dollars - 1n) * 100n < cents;
      }),
    );
  });
});

describe('dates', () => {
  it("are written YYYYMMDD, real calendar days of 1900–2099 only (the schemas' (19|20)YYMMDD)", () => {
    expect(fincenDate('2024-02-29')).toBe('20240229');
    expect(fincenDate('2000-02-29')).toBe('20000229');
    expect(fincenDate('1900-02-29')).toBeUndefined();
    expect(fincenDate('2023-02-29')).toBeUndefined();
    expect(fincenDate('2024-13-05')).toBeUndefined();
    expect(fincenDate('2024-04-31')).toBeUndefined();
    expect(fincenDate('1899-12-31')).toBeUndefined();
    expect(fincenDate('2100-01-01')).toBeUndefined();
    expect(fincenDate('20240501')).toBeUndefined();
    expect(fincenDate('2024-5-1')).toBeUndefined();
  });

  it('agree with the calendar for every day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (day) => {
        const iso = day.toISOString().slice(0, 10);
        return fincenDate(iso) === iso.replace(/-/g, '');
      }),
    );
  });
});

describe('FinCEN text', () => {
  it('is \\S+( +\\S+)* with XSD whitespace, and no control characters', () => {
    for (const good of ['x', 'Zoë', 'a  b', 'O\'Brien & <Sons>', '中村', '😀 x', 'no\u00a0break']) expect(isFincenText(good)).toBe(true);
    for (const bad of ['', ' x', 'x ', '  ', 'a\tb', 'a\nb', 'a\rb', 'a\u0007b', '\ud800x', 'x\uffff']) expect(isFincenText(bad)).toBe(false);
  });

  it('counts characters as code points, as XML does', () => {
    expect(charCount('😀é')).toBe(2);
    expect('😀é'.length).toBe(3);
  });
});

describe('narrative blocks', () => {
  it('cuts 17,000 characters into five blocks, 4,000 each and the rest', () => {
    const blocks = narrativeBlocks('a'.repeat(narrativeCharsMax));
    expect(blocks?.map((block) => block.length)).toEqual([4_000, 4_000, 4_000, 4_000, 1_000]);
  });

  it('moves a cut next to a space back into the word before it', () => {
    const narrative = `${'a'.repeat(3_999)} ${'b'.repeat(10)}`;
    const blocks = narrativeBlocks(narrative);
    expect(blocks?.map((block) => block.length)).toEqual([3_998, 12]);
    expect(blocks?.join('')).toBe(narrative);
  });

  it('gives up when no cut avoids a space (a space every other character)', () => {
    expect(narrativeBlocks('a '.repeat(2_500).trimEnd())).toBeUndefined();
  });

  it('keeps the text whole, every block within 4,000 characters and free of edge spaces', () => {
    const words = fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '😀', '<', '&'), minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 900 });
    fc.assert(
      fc.property(words, fc.constantFrom(' ', '  '), (parts, separator) => {
        const narrative = parts.join(separator);
        const blocks = narrativeBlocks(narrative);
        if (blocks === undefined) return charCount(narrative) > narrativeBlockCharsMax * 5;
        return blocks.join('') === narrative && blocks.every((block) => charCount(block) <= narrativeBlockCharsMax && isFincenText(block));
      }),
      { numRuns: 200 },
    );
  });
});

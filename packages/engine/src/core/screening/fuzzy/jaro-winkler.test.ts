import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler } from './jaro-winkler';

describe('jaro and jaroWinkler', () => {
  it("give Winkler's published values", () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.944, 3);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
  });

  it('are 1 for equal strings and 0 when nothing matches or one side is empty', () => {
    expect(jaroWinkler('saddam', 'saddam')).toBe(1);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('abc', '')).toBe(0);
  });

  it('reward a common prefix only past the boost threshold', () => {
    expect(jaroWinkler('hussein', 'husein')).toBeGreaterThan(jaro('hussein', 'husein'));
    expect(jaroWinkler('abcdxyz', 'abcwqrs')).toBe(jaro('abcdxyz', 'abcwqrs'));
  });

  const word = fc.string({ unit: fc.constantFrom(...'abcdehikmnorsuy'), maxLength: 12 });

  it('are symmetric and within [0, 1], for any two words (property)', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const forward = jaroWinkler(a, b);
        expect(forward).toBe(jaroWinkler(b, a));
        expect(jaro(a, b)).toBe(jaro(b, a));
        expect(forward).toBeGreaterThanOrEqual(0);
        expect(forward).toBeLessThanOrEqual(1);
        expect(forward).toBeGreaterThanOrEqual(jaro(a, b));
      }),
      { numRuns: 2_000 },
    );
  });
});

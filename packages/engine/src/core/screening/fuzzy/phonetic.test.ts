import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phoneticKey, phoneticKeyCharsMax } from './phonetic';

describe('phoneticKey', () => {
  it('gives the spellings of one name one key', () => {
    const families = [
      ['mohammed', 'muhammad', 'mohamed', 'mhmd'],
      ['qadhafi', 'gaddafi', 'kadafi', 'gadhafi'],
      ['hussein', 'husayn', 'husain', 'khusein'],
      ['yusuf', 'yousef', 'iosif'],
      ['abdullah', 'abdulla'],
      ['dawood', 'daoud'],
      ['vladimir', 'wladimir'],
      ['tsarnaev', 'tzarnaev'],
    ];
    for (const family of families) expect(new Set(family.map(phoneticKey)), family.join(', ')).toHaveProperty('size', 1);
  });

  it('keeps different names apart', () => {
    expect(phoneticKey('hassan')).not.toBe(phoneticKey('omar'));
    expect(phoneticKey('saddam')).not.toBe(phoneticKey('salim'));
    expect(phoneticKey('ivanov')).not.toBe(phoneticKey('ivanenko'));
  });

  it('has no key for a token outside a-z and 0-9', () => {
    expect(phoneticKey('金正恩')).toBe('');
    expect(phoneticKey('путин')).toBe('');
    expect(phoneticKey('')).toBe('');
  });

  it('is a short upper-case code, the same for the same token (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), maxLength: 20 }), (token) => {
        const key = phoneticKey(token);
        expect(key).toMatch(/^[A-Z0-9]*$/);
        expect(key.length).toBeLessThanOrEqual(phoneticKeyCharsMax);
        expect(phoneticKey(token)).toBe(key);
        if (token !== '') expect(key).not.toBe('');
      }),
      { numRuns: 2_000 },
    );
  });
});

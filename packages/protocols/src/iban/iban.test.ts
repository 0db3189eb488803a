import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBbanStructure, type BbanCharacterKind } from './bban-format';
import { ibanCheckDigits, ibanPrintForm, isIban, validateIban, type IbanResult } from './iban';
import { nationalCheckCountries } from './national';
import { ibanCountries, ibanCountry, type IbanCountry } from './registry';
import { registryExamples } from './registry-examples';

const digits = '0123456789';
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const alphabetOf: Record<BbanCharacterKind, string> = {
  n: digits,
  a: letters,
  c: digits + letters,
  e: ' ',
};

function errorOf(result: IbanResult): string {
  return result.ok ? 'ok' : result.error;
}

/** An IBAN from a country and BBAN, with correct ISO 13616 check digits. */
function compose(country: string, bban: string): string {
  return country + ibanCheckDigits(country, bban) + bban;
}

function replaceAt(text: string, index: number, character: string): string {
  return text.slice(0, index) + character + text.slice(index + 1);
}

function entry(country: string): IbanCountry {
  const found = ibanCountry(country);
  if (found === undefined) throw new Error(`no registry entry ${country}`);
  return found;
}

describe('the registry', () => {
  it('has the 89 countries of Release 100, each once, with an example', () => {
    expect(ibanCountries).toHaveLength(89);
    expect(new Set(ibanCountries.map((country) => country.country)).size).toBe(89);
    expect(registryExamples.map((example) => example.country)).toEqual(ibanCountries.map((country) => country.country));
  });

  it('includes the recent entries (FK, MN, NI, OM, SO, HN, YE, DJ, BI) and XK', () => {
    for (const code of ['FK', 'MN', 'NI', 'OM', 'SO', 'HN', 'YE', 'DJ', 'BI', 'XK'])
      expect(ibanCountry(code)).toBeDefined();
  });

  it('leaves territories to the country whose code they use', () => {
    for (const code of ['AX', 'GF', 'GP', 'RE', 'NC', 'IM', 'JE', 'GG']) {
      expect(errorOf(validateIban(`${code}00123456789012345`))).toBe('country_unknown');
    }
  });

  it('interprets the notation: lengths and kinds by position', () => {
    const structure = compileBbanStructure('4!a6!n8!c');
    expect(structure.length).toBe(18);
    expect(structure.positions.slice(3, 5)).toEqual(['a', 'n']);
    expect(() => compileBbanStructure('4a6!n')).toThrow(/cannot read/);
    expect(() => compileBbanStructure('31!n')).toThrow(/outside/);
  });
});

describe('registry examples', () => {
  it.each(registryExamples)('$country: $print validates with its identifiers', (example) => {
    const result = validateIban(example.electronic);
    if (!result.ok) throw new Error(`${example.electronic}: ${result.error} ${result.message}`);
    expect(result.iban.country).toBe(example.country);
    expect(result.iban.electronic).toBe(example.electronic);
    expect(result.iban.bankCode).toBe(example.bankCode);
    expect(result.iban.branchCode).toBe(example.branchCode);
    expect(result.iban.checkDigits + result.iban.bban).toBe(example.electronic.slice(2));
    expect(validateIban(example.print)).toEqual(result);
    expect(result.iban.print.replaceAll(' ', '')).toBe(example.electronic);
  });

  it('reads the account number as the BBAN after the identifiers', () => {
    const result = validateIban('GB29NWBK60161331926819');
    expect(result.ok && result.iban).toMatchObject({
      bankCode: 'NWBK',
      branchCode: '601613',
      accountNumber: '31926819',
    });
    const italy = validateIban('IT60X0542811101000000123456');
    expect(italy.ok && italy.iban).toMatchObject({
      bankCode: '05428',
      branchCode: '11101',
      accountNumber: '000000123456',
    });
    const france = validateIban('FR1420041010050500013M02606');
    expect(france.ok && france.iban).toMatchObject({
      bankCode: '20041',
      branchCode: '01005',
      accountNumber: '0500013M02606',
    });
  });

  it('prints in groups of four', () => {
    expect(ibanPrintForm('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
    const result = validateIban('BI4210000100010000332045181');
    expect(result.ok && result.iban.print).toBe('BI42 1000 0100 0100 0033 2045 181');
  });
});

describe('refusals', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['', 'iban_too_short'],
    ['DE89', 'iban_too_short'],
    ['DE89 3704 0044 0532 0130 00 1234 5678 9012 3', 'iban_too_long'],
    ['X'.repeat(200), 'iban_too_long'],
    ['de89370400440532013000', 'lower_case'],
    ['DE89 3704 0044 0532 0130 0o', 'lower_case'],
    ['DE89-3704-0044-0532-0130-00', 'characters'],
    [' DE89370400440532013000', 'characters'],
    ['DE89370400440532013000 ', 'characters'],
    ['DE89  3704 0044 0532 0130 00', 'characters'],
    ['DE89\t3704004405320130 00', 'characters'],
    ['DE89\u00a03704004405320130 00', 'characters'],
    ['ZZ89370400440532013000', 'country_unknown'],
    ['US89370400440532013000', 'country_unknown'],
    ['12893704004405320130', 'country_unknown'],
    ['DE8937040044053201300', 'length_wrong'],
    ['DE893704004405320130000', 'length_wrong'],
    ['DEX9370400440532013000', 'check_digits_format'],
    ['DE8937040044053201300A', 'bban_format'],
    ['GB29NW3K60161331926819', 'bban_format'],
    ['DE88370400440532013000', 'checksum'],
    ['DE89370400440532013001', 'checksum'],
    ['DE89370400440523013000', 'checksum'],
  ];
  it.each(cases)('%j is refused: %s', (text, error) => {
    const result = validateIban(text);
    expect(errorOf(result)).toBe(error);
    expect(result.ok || result.message.length > 10).toBe(true);
    expect(isIban(text)).toBe(false);
  });

  it('names the position and the structure in a format error', () => {
    const result = validateIban('GB29NW3K60161331926819');
    expect(result.ok ? '' : result.message).toBe(
      'character 7 of the IBAN (BBAN position 3) must be an upper-case letter: GB BBANs are 4!a6!n8!n',
    );
  });

  it('refuses check digits 00, 01 and 99 even where MOD 97 alone would pass (ISO 13616: 02–98)', () => {
    // DE with remainder such that 97/98/02 are the true check digits: search the account number.
    const found = { '00': false, '01': false, '99': false };
    for (let account = 0; account < 2000 && Object.values(found).includes(false); account++) {
      const bban = `37040044${String(account).padStart(10, '0')}`;
      const check = ibanCheckDigits('DE', bban);
      const alias = check === '97' ? '00' : check === '98' ? '01' : check === '02' ? '99' : null;
      if (alias === null) continue;
      expect(errorOf(validateIban(`DE${alias}${bban}`))).toBe('checksum');
      found[alias] = true;
    }
    expect(found).toEqual({ '00': true, '01': true, '99': true });
  });
});

/** Where each national scheme keeps its check characters (BBAN positions, 0-based). */
const nationalCheckPositions: Record<string, readonly number[]> = {
  BE: [10, 11],
  FR: [21, 22],
  MC: [21, 22],
  ES: [8, 9],
  IT: [0],
  SM: [0],
  NO: [10],
  FI: [13],
  PT: [19, 20],
  SI: [13, 14],
  ME: [16, 17],
  RS: [16, 17],
  BA: [14, 15],
  MK: [13, 14],
  EE: [15],
  PL: [7],
  CZ: [9, 19],
  SK: [9, 19],
  HU: [7, 15, 23],
  HR: [6, 16],
  IS: [20],
};

describe('national check digits', () => {
  it('covers exactly the countries listed', () => {
    expect([...nationalCheckCountries].sort()).toEqual(Object.keys(nationalCheckPositions).sort());
  });

  it.each(Object.entries(nationalCheckPositions))(
    '%s: a wrong check character is refused as national_check',
    (country, positions) => {
      const example = registryExamples.find((candidate) => candidate.country === country);
      if (example === undefined) throw new Error(country);
      const bban = example.electronic.slice(4);
      for (const position of positions) {
        const original = bban[position] as string;
        const alphabet = digits.includes(original) ? digits : letters;
        for (const replacement of alphabet) {
          if (replacement === original) continue;
          const altered = compose(country, replaceAt(bban, position, replacement));
          expect(errorOf(validateIban(altered)), altered).toBe('national_check');
        }
      }
    },
  );

  it('passes countries without an implemented scheme unchecked, and says so', () => {
    const result = validateIban('DE89370400440532013000');
    expect(result.ok && result.iban.nationalCheck).toBe('not_implemented');
    const belgium = validateIban('BE68539007547034');
    expect(belgium.ok && belgium.iban.nationalCheck).toBe('passed');
  });

  it('checks the RIB key with letters in the account (France, Monaco)', () => {
    // The registry example has 0500013M026: M counts 4 under the RIB letter table.
    expect(isIban('FR1420041010050500013M02606')).toBe(true);
    expect(errorOf(validateIban(compose('FR', '20041010050500013N02606')))).toBe('national_check');
  });

  it('leaves a North Macedonian BBAN with letters unchecked (its scheme is defined on digits)', () => {
    expect(isIban(compose('MK', '250120000A58984'))).toBe(true);
    expect(errorOf(validateIban(compose('MK', '250120000058985')))).toBe('national_check');
  });
});

/** A BBAN drawn to fit the country's structure. */
function bbanArbitrary(country: IbanCountry): fc.Arbitrary<string> {
  const characters = country.structure.positions.map((kind) => fc.constantFrom(...alphabetOf[kind]));
  return fc.tuple(...characters).map((chosen) => chosen.join(''));
}

/** An IBAN that passes every IBAN-level check (its national digits may or may not hold). */
const structurallyValidIban = fc
  .constantFrom(...ibanCountries)
  .chain((country) => bbanArbitrary(country).map((bban) => compose(country.country, bban)));

function isStructurallyValid(result: IbanResult): boolean {
  return result.ok || result.error === 'national_check';
}

function kindOf(character: string): 'digit' | 'letter' {
  return digits.includes(character) ? 'digit' : 'letter';
}

describe('what MOD 97-10 catches', () => {
  it('every generated IBAN is structurally valid (the generator is sound)', () => {
    fc.assert(fc.property(structurallyValidIban, (iban) => isStructurallyValid(validateIban(iban))));
  });

  it('refuses any single substitution of a digit by a digit or a letter by a letter', () => {
    const mutation = structurallyValidIban.chain((iban) =>
      fc.record({
        iban: fc.constant(iban),
        index: fc.nat({ max: iban.length - 1 }),
        shift: fc.integer({ min: 1, max: 35 }),
      }),
    );
    fc.assert(
      fc.property(mutation, ({ iban, index, shift }) => {
        const original = iban[index] as string;
        const alphabet = kindOf(original) === 'digit' ? digits : letters;
        const replacement = alphabet[(alphabet.indexOf(original) + shift) % alphabet.length] as string;
        fc.pre(replacement !== original);
        expect(isStructurallyValid(validateIban(replaceAt(iban, index, replacement)))).toBe(false);
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses any swap of two different adjacent characters of the same kind', () => {
    const mutation = structurallyValidIban.chain((iban) =>
      fc.record({
        iban: fc.constant(iban),
        index: fc.nat({ max: iban.length - 2 }),
      }),
    );
    fc.assert(
      fc.property(mutation, ({ iban, index }) => {
        const [first, second] = [iban[index] as string, iban[index + 1] as string];
        fc.pre(first !== second && kindOf(first) === kindOf(second));
        const swapped = iban.slice(0, index) + second + first + iban.slice(index + 2);
        expect(isStructurallyValid(validateIban(swapped))).toBe(false);
      }),
      { numRuns: 20_000 },
    );
  });

  it('does not catch every digit-letter swap: 1B and B1 fold to the same digits (111)', () => {
    // The claim "all adjacent transpositions" holds for digit-digit and letter-letter only. Where the
    // structure allows both kinds (c), swapping 1 and B (also 2-M, 3-X) leaves the number unchanged.
    const cyprus = compose('CY', '00200128000000120052761B');
    const swapped = cyprus.slice(0, -2) + 'B1';
    expect(isIban(cyprus)).toBe(true);
    expect(isIban(swapped)).toBe(true);
    // Where the structure fixes the kind (GB's bank code is 4!a), the format check catches it instead.
    expect(errorOf(validateIban('GB29NW1B60161331926819'))).toBe('bban_format');
  });
});

describe('print form and electronic form', () => {
  it('agree: the same result, and each prints back to the other', () => {
    fc.assert(
      fc.property(structurallyValidIban, (iban) => {
        const electronic = validateIban(iban);
        const printed = validateIban(ibanPrintForm(iban));
        expect(printed).toEqual(electronic);
        if (electronic.ok) expect(electronic.iban.print).toBe(ibanPrintForm(iban));
      }),
      { numRuns: 5_000 },
    );
  });

  it('agree on refusals too: a broken IBAN is refused alike in either form', () => {
    fc.assert(
      fc.property(structurallyValidIban, fc.nat(), (iban, seed) => {
        const index = 4 + (seed % (iban.length - 4));
        const broken = replaceAt(iban, index, iban[index] === '7' ? '8' : '7');
        expect(errorOf(validateIban(ibanPrintForm(broken)))).toBe(errorOf(validateIban(broken)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts any single-space grouping, as the registry prints some countries', () => {
    expect(isIban('SV 62 CENR 00000000000000700025')).toBe(true);
    expect(isIban('LY83 002 048 000020100120361')).toBe(true);
    expect(isIban('D E 8 9 3 7 0 4 0 0 4 4 0 5 3 2 0 1 3 0 0 0')).toBe(true);
  });
});

describe('composing', () => {
  it('gives check digits 02–98 that validate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ibanCountries).chain(bbanArbitrary),
        fc.constantFrom('DE', 'FR', 'ZZ'),
        (bban, country) => {
          const check = Number(ibanCheckDigits(country, bban));
          expect(check).toBeGreaterThanOrEqual(2);
          expect(check).toBeLessThanOrEqual(98);
        },
      ),
    );
    expect(ibanCheckDigits('DE', '370400440532013000')).toBe('89');
    expect(entry('DE').length).toBe(22);
    expect(() => ibanCheckDigits('de', '1')).toThrow();
  });
});

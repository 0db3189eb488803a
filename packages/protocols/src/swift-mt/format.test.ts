import { describe, expect, it } from 'vitest';
import { compileFormat, firstNonXCharacter, matchFormat } from './format';
import { fieldFormats } from './fields';

describe('the format-spec interpreter', () => {
  it('splits 6!n3!a15d into date, currency and amount', () => {
    expect(matchFormat('6!n3!a15d', '240115EUR1000,5')).toEqual({ ok: true, parts: ['240115', 'EUR', '1000,5'] });
  });

  it('tells a part too long (length) from a wrong shape (format)', () => {
    expect(matchFormat('16x', 'A'.repeat(17))).toMatchObject({ ok: false, rule: 'length' });
    expect(matchFormat('16x', 'A'.repeat(16))).toMatchObject({ ok: true });
    expect(matchFormat('6!n3!a15d', '24011EUR1,')).toMatchObject({ ok: false, rule: 'length' });
    expect(matchFormat('6!n3!a15d', '240115eur1,')).toMatchObject({ ok: false, rule: 'format' });
  });

  it('requires the decimal comma of a d amount and at most 15 characters', () => {
    expect(matchFormat('3!a15d', 'EUR100')).toMatchObject({ ok: false, rule: 'format' });
    expect(matchFormat('3!a15d', 'EUR100,')).toMatchObject({ ok: true });
    expect(matchFormat('3!a15d', 'EUR1,0,0')).toMatchObject({ ok: false, rule: 'format' });
    expect(matchFormat('3!a15d', `EUR${'9'.repeat(14)},`)).toMatchObject({ ok: true });
    expect(matchFormat('3!a15d', `EUR${'9'.repeat(15)},`)).toMatchObject({ ok: false, rule: 'length' });
  });

  it('counts lines of 4*35x', () => {
    expect(matchFormat('4*35x', 'A\nB\nC\nD')).toMatchObject({ ok: true });
    expect(matchFormat('4*35x', 'A\nB\nC\nD\nE')).toMatchObject({ ok: false, rule: 'length' });
    expect(matchFormat('4*35x', `${'A'.repeat(36)}`)).toMatchObject({ ok: false, rule: 'length' });
  });

  it('reads the optional party identifier of option A and the BIC after it', () => {
    const spec = fieldFormats['52A'] ?? '';
    expect(matchFormat(spec, 'BANKDEFF')).toMatchObject({ ok: true });
    expect(matchFormat(spec, '/D/12345\nBANKDEFF123')).toMatchObject({ ok: true });
    expect(matchFormat(spec, '//FW026009593\nBANKUS33')).toMatchObject({ ok: true });
    expect(matchFormat(spec, 'BANKDE')).toMatchObject({ ok: false });
  });

  it('chooses between the alternatives of 50F identifiers', () => {
    const spec = fieldFormats['50F'] ?? '';
    expect(matchFormat(spec, '/DE44500105175407324931\n1/ANNA SCHMIDT')).toMatchObject({ ok: true });
    expect(matchFormat(spec, 'CCPT/DE/X1234567\n1/ANNA SCHMIDT')).toMatchObject({ ok: true });
    expect(matchFormat(spec, 'CCPT/DEU/X1234567\n1/ANNA SCHMIDT')).toMatchObject({ ok: false });
    expect(matchFormat(spec, '/DE44\n1/A\n2/B\n3/DE/C\n4/19800101\n5/DE/X')).toMatchObject({ ok: false, rule: 'length' });
  });

  it('splits a 61 statement line into its subfields, the // reference included', () => {
    const result = matchFormat(fieldFormats['61'] ?? '', '2401310131RDR150,25NTRFREF1//SERVREF\nSUPPLEMENT');
    expect(result).toEqual({ ok: true, parts: ['240131', '0131', 'RD', 'R', '150,25', 'N', 'TRF', 'REF1', 'SERVREF', 'SUPPLEMENT'] });
    const plain = matchFormat(fieldFormats['61'] ?? '', '240131C1,NMSCNONREF');
    expect(plain).toEqual({ ok: true, parts: ['240131', undefined, 'C', undefined, '1,', 'N', 'MSC', 'NONREF', undefined, undefined] });
  });

  it('finds the first character outside the X set and accepts every X character', () => {
    expect(firstNonXCharacter("AZaz09/-?:().,'+ \nX")).toBeUndefined();
    expect(firstNonXCharacter('MÜLLER')).toBe('Ü');
    expect(firstNonXCharacter('A&B')).toBe('&');
    expect(firstNonXCharacter('A_B')).toBe('_');
  });

  it('refuses a malformed spec as a programming error', () => {
    expect(() => compileFormat('3!q')).toThrow(SyntaxError);
    expect(() => compileFormat('[3!a')).toThrow(SyntaxError);
  });

  it('compiles every field format of the table', () => {
    for (const spec of Object.values(fieldFormats)) expect(() => compileFormat(spec)).not.toThrow();
  });
});

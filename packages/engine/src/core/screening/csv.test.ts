import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvOptions } from './csv';

const three: CsvOptions = { fieldsPerRecord: 3, recordsMax: 10, fieldCharsMax: 100 };

function records(text: string, options: CsvOptions = three): string[][] {
  const result = parseCsv(text, options);
  if (!result.ok) throw new Error(result.message);
  return result.records;
}

function refusal(text: string, options: CsvOptions = three): string {
  const result = parseCsv(text, options);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(text)}`);
  return result.message;
}

describe('parseCsv', () => {
  it('reads CRLF, LF and a last record without a line break', () => {
    expect(records('a,b,c\r\nd,e,f\ng,h,i')).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g', 'h', 'i'],
    ]);
  });

  it('keeps commas, line breaks and doubled quotes inside a quoted field', () => {
    expect(records('1,"CECOEX, S.A.","say ""hi"""\r\n2,"two\r\nlines",""\r\n')).toEqual([
      ['1', 'CECOEX, S.A.', 'say "hi"'],
      ['2', 'two\r\nlines', ''],
    ]);
  });

  it("keeps OFAC's -0- null marker with its trailing space (the caller decides what it means) and empty fields", () => {
    expect(records('36,"AEROCARIBBEAN AIRLINES",-0- \r\n,,\r\n')).toEqual([
      ['36', 'AEROCARIBBEAN AIRLINES', '-0- '],
      ['', '', ''],
    ]);
    expect(records('a,b,')).toEqual([['a', 'b', '']]);
  });

  it('drops one Ctrl-Z at the end of the file, after the last CRLF or without it, and a byte-order mark', () => {
    expect(records('a,b,c\r\n\u001a')).toEqual([['a', 'b', 'c']]);
    expect(records('a,b,c\u001a')).toEqual([['a', 'b', 'c']]);
    expect(records('\ufeffa,b,c\r\n')).toEqual([['a', 'b', 'c']]);
    expect(records('\u001a')).toEqual([]);
    expect(records('')).toEqual([]);
  });

  it('refuses a Ctrl-Z anywhere but the end', () => {
    expect(refusal('a,b\u001a,c\r\n')).toMatch(/Ctrl-Z/);
    expect(refusal('a,b,c\r\n\u001a\u001a')).toMatch(/Ctrl-Z/);
  });

  it('refuses what RFC 4180 does not allow, naming the line', () => {
    expect(refusal('a,b,c\r\nd,"e,f\r\n')).toMatch(/line 2: a quoted field is never closed/);
    expect(refusal('a,"b"x,c')).toMatch(/line 1: text after a closing quote/);
    expect(refusal('a,b"c,d')).toMatch(/line 1: a quote inside an unquoted field/);
  });

  it('refuses a record with another number of fields, a blank line included', () => {
    expect(refusal('a,b,c\r\nd,e\r\n')).toMatch(/line 2: 2 fields where 3 are expected/);
    expect(refusal('a,b,c\r\n\r\nd,e,f')).toMatch(/line 2: 1 fields where 3 are expected/);
    expect(refusal('a,b,c,d')).toMatch(/4 fields/);
  });

  it('counts lines inside quoted fields when it names a line', () => {
    expect(refusal('a,"x\r\ny",c\r\nd,e\r\n')).toMatch(/line 3: 2 fields/);
  });

  it('holds to its limits on records and field length', () => {
    expect(records('a,b,c\r\n'.repeat(10))).toHaveLength(10);
    expect(refusal('a,b,c\r\n'.repeat(11))).toMatch(/more than 10 records/);
    expect(records(`a,"${'x'.repeat(100)}",c`)).toHaveLength(1);
    expect(refusal(`a,"${'x'.repeat(101)}",c`)).toMatch(/over 100 characters/);
  });
});

import { describe, expect, it } from 'vitest';
import { finText, mt940Base, mt950Base, parsed, type Fields } from './test-messages';
import { validateFin } from './validate';

function broken(fields: Fields, type = '940'): string[] {
  return validateFin(parsed(finText(fields, { type, userHeader: '' }))).map((issue) => `${issue.field} ${issue.rule}`);
}

function replaced(fields: Fields, index: number, field: readonly [string, string]): Fields {
  return fields.map((entry, at) => (at === index ? field : entry));
}

describe('MT940 and MT950 validation', () => {
  it('accepts the base statements', () => {
    expect(broken(mt940Base)).toEqual([]);
    expect(broken(mt950Base, '950')).toEqual([]);
  });

  it('C1: an 86 among the entries follows a 61', () => {
    const early: Fields = [...mt940Base.slice(0, 4), ['86', 'ORPHAN'], ...mt940Base.slice(4)];
    expect(broken(early)).toContain('86 C1');
    expect(broken(mt940Base)).not.toContain('86 C1');
  });

  it('C2: every balance in one currency', () => {
    expect(broken(replaced(mt940Base, 9, ['65', 'C240201USD12349,75']))).toEqual(['62a C2']);
    expect(broken(replaced(mt940Base, 9, ['65', 'D240201EUR1,00']))).toEqual([]);
  });

  it('checks each 61: its dates, mark, amount decimals and transaction type', () => {
    expect(broken(replaced(mt940Base, 6, ['61', '240132D150,25NMSCNONREF']))).toEqual(['61[1] date']);
    expect(broken(replaced(mt940Base, 6, ['61', '2401311301D150,25NMSCNONREF']))).toEqual(['61[1] date']);
    expect(broken(replaced(mt940Base, 6, ['61', '240131X150,25NMSCNONREF']))).toEqual(['61 format']);
    expect(broken(replaced(mt940Base, 6, ['61', '240131D150,251NMSCNONREF']))).toEqual(['61[1] amount_decimals']);
    expect(broken(replaced(mt940Base, 6, ['61', '240131D150,25XMSCNONREF']))).toEqual(['61[1] format']);
    expect(broken(replaced(mt940Base, 6, ['61', '240131D150,25SABCNONREF']))).toEqual(['61[1] format']);
    expect(broken(replaced(mt940Base, 6, ['61', '240131RD150,25S103NONREF']))).toEqual([]);
    expect(broken(replaced(mt940Base, 6, ['61', `240131D150,25NMSC${'R'.repeat(17)}`]))).toEqual(['61 length']);
  });

  it('checks balance marks and the structure of each type', () => {
    expect(broken(replaced(mt940Base, 3, ['60F', 'X240130EUR10000,00']))).toEqual(['60F format']);
    expect(broken(mt940Base.filter(([tag]) => tag !== '62F'))).toContain('62a mandatory');
    expect(broken(mt940Base.filter(([tag]) => tag !== '28C'))).toEqual(['28C mandatory']);
    expect(broken(mt950Base.filter(([tag]) => tag !== '60F'), '950')).toEqual(['60a mandatory']);
    expect(broken([...mt950Base.slice(0, 5), ['86', 'NOT IN 950'], ...mt950Base.slice(5)], '950')).toEqual(['86 not_allowed']);
    expect(broken(replaced(mt940Base, 3, ['60X', 'C240130EUR10000,00']))).toContain('60X option');
  });
});

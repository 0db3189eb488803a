import { describe, expect, it } from 'vitest';
import { finText, mt202Base, mt202CovBase, parsed, sampleUetr, type Fields } from './test-messages';
import { validateFin } from './validate';

const cov = `{119:COV}{121:${sampleUetr}}`;

function broken(fields: Fields, userHeader?: string): string[] {
  return validateFin(parsed(finText(fields, { type: '202', receiver: 'BANKUS33XXXX', ...(userHeader === undefined ? {} : { userHeader }) }))).map((issue) => `${issue.field} ${issue.rule}`);
}

function insertAfter(fields: Fields, after: string, added: Fields, occurrence = 0): Fields {
  let seen = -1;
  const at = fields.findIndex(([tag]) => tag === after && ++seen === occurrence);
  return [...fields.slice(0, at + 1), ...added, ...fields.slice(at + 1)];
}

describe('MT202 and MT202 COV validation', () => {
  it('accepts the base messages', () => {
    expect(broken(mt202Base)).toEqual([]);
    expect(broken(mt202CovBase, cov)).toEqual([]);
  });

  it('C1: 56a needs 57a in sequence A, quiet when 57a is there', () => {
    expect(broken(insertAfter(mt202Base, '52A', [['56A', 'BANKGB2L']]))).toEqual(['57a C1']);
    expect(broken(insertAfter(mt202Base, '52A', [['56A', 'BANKGB2L'], ['57A', 'BANKUS44']]))).toEqual([]);
  });

  it('C2: in a COV, 56a needs 57a in sequence B too', () => {
    const withoutB57 = mt202CovBase.filter(([tag], index) => !(tag === '57A' && index > 5));
    expect(broken(insertAfter(withoutB57, '52A', [['56A', 'BANKGB2L']], 0), cov)).toEqual(['seqB/57a C2']);
    expect(broken(insertAfter(mt202CovBase, '52A', [['56A', 'BANKGB2L']], 0), cov)).toEqual([]);
  });

  it('sequence B of a COV needs 50a and 59a, with their options', () => {
    expect(broken(mt202CovBase.filter(([tag]) => tag !== '50K'), cov)).toEqual(['seqB/50a mandatory']);
    expect(broken(mt202CovBase.filter(([tag]) => tag !== '59'), cov)).toEqual(['seqB/59a mandatory']);
    expect(broken(mt202CovBase.map(([tag, value]) => (tag === '50K' ? ['50D', value] : [tag, value])), cov)).toContain('seqB/50D option');
  });

  it('a plain 202 has no sequence B, 58a is mandatory, 52a has options A and D only', () => {
    expect(broken(mt202CovBase)).toContain('50K not_allowed');
    expect(broken(mt202Base.filter(([tag]) => tag !== '58A'))).toEqual(['58a mandatory']);
    expect(broken(mt202Base.map(([tag, value]) => (tag === '52A' ? ['52C', '/123456'] : [tag, value])))).toEqual(['52C option']);
    expect(broken(mt202Base.filter(([tag]) => tag !== '21'))).toEqual(['21 mandatory']);
    expect(broken(mt202Base.map(([tag, value]) => (tag === '21' ? ['21', 'REL/'] : [tag, value])))).toEqual(['21 slash']);
  });
});

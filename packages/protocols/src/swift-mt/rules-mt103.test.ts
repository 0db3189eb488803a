import { describe, expect, it } from 'vitest';
import type { Issue } from '../payment/model';
import { editMt103, finText, parsed, sampleUetr, type Envelope, type Fields } from './test-messages';
import { validateFin } from './validate';

function issues(fields: Fields, envelope?: Envelope): Issue[] {
  return validateFin(parsed(finText(fields, envelope)));
}

/** The rules an edit of the base message breaks, as `field rule`. */
function broken(changes: Parameters<typeof editMt103>[0], envelope?: Envelope): string[] {
  return issues(editMt103(changes), envelope).map((issue) => `${issue.field} ${issue.rule}`);
}

/** Outside the EU/EEA so that C2 stays quiet unless a case is about it. */
const toUs: Envelope = { receiver: 'BANKUS33XXXX' };

describe('MT103 validation', () => {
  it('accepts the base message', () => {
    expect(broken({})).toEqual([]);
  });

  describe.each<[string, string, Parameters<typeof editMt103>[0], Parameters<typeof editMt103>[0], Envelope?]>([
    ['C1', '36', { set: [['33B', 'USD2700,00']] }, { set: [['33B', 'USD2700,00'], ['36', '1,08']] }],
    ['C1', '36', { set: [['36', '1,08']] }, {}],
    ['C3', '23E', { set: [['23B', 'SPRI'], ['23E', 'CHQB']], remove: [] }, { set: [['23B', 'SPRI'], ['23E', 'SDVA']] }],
    ['C3', '23E', { set: [['23B', 'SSTD'], ['23E', 'SDVA']] }, { set: [['23B', 'CRED'], ['23E', 'SDVA']] }],
    ['C4', '53D', { set: [['23B', 'SSTD'], ['53D', 'CORRESPONDENT BANK\nLONDON']] }, { set: [['23B', 'CRED'], ['53D', 'CORRESPONDENT BANK\nLONDON']] }],
    ['C5', '53B', { set: [['23B', 'SPAY'], ['53B', 'LONDON']] }, { set: [['23B', 'SPAY'], ['53B', '/12345678']] }],
    ['C6', '54B', { set: [['23B', 'SPAY'], ['54B', 'FRANKFURT']] }, { set: [['23B', 'SPAY'], ['54A', 'BANKDEFF']] }],
    ['C7', '55a', { set: [['53A', 'BANKGB2L'], ['55A', 'BANKCHZZ']] }, { set: [['53A', 'BANKGB2L'], ['54A', 'BANKITMM'], ['55A', 'BANKCHZZ']] }],
    ['C8', '55D', { set: [['23B', 'SSTD'], ['53A', 'BANKGB2L'], ['54A', 'BANKITMM'], ['55D', 'THIRD BANK\nZURICH']] }, { set: [['23B', 'SSTD'], ['53A', 'BANKGB2L'], ['54A', 'BANKITMM'], ['55A', 'BANKCHZZ']] }],
    ['C9', '57a', { set: [['56A', 'BANKGB2L']] }, { set: [['56A', 'BANKGB2L'], ['57A', 'BANKITMM']] }],
    ['C10', '56A', { set: [['23B', 'SPRI'], ['56A', 'BANKGB2L'], ['57A', 'BANKITMM']] }, { set: [['23B', 'SSTD'], ['56A', 'BANKGB2L'], ['57A', 'BANKITMM']] }],
    ['C10', '56D', { set: [['23B', 'SSTD'], ['56D', 'INTERMEDIARY BANK\nLONDON'], ['57A', 'BANKITMM']] }, { set: [['23B', 'SSTD'], ['56C', '//SC200000'], ['57A', 'BANKITMM']] }],
    ['C11', '57B', { set: [['23B', 'SPRI'], ['57B', '/1234\nMILANO']] }, { set: [['23B', 'CRED'], ['57B', '/1234\nMILANO']] }],
    ['C11', '57D', { set: [['23B', 'SPRI'], ['57D', 'BANCA ESEMPIO\nMILANO']] }, { set: [['23B', 'SPRI'], ['57D', '/IT12\nBANCA ESEMPIO\nMILANO']] }],
    ['C12', '59', { set: [['23B', 'SPRI'], ['59', 'MARCO ROSSI\nVIA ROMA 5']] }, { set: [['23B', 'SPRI']] }],
    ['C13', '59', { set: [['23E', 'CHQB']] }, { set: [['23E', 'CHQB'], ['59', 'MARCO ROSSI\nVIA ROMA 5']] }],
    ['C14', '71F', { set: [['71A', 'OUR'], ['71F', 'EUR10,00']] }, { set: [['71A', 'OUR'], ['71G', 'EUR10,00']] }],
    ['C14', '71G', { set: [['71A', 'SHA'], ['71G', 'EUR10,00']] }, { set: [['71A', 'SHA'], ['71F', 'EUR10,00']] }],
    ['C14', '71F', { set: [['71A', 'BEN']] }, { set: [['71A', 'BEN'], ['71F', 'EUR10,00']] }],
    ['C14', '71G', { set: [['71A', 'BEN'], ['71F', 'EUR10,00'], ['71G', 'EUR5,00']] }, { set: [['71A', 'BEN'], ['71F', 'EUR10,00'], ['71F', 'EUR5,00']] }],
    ['C15', '33B', { set: [['71F', 'EUR10,00']], remove: ['33B'] }, { remove: ['33B'] }, toUs],
    ['C16', '23E', { set: [['23E', 'TELI']] }, { set: [['23E', 'TELI'], ['56A', 'BANKGB2L'], ['57A', 'BANKITMM']] }],
    ['C17', '23E', { set: [['23E', 'PHON']] }, { set: [['23E', 'PHON'], ['57A', 'BANKITMM']] }],
    ['C18', '71G', { set: [['71A', 'OUR'], ['71G', 'USD10,00']] }, { set: [['71A', 'OUR'], ['71G', 'EUR10,00']] }],
  ])('%s on %s', (rule, field, fires, quiet, envelope) => {
    it('fires on its pattern', () => {
      expect(broken(fires, envelope)).toContain(`${field} ${rule}`);
    });
    it('is quiet on a near miss', () => {
      expect(broken(quiet, envelope)).toEqual([]);
    });
  });

  it('C2: 33B is mandatory between EU/EEA countries (sender and receiver BIC), not otherwise', () => {
    expect(broken({ remove: ['33B'] })).toEqual(['33B C2']);
    expect(broken({ remove: ['33B'] }, toUs)).toEqual([]);
    expect(broken({ remove: ['33B'] }, { sender: 'BANKCHZZAXXX', receiver: 'BANKNO22XXXX' })).toEqual(['33B C2']);
    expect(broken({ remove: ['33B'] }, { sender: 'BANKJPJTAXXX', receiver: 'BANKNO22XXXX' })).toEqual([]);
  });

  it('checks the character set, naming the field', () => {
    expect(broken({ set: [['70', 'RENT JANUARY & FEBRUARY']] })).toEqual(['70 charset_x']);
    expect(broken({ set: [['70', 'RENT JANUARY {X}']] })).toEqual(['70 charset_x']);
  });

  it('checks lengths and formats through the field table', () => {
    expect(broken({ set: [['20', 'A'.repeat(17)]] })).toEqual(['20 length']);
    expect(broken({ set: [['70', 'A\nB\nC\nD\nE']] })).toEqual(['70 length']);
    expect(broken({ set: [['32A', '240115EUR2500']] })).toEqual(['32A format']);
    expect(broken({ set: [['32A', '240115EUR2500,00'], ['33B', 'EUR2500,001']] })).toEqual(['33B amount_decimals']);
    expect(broken({ set: [['32A', '240115JPY2500,5'], ['33B', 'JPY2500,']] })).toEqual(['32A amount_decimals']);
    expect(broken({ set: [['32A', '240115JPY2500,'], ['33B', 'JPY2500,']] })).toEqual([]);
    expect(broken({ set: [['32A', '240231EUR2500,00']] })).toEqual(['32A date']);
    expect(broken({ set: [['32A', '240115XXY2500,00']] })).toContain('32A currency');
    expect(broken({ set: [['70', 'LINE ONE\n-LINE TWO']] })).toEqual(['70 line_start']);
  });

  it('checks the T26 slash rule of the reference', () => {
    expect(broken({ set: [['20', '/REF']] })).toEqual(['20 slash']);
    expect(broken({ set: [['20', 'RE//F']] })).toEqual(['20 slash']);
    expect(broken({ set: [['20', 'RE/F']] })).toEqual([]);
  });

  it('names missing mandatory fields, wrong options and fields out of order', () => {
    expect(broken({ remove: ['71A'] })).toEqual(['71A mandatory']);
    expect(broken({ remove: ['50'] })).toEqual(['50a mandatory']);
    expect(broken({ set: [['50D', 'ANNA SCHMIDT']] })).toEqual(['50D option']);
    expect(broken({ set: [['52B', 'FRANKFURT']] })).toEqual(['52B option']);
    expect(broken({ set: [['59B', 'MARCO ROSSI']] })).toEqual(['59B option']);
    expect(broken({ set: [['21', 'NOTHERE']] })).toEqual(['21 not_allowed']);
    const swapped = editMt103({}).slice();
    [swapped[0], swapped[1]] = [swapped[1] as readonly [string, string], swapped[0] as readonly [string, string]];
    expect(issues(swapped).map((issue) => issue.rule)).toContain('order');
  });

  it('checks the codes of 23B and 23E, their order and additional information', () => {
    expect(broken({ set: [['23B', 'XXXX']] })).toEqual(['23B code']);
    expect(broken({ set: [['23E', 'ABCD']] })).toEqual(['23E code']);
    expect(broken({ set: [['23E', 'SDVA/NOW']] })).toEqual(['23E code']);
    expect(broken({ set: [['23E', 'PHOB/+4969123456']] })).toEqual([]);
    const disordered = editMt103({ set: [['23E', 'CORT'], ['23E', 'SDVA']] });
    expect(issues(disordered).map((issue) => `${issue.field} ${issue.rule}`)).toEqual(['23E order']);
  });

  it('needs the UETR in block 3, a lower-case UUID v4, and the tags in order', () => {
    expect(issues(editMt103({}), { userHeader: '' }).map((issue) => `${issue.field} ${issue.rule}`)).toEqual(['block3/121 mandatory']);
    expect(issues(editMt103({}), { userHeader: `{121:${sampleUetr.toUpperCase()}}` }).map((issue) => issue.field)).toEqual(['block3/121']);
    expect(issues(editMt103({}), { userHeader: '{121:4f1c2a9e-7b3d-1c6e-9a1f-0d2e3b4c5a6f}' }).map((issue) => issue.rule)).toEqual(['format']);
    expect(issues(editMt103({}), { userHeader: `{121:${sampleUetr}}{108:MUR}` }).map((issue) => `${issue.field} ${issue.rule}`)).toEqual(['block3/108 order']);
    expect(issues(editMt103({}), { userHeader: `{108:MUR}{119:STP}{111:001}{121:${sampleUetr}}` })).toEqual([]);
    expect(issues(editMt103({}), { userHeader: `{119:COV}{121:${sampleUetr}}` }).map((issue) => issue.field)).toEqual(['block3/119']);
  });

  it('applies the STP options with {119:STP}', () => {
    const stp: Envelope = { userHeader: `{119:STP}{121:${sampleUetr}}` };
    expect(broken({ set: [['52D', 'ORDERING BANK\nBERLIN']] }, stp)).toEqual(['52D stp']);
    expect(broken({ set: [['52A', 'BANKDEBB']] }, stp)).toEqual([]);
    expect(broken({ set: [['52D', 'ORDERING BANK\nBERLIN']] })).toEqual([]);
  });

  it('limits the text block to 10,000 characters', () => {
    const long = editMt103({ set: [['72', Array.from({ length: 6 }, () => 'A'.repeat(35)).join('\n')]] });
    expect(issues(long).map((issue) => issue.rule)).not.toContain('length');
  });
});

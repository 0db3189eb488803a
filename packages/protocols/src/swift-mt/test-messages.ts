/**
 * Messages for the tests, composed here from the standard's field specifications (no sample
 * copied): a base MT103, MT202, MT202 COV, MT940 and MT950 as field lists, and the helpers that
 * change one field and write the message in the order the standard lists the fields.
 */
import { parseFin, type FinMessage } from './fin';

export type Fields = readonly (readonly [string, string])[];

export const sampleUetr = '4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f';

export const mt103Base: Fields = [
  ['20', 'PAYREF240115A'],
  ['23B', 'CRED'],
  ['32A', '240115EUR2500,00'],
  ['33B', 'EUR2500,00'],
  ['50K', '/DE44500105175407324931\nANNA SCHMIDT\nLINDENALLEE 12\n60311 FRANKFURT'],
  ['59', '/IT60X0542811101000000123456\nMARCO ROSSI\nVIA ROMA 5\n00184 ROMA'],
  ['70', '/ROC/ORDER-2024-17\nRENT JANUARY'],
  ['71A', 'SHA'],
];

const mt103Order = ['20', '13C', '23B', '23E', '26T', '32A', '33B', '36', '50', '51A', '52', '53', '54', '55', '56', '57', '59', '70', '71A', '71F', '71G', '72', '77B', '77T'];

function rankOf(order: readonly string[], tag: string): number {
  const exact = order.indexOf(tag);
  return exact !== -1 ? exact : order.indexOf(tag.slice(0, 2));
}

/** The base with fields set (replacing any of the same number and letter group), removed, and sorted in MT103 order. */
export function editMt103(changes: { readonly set?: Fields; readonly remove?: readonly string[] }, base: Fields = mt103Base): Fields {
  const removed = new Set(changes.remove ?? []);
  const setTags = new Set((changes.set ?? []).map(([tag]) => groupOf(tag)));
  const kept = base.filter(([tag]) => !removed.has(tag) && !removed.has(tag.slice(0, 2)) && !setTags.has(groupOf(tag)));
  return [...kept, ...(changes.set ?? [])].sort((a, b) => rankOf(mt103Order, a[0]) - rankOf(mt103Order, b[0]));
}

/** 71F, 71G and 23E repeat or stand beside 71A/23B: each is its own group; other letters replace each other. */
function groupOf(tag: string): string {
  return ['23B', '23E', '71A', '71F', '71G', '13C', '26T', '51A', '77B', '77T'].includes(tag) ? tag : tag.slice(0, 2);
}

export interface Envelope {
  readonly type?: string;
  readonly sender?: string;
  readonly receiver?: string;
  readonly userHeader?: string;
  readonly lineBreak?: '\r\n' | '\n';
  readonly trailer?: string;
}

export function finText(fields: Fields, envelope: Envelope = {}): string {
  const lineBreak = envelope.lineBreak ?? '\r\n';
  const body = fields.map(([tag, value]) => `:${tag}:${value.replaceAll('\n', lineBreak)}${lineBreak}`).join('');
  const userHeader = envelope.userHeader ?? `{121:${sampleUetr}}`;
  return (
    `{1:F01${envelope.sender ?? 'BANKDEFFAXXX'}0000000000}{2:I${envelope.type ?? '103'}${envelope.receiver ?? 'BANKITRRXXXX'}N}` +
    (userHeader === '' ? '' : `{3:${userHeader}}`) +
    `{4:${lineBreak}${body}-}` +
    (envelope.trailer ?? '')
  );
}

export function parsed(text: string): FinMessage {
  const result = parseFin(text);
  if (!result.ok) throw new Error(`test message does not parse: ${JSON.stringify(result.issues)}`);
  return result.value;
}

export const mt202Base: Fields = [
  ['20', 'FIREF0001'],
  ['21', 'RELREF0001'],
  ['32A', '240116USD1000000,'],
  ['52A', 'BANKDEFF'],
  ['58A', '/12345678\nBANKUS33'],
  ['72', '/BNF/LIQUIDITY TRANSFER'],
];

export const mt202CovBase: Fields = [
  ['20', 'COVREF0001'],
  ['21', 'PAYREF240115A'],
  ['32A', '240116USD25000,'],
  ['57A', 'BANKUS33'],
  ['58A', 'BANKUS33XXX'],
  ['50K', '/DE44500105175407324931\nANNA SCHMIDT\nLINDENALLEE 12\n60311 FRANKFURT'],
  ['52A', 'BANKDEFF'],
  ['57A', 'BANKUS44'],
  ['59', '/0012345678\nACME CORP\n1 MAIN STREET\nNEW YORK NY'],
  ['70', 'INVOICE 99'],
  ['33B', 'USD25000,'],
];

export const mt940Base: Fields = [
  ['20', 'STMT20240131'],
  ['25', 'DE44500105175407324931'],
  ['28C', '31/1'],
  ['60F', 'C240130EUR10000,00'],
  ['61', '2401310131C2500,00NTRFPAYREF240115A//BANKREF1\nRENT JANUARY'],
  ['86', 'RENT JANUARY FROM MARCO ROSSI'],
  ['61', '240131D150,25NMSCNONREF'],
  ['62F', 'C240131EUR12349,75'],
  ['64', 'C240131EUR12349,75'],
  ['65', 'C240201EUR12349,75'],
  ['86', 'END OF STATEMENT'],
];

export const mt950Base: Fields = [
  ['20', 'NOSTRO20240131'],
  ['25', '987654321'],
  ['28C', '12/1'],
  ['60F', 'C240130USD500000,'],
  ['61', '240131D25000,S103COVREF0001//FED123'],
  ['61', '240131C100000,NTRFNONREF'],
  ['62F', 'C240131USD575000,'],
];

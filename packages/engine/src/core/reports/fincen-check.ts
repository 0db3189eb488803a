/**
 * Reads a built batch back and recomputes what its root claims: ActivityCount from the
 * <Activity> elements, PartyCount from the <Party> elements (CTR: all; SAR: those of type 33),
 * TotalAmount from the amounts (CTR: DetailTransactionAmountText; SAR: TotalSuspiciousAmountText),
 * and checks each report's parties (at least six, with FinCEN's required types) and that no
 * SeqNum repeats. It reads only the layout FincenXmlWriter writes (one element a line, the
 * report's own parties four spaces in), not XML at large.
 */
import { partyType } from './fincen-codes';
import type { BuiltBatch, FincenForm } from './types';
import { fincenNamespace, fincenPrefix } from './xml-writer';

export interface BatchExpectation {
  readonly activityCount: number;
  readonly partyCount: number;
  readonly totalAmountDollars: bigint;
}

const rootAttributeNames: Record<FincenForm, readonly string[]> = {
  CTRX: ['TotalAmount', 'PartyCount', 'ActivityCount'],
  SARX: ['TotalAmount', 'PartyCount', 'ActivityCount', 'ActivityAttachmentCount', 'AttachmentCount'],
};

/** The parties every report must have, beside at least one person (CTR, 50) or subject (SAR, 33). */
const requiredPartyTypes = [partyType.transmitter, partyType.transmitterContact, partyType.filingInstitution, partyType.contactOffice, partyType.activityLocation];
const involvedPartyType: Record<FincenForm, string> = { CTRX: partyType.ctrPerson, SARX: partyType.sarSubject };
const amountElement: Record<FincenForm, string> = { CTRX: 'DetailTransactionAmountText', SARX: 'TotalSuspiciousAmountText' };
const partiesPerActivityMin = 6;

const rootPattern = new RegExp(
  `^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\n<${fincenPrefix}:EFilingBatchXML xmlns:${fincenPrefix}="${fincenNamespace.replace(/\./g, '\\.')}"((?: [A-Za-z]+="[0-9]+")*)>\\n`,
);

function rootAttributes(xml: string): Map<string, string> | undefined {
  const match = rootPattern.exec(xml);
  if (match === null) return undefined;
  const attributes = new Map<string, string>();
  for (const [, name = '', value = ''] of (match[1] ?? '').matchAll(/ ([A-Za-z]+)="([0-9]+)"/g)) attributes.set(name, value);
  return attributes;
}

function countOf(xml: string, pattern: RegExp): number {
  return Array.from(xml.matchAll(pattern)).length;
}

/** Each report's own parties' type codes, from the lines the writer puts four spaces in. */
function partyTypesByActivity(xml: string): string[][] {
  const activities: string[][] = [];
  const lines = xml.split('\n');
  lines.forEach((line, index) => {
    if (line.startsWith(`  <${fincenPrefix}:Activity SeqNum="`)) activities.push([]);
    if (!line.startsWith(`    <${fincenPrefix}:Party SeqNum="`)) return;
    const code = /^ {6}<fc2:ActivityPartyTypeCode>([0-9]+)<\/fc2:ActivityPartyTypeCode>$/.exec(lines[index + 1] ?? '')?.[1];
    activities.at(-1)?.push(code ?? '?');
  });
  return activities;
}

function checkParties(form: FincenForm, activities: readonly string[][]): string[] {
  const problems: string[] = [];
  activities.forEach((codes, index) => {
    if (codes.length < partiesPerActivityMin) problems.push(`Activity ${index + 1} has ${codes.length} parties, fewer than ${partiesPerActivityMin}`);
    for (const code of [...requiredPartyTypes, involvedPartyType[form]]) {
      if (!codes.includes(code)) problems.push(`Activity ${index + 1} has no party of type ${code}`);
    }
  });
  return problems;
}

function repeatedSeqNums(xml: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [, seqNum = ''] of xml.matchAll(/ SeqNum="([0-9]+)"/g)) {
    if (seen.has(seqNum)) repeated.add(seqNum);
    seen.add(seqNum);
  }
  return [...repeated];
}

function amountSum(xml: string, form: FincenForm): bigint {
  const element = amountElement[form];
  const pattern = new RegExp(`<${fincenPrefix}:${element}>([0-9]+)</${fincenPrefix}:${element}>`, 'g');
  let sum = 0n;
  for (const [, dollars = '0'] of xml.matchAll(pattern)) sum += BigInt(dollars);
  return sum;
}

function compare(problems: string[], what: string, found: bigint | number | undefined, expected: bigint | number): void {
  if (found === undefined) problems.push(`${what} is missing`);
  else if (BigInt(found) !== BigInt(expected)) problems.push(`${what} is ${found}, expected ${expected}`);
}

/** Every inconsistency between a built batch, its root, its body and what the model implies; empty when consistent. */
export function checkBatch(built: BuiltBatch, expected: BatchExpectation): string[] {
  const problems: string[] = [];
  const attributes = rootAttributes(built.xml);
  if (attributes === undefined) return ['the document does not begin with the FinCEN batch root the builder writes'];
  const names = [...attributes.keys()];
  const namesExpected = rootAttributeNames[built.form];
  if (names.join(' ') !== namesExpected.join(' ')) problems.push(`root attributes are ${names.join(', ')}, expected ${namesExpected.join(', ')}`);
  if (!built.xml.includes(`\n  <${fincenPrefix}:FormTypeCode>${built.form}</${fincenPrefix}:FormTypeCode>\n`)) problems.push(`FormTypeCode is not ${built.form}`);
  const number = (name: string) => (attributes.has(name) ? BigInt(attributes.get(name) ?? '') : undefined);
  compare(problems, 'ActivityCount attribute', number('ActivityCount'), expected.activityCount);
  compare(problems, 'PartyCount attribute', number('PartyCount'), expected.partyCount);
  compare(problems, 'TotalAmount attribute', number('TotalAmount'), expected.totalAmountDollars);
  compare(problems, '<Activity> elements', countOf(built.xml, /<fc2:Activity SeqNum="/g), expected.activityCount);
  const activities = partyTypesByActivity(built.xml);
  const counted = built.form === 'CTRX' ? countOf(built.xml, /<fc2:Party SeqNum="/g) : activities.flat().filter((code) => code === partyType.sarSubject).length;
  compare(problems, built.form === 'CTRX' ? '<Party> elements' : '<Party> elements of type 33', counted, expected.partyCount);
  compare(problems, `sum of ${amountElement[built.form]}`, amountSum(built.xml, built.form), expected.totalAmountDollars);
  compare(problems, 'activityCount of the built batch', built.activityCount, expected.activityCount);
  compare(problems, 'partyCount of the built batch', built.partyCount, expected.partyCount);
  compare(problems, 'totalAmountDollars of the built batch', built.totalAmountDollars, expected.totalAmountDollars);
  problems.push(...checkParties(built.form, activities));
  for (const seqNum of repeatedSeqNums(built.xml)) problems.push(`SeqNum ${seqNum} repeats`);
  return problems;
}

/**
 * Parties and agents to and from their MT fields: customers as 50A/50F/50K and 59/59A/59F, banks as
 * option A (BIC), C (clearing code) or D (name and address), each with its account or clearing
 * code as the party identifier line. What a field cannot carry is noted, never silently lost.
 *
 * The choice follows the CBPR+ MX to MT translation: a BIC gives option A; a structured address
 * (a country at least) gives 50F/59F with numbered lines (1/ name, 2/ address, 3/ country/town,
 * 4/ and 5/ birth date and place); otherwise free lines (50K/59, option D).
 */
import type { AccountId, Agent, Party, PostalAddress } from '../payment/model';
import type { TextField } from './fin';
import { chunks, fitLine, joinLines, type Notes } from './text';

/**
 * The national clearing codes of the MT standard (`//FW026009593` in a party identifier) and the
 * ISO clearing system each is, as the MT↔MX translation rules map them. Both CHIPS codes are
 * USPID in ISO (CH the universal identifier, CP the participant): MX to MT writes CP.
 */
export const clearingCodes: Readonly<Record<string, string>> = {
  AT: 'ATBLZ', AU: 'AUBSB', BL: 'DEBLZ', CC: 'CACPA', CH: 'USPID', CN: 'CNAPS', CP: 'USPID', ES: 'ESNCC', FW: 'USABA', GR: 'GRBIC',
  HK: 'HKNCC', IE: 'IENCC', IN: 'INFSC', IT: 'ITNCC', NZ: 'NZNCC', PL: 'PLKNR', PT: 'PTNCC', RU: 'RUCBC', SC: 'GBDSC', SW: 'CHBCC', ZA: 'ZANCC',
};
/** The codes the standard allows without a member id: pay through the clearing system itself. */
const paymentSystemCodes: Readonly<Record<string, string>> = { FW: 'Fedwire', RT: 'the real-time gross settlement system', CH: 'CHIPS', CP: 'CHIPS' };
/** The MT code written for an ISO clearing system: the first in the table, except USPID, which is CP. */
const clearingCodeOfSystem = new Map([...Object.entries(clearingCodes).filter(([code]) => code !== 'CH').map(([code, system]) => [system, code] as const)]);

/** The MT clearing code of an ISO clearing system (`USABA` → `FW`). */
export function clearingCodeOf(system: string): string | undefined {
  return clearingCodeOfSystem.get(system);
}
/** 50F party identifier codes: `CODE/CC/identifier`. */
export const partyIdentifierCodes: readonly string[] = ['ARNU', 'CCPT', 'CUST', 'DRLC', 'EMPL', 'NIDN', 'SOSE', 'TXID'];

const ibanPattern = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const lineWidth = 35;
/** 50F/59F lines are `n/` and 33 characters. */
const numberedWidth = 33;
const numberedLinesMax = 4;
const freeLinesMax = 4;
/** The 27 characters of a 50F identifier after `CODE/CC/`. */
const partyIdWidth = 27;

export function accountText(account: AccountId): string {
  return 'iban' in account ? account.iban : account.other;
}

export function accountFromText(text: string): AccountId {
  return ibanPattern.test(text) ? { iban: text } : { other: text };
}

/** Ordering customer (50) or beneficiary (59) with its account. */
export function customerField(number: '50' | '59', party: Party, account: AccountId | undefined, path: string, notes: Notes): TextField {
  notes.dropIfPresent(
    [
      [`${path}.lei`, party.lei],
      [`${path}.countryOfResidence`, party.countryOfResidence],
    ],
    `MT field ${number}a has no place for it`,
  );
  const accountLine = account === undefined ? undefined : `/${accountText(account)}`;
  if (party.bic !== undefined) {
    notes.dropIfPresent(
      [
        [`${path}.name`, party.name],
        [`${path}.postalAddress`, party.postalAddress],
        [`${path}.otherId`, party.otherId],
        [`${path}.birth`, party.birth],
      ],
      `${number}A carries the BIC only`,
    );
    return { tag: `${number}A`, value: [accountLine, party.bic].filter(isText).join('\n') };
  }
  const identifier = number === '50' ? (accountLine ?? schemeIdentifier(party)) : accountLine;
  if (party.postalAddress?.country !== undefined && (number === '59' || identifier !== undefined)) {
    const lines = numberedLines(number, party, path, notes, identifier !== accountLine);
    return { tag: `${number}F`, value: [identifier, ...lines].filter(isText).join('\n') };
  }
  notes.dropIfPresent(
    [
      [`${path}.otherId`, party.otherId],
      [`${path}.birth`, party.birth],
    ],
    `${number === '50' ? '50K' : '59'} has name and address lines only`,
  );
  return { tag: number === '50' ? '50K' : '59', value: [accountLine, ...freeLines(party.name, party.postalAddress, path, notes)].filter(isText).join('\n') };
}

function isText(value: string | undefined): value is string {
  return value !== undefined;
}

/** A 50F identifier `CODE/CC/id` from the party's other identifier, when it is one of the codes. */
function schemeIdentifier(party: Party): string | undefined {
  const id = party.otherId;
  if (id?.scheme === undefined || id.issuer === undefined || !partyIdentifierCodes.includes(id.scheme) || !/^[A-Z]{2}$/.test(id.issuer)) return undefined;
  if (id.id.length > partyIdWidth) return undefined;
  return `${id.scheme}/${id.issuer}/${id.id}`;
}

/** 1/ name, 3/ country and town, 4/ 5/ birth (50F), more name, 2/ address lines: the four lines there are, in that priority. */
function numberedLines(number: '50' | '59', party: Party, path: string, notes: Notes, identifierUsed: boolean): string[] {
  const address = party.postalAddress ?? {};
  const nameParts = chunks(party.name ?? '', numberedWidth);
  const town = townText(address, `${path}.postalAddress`, notes);
  const lines: { readonly number: number; readonly text: string }[] = [];
  const room = () => numberedLinesMax - lines.length;
  if (nameParts[0] !== undefined) lines.push({ number: 1, text: nameParts[0] });
  const townLine = fitLine(town === '' ? (address.country ?? '') : `${address.country ?? ''}/${town}`, numberedWidth);
  if (townLine.cut) notes.add(`${path}.postalAddress.townName`, 'truncated', `3/ line holds ${numberedWidth} characters`);
  lines.push({ number: 3, text: townLine.line });
  const birth = party.birth;
  if (number === '50' && birth !== undefined && room() >= 2) {
    lines.push({ number: 4, text: birth.date.replaceAll('-', '') }, { number: 5, text: `${birth.country}/${birth.city}`.slice(0, numberedWidth) });
    if (`${birth.country}/${birth.city}`.length > numberedWidth) notes.add(`${path}.birth.city`, 'truncated', `5/ line holds ${numberedWidth} characters`);
  } else if (birth !== undefined) notes.add(`${path}.birth`, 'dropped', number === '50' ? 'no room left in the four lines of 50F' : '59F has no birth lines');
  if (party.otherId !== undefined && !identifierUsed) notes.add(`${path}.otherId`, 'dropped', `${number}F carries the account as identifier`);
  for (const part of nameParts.slice(1)) {
    if (room() > 0) lines.push({ number: 1, text: part });
    else notes.add(`${path}.name`, 'truncated', `no room left in the four lines of ${number}F`);
  }
  const addressLines = streetLines(address, `${path}.postalAddress`, notes, numberedWidth);
  addressLines.forEach((text) => {
    if (room() > 0) lines.push({ number: 2, text });
    else notes.add(`${path}.postalAddress.addressLines`, 'truncated', `no room left in the four lines of ${number}F`);
  });
  return lines.sort((a, b) => a.number - b.number).map((line) => `${line.number}/${line.text}`);
}

/** The town, with the post code before it when there is one (MT has no field of its own for it). */
function townText(address: PostalAddress, path: string, notes: Notes): string {
  if (address.postCode !== undefined) notes.add(path, 'restructured', 'the post code is written before the town name');
  if (address.countrySubDivision !== undefined) notes.add(path, 'restructured', 'the country subdivision is written after the town name');
  return [address.postCode, address.townName, address.countrySubDivision].filter(isText).join(' ');
}

/** The address lines, or the street, building and department written as one line. */
function streetLines(address: PostalAddress, path: string, notes: Notes, width: number): string[] {
  const lines = [...(address.addressLines ?? [])];
  const street = [address.department, address.streetName, address.buildingNumber, address.buildingName].filter(isText);
  if (street.length > 0) {
    notes.add(path, 'restructured', 'department, street, building number and name written as one address line');
    lines.push(street.join(' '));
  }
  return lines.flatMap((line, index) => {
    const fitted = fitLine(line, width);
    if (fitted.cut) notes.add(`${path}.addressLines[${index}]`, 'truncated', `an address line holds ${width} characters`);
    return [fitted.line];
  });
}

/** Name and address as free lines (50K, 59, option D): at most four of 35. */
function freeLines(name: string | undefined, address: PostalAddress | undefined, path: string, notes: Notes): string[] {
  const nameLine = fitLine(name ?? '', lineWidth);
  if (nameLine.cut) notes.add(`${path}.name`, 'truncated', `the name line holds ${lineWidth} characters`);
  const lines = name === undefined ? [] : [nameLine.line];
  const rest = address === undefined ? [] : streetLines(address, `${path}.postalAddress`, notes, lineWidth);
  if (address !== undefined && (address.townName !== undefined || address.country !== undefined || address.postCode !== undefined)) {
    const town = townText(address, `${path}.postalAddress`, notes);
    notes.add(`${path}.postalAddress`, 'restructured', 'town and country written as a free address line');
    rest.push(fitLine([town, address.country].filter((part) => part !== undefined && part !== '').join(' '), lineWidth).line);
  }
  for (const line of rest) {
    if (lines.length < freeLinesMax) lines.push(line);
    else notes.add(`${path}.postalAddress`, 'truncated', `${freeLinesMax} lines of name and address at most`);
  }
  return lines;
}

/** Reads 50a/59a back: the party and its account; what the model has no place for is noted under `path`. */
export function customerFromField(field: TextField, path = 'party', notes?: Notes): { readonly party: Party; readonly account?: AccountId } {
  const lines = field.value.split('\n');
  const letter = field.tag.slice(2);
  const first = lines[0] ?? '';
  const hasAccount = first.startsWith('/') && (letter !== 'A' || lines.length > 1) && !(letter === 'F' && /^\d\//.test(first));
  const account = hasAccount ? { account: accountFromText(first.slice(1)) } : {};
  const rest = hasAccount ? lines.slice(1) : lines;
  if (letter === 'A') return { party: { bic: rest[0] ?? '' }, ...account };
  if (letter === 'F') {
    const identifier = field.tag === '50F' && !first.startsWith('/') ? schemeFromIdentifier(first) : undefined;
    const numbered = numberedParty(field.tag === '50F' ? lines.slice(1) : rest, path, notes);
    if (identifier !== undefined && numbered.otherId !== undefined) notes?.add(`${path}.otherId`, 'dropped', `the model holds one identifier: ${field.tag}'s party identifier ${first} is kept, ${numbered.otherId.id} (line 6/ or 7/) is not`);
    return { party: { ...numbered, ...(identifier === undefined ? {} : { otherId: identifier }) }, ...account };
  }
  const [name, ...addressLines] = rest;
  return { party: { ...(name === undefined ? {} : { name }), ...(addressLines.length > 0 ? { postalAddress: { addressLines } } : {}) }, ...account };
}

function schemeFromIdentifier(line: string): Party['otherId'] {
  const [scheme = '', issuer = '', ...id] = line.split('/');
  return { id: id.join('/'), scheme, issuer };
}

/** A numbered line of 50F/59F: its number and its text after `n/`. */
interface NumberedLine {
  readonly number: string;
  text: string;
}

/**
 * The numbered lines of 50F/59F, as the standard reads them: 1/ name (further 1/ lines continue
 * it), 2/ address lines, 3/ country/town (further 3/ lines continue the town), 4/ birth date, 5/
 * birth country/place, 6/ country/issuer/customer identification number (scheme CUST), 7/
 * country/national identity number (scheme NIDN), 8/ the continuation of the line before it.
 * Continued lines are joined as narrative (joinLines: a space where a line ended short).
 */
function numberedParty(lines: readonly string[], path: string, notes: Notes | undefined): Party {
  const merged: NumberedLine[] = [];
  for (const line of lines) {
    const number = line.slice(0, 1);
    const text = line.slice(2);
    const previous = merged[merged.length - 1];
    const continued = number === '8' ? previous : number === '1' || number === '3' ? merged.find((entry) => entry.number === number) : undefined;
    if (continued !== undefined) continued.text = joinLines([continued.text, text], numberedWidth);
    else if (number === '8') notes?.add(`${path}`, 'dropped', `8/${text} continues no line before it`);
    else merged.push({ number, text });
  }
  const text = (number: string) => merged.find((entry) => entry.number === number)?.text;
  const addressLines = merged.filter((entry) => entry.number === '2').map((entry) => entry.text);
  const [country, townName] = mapText(text('3'), splitFirst) ?? [undefined, undefined];
  const address: PostalAddress = { ...(addressLines.length > 0 ? { addressLines } : {}), ...(townName === undefined ? {} : { townName }), ...(country === undefined ? {} : { country }) };
  const birthDate = text('4');
  const [birthCountry = '', city = ''] = mapText(text('5'), splitFirst) ?? [];
  const birth = birthDate === undefined ? {} : { birth: { date: `${birthDate.slice(0, 4)}-${birthDate.slice(4, 6)}-${birthDate.slice(6, 8)}`, city, country: birthCountry } };
  if (birthDate === undefined && text('5') !== undefined) notes?.add(`${path}.birth`, 'dropped', `a place of birth (5/) without a date of birth (4/) has no place in the model`);
  const name = text('1');
  return { ...(name === undefined || name === '' ? {} : { name }), ...(Object.keys(address).length > 0 ? { postalAddress: address } : {}), ...birth, ...identifiersOf(merged, path, notes) };
}

function mapText<R>(text: string | undefined, map: (text: string) => R): R | undefined {
  return text === undefined ? undefined : map(text);
}

/** 6/ `CC/issuer/id` (CUST, issued by `CC/issuer`) and 7/ `CC/id` (NIDN, issued in `CC`): the first is the party's other identifier. */
function identifiersOf(lines: readonly NumberedLine[], path: string, notes: Notes | undefined): Pick<Party, 'otherId'> {
  const identifiers = lines.flatMap((line): NonNullable<Party['otherId']>[] => {
    if (line.number === '6') {
      const [country = '', issuer = '', ...id] = line.text.split('/');
      return id.length === 0 ? [{ id: line.text, scheme: 'CUST' }] : [{ id: id.join('/'), scheme: 'CUST', issuer: `${country}/${issuer}` }];
    }
    if (line.number === '7') {
      const [country = '', ...id] = line.text.split('/');
      return id.length === 0 ? [{ id: line.text, scheme: 'NIDN' }] : [{ id: id.join('/'), scheme: 'NIDN', issuer: country }];
    }
    return [];
  });
  identifiers.slice(1).forEach((identifier) => notes?.add(`${path}.otherId`, 'dropped', `the model holds one identifier: ${identifier.scheme ?? ''} ${identifier.id} is not kept`));
  const first = identifiers[0];
  return first === undefined ? {} : { otherId: first };
}

function splitFirst(text: string): [string, string | undefined] {
  const at = text.indexOf('/');
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** A bank as option A, B, C or D of `options`, with its clearing code or account as party identifier. */
export function agentField(number: string, agent: Agent, options: readonly string[], path: string, notes: Notes): TextField {
  notes.dropIfPresent([[`${path}.lei`, agent.lei]], `MT field ${number}a has no place for it`);
  const clearing = agent.clearingMemberId === undefined ? undefined : clearingCodeOfSystem.get(agent.clearingMemberId.system);
  if (agent.clearingMemberId !== undefined && clearing === undefined) notes.add(`${path}.clearingMemberId`, 'dropped', `clearing system ${agent.clearingMemberId.system} has no MT clearing code`);
  const clearingLine = clearing === undefined || agent.clearingMemberId === undefined ? undefined : `//${clearing}${agent.clearingMemberId.memberId}`;
  const accountLine = agent.account === undefined ? undefined : `/${accountText(agent.account)}`;
  if (clearingLine !== undefined && accountLine !== undefined) notes.add(`${path}.account`, 'dropped', 'the party identifier line holds the clearing code');
  const identifier = clearingLine ?? accountLine;
  if (agent.bic !== undefined) {
    notes.dropIfPresent(
      [
        [`${path}.name`, agent.name],
        [`${path}.postalAddress`, agent.postalAddress],
      ],
      `${number}A carries the BIC only`,
    );
    return { tag: `${number}A`, value: [identifier, agent.bic].filter(isText).join('\n') };
  }
  if (options.includes('C') && agent.name === undefined && agent.postalAddress === undefined && clearingLine !== undefined) return { tag: `${number}C`, value: clearingLine };
  // Option B: the party identifier alone, or with a location (the name, read back as one).
  if (options.includes('B') && agent.postalAddress === undefined && (agent.name === undefined ? identifier !== undefined : agent.name.length <= lineWidth)) {
    return { tag: `${number}B`, value: [identifier, agent.name].filter(isText).join('\n') };
  }
  return { tag: `${number}D`, value: [identifier, ...freeLines(agent.name, agent.postalAddress, path, notes)].filter(isText).join('\n') };
}

/** Reads an agent's option A, B, C or D field back. */
export function agentFromField(field: TextField, path: string, notes: Notes): Agent {
  const lines = field.value.split('\n');
  const letter = field.tag.slice(2);
  const first = lines[0] ?? '';
  const hasIdentifier = first.startsWith('/') && (letter !== 'A' || lines.length > 1);
  const identifier = hasIdentifier ? identifierOf(first, path, notes) : {};
  const rest = hasIdentifier ? lines.slice(1) : lines;
  if (letter === 'A') return { bic: rest[0] ?? '', ...identifier };
  if (letter === 'C') return identifier;
  if (letter === 'B') {
    if (rest.length > 0) notes.add(path, 'restructured', `the location of ${field.tag} is kept as the agent's name`);
    return { ...identifier, ...(rest[0] === undefined ? {} : { name: rest[0] }) };
  }
  const [name, ...addressLines] = rest;
  return { ...identifier, ...(name === undefined ? {} : { name }), ...(addressLines.length > 0 ? { postalAddress: { addressLines } } : {}) };
}

function identifierOf(line: string, path: string, notes: Notes): Pick<Agent, 'account' | 'clearingMemberId'> {
  // A party identifier starting `//` is a clearing code (the standard reserves it), never an account.
  if (line.startsWith('//')) return clearingIdentifierOf(line.slice(2), path, notes);
  const marked = /^\/([CD])\/(.*)$/.exec(line);
  if (marked !== null) {
    notes.add(`${path}.account`, 'dropped', `the debit/credit mark /${marked[1] ?? ''}/ has no place in the model`);
    return marked[2] === '' ? {} : { account: accountFromText(marked[2] ?? '') };
  }
  return { account: accountFromText(line.slice(1)) };
}

/** `FW021000089` as USABA 021000089; a code without member id or an unknown code is noted, not kept. */
function clearingIdentifierOf(text: string, path: string, notes: Notes): Pick<Agent, 'clearingMemberId'> {
  const code = /^[A-Z]{2}/.test(text) ? text.slice(0, 2) : '';
  const memberId = text.slice(code.length);
  const system = clearingCodes[code];
  if (system !== undefined && memberId !== '') {
    if (code === 'CH') notes.add(`${path}.clearingMemberId`, 'restructured', `//CH${memberId} (a CHIPS universal identifier) is read as clearing system USPID, as the translation rules map it; MT written from it says //CP`);
    return { clearingMemberId: { system, memberId } };
  }
  const paymentSystem = paymentSystemCodes[code];
  if (paymentSystem !== undefined && memberId === '') notes.add(`${path}.clearingMemberId`, 'dropped', `//${code} (pay through ${paymentSystem}) has no place in the model`);
  else notes.add(`${path}.clearingMemberId`, 'dropped', `//${text} is a clearing code ${code === '' ? 'without the two-letter code' : `(${code})`} the model has no clearing system for`);
  return {};
}

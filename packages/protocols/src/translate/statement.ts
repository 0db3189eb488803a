/**
 * MT940 / MT950 ↔ camt.053, with the statement model in the middle, and what the CBPR+
 * translation does between the two mappings:
 *
 * - camt.053 to MT: texts outside the X set (./mt-text); Stmt/Id, AcctSvcrRef and the owner's
 *   reference cut to 16 with the `+` marker (and no leading, trailing or double slash); the
 *   balances put in MT's order (opening, closing, closing available, forward available), the
 *   others left out; booked entries only (pending ones belong in MT942); the 61 reference for the
 *   account owner from AcctOwnrTxId, else EndToEndId, else InstrId; a bank transaction code MT
 *   cannot write becomes NMSC; an entry date that is not the nearest MMDD to the value date is
 *   left out.
 * - MT to camt.053: the mapping's model as it is, the creation time from the caller's clock.
 *
 * Then the output is read back and compared with the source model field by field (./shared).
 */
import { buildCamt053, parseCamt053 } from '../iso20022/camt053';
import type { AppHeader } from '../iso20022/message';
import { parseMx } from '../iso20022/mx';
import { withReadNotes } from './credit-transfer';
import type { Balance, Checked, Statement, StatementEntry } from '../payment/model';
import { parseFin } from '../swift-mt/fin';
import { bookingDateFrom, mtStatementToStatement, statementToMt940, statementToMt950 } from '../swift-mt/statement';
import { fitLine, Notes } from '../swift-mt/text';
import { endToEndNotProvided } from './credit-transfer';
import { writableInMt } from './mt-text';
import { readBack, finalNotes, finOfType, isPossibleDuplicate, issue, withPossibleDuplicate, without, type TranslateOptions, type Translation } from './shared';

export type MtStatementType = '940' | '950';

/** MT's 16x references (:20:, 61's references). */
const referenceLengthMax = 16;
/** 61 subfield 6: S and a message type, or N/F and a three-character code. */
const transactionCodePattern = /^(S\d{3}|[NF][A-Z0-9]{3})$/;
/** The code for an entry whose bank transaction code MT cannot write: non-SWIFT miscellaneous. */
const fallbackTransactionCode = 'NMSC';

/** camt.053 envelope → MT940 (or MT950) FIN text. */
export function translateCamt053ToMt940(xml: string, options: TranslateOptions = {}): Checked<Translation> {
  return camt053ToMt(xml, '940', options);
}

/** camt.053 envelope → MT950 FIN text (a bank's nostro statement: no 86, no forward balances). */
export function translateCamt053ToMt950(xml: string, options: TranslateOptions = {}): Checked<Translation> {
  return camt053ToMt(xml, '950', options);
}

function camt053ToMt(xml: string, type: MtStatementType, options: TranslateOptions): Checked<Translation> {
  const parsed = parseMx(xml);
  if (!parsed.ok) return parsed;
  if (parsed.value.type !== 'camt.053.001.08') return { ok: false, issues: [issue('Document', 'mx.type', `a ${parsed.value.type}, not a camt.053`)] };
  return withReadNotes(statementAsMt(parsed.value.message, parsed.value.header, type, options), parsed.value.notes);
}

/** A parsed camt.053 (model and header) as MT940 or MT950. */
export function statementAsMt(source: Statement, header: AppHeader | undefined, type: MtStatementType, options: TranslateOptions = {}): Checked<Translation> {
  const notes = new Notes();
  if (header?.copyDuplicate !== undefined) notes.add('AppHdr.copyDuplicate', 'dropped', `MT has no copy/duplicate indicator (${header.copyDuplicate})`);
  const written = writableInMt(source, notes);
  const balances = balancesForMt(written.balances, notes);
  if (!balances.ok) return balances;
  const model: Statement = { ...written, statementId: referenceForMt(written.statementId, 'statementId', notes), balances: balances.value, entries: entriesForMt(written.entries, notes) };
  const built = type === '940' ? statementToMt940(model, options.header) : statementToMt950(model, options.header);
  if (!built.ok) return built;
  const output = withPossibleDuplicate(built.value.message, header?.possibleDuplicate);
  const fin = readBack(parseFin(output), 'FIN text');
  if (!fin.ok) return fin;
  const again = readBack(mtStatementToStatement(fin.value), `MT${type}`);
  if (!again.ok) return again;
  return { ok: true, value: { output, notes: finalNotes(source, again.value.model, [...notes.list, ...built.value.notes], `MT${type}`) } };
}

/** A 16x reference: cut with the `+` marker, no slash at either end, no `//`. */
function referenceForMt(text: string, path: string, notes: Notes): string {
  const fitted = fitLine(text, referenceLengthMax);
  if (fitted.cut) notes.add(path, 'truncated', `MT holds ${referenceLengthMax} characters`);
  const slashed = fitted.line.replace(/\/\//g, '/.').replace(/^\//, '.').replace(/\/$/, '.');
  if (slashed !== fitted.line) notes.add(path, 'restructured', 'an MT reference neither starts nor ends with / nor holds //: written with .');
  return slashed;
}

/** Opening, closing, closing available, forward available: the order (and the only balances) MT has. */
function balancesForMt(balances: readonly Balance[], notes: Notes): Checked<Balance[]> {
  const opening = balances.find((balance) => balance.type === 'OPBD') ?? balances.find((balance) => balance.type === 'ITBD');
  const closing = balances.find((balance) => balance.type === 'CLBD') ?? balances.find((balance) => balance.type === 'ITBD' && balance !== opening);
  if (opening === undefined || closing === undefined) {
    return { ok: false, issues: [issue('balances', 'translate.balances', 'an MT statement needs an opening (OPBD or ITBD) and a closing (CLBD or ITBD) balance')] };
  }
  const available = balances.find((balance) => balance.type === 'CLAV');
  const ordered = [opening, closing, ...(available === undefined ? [] : [available]), ...balances.filter((balance) => balance.type === 'FWAV')];
  if (ordered.length !== balances.length) notes.add('balances', 'dropped', 'MT carries one opening, one closing and one closing available balance and the forward available ones: the others are left out');
  else if (ordered.some((balance, index) => balances[index] !== balance)) notes.add('balances', 'restructured', 'put in the order MT writes them: opening, closing, closing available, forward available');
  return { ok: true, value: ordered };
}

function entriesForMt(entries: readonly StatementEntry[], notes: Notes): StatementEntry[] {
  const booked = entries.flatMap((entry, index) => {
    if (entry.status === 'BOOK') return [entryForMt(entry, `entries[${index}]`, notes)];
    notes.add(`entries[${index}]`, 'dropped', `a ${entry.status} entry: an MT940/950 lists booked entries only (pending ones belong in MT942)`);
    return [];
  });
  if (booked.length !== entries.length) notes.add('entries', 'restructured', 'the booked entries only, so the others\' places move up');
  return booked;
}

function entryForMt(entry: StatementEntry, path: string, notes: Notes): StatementEntry {
  const references = entry.references;
  const endToEnd = references.endToEndId === endToEndNotProvided ? undefined : references.endToEndId;
  const owner = references.accountOwnerReference ?? endToEnd ?? references.instructionId;
  if (references.accountOwnerReference === undefined && owner !== undefined) notes.add(`${path}.references.accountOwnerReference`, 'restructured', `61's reference for the account owner taken from the ${owner === endToEnd ? 'end-to-end id' : 'instruction id'}`);
  const transactionCode = transactionCodeForMt(entry.transactionCode);
  if (transactionCode !== entry.transactionCode) notes.add(`${path}.transactionCode`, 'restructured', `61 writes S + a message type or N/F + three characters: ${transactionCode}`);
  const bookingDate = entry.bookingDate === undefined ? undefined : bookingDateFrom(entry.bookingDate.slice(5).replace('-', ''), entry.valueDate);
  if (entry.bookingDate !== undefined && bookingDate !== entry.bookingDate) notes.add(`${path}.bookingDate`, 'dropped', '61 writes the entry date as MMDD, read as the nearest such date to the value date: this one would read back as another day');
  const servicer = entry.accountServicerReference;
  return {
    ...without(without(entry, 'bookingDate'), 'accountServicerReference'),
    ...(bookingDate === entry.bookingDate && bookingDate !== undefined ? { bookingDate } : {}),
    ...(servicer === undefined ? {} : { accountServicerReference: referenceForMt(servicer, `${path}.accountServicerReference`, notes) }),
    transactionCode,
    references: { ...references, ...(owner === undefined ? {} : { accountOwnerReference: referenceForMt(owner, `${path}.references.accountOwnerReference`, notes) }) },
  };
}

/** `NTRF`, `S103` as they are; a proprietary `SWIFT/NTRF` or `ISSUER/NTRF` by its last part; anything else NMSC. */
function transactionCodeForMt(code: string): string {
  if (transactionCodePattern.test(code)) return code;
  const last = code.split('/').pop() ?? '';
  return transactionCodePattern.test(last) ? last : fallbackTransactionCode;
}

/** MT940 or MT950 FIN text → camt.053 envelope. */
export function translateMt940ToCamt053(finText: string, options: TranslateOptions = {}): Checked<Translation> {
  return mtToCamt053(finText, ['940'], options);
}

export function translateMt950ToCamt053(finText: string, options: TranslateOptions = {}): Checked<Translation> {
  return mtToCamt053(finText, ['950'], options);
}

function mtToCamt053(finText: string, types: readonly MtStatementType[], options: TranslateOptions): Checked<Translation> {
  const message = finOfType(finText, types);
  if (!message.ok) return message;
  const mapped = mtStatementToStatement(message.value);
  if (!mapped.ok) return mapped;
  const source = mapped.value.model;
  const notes = new Notes();
  let mappingNotes = mapped.value.notes;
  let model = source;
  // The MT layer's guess at the creation time gives way to the translation's clock when there is one.
  if (options.creationDateTime !== undefined) {
    mappingNotes = mappingNotes.filter((note) => note.field !== 'creationDateTime');
    notes.add('creationDateTime', 'restructured', 'the time of the translation: an MT input message carries no creation time');
    model = { ...model, creationDateTime: options.creationDateTime };
  }
  const built = buildCamt053(model, isPossibleDuplicate(message.value) ? { possibleDuplicate: true } : {});
  if (!built.ok) return built;
  const again = readBack(parseCamt053(built.value), 'camt.053');
  if (!again.ok) return again;
  return { ok: true, value: { output: built.value, notes: finalNotes(source, again.value, [...mappingNotes, ...notes.list], 'camt.053') } };
}

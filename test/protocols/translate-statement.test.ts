/**
 * MT940 / MT950 ↔ camt.053 translation: statements composed from the standards' field rules go
 * there and back keeping balances, entries, references and dates; what a camt.053 has beyond MT
 * (long ids, pending entries, proprietary codes, periods, more balances) is noted; properties over
 * random statements: the MT written is valid, the camt.053 written validates against the official
 * schema, and every field that differs after a round trip is named by a note.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCamt053, parseCamt053 } from '../../packages/protocols/src/iso20022/index';
import { statementArbitrary } from '../../packages/protocols/src/iso20022/testing/arbitraries';
import { missingSchemaFiles, validateBatchAgainstSchema } from '../../packages/protocols/src/node/index';
import type { Balance, Checked, Statement, TranslationNote } from '../../packages/protocols/src/payment/model';
import { mtStatementToStatement, parseFin, statementToMt940, statementToMt950, validateFin } from '../../packages/protocols/src/swift-mt/index';
import { differingPaths, statement as mtStatement } from '../../packages/protocols/src/swift-mt/test-arbitraries';
import { finText, mt940Base, mt950Base } from '../../packages/protocols/src/swift-mt/test-messages';
import { translateCamt053ToMt940, translateCamt053ToMt950, translateMt940ToCamt053, translateMt950ToCamt053, type Translation } from '../../packages/protocols/src/translate/index';

const propertyRuns = 100;
const schemaMissing = missingSchemaFiles(['camt.053.001.08']).length > 0 && !process.env.CI;

function ok<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const mtModelOf = (text: string): Statement => ok(mtStatementToStatement(ok(parseFin(text)))).model;
const fieldsOf = (translation: Translation) => translation.notes.map((note) => `${note.field} ${note.kind}`);

/** A path that differs is named when a note's field is that path, or one inside the other. */
function unnamed(paths: readonly string[], notes: readonly TranslationNote[]): string[] {
  const inside = (outer: string, inner: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return paths.filter((path) => !notes.some((note) => inside(note.field, path) || inside(path, note.field)));
}

const balance = (type: Balance['type'], amountMinor: bigint, date: string, creditDebit: Balance['creditDebit'] = 'CRDT'): Balance => ({ type, amount: { amountMinor, currency: 'EUR' }, creditDebit, date });

describe('MT940 and MT950 to camt.053 and back', () => {
  it('carries balances, entries, references and dates, and comes back byte for byte', () => {
    const text = finText(mt940Base, { type: '940', userHeader: '' });
    const mx = ok(translateMt940ToCamt053(text, { creationDateTime: '2024-01-31T18:00:00+01:00' }));
    const model = ok(parseCamt053(mx.output));
    expect(model).toMatchObject({
      statementId: 'STMT20240131',
      sequenceNumber: 31,
      pageNumber: 1,
      account: { iban: 'DE44500105175407324931' },
      accountCurrency: 'EUR',
      accountServicer: { bic: 'BANKDEFF' },
      accountOwner: { bic: 'BANKITRR' },
      balances: [balance('OPBD', 1_000_000n, '2024-01-30'), balance('CLBD', 1_234_975n, '2024-01-31'), balance('CLAV', 1_234_975n, '2024-01-31'), balance('FWAV', 1_234_975n, '2024-02-01')],
      entries: [
        {
          amount: { amountMinor: 250_000n, currency: 'EUR' },
          creditDebit: 'CRDT',
          status: 'BOOK',
          valueDate: '2024-01-31',
          bookingDate: '2024-01-31',
          accountServicerReference: 'BANKREF1',
          transactionCode: 'NTRF',
          references: { accountOwnerReference: 'PAYREF240115A' },
          supplementaryDetails: 'RENT JANUARY',
          additionalInformation: 'RENT JANUARY FROM MARCO ROSSI',
        },
        { amount: { amountMinor: 15_025n, currency: 'EUR' }, creditDebit: 'DBIT', valueDate: '2024-01-31', transactionCode: 'NMSC', references: {} },
      ],
      additionalInformation: 'END OF STATEMENT',
    });
    expect(fieldsOf(mx)).toEqual(['creationDateTime restructured']);
    expect(ok(translateCamt053ToMt940(mx.output)).output).toBe(text);
  });

  it('takes an MT950 there and back with the same statement', () => {
    const text = finText(mt950Base, { type: '950', userHeader: '' });
    const mx = ok(translateMt950ToCamt053(text));
    const back = ok(translateCamt053ToMt950(mx.output));
    expect(mtModelOf(back.output)).toEqual(mtModelOf(text));
    expect(back.output).toContain(':61:240131D25000,00S103COVREF0001//FED123');
  });

  it('refuses a message of another type, or a statement without an opening or closing balance', () => {
    expect(translateMt940ToCamt053(finText(mt950Base, { type: '950', userHeader: '' })).ok).toBe(false);
    const opening = mtModelOf(finText(mt940Base, { type: '940', userHeader: '' }));
    const xml = ok(buildCamt053({ ...opening, balances: [balance('OPBD', 1n, '2024-01-30')] }));
    const refused = translateCamt053ToMt940(xml);
    expect(refused.ok ? [] : refused.issues.map((entry) => `${entry.field} ${entry.rule}`)).toEqual(['balances translate.balances']);
  });
});

describe('camt.053 to MT940 and MT950', () => {
  const rich: Statement = {
    messageId: 'CAMT053-20240131-DE4450010517540',
    creationDateTime: '2024-01-31T18:05:00+01:00',
    statementId: 'STMT-DE44500105175407324931-0131',
    sequenceNumber: 31,
    account: { iban: 'DE44500105175407324931' },
    accountCurrency: 'EUR',
    accountServicer: { bic: 'BANKDEFFXXX' },
    accountOwner: { bic: 'BANKITRR', name: 'Banca Italia Roma' },
    fromDate: '2024-01-31',
    toDate: '2024-01-31',
    balances: [balance('CLBD', 1_234_975n, '2024-01-31'), balance('OPBD', 1_000_000n, '2024-01-30'), balance('CLAV', 1_234_975n, '2024-01-31'), balance('CLAV', 1_200_000n, '2024-01-31'), balance('FWAV', 1_234_975n, '2024-02-01')],
    entries: [
      {
        amount: { amountMinor: 250_000n, currency: 'EUR' },
        creditDebit: 'CRDT',
        status: 'BOOK',
        bookingDate: '2024-01-31',
        valueDate: '2024-01-31',
        accountServicerReference: 'SERVICER-REFERENCE-2024-0131-0001',
        entryReference: 'NTRY-1',
        transactionCode: 'SWIFT/NTRF',
        references: { endToEndId: 'INVOICE 2024/17', instructionId: 'PAYREF240115A', uetr: '4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f' },
        additionalInformation: `Rent January & February from Marco Rossi; ${'details '.repeat(60)}`.slice(0, 480),
      },
      { amount: { amountMinor: 5_000n, currency: 'EUR' }, creditDebit: 'DBIT', status: 'PDNG', valueDate: '2024-02-01', transactionCode: 'NCHG', references: {} },
      { amount: { amountMinor: 15_025n, currency: 'EUR' }, creditDebit: 'DBIT', status: 'BOOK', bookingDate: '2023-07-31', valueDate: '2024-01-31', transactionCode: 'PMNT-ICDT-ESCT', references: {} },
    ],
  };

  it('notes every cut, move and drop: ids, balances, pending entries, codes, references, dates, 86 text', () => {
    const mt = ok(translateCamt053ToMt940(ok(buildCamt053(rich))));
    const message = ok(parseFin(mt.output));
    expect(validateFin(message)).toEqual([]);
    expect(mt.output).toContain(':20:STMT-DE44500105+');
    expect(mt.output).toMatch(/:60F:C240130EUR10000,00\r\n:61:2401310131C2500,00NTRFINVOICE 2024\/17\/\/SERVICER-REFERE\+\r\n:86:Rent January \. February/);
    expect(mt.output).toContain(':61:240131D150,25NMSCNONREF\r\n:62F:C240131EUR12349,75\r\n:64:C240131EUR12349,75\r\n:65:C240201EUR12349,75\r\n-}');
    expect(fieldsOf(mt)).toEqual(
      expect.arrayContaining([
        'statementId truncated',
        'messageId dropped',
        'balances dropped',
        'entries[1] dropped',
        'entries restructured',
        'entries[0].transactionCode restructured',
        'entries[0].references.accountOwnerReference restructured',
        'entries[0].references.uetr dropped',
        'entries[0].entryReference dropped',
        'entries[0].accountServicerReference truncated',
        'entries[0].additionalInformation truncated',
        'entries[2].bookingDate dropped',
        'entries[2].transactionCode restructured',
        'accountOwner dropped',
        'fromDate dropped',
        'creationDateTime dropped',
      ]),
    );
    const back = ok(translateMt940ToCamt053(mt.output));
    expect(unnamed(differingPaths(rich, ok(parseCamt053(back.output))), [...mt.notes, ...back.notes])).toEqual([]);
  });

  it('as MT950: no 86 and no forward available balance, each noted', () => {
    const mt = ok(translateCamt053ToMt950(ok(buildCamt053(rich))));
    expect(mt.output).not.toContain(':86:');
    expect(mt.output).not.toContain(':65:');
    expect(fieldsOf(mt)).toEqual(expect.arrayContaining(['entries[0].additionalInformation dropped', 'balances[3] dropped']));
  });
});

/** The MX arbitrary's statements where MT can go at all: BICs of four letters first, YYMMDD's years, 15d amounts, 5n numbers, an opening and a closing balance. */
const dayMs = 86_400_000;
const year2000Ms = Date.UTC(2000, 0, 1);

/** A date of 2000–2099 mapped into 2000–2078 in order: days since 2000 scaled by 79/100 (never reversing two dates). */
function squeezedDate(date: string): string {
  const days = Math.round((Date.parse(`${date.slice(0, 10)}T00:00:00Z`) - year2000Ms) / dayMs);
  return `${new Date(year2000Ms + Math.floor((days * 79) / 100) * dayMs).toISOString().slice(0, 10)}${date.slice(10)}`;
}

function mtWritable(model: Statement): Statement {
  const fixed = JSON.parse(
    JSON.stringify(model, (key, value: unknown) => {
      if (typeof value === 'bigint') return { $bigint: (value % 10n ** 11n || 1n).toString() };
      if (key === 'bic' && typeof value === 'string') return value.slice(0, 4).replace(/\d/g, (digit) => 'ABCDEFGHIJ'[Number(digit)] ?? 'A') + value.slice(4);
      // Whole dates squeezed into 2000–2078 (the years MT's YYMMDD reads back) by a map that keeps their order, so a period still starts before it ends.
      if (/date$/i.test(key) && typeof value === 'string') return squeezedDate(value);
      if (key === 'sequenceNumber' && typeof value === 'number') return value % 100_000;
      return value;
    }),
    (_key, value: unknown) => (typeof value === 'object' && value !== null && '$bigint' in value ? BigInt(String((value as { $bigint: string }).$bigint)) : value),
  ) as Statement;
  const currency = fixed.accountCurrency;
  const has = (type: Balance['type']) => fixed.balances.some((entry) => entry.type === type);
  const extra: Balance[] = [...(has('OPBD') ? [] : [{ ...balance('OPBD', 0n, '2024-01-30'), amount: { amountMinor: 0n, currency } }]), ...(has('CLBD') ? [] : [{ ...balance('CLBD', 0n, '2024-01-31'), amount: { amountMinor: 0n, currency } }])];
  return { ...fixed, balances: [...fixed.balances, ...extra] };
}

describe('statement translation properties', () => {
  it('any camt.053 becomes a valid MT940 (and MT950), and back every field that differs is named', () => {
    fc.assert(
      fc.property(statementArbitrary.map(mtWritable), fc.constantFrom('940', '950'), (source, type) => {
        const mt = ok(type === '940' ? translateCamt053ToMt940(ok(buildCamt053(source))) : translateCamt053ToMt950(ok(buildCamt053(source))));
        expect(validateFin(ok(parseFin(mt.output)))).toEqual([]);
        const back = ok(type === '940' ? translateMt940ToCamt053(mt.output) : translateMt950ToCamt053(mt.output));
        const model = ok(parseCamt053(back.output));
        // The opening and closing balances MT keeps, whatever their place in the camt.053.
        const ends = (value: Statement) => [value.balances.find((entry) => entry.type === 'OPBD'), value.balances.find((entry) => entry.type === 'CLBD')];
        expect([model.accountCurrency, model.sequenceNumber, ...ends(model)]).toEqual([source.accountCurrency, source.sequenceNumber, ...ends(source)]);
        expect(unnamed(differingPaths(source, model), [...mt.notes, ...back.notes])).toEqual([]);
        expect(unnamed(differingPaths(source, mtModelOf(mt.output)), mt.notes)).toEqual([]);
      }),
      { numRuns: propertyRuns },
    );
  });

  it.skipIf(schemaMissing)('any MT940 or MT950 becomes a camt.053 the official schema accepts, and back every field that differs is named', async () => {
    const outputs: string[] = [];
    for (const type of ['940', '950'] as const) {
      fc.assert(
        fc.property(mtStatement({ exact: false, type }), (model) => {
          const text = ok(type === '940' ? statementToMt940(model) : statementToMt950(model)).text;
          const source = mtModelOf(text);
          const mx = ok(type === '940' ? translateMt940ToCamt053(text) : translateMt950ToCamt053(text));
          outputs.push(mx.output);
          const back = ok(type === '940' ? translateCamt053ToMt940(mx.output) : translateCamt053ToMt950(mx.output));
          expect(mtModelOf(back.output).balances).toEqual(source.balances);
          expect(unnamed(differingPaths(source, mtModelOf(back.output)), [...mx.notes, ...back.notes])).toEqual([]);
        }),
        { numRuns: propertyRuns / 2 },
      );
    }
    const results = await validateBatchAgainstSchema(outputs, 'camt.053.001.08');
    expect(results.filter((result) => !result.valid).flatMap((result) => result.errors)).toEqual([]);
  });
});

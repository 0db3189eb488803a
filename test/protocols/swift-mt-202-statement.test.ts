import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstitutionTransfer, Statement, TranslationNote } from '../../packages/protocols/src/payment/model';
import {
  institutionTransferToMt202,
  mt202ToInstitutionTransfer,
  mtStatementToStatement,
  statementToMt940,
  statementToMt950,
  validateFin,
  type Built,
} from '../../packages/protocols/src/swift-mt/index';
import { covers, differingPaths, institutionTransfer, statement } from '../../packages/protocols/src/swift-mt/test-arbitraries';
import { finText, mt202CovBase, mt940Base, parsed, sampleUetr } from '../../packages/protocols/src/swift-mt/test-messages';
import type { Checked } from '../../packages/protocols/src/payment/model';

function value<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function unexplained(before: unknown, after: unknown, notes: readonly TranslationNote[]): string[] {
  return differingPaths(before, after).filter((path) => !notes.some((note) => covers(note.field, path)));
}

const cover: InstitutionTransfer = {
  messageId: 'COVREF0001',
  creationDateTime: '2024-01-16T08:00:00Z',
  instructionId: 'COVREF0001',
  endToEndId: 'PAYREF240115A',
  uetr: sampleUetr,
  relatedReference: 'PAYREF240115A',
  settlementAmount: { amountMinor: 2_500_000n, currency: 'USD' },
  settlementDate: '2024-01-16',
  settlementMethod: 'INDA',
  instructingAgent: { bic: 'BANKDEFF' },
  instructedAgent: { bic: 'BANKUS33' },
  debtor: { bic: 'BANKDEFF' },
  creditorAgent: { bic: 'BANKUS33' },
  creditor: { bic: 'BANKUS33XXX' },
  underlying: {
    debtor: { name: 'ANNA SCHMIDT', postalAddress: { addressLines: ['LINDENALLEE 12', '60311 FRANKFURT'] } },
    debtorAccount: { iban: 'DE44500105175407324931' },
    debtorAgent: { bic: 'BANKDEFF' },
    creditorAgent: { bic: 'BANKUS44' },
    creditor: { name: 'ACME CORP', postalAddress: { addressLines: ['1 MAIN STREET', 'NEW YORK NY'] } },
    creditorAccount: { other: '0012345678' },
    remittanceInformation: 'INVOICE 99',
    instructedAmount: { amountMinor: 2_500_000n, currency: 'USD' },
  },
};

describe('MT202 COV from and to the institution transfer model', () => {
  it('builds the cover a bank would write', () => {
    const built = value(institutionTransferToMt202(cover));
    expect(built.text).toBe(finText(mt202CovBase.map(([tag, text]) => (tag === '32A' ? [tag, '240116USD25000,00'] : tag === '33B' ? [tag, 'USD25000,00'] : [tag, text])), { type: '202', receiver: 'BANKUS33XXXX', userHeader: `{119:COV}{121:${sampleUetr}}` }));
  });

  it('reads it back whole', () => {
    const back = value(mt202ToInstitutionTransfer(parsed(value(institutionTransferToMt202(cover)).text))).model;
    expect({ ...back, creationDateTime: cover.creationDateTime }).toEqual(cover);
  });

  it('refuses an intermediary without a creditor agent, and a bad reference, naming the fields', () => {
    const result = institutionTransferToMt202({ ...cover, intermediaryAgent: { bic: 'BANKGB2L' }, creditorAgent: undefined as never, relatedReference: 'REL//X' });
    expect(result.ok ? [] : result.issues.map((issue) => `${issue.field} ${issue.rule}`)).toEqual(['relatedReference slash', 'creditorAgent C1']);
  });
});

describe('MT940 from and to the statement model', () => {
  it('reads the composed statement: balances, entries with their 86, the reversal marks', () => {
    const text = finText(mt940Base.map(([tag, text], index) => (index === 6 ? [tag, '240131RC150,25NMSCNONREF'] : [tag, text])), { type: '940', userHeader: '' });
    const { model } = value(mtStatementToStatement(parsed(text)));
    expect(model.balances.map((balance) => `${balance.type} ${balance.creditDebit} ${balance.amount.amountMinor}`)).toEqual(['OPBD CRDT 1000000', 'CLBD CRDT 1234975', 'CLAV CRDT 1234975', 'FWAV CRDT 1234975']);
    expect(model.entries[0]).toEqual({
      amount: { amountMinor: 250_000n, currency: 'EUR' },
      creditDebit: 'CRDT',
      status: 'BOOK',
      bookingDate: '2024-01-31',
      valueDate: '2024-01-31',
      accountServicerReference: 'BANKREF1',
      transactionCode: 'NTRF',
      references: { accountOwnerReference: 'PAYREF240115A' },
      supplementaryDetails: 'RENT JANUARY',
      additionalInformation: 'RENT JANUARY FROM MARCO ROSSI',
    });
    expect(model.entries[1]).toMatchObject({ creditDebit: 'DBIT', reversal: true, references: {} });
    expect(model.additionalInformation).toBe('END OF STATEMENT');
    expect(model.account).toEqual({ iban: 'DE44500105175407324931' });
    expect(model.sequenceNumber).toBe(31);
    expect(model.pageNumber).toBe(1);
  });

  it('reads an entry date across the year end as the date nearest the value date', () => {
    const text = finText(mt940Base.map(([tag, text], index) => (index === 6 ? [tag, '2401011231D150,25NMSCNONREF'] : [tag, text])), { type: '940', userHeader: '' });
    expect(value(mtStatementToStatement(parsed(text))).model.entries[1]?.bookingDate).toBe('2023-12-31');
  });

  it('refuses balances in another currency and out of order, naming the balance', () => {
    const { model } = value(mtStatementToStatement(parsed(finText(mt940Base, { type: '940', userHeader: '' }))));
    const result = statementToMt940({ ...model, balances: [model.balances[1], model.balances[0], { ...model.balances[2], amount: { amountMinor: 1n, currency: 'USD' } }] as Statement['balances'] });
    expect(result.ok ? [] : result.issues.map((issue) => `${issue.field} ${issue.rule}`)).toEqual(['balances[0].type mandatory', 'balances[1].type mandatory', 'balances[2].amount.currency C2']);
  });
});

describe('MT202, MT940 and MT950 properties', () => {
  const cases: readonly [string, fc.Arbitrary<unknown>, (model: never) => Checked<Built>, (text: string) => Checked<{ model: unknown; notes: readonly TranslationNote[] }>][] = [
    ['MT202', institutionTransfer({ exact: true, cover: false }), institutionTransferToMt202, (text) => mt202ToInstitutionTransfer(parsed(text))],
    ['MT202 COV', institutionTransfer({ exact: true, cover: true }), institutionTransferToMt202, (text) => mt202ToInstitutionTransfer(parsed(text))],
    ['MT940', statement({ exact: true, type: '940' }), statementToMt940, (text) => mtStatementToStatement(parsed(text))],
    ['MT950', statement({ exact: true, type: '950' }), statementToMt950, (text) => mtStatementToStatement(parsed(text))],
  ];

  it.each(cases)('%s: a model MT carries whole builds a valid message and comes back unchanged', (_, arbitrary, build, read) => {
    fc.assert(
      fc.property(arbitrary, (model) => {
        const built = value(build(model as never));
        expect(validateFin(parsed(built.text))).toEqual([]);
        expect(built.notes.map((note) => note.field)).toEqual(['creationDateTime']);
        const back = value(read(built.text)).model as { creationDateTime: string };
        expect({ ...back, creationDateTime: (model as { creationDateTime: string }).creationDateTime }).toEqual(model);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ['MT202', institutionTransfer({ exact: false, cover: false }), institutionTransferToMt202, (text: string) => mt202ToInstitutionTransfer(parsed(text))],
    ['MT202 COV', institutionTransfer({ exact: false, cover: true }), institutionTransferToMt202, (text: string) => mt202ToInstitutionTransfer(parsed(text))],
    ['MT940 with long information', statement({ exact: false, type: '940' }), statementToMt940, (text: string) => mtStatementToStatement(parsed(text))],
    ['MT950 with information it cannot carry', statement({ exact: false, type: '950' }), statementToMt950, (text: string) => mtStatementToStatement(parsed(text))],
  ] as typeof cases)('%s: any valid model builds a valid message; only what the notes name changes', (_, arbitrary, build, read) => {
    fc.assert(
      fc.property(arbitrary, (model) => {
        const built = value(build(model as never));
        expect(validateFin(parsed(built.text))).toEqual([]);
        expect(unexplained(model, value(read(built.text)).model, built.notes)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('an invalid institution transfer or statement is refused naming the field', () => {
    const transferCorruptions: readonly [string, (model: InstitutionTransfer) => InstitutionTransfer][] = [
      ['relatedReference', (model) => ({ ...model, relatedReference: `${model.relatedReference}/` })],
      ['creditor', (model) => ({ ...model, creditor: {} })],
      ['settlementAmount.currency', (model) => ({ ...model, settlementAmount: { ...model.settlementAmount, currency: 'EURO' } })],
      ['underlying.creditor.name', (model) => ({ ...model, underlying: { ...(model.underlying as NonNullable<InstitutionTransfer['underlying']>), creditor: { name: 'ÅSA' } } })],
    ];
    fc.assert(
      fc.property(institutionTransfer({ exact: false, cover: true }), fc.constantFrom(...transferCorruptions), (model, [field, corrupt]) => {
        const result = institutionTransferToMt202(corrupt(model));
        expect(result.ok ? [] : result.issues.map((issue) => issue.field)).toContain(field);
      }),
      { numRuns: 100 },
    );
    const statementCorruptions: readonly [string, (model: Statement) => Statement][] = [
      ['sequenceNumber', (model) => ({ ...model, sequenceNumber: 100_000 })],
      ['entries[0].transactionCode', (model) => ({ ...model, entries: [{ ...(model.entries[0] ?? sampleEntry(model)), transactionCode: 'XTRF' }] })],
      ['balances[1].amount.currency', (model) => ({ ...model, balances: model.balances.map((balance, index) => (index === 1 ? { ...balance, amount: { ...balance.amount, currency: balance.amount.currency === 'EUR' ? 'USD' : 'EUR' } } : balance)) })],
    ];
    fc.assert(
      fc.property(statement({ exact: false, type: '950' }), fc.constantFrom(...statementCorruptions), (model, [field, corrupt]) => {
        const result = statementToMt940(corrupt(model));
        expect(result.ok ? [] : result.issues.map((issue) => issue.field)).toContain(field);
      }),
      { numRuns: 100 },
    );
  });
});

function sampleEntry(model: Statement): Statement['entries'][number] {
  return { amount: { amountMinor: 1n, currency: model.accountCurrency }, creditDebit: 'CRDT', status: 'BOOK', valueDate: '2024-01-31', transactionCode: 'NTRF', references: {} };
}

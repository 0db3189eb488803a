import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditTransfer } from '../../packages/protocols/src/payment/model';
import { creditTransferToMt103, mt103ToCreditTransfer, parseFin, validateFin } from '../../packages/protocols/src/swift-mt/index';
import { covers, creditTransfer, differingPaths } from '../../packages/protocols/src/swift-mt/test-arbitraries';
import { editMt103, finText, parsed } from '../../packages/protocols/src/swift-mt/test-messages';

const base: CreditTransfer = {
  messageId: 'MSG20240115001',
  creationDateTime: '2024-01-15T10:00:00+01:00',
  instructionId: 'PAYREF240115A',
  endToEndId: 'ORDER-2024-17',
  uetr: '4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f',
  serviceLevel: 'G001',
  settlementAmount: { amountMinor: 250_000n, currency: 'EUR' },
  settlementDate: '2024-01-15',
  settlementMethod: 'INDA',
  instructedAmount: { amountMinor: 250_000n, currency: 'EUR' },
  chargeBearer: 'SHAR',
  instructingAgent: { bic: 'BANKDEFF' },
  instructedAgent: { bic: 'BANKITRR' },
  debtor: { name: 'ANNA SCHMIDT', postalAddress: { addressLines: ['LINDENALLEE 12', '60311 FRANKFURT'] } },
  debtorAccount: { iban: 'DE44500105175407324931' },
  debtorAgent: { bic: 'BANKDEFF' },
  creditorAgent: { bic: 'BANKITRR' },
  creditor: { name: 'MARCO ROSSI', postalAddress: { addressLines: ['VIA ROMA 5', '00184 ROMA'] } },
  creditorAccount: { iban: 'IT60X0542811101000000123456' },
  remittanceInformation: 'RENT JANUARY',
};

function built(model: CreditTransfer) {
  const result = creditTransferToMt103(model);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function readBack(text: string): { model: CreditTransfer; notes: readonly { field: string }[] } {
  const result = mt103ToCreditTransfer(parsed(text));
  if (!result.ok) throw new Error(`not read: ${JSON.stringify(result.issues)}`);
  return result.value;
}

describe('MT103 from and to the credit transfer model', () => {
  it('builds the message a bank would write, field by field', () => {
    const { text, notes } = built(base);
    expect(text).toBe(
      finText(editMt103({ set: [['50K', '/DE44500105175407324931\nANNA SCHMIDT\nLINDENALLEE 12\n60311 FRANKFURT']] }), {
        userHeader: '{108:MSG20240115001}{111:001}{121:4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f}',
      }),
    );
    expect(notes.map((note) => note.field)).toEqual(['creationDateTime']);
  });

  it('reads a message into the model: end-to-end id from /ROC/, the agents from the headers when 52a and 57a are absent', () => {
    const { model } = readBack(built(base).text);
    expect({ ...model, creationDateTime: base.creationDateTime }).toEqual(base);
  });

  it('takes the end-to-end id from :20: and the message id from :20: when 70 has no /ROC/ and block 3 no 108', () => {
    const text = finText(editMt103({ set: [['70', 'RENT JANUARY']] }));
    const { model } = readBack(text);
    expect(model.endToEndId).toBe('PAYREF240115A');
    expect(model.messageId).toBe('PAYREF240115A');
    expect(model.remittanceInformation).toBe('RENT JANUARY');
  });

  it('writes a structured address as 50F and 59F lines', () => {
    const model: CreditTransfer = {
      ...base,
      debtor: { name: 'ANNA SCHMIDT', postalAddress: { streetName: 'LINDENALLEE', buildingNumber: '12', postCode: '60311', townName: 'FRANKFURT', country: 'DE' } },
      creditor: { name: 'MARCO ROSSI', postalAddress: { townName: 'ROMA', country: 'IT' } },
    };
    const { message, notes } = built(model);
    expect(message.text?.find((field) => field.tag === '50F')?.value).toBe('/DE44500105175407324931\n1/ANNA SCHMIDT\n2/LINDENALLEE 12\n3/DE/60311 FRANKFURT');
    expect(message.text?.find((field) => field.tag === '59F')?.value).toBe('/IT60X0542811101000000123456\n1/MARCO ROSSI\n3/IT/ROMA');
    expect(notes.map((note) => `${note.field} ${note.kind}`)).toEqual(['creationDateTime dropped', 'debtor.postalAddress restructured', 'debtor.postalAddress restructured']);
  });

  it('continues a name over two 1/ lines of 50F and reads it back whole', () => {
    const name = 'SCHMIDT UND PARTNER STEUERBERATUNGSGESELLSCHAFT MBH';
    const model: CreditTransfer = { ...base, debtor: { name, postalAddress: { townName: 'FRANKFURT', country: 'DE' } } };
    const { message, text, notes } = built(model);
    expect(message.text?.find((field) => field.tag === '50F')?.value).toBe(`/DE44500105175407324931\n1/${name.slice(0, 33)}\n1/${name.slice(33)}\n3/DE/FRANKFURT`);
    expect(notes.map((note) => note.field)).toEqual(['creationDateTime']);
    expect(readBack(text).model.debtor).toEqual(model.debtor);
  });

  it('truncates what is too long with the + marker and says so', () => {
    const long = 'A'.repeat(40);
    const { message, notes } = built({ ...base, creditor: { name: long }, remittanceInformation: 'R'.repeat(150), ultimateDebtor: { name: 'PARENT' }, debtor: { ...base.debtor, lei: '5299000J2N45DDNE4Y28' } });
    expect(message.text?.find((field) => field.tag === '59')?.value.split('\n')[1]).toBe(`${'A'.repeat(34)}+`);
    expect(message.text?.find((field) => field.tag === '70')?.value.split('\n').at(-1)).toBe(`${'R'.repeat(34)}+`);
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'creditor.name', kind: 'truncated' }),
        expect.objectContaining({ field: 'remittanceInformation', kind: 'truncated' }),
        expect.objectContaining({ field: 'ultimateDebtor', kind: 'dropped' }),
        expect.objectContaining({ field: 'debtor.lei', kind: 'dropped' }),
      ]),
    );
  });

  it('carries a long end-to-end id over two lines of 70 and reads it back', () => {
    const endToEndId = 'E2E-0123456789-0123456789-0123456789'.slice(0, 35);
    const { message, text } = built({ ...base, endToEndId });
    expect(message.text?.find((field) => field.tag === '70')?.value).toBe(`/ROC/${endToEndId.slice(0, 30)}\n//${endToEndId.slice(30)}\nRENT JANUARY`);
    expect(readBack(text).model.endToEndId).toBe(endToEndId);
    const thirty = 'X'.repeat(30);
    expect(readBack(built({ ...base, endToEndId: thirty, remittanceInformation: '//LOOKS LIKE A CONTINUATION' }).text).model).toMatchObject({ endToEndId: thirty, remittanceInformation: '//LOOKS LIKE A CONTINUATION' });
  });

  it('refuses an invalid model naming the model field, building nothing', () => {
    const refused = (model: CreditTransfer) => {
      const result = creditTransferToMt103(model);
      return result.ok ? [] : result.issues.map((issue) => `${issue.field} ${issue.rule}`);
    };
    expect(refused({ ...base, creditor: { name: 'MÜLLER' } })).toEqual(['creditor.name charset_x']);
    expect(refused({ ...base, settlementAmount: { amountMinor: 1n, currency: 'XXY' } })).toContain('settlementAmount.currency currency');
    expect(refused({ ...base, instructionId: 'A'.repeat(17) })).toEqual(['instructionId length']);
    expect(refused({ ...base, instructionId: 'A//B' })).toEqual(['instructionId slash']);
    expect(refused({ ...base, uetr: 'not-a-uuid' })).toEqual(['uetr format']);
    expect(refused({ ...base, instructedAmount: undefined as never })).toEqual(['instructedAmount C2']);
    expect(refused({ ...base, instructedAmount: { amountMinor: 270_000n, currency: 'USD' } })).toEqual(['exchangeRate C1']);
    expect(refused({ ...base, chargeBearer: 'CRED' })).toEqual(['charges C14']);
    expect(refused({ ...base, chargeBearer: 'DEBT', charges: [{ amount: { amountMinor: 1000n, currency: 'USD' }, agent: { bic: 'BANKITRR' }, type: 'receiver' }] })).toEqual(['charges[0].amount.currency C18']);
    expect(refused({ ...base, settlementAmount: { amountMinor: 10n ** 16n, currency: 'EUR' } })).toEqual(['settlementAmount.amountMinor length']);
    expect(refused({ ...base, settlementDate: '2024-02-30' })).toEqual(['settlementDate date']);
    expect(refused({ ...base, instructingAgent: { name: 'NO BIC' } })).toEqual(['instructingAgent.bic mandatory']);
    expect(refused({ ...base, instructionCodes: ['CHQB'] })).toEqual(['creditorAccount C13']);
    const { instructedAmount: _instructed, ...withoutInstructed } = base;
    expect(refused({ ...withoutInstructed, instructedAgent: { bic: 'BANKUS33' }, creditorAgent: { bic: 'BANKUS33' }, charges: [{ amount: { amountMinor: 500n, currency: 'EUR' }, agent: { bic: 'BANKDEFF' }, type: 'sender' }] })).toEqual(['instructedAmount C15']);
    expect(refused({ ...base, instructionCodes: ['SPRI', 'CORT'] })).toEqual(['instructionCodes C3']);
    expect(refused({ ...base, instructionCodes: ['TELI'] })).toEqual(['intermediaryAgent C16']);
  });
});

describe('MT103 properties', () => {
  it('a model MT carries whole builds a valid message and comes back unchanged', () => {
    fc.assert(
      fc.property(creditTransfer({ exact: true }), (model) => {
        const { text, notes } = built(model);
        expect(validateFin(parsed(text))).toEqual([]);
        expect(notes.map((note) => note.field)).toEqual(['creationDateTime']);
        const back = readBack(text).model;
        expect({ ...back, creationDateTime: model.creationDateTime }).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('any valid model builds a valid message, and only what the notes name changes on the way back', () => {
    fc.assert(
      fc.property(creditTransfer({ exact: false }), (model) => {
        const { text, notes } = built(model);
        expect(validateFin(parsed(text))).toEqual([]);
        const back = readBack(text).model;
        const unexplained = differingPaths(model, back).filter((path) => !notes.some((note) => covers(note.field, path)));
        expect(unexplained).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('an invalid model is refused naming the broken field, and no message is built', () => {
    const corruptions: readonly [string, (model: CreditTransfer) => CreditTransfer][] = [
      ['creditor.name', (model) => ({ ...model, creditor: { name: 'ZOË' } })],
      ['settlementAmount.currency', (model) => ({ ...model, settlementAmount: { ...model.settlementAmount, currency: 'ABC' } })],
      ['settlementAmount.amountMinor', (model) => ({ ...model, settlementAmount: { ...model.settlementAmount, amountMinor: 0n } })],
      ['instructionId', (model) => ({ ...model, instructionId: `/${model.instructionId}` })],
      ['uetr', (model) => ({ ...model, uetr: model.uetr.toUpperCase().replace(/^./, 'G') })],
      ['debtorAccount.iban', (model) => ({ ...model, debtorAccount: { iban: 'DE00' } })],
      ['instructedAgent.bic', (model) => ({ ...model, instructedAgent: { bic: 'bankdeff' } })],
      ['remittanceInformation', (model) => ({ ...model, remittanceInformation: 'line one\nline two' })],
      ['endToEndId', (model) => ({ ...model, endToEndId: 'E'.repeat(36) })],
    ];
    fc.assert(
      fc.property(creditTransfer({ exact: false }), fc.constantFrom(...corruptions), (model, [field, corrupt]) => {
        const result = creditTransferToMt103(corrupt(model));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.issues.map((issue) => issue.field)).toContain(field);
      }),
      { numRuns: 200 },
    );
  });
});

describe('MT103 input the parser refuses', () => {
  it('does not map a message that fails validation', () => {
    const result = mt103ToCreditTransfer(parsed(finText(editMt103({ remove: ['71A'] }))));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toEqual([expect.objectContaining({ field: '71A', rule: 'mandatory' })]);
    const other = parseFin(finText(editMt103({}), { type: '202' }));
    expect(other.ok && mt103ToCreditTransfer(other.value).ok).toBe(false);
  });
});

/**
 * Regression tests for the review of the MT layer against the shapes of public sample messages:
 * each names the finding it closes (F1, F4–F9, the narrative lines, MT940 25).
 */
import { describe, expect, it } from 'vitest';
import type { CreditTransfer } from '../../packages/protocols/src/payment/model';
import { buildFin, creditTransferToMt103, mt103ToCreditTransfer, mtStatementToStatement, parseFin, parseFinFile, validateFin } from '../../packages/protocols/src/swift-mt/index';
import { editMt103, finText, mt940Base, parsed } from '../../packages/protocols/src/swift-mt/test-messages';

const mapped = (text: string) => {
  const result = mt103ToCreditTransfer(parsed(text));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
};

const base: CreditTransfer = {
  messageId: 'MSG1',
  creationDateTime: '2024-01-15T10:00:00+01:00',
  instructionId: 'PAYREF240115A',
  endToEndId: 'PAYREF240115A',
  uetr: '4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f',
  settlementAmount: { amountMinor: 100_000n, currency: 'USD' },
  settlementDate: '2024-01-15',
  settlementMethod: 'INDA',
  chargeBearer: 'SHAR',
  instructingAgent: { bic: 'BANKUS33' },
  instructedAgent: { bic: 'BANKGB22' },
  debtor: { name: 'JOHN DOE' },
  debtorAgent: { bic: 'BANKUS33' },
  creditorAgent: { bic: 'BANKGB22' },
  creditor: { name: 'JANE SMITH' },
  creditorAccount: { other: '9876' },
};

describe('F1 block 3 433 and 434: /3!a[/20x]', () => {
  it('takes the code alone and with its information, refuses a lower-case or long one', () => {
    for (const tag of ['{433:/AOK}', '{434:/FPO}', '{433:/FPO/FALSE POSITIVE}']) expect(validateFin(parsed(finText(editMt103({}), { userHeader: `{121:4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f}${tag}` })))).toEqual([]);
    for (const tag of ['{433:/aok}', `{433:/AOK/${'X'.repeat(21)}}`, '{434:AOK}']) {
      expect(validateFin(parsed(finText(editMt103({}), { userHeader: `{121:4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f}${tag}` }))).map((issue) => issue.rule)).toContain('format');
    }
  });
});

describe('F4 remittance with runs of - and : never breaks the MT103', () => {
  for (const [name, remittance] of [
    ['a separator line of dashes', `X${'-'.repeat(139)}`],
    ['a colon then dashes at a wrap', `${'A'.repeat(34)}:B${'-'.repeat(40)}`],
    ['colons everywhere', `X${':'.repeat(99)}`],
    ['spaces then a dash at a line start', `${'A'.repeat(35)}   -X`],
  ] as const) {
    it(`${name}: built, valid, and read back as it was`, () => {
      const built = creditTransferToMt103({ ...base, endToEndId: 'E2E-1', remittanceInformation: remittance });
      expect(built.ok).toBe(true);
      if (!built.ok) return;
      expect(validateFin(built.value.message)).toEqual([]);
      const lines = built.value.message.text?.find((field) => field.tag === '70')?.value.split('\n') ?? [];
      for (const line of lines.slice(1)) expect(line).not.toMatch(/^[:-]/);
      const back = mapped(built.value.text).model.remittanceInformation ?? '';
      // 70 has three lines of 35 after /ROC/: what fits comes back exactly, a longer text cut with +.
      if (remittance.length <= 35 * 3 - lines.slice(1).filter((line) => line.startsWith(' ')).length) expect(back).toBe(remittance);
      else expect(back.endsWith('+')).toBe(true);
    });
  }
  it('a model the MT layer checks let through but the validator would refuse is refused with issues, not a throw', () => {
    const built = creditTransferToMt103({ ...base, instructionCodes: ['SPAY'], creditorAgent: { name: 'SOME BANK' } });
    expect(built.ok).toBe(false);
  });
});

describe('F5 50F numbered lines', () => {
  const text = (lines: string) => finText(editMt103({ set: [['50F', `/DE89370400440532013000\n${lines}`]] }));
  it('a second 3/ line continues the town, the country stays', () => {
    expect(mapped(text('1/JOHN DOE\n3/DE/FRANKFURT AM\n3/MAIN')).model.debtor.postalAddress).toEqual({ country: 'DE', townName: 'FRANKFURT AM MAIN' });
  });
  it('6/ is the customer identification number (CUST, issuer country/issuer), 8/ continues it', () => {
    const { model } = mapped(text('1/JOHN DOE\n3/DE/FRANKFURT\n6/DE/ABC BANK/1234578293\n8/55'));
    expect(model.debtor.otherId).toEqual({ id: '1234578293 55', scheme: 'CUST', issuer: 'DE/ABC BANK' });
  });
  it('7/ is the national identity number (NIDN, issued in the country); a second identifier is noted', () => {
    const result = mapped(text('1/JOHN DOE\n3/DE/FRANKFURT\n7/DE/987654321\n6/DE/ABC/1'));
    expect(result.model.debtor.otherId).toEqual({ id: '987654321', scheme: 'NIDN', issuer: 'DE' });
    expect(result.notes.some((note) => note.field === 'debtor.otherId' && note.detail.includes('CUST'))).toBe(true);
  });
  it('further 1/ lines continue the name (a full line runs on, a short one ends at a word)', () => {
    expect(mapped(text(`1/${'A'.repeat(33)}\n1/B\n3/DE/X`)).model.debtor.name).toBe(`${'A'.repeat(33)}B`);
    expect(mapped(text('1/JOHN\n1/DOE\n3/DE/X')).model.debtor.name).toBe('JOHN DOE');
  });
});

describe('F6 a // party identifier is a clearing code, never an account', () => {
  const agentOf = (value: string) => mapped(finText(editMt103({ set: [['57A', value]] }))).model.creditorAgent;
  it('the standard\'s national codes map to the ISO clearing systems', () => {
    expect(agentOf('//CH123456\nCITIUS33')).toEqual({ bic: 'CITIUS33', clearingMemberId: { system: 'USPID', memberId: '123456' } });
    expect(agentOf('//CP1234\nCITIUS33')).toEqual({ bic: 'CITIUS33', clearingMemberId: { system: 'USPID', memberId: '1234' } });
    expect(agentOf('//FW021000089\nCHASUS33').clearingMemberId).toEqual({ system: 'USABA', memberId: '021000089' });
    expect(agentOf('//SC123456\nBANKGB2L').clearingMemberId).toEqual({ system: 'GBDSC', memberId: '123456' });
    expect(agentOf('//BL37040044\nCOBADEFF').clearingMemberId).toEqual({ system: 'DEBLZ', memberId: '37040044' });
  });
  it('//RT, //FW alone and an unknown code are noted, not read as an account', () => {
    for (const value of ['//RT\nBANKGB2L', '//FW\nCHASUS33', '//XX123\nBANKGB2L']) {
      const result = mapped(finText(editMt103({ set: [['57A', value]] })));
      expect(result.model.creditorAgent.account).toBeUndefined();
      expect(result.notes.some((note) => note.field === 'creditorAgent.clearingMemberId')).toBe(true);
    }
  });
  it('USPID is written back as //CP', () => {
    const built = creditTransferToMt103({ ...base, creditorAgent: { bic: 'CITIUS33', clearingMemberId: { system: 'USPID', memberId: '123456' } } });
    expect(built.ok && built.value.text).toContain(':57A://CP123456');
  });
});

describe('F7 53a, 54a, 55a are the reimbursement agents', () => {
  it('53A and 54A read as COVE with the instructing and instructed reimbursement agents, 55A the third', () => {
    const { model } = mapped(finText(editMt103({ set: [['53A', 'CORRUS33'], ['54A', '/12345\nCORRGB22'], ['55A', 'THRDDEFF']] })));
    expect(model).toMatchObject({ settlementMethod: 'COVE', instructingReimbursementAgent: { bic: 'CORRUS33' }, instructedReimbursementAgent: { bic: 'CORRGB22', account: { other: '12345' } }, thirdReimbursementAgent: { bic: 'THRDDEFF' } });
  });
  it('53B with an account alone: /C/ is INGA, /D/ or no mark INDA', () => {
    expect(mapped(finText(editMt103({ set: [['53B', '/C/123456']] }))).model.settlementMethod).toBe('INGA');
    expect(mapped(finText(editMt103({ set: [['53B', '/D/123456']] }))).model.settlementMethod).toBe('INDA');
    expect(mapped(finText(editMt103({ set: [['53B', '/123456']] }))).model.settlementMethod).toBe('INDA');
  });
  it('53B and 53D with a bank read as its reimbursement agent', () => {
    expect(mapped(finText(editMt103({ set: [['53D', 'CORRESPONDENT BANK\nNEW YORK']] }))).model.instructingReimbursementAgent).toEqual({ name: 'CORRESPONDENT BANK', postalAddress: { addressLines: ['NEW YORK'] } });
    expect(mapped(finText(editMt103({ set: [['53B', '/1234\nNEW YORK']] }))).model.instructingReimbursementAgent).toEqual({ account: { other: '1234' }, name: 'NEW YORK' });
  });
  it('COVE is written as 53a/54a/55a (A, B, D) and read back the same', () => {
    const model: CreditTransfer = {
      ...base,
      settlementMethod: 'COVE',
      instructingReimbursementAgent: { bic: 'CORRUS33' },
      instructedReimbursementAgent: { name: 'CORR BANK', postalAddress: { addressLines: ['LONDON'] } },
      thirdReimbursementAgent: { account: { other: '998877' } },
    };
    const built = creditTransferToMt103(model);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value.text).toContain(':53A:CORRUS33');
    expect(built.value.text).toContain(':54D:CORR BANK');
    expect(built.value.text).toContain(':55B:/998877');
    const back = mapped(built.value.text).model;
    expect(back).toMatchObject({ settlementMethod: 'COVE', instructingReimbursementAgent: model.instructingReimbursementAgent, instructedReimbursementAgent: model.instructedReimbursementAgent, thirdReimbursementAgent: model.thirdReimbursementAgent });
  });
  it('a third reimbursement agent without both others is refused (C7), reimbursement agents without COVE are noted', () => {
    const third = creditTransferToMt103({ ...base, settlementMethod: 'COVE', instructingReimbursementAgent: { bic: 'CORRUS33' }, thirdReimbursementAgent: { bic: 'THRDDEFF' } });
    expect(third.ok ? [] : third.issues.map((issue) => `${issue.field} ${issue.rule}`)).toContain('thirdReimbursementAgent C7');
    const inda = creditTransferToMt103({ ...base, instructingReimbursementAgent: { bic: 'CORRUS33' } });
    expect(inda.ok && inda.value.notes.some((note) => note.field === 'instructingReimbursementAgent')).toBe(true);
  });
});

describe('F8 MT103 REMIT', () => {
  const remit = (set: readonly (readonly [string, string])[], remove: readonly string[] = ['70']) => validateFin(parsed(finText(editMt103({ set, remove }), { userHeader: '{119:REMIT}{121:4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f}' })));
  it('{119:REMIT} with 77T (the envelope, Z set) and no 70 is valid', () => {
    expect(remit([['77T', '/NARR/SOME REMITTANCE {WITH @ AND #\nSECOND LINE = 100%']])).toEqual([]);
  });
  it('names the REMIT rules: 77T mandatory, 70 not allowed; 77T only under REMIT', () => {
    expect(remit([]).map((issue) => `${issue.field} ${issue.rule}`)).toContain('77T remit');
    expect(remit([['77T', '/NARR/X']], []).map((issue) => `${issue.field} ${issue.rule}`)).toContain('70 remit');
    expect(validateFin(parsed(finText(editMt103({ set: [['77T', '/NARR/X']] })))).map((issue) => `${issue.field} ${issue.rule}`)).toContain('77T remit');
  });
  it('the envelope is noted when mapped to the model', () => {
    const text = finText(editMt103({ set: [['77T', '/NARR/X']], remove: ['70'] }), { userHeader: '{119:REMIT}{121:4f1c2a9e-7b3d-4c6e-9a1f-0d2e3b4c5a6f}' });
    expect(mapped(text).notes.some((note) => note.field === '77T')).toBe(true);
  });
});

describe('F9 FIN files', () => {
  const message = finText(editMt103({}));
  it('parseFin takes a leading BOM and blank lines and still rebuilds the text byte for byte', () => {
    for (const text of [`\uFEFF${message}`, `\r\n\r\n${message}\r\n\r\n`, `\uFEFF\n${message}`]) {
      const result = parseFin(text);
      expect(result.ok).toBe(true);
      if (result.ok) expect(buildFin(result.value)).toBe(text);
      if (result.ok) expect(validateFin(result.value)).toEqual([]);
    }
  });
  it('parseFinFile reads an ACK and the message after it, and several messages with separators', () => {
    const ack = '{1:F21BANKDEFFAXXX0000000000}{4:{177:2501031200}{451:0}}';
    const file = parseFinFile(`\uFEFF${ack}${message}\r\n$${message}\r\n`);
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    expect(file.value.map((entry) => entry.result.ok)).toEqual([true, true, true]);
    expect(file.value.map((entry) => (entry.result.ok ? entry.result.value.basicHeader.serviceId : ''))).toEqual(['21', '01', '01']);
    expect(file.value[1]?.text).toBe(`${message}\r\n`);
    expect(parseFinFile('no message here').ok).toBe(false);
  });
  it('a bad message in a file does not hide the others', () => {
    const file = parseFinFile(`${message}{1:F01BROKEN}${message}`);
    expect(file.ok && file.value.map((entry) => entry.result.ok)).toEqual([true, false, true]);
  });
});

describe('narrative lines read back without merging words', () => {
  it('70 lines shorter than 35 are joined with a space, full ones run on', () => {
    expect(mapped(finText(editMt103({ set: [['70', '/ROC/E2E\nINVOICE 123\nAND 456']] }))).model.remittanceInformation).toBe('INVOICE 123 AND 456');
    expect(mapped(finText(editMt103({ set: [['70', `${'A'.repeat(35)}\nB`]] }))).model.remittanceInformation).toBe(`${'A'.repeat(35)}B`);
  });
  it('86 lines shorter than 65 are joined with a space', () => {
    const text = finText(mt940Base.map((field) => (field[1] === 'RENT JANUARY FROM MARCO ROSSI' ? (['86', 'LINE ONE OF INFORMATION\nLINE TWO'] as const) : field)), { type: '940' });
    const statement = mtStatementToStatement(parsed(text));
    expect(statement.ok && statement.value.model.entries[0]?.additionalInformation).toBe('LINE ONE OF INFORMATION LINE TWO');
  });
});

describe('MT940 25 with the servicer\'s BIC', () => {
  it('BANKDEFF/12345678: the BIC is the account servicer, the rest the account', () => {
    const text = finText(mt940Base.map((field) => (field[0] === '25' ? (['25', 'CUSTDEFF/12345678'] as const) : field)), { type: '940' });
    const statement = mtStatementToStatement(parsed(text));
    expect(statement.ok).toBe(true);
    if (!statement.ok) return;
    expect(statement.value.model.account).toEqual({ other: '12345678' });
    expect(statement.value.model.accountServicer).toEqual({ bic: 'CUSTDEFF' });
    expect(statement.value.notes.some((note) => note.field === 'accountServicer')).toBe(true);
  });
});

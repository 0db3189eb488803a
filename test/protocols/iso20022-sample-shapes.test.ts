/**
 * Messages in the shapes public CBPR+ samples have (composed here, not copied): what the official
 * schema accepts is read — what the model carries into the model, what it does not as 'dropped'
 * notes naming the XML path — and what the schema refuses, the parser refuses too. Regression
 * tests of the ISO 20022 review findings F2 (pacs.008 elements the model lacked refused the whole
 * message), F3 (usual camt.053 content refused), F7 (reimbursement agents, COVE) and F10 (the
 * BusMsgEnvlp root accepted by one side only).
 */
import { describe, expect, it } from 'vitest';
import { buildCamt053, buildPacs008, parseCamt053, parseMx, parsePacs008 } from '../../packages/protocols/src/iso20022/index';
import { exampleCreditTransfer } from '../../packages/protocols/src/iso20022/testing/arbitraries';
import { defaultIso20022SchemaDir, missingSchemaFiles, validateAgainstSchema } from '../../packages/protocols/src/node/index';
import type { Checked, CreditTransfer, Statement, TranslationNote } from '../../packages/protocols/src/payment/model';

const schemaDir = defaultIso20022SchemaDir();
const schemaMissing = missingSchemaFiles(['pacs.008.001.08', 'camt.053.001.08'], schemaDir).length > 0 && !process.env.CI;
const tx = 'Document/FIToFICstmrCdtTrf/CdtTrfTxInf';

function ok<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const pacs008Xml = (model: CreditTransfer = exampleCreditTransfer) => ok(buildPacs008(model));
const schemaValid = async (xml: string, type: 'pacs.008.001.08' | 'camt.053.001.08') => (await validateAgainstSchema(xml, type, { schemaDir })).valid;
const droppedFields = (notes: readonly TranslationNote[]) => notes.filter((note) => note.kind === 'dropped').map((note) => note.field);

describe.skipIf(schemaMissing)('F2 pacs.008: a schema-valid element the model lacks is a note, not a refusal', () => {
  it('structured remittance, regulatory reporting codes, local instrument, related remittance, tax: parsed, each named in a note', async () => {
    const xml = pacs008Xml()
      .replace('<SvcLvl>', '<SvcLvl>')
      .replace('</SvcLvl>', '</SvcLvl><LclInstrm><Cd>CRED</Cd></LclInstrm>')
      .replace(
        '<RmtInf>',
        '<RgltryRptg><DbtCdtRptgInd>CRED</DbtCdtRptgInd><Dtls><Cd>123</Cd><Inf>/ORDERRES/US//NY</Inf></Dtls></RgltryRptg><Tax><RefNb>T1</RefNb></Tax><RltdRmtInf><RmtId>REM123</RmtId></RltdRmtInf><RmtInf>',
      )
      .replace('</RmtInf>', '<Strd><RfrdDocInf><Nb>4562</Nb></RfrdDocInf></Strd></RmtInf>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    const parsed = ok(parseMx(xml));
    expect(parsed.message).toEqual({ ...exampleCreditTransfer, regulatoryReporting: ['/ORDERRES/US//NY'] });
    expect(droppedFields(parsed.notes).sort()).toEqual(
      [
        `${tx}/PmtTpInf/LclInstrm`,
        `${tx}/RgltryRptg/DbtCdtRptgInd`,
        `${tx}/RgltryRptg/Dtls/Cd`,
        `${tx}/Tax`,
        `${tx}/RltdRmtInf`,
        `${tx}/RmtInf/Strd`,
      ].sort(),
    );
    // The typed parser keeps its shape: the model alone.
    expect(parsePacs008(xml)).toEqual({ ok: true, value: parsed.message });
  });

  it('header priority, a floor and contact details: parsed, each named in a note', async () => {
    const xml = pacs008Xml()
      .replace('</AppHdr>', '<Prty>NORM</Prty></AppHdr>')
      .replace('<BldgNb>12</BldgNb>', '<BldgNb>12</BldgNb><Flr>3</Flr>')
      .replace('</Cdtr>', '<CtctDtls><PhneNb>+44-2071234567</PhneNb></CtctDtls></Cdtr>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    const parsed = ok(parseMx(xml));
    expect(parsed.message).toEqual(exampleCreditTransfer);
    expect(droppedFields(parsed.notes)).toEqual(['AppHdr/Prty', `${tx}/Dbtr/PstlAdr/Flr`, `${tx}/Cdtr/CtctDtls`]);
  });

  it('a message the model carries whole has no notes', () => {
    expect(ok(parseMx(pacs008Xml())).notes).toEqual([]);
  });

  it('an element outside the schema is still refused, by the schema and by the parser', async () => {
    const xml = pacs008Xml().replace('<RmtInf>', '<Foo>1</Foo><RmtInf>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(false);
    const parsed = parseMx(xml);
    expect(parsed.ok ? [] : parsed.issues).toContainEqual(expect.objectContaining({ field: `${tx}/Foo`, rule: 'xml.element_not_supported' }));
  });

  it('a skipped element out of schema order is refused by the schema validator (the parser leaves order to it)', async () => {
    const xml = pacs008Xml().replace('</RmtInf>', '</RmtInf><RltdRmtInf><RmtId>REM123</RmtId></RltdRmtInf>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(false);
  });

  it('IntrmyAgt1, IntrmyAgt2 and IntrmyAgt3 with their accounts, and InstrPrty, are carried and written back', async () => {
    const model: CreditTransfer = {
      ...exampleCreditTransfer,
      instructionPriority: 'HIGH',
      intermediaryAgent: { bic: 'EEEEUS33', account: { other: '1234' } },
      secondIntermediaryAgent: { bic: 'FFFFDEFF', account: { iban: 'DE89370400440532013000' } },
      thirdIntermediaryAgent: { clearingMemberId: { system: 'USABA', memberId: '021000089' } },
    };
    const xml = pacs008Xml(model);
    expect(xml).toContain('<PmtTpInf><InstrPrty>HIGH</InstrPrty><SvcLvl>');
    expect(xml).toContain('<IntrmyAgt2><FinInstnId><BICFI>FFFFDEFF</BICFI></FinInstnId></IntrmyAgt2><IntrmyAgt2Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></IntrmyAgt2Acct><IntrmyAgt3>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    expect(ok(parseMx(xml))).toMatchObject({ message: model, notes: [] });
  });

  it('a second intermediary needs the first, a third the second (ISO IntermediaryAgent2Rule, 3Rule)', () => {
    const second = buildPacs008({ ...exampleCreditTransfer, secondIntermediaryAgent: { bic: 'FFFFDEFF' } });
    expect(second.ok ? [] : second.issues).toContainEqual(expect.objectContaining({ field: 'secondIntermediaryAgent', rule: 'schema.intermediary_chain' }));
    const third = buildPacs008({ ...exampleCreditTransfer, intermediaryAgent: { bic: 'EEEEUS33' }, thirdIntermediaryAgent: { bic: 'FFFFDEFF' } });
    expect(third.ok ? [] : third.issues).toContainEqual(expect.objectContaining({ field: 'thirdIntermediaryAgent', rule: 'schema.intermediary_chain' }));
  });

  it('InstrForCdtrAgt with Cd and InstrInf is the code with its information (PHOB/+49 69 1234), both ways', async () => {
    const model: CreditTransfer = { ...exampleCreditTransfer, instructionCodes: ['PHOB/+49 69 1234', 'CHQB'] };
    const xml = pacs008Xml(model);
    expect(xml).toContain('<InstrForCdtrAgt><Cd>PHOB</Cd><InstrInf>+49 69 1234</InstrInf></InstrForCdtrAgt><InstrForCdtrAgt><Cd>CHQB</Cd></InstrForCdtrAgt>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    expect(ok(parseMx(xml)).message).toEqual(model);
  });

  it('InstrForCdtrAgt with information and no code is left out with a note; a code that takes no information is refused', async () => {
    const xml = pacs008Xml().replace('<RmtInf>', '<InstrForCdtrAgt><InstrInf>CALL FIRST</InstrInf></InstrForCdtrAgt><RmtInf>');
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    const parsed = ok(parseMx(xml));
    expect(parsed.message).toEqual(exampleCreditTransfer);
    expect(droppedFields(parsed.notes)).toEqual([`${tx}/InstrForCdtrAgt[1]`]);
    const refused = buildPacs008({ ...exampleCreditTransfer, instructionCodes: ['CHQB/BY POST'] });
    expect(refused.ok ? [] : refused.issues).toContainEqual(expect.objectContaining({ field: 'instructionCodes[0]', rule: 'cbpr.instruction_information' }));
  });
});

describe.skipIf(schemaMissing)('F7 pacs.008: reimbursement agents and settlement method COVE', () => {
  const cover: CreditTransfer = {
    ...exampleCreditTransfer,
    settlementMethod: 'COVE',
    instructingReimbursementAgent: { bic: 'CITIUS33', account: { other: '36070011' } },
    instructedReimbursementAgent: { bic: 'CHASUS33' },
    thirdReimbursementAgent: { bic: 'BOFAUS3N', account: { other: '99887766' } },
  };

  it('are written in GrpHdr/SttlmInf with their accounts, validate against the schema, and parse back', async () => {
    const xml = pacs008Xml(cover);
    expect(xml).toContain(
      '<SttlmInf><SttlmMtd>COVE</SttlmMtd><InstgRmbrsmntAgt><FinInstnId><BICFI>CITIUS33</BICFI></FinInstnId></InstgRmbrsmntAgt><InstgRmbrsmntAgtAcct><Id><Othr><Id>36070011</Id></Othr></Id></InstgRmbrsmntAgtAcct><InstdRmbrsmntAgt>',
    );
    expect(await schemaValid(xml, 'pacs.008.001.08')).toBe(true);
    expect(ok(parseMx(xml))).toMatchObject({ message: cover, notes: [] });
  });

  it('COVE with one reimbursement agent (MT :53A: alone) is allowed', () => {
    const { instructedReimbursementAgent: _instructed, thirdReimbursementAgent: _third, ...only53 } = cover;
    expect(parsePacs008(pacs008Xml(only53))).toEqual({ ok: true, value: only53 });
  });

  it('COVE without reimbursement agents, reimbursement agents without COVE, a third without both others: refused', () => {
    const issuesOf = (model: CreditTransfer) => {
      const built = buildPacs008(model);
      return built.ok ? [] : built.issues.map((issue) => `${issue.field} ${issue.rule}`);
    };
    expect(issuesOf({ ...exampleCreditTransfer, settlementMethod: 'COVE' })).toEqual(['settlementMethod cbpr.settlement_method']);
    expect(issuesOf({ ...cover, settlementMethod: 'INDA' })).toEqual(['settlementMethod cbpr.settlement_method']);
    const { instructedReimbursementAgent: _instructed, ...withoutInstructed } = cover;
    expect(issuesOf(withoutInstructed)).toEqual(['thirdReimbursementAgent cbpr.settlement_method']);
    expect(issuesOf({ ...exampleCreditTransfer, settlementMethod: 'CLRG' })).toEqual(['settlementMethod cbpr.settlement_method']);
  });
});

const statementModel: Statement = {
  messageId: 'STMT-1',
  creationDateTime: '2025-01-03T06:00:00+01:00',
  statementId: 'STMT-1',
  sequenceNumber: 12,
  pageNumber: 1,
  account: { iban: 'DE89370400440532013000' },
  accountCurrency: 'EUR',
  accountServicer: { bic: 'BANKDEFF' },
  accountOwner: { bic: 'CUSTDEFF' },
  balances: [
    { type: 'OPBD', amount: { amountMinor: 100_000n, currency: 'EUR' }, creditDebit: 'CRDT', date: '2025-01-02' },
    { type: 'CLBD', amount: { amountMinor: 90_000n, currency: 'EUR' }, creditDebit: 'CRDT', date: '2025-01-02' },
  ],
  entries: [
    {
      amount: { amountMinor: 10_000n, currency: 'EUR' },
      creditDebit: 'DBIT',
      status: 'BOOK',
      bookingDate: '2025-01-02',
      valueDate: '2025-01-02',
      accountServicerReference: 'SVC1',
      transactionCode: 'NTRF',
      references: { endToEndId: 'E2E1' },
    },
  ],
};
const stmt = 'Document/BkToCstmrStmt/Stmt';

describe.skipIf(schemaMissing)('F3 camt.053: what real bank statements carry', () => {
  const xml = ok(buildCamt053(statementModel));

  it('BkTxCd/Domn alone: the transaction code is DOMN/FMLY/SUBF, the ISO code kept, written back as Domn alone', async () => {
    const domain = xml.replace('<BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>', '<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>');
    expect(await schemaValid(domain, 'camt.053.001.08')).toBe(true);
    const entry = ok(parseCamt053(domain)).entries[0];
    expect(entry).toMatchObject({ transactionCode: 'PMNT/ICDT/XBCT', bankTransactionCode: { domain: 'PMNT', family: 'ICDT', subFamily: 'XBCT' } });
    const model = ok(parseCamt053(domain));
    expect(ok(buildCamt053(model))).toBe(domain);
  });

  it('BkTxCd with Domn and Prtry (Cd and Issr): both kept', async () => {
    const both = xml.replace('<BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>', '<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn><Prtry><Cd>NTRF</Cd><Issr>SWIFT</Issr></Prtry></BkTxCd>');
    expect(await schemaValid(both, 'camt.053.001.08')).toBe(true);
    const model = ok(parseCamt053(both));
    expect(model.entries[0]).toMatchObject({ transactionCode: 'NTRF', transactionCodeIssuer: 'SWIFT', bankTransactionCode: { domain: 'PMNT', family: 'RCDT', subFamily: 'XBCT' } });
    expect(ok(buildCamt053(model))).toBe(both);
  });

  it('without GrpHdr/MsgRcpt (optional in the schema) the account owner is the header To', async () => {
    const noRecipient = xml.replace(/<MsgRcpt>.*?<\/MsgRcpt>/, '');
    expect(noRecipient).not.toContain('MsgRcpt');
    expect(await schemaValid(noRecipient, 'camt.053.001.08')).toBe(true);
    expect(ok(parseCamt053(noRecipient)).accountOwner).toEqual({ bic: 'CUSTDEFF' });
  });

  it('Stmt/CreDtTm, Acct/Ownr, TxsSummry, TxDtls RltdPties, RmtInf and AmtDtls: parsed, each named in a note', async () => {
    const rich = xml
      .replace('<ElctrncSeqNb>12</ElctrncSeqNb>', '<ElctrncSeqNb>12</ElctrncSeqNb><CreDtTm>2025-01-03T06:00:00+01:00</CreDtTm>')
      .replace('<Ccy>EUR</Ccy>', '<Ccy>EUR</Ccy><Ownr><Nm>CUSTOMER GMBH</Nm></Ownr>')
      .replace('<Ntry>', '<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries></TtlNtries></TxsSummry><Ntry>')
      .replace('</Refs>', '</Refs><AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Pty><Nm>JANE</Nm></Pty></Cdtr></RltdPties><RmtInf><Ustrd>INVOICE 1</Ustrd></RmtInf>');
    expect(await schemaValid(rich, 'camt.053.001.08')).toBe(true);
    const parsed = ok(parseMx(rich));
    expect(parsed.message).toEqual(statementModel);
    const details = `${stmt}/Ntry[1]/NtryDtls/TxDtls`;
    expect(droppedFields(parsed.notes).sort()).toEqual([`${stmt}/CreDtTm`, `${stmt}/Acct/Ownr`, `${stmt}/TxsSummry`, `${details}/AmtDtls`, `${details}/RltdPties`, `${details}/RmtInf`].sort());
  });

  it('an element outside the schema is still refused', () => {
    const parsed = parseMx(xml.replace('<AcctSvcrRef>', '<Bogus>1</Bogus><AcctSvcrRef>'));
    expect(parsed.ok ? [] : parsed.issues).toContainEqual(expect.objectContaining({ field: `${stmt}/Ntry[1]/Bogus`, rule: 'xml.element_not_supported' }));
  });
});

describe.skipIf(schemaMissing)('F10 the envelope root: the parser and the schema validator agree', () => {
  const xml = pacs008Xml();
  const renamed = (name: string) => xml.replace('<Envelope xmlns', `<${name} xmlns`).replace('</Envelope>', `</${name}>`);

  it('Envelope and BusMsgEnvlp are both read and both validate', async () => {
    for (const name of ['Envelope', 'BusMsgEnvlp']) {
      expect(parseMx(renamed(name)).ok).toBe(true);
      expect(await schemaValid(renamed(name), 'pacs.008.001.08')).toBe(true);
    }
  });

  it('any other root is refused by both', async () => {
    expect(parseMx(renamed('Wrapper')).ok).toBe(false);
    expect(await schemaValid(renamed('Wrapper'), 'pacs.008.001.08')).toBe(false);
  });
});

/**
 * Messages in the shapes public samples have (composed here, none copied), as a hostile review wrote
 * them: each asserts what the standard says should happen, and each once failed (F1-F10).
 */
import { describe, expect, it } from 'vitest';
import { mt103ToCreditTransfer, parseFin, parseMx, translate, validateFin } from '@qenex/protocols';
import { validateAgainstSchema } from '@qenex/protocols/node';
import { head, simpleBody, uetr } from './messages';

const U = `{121:${uetr}}`;
const fin = (text: string) => {
  const parsed = parseFin(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

describe('F1 block 3 433/434 without additional information', () => {
  it('{433:/AOK} and {434:/FPO} are valid (FIN: /3!a[/20x])', () => {
    expect(validateFin(fin(head(`${U}{433:/AOK}`) + simpleBody))).toEqual([]);
    expect(validateFin(fin(head(`${U}{434:/FPO}`) + simpleBody))).toEqual([]);
    expect(validateFin(fin(head(`${U}{433:/FPO/FALSE POSITIVE}`) + simpleBody))).toEqual([]);
  });
});

const pacs008 = (tail: string, pmtTp = '', agents = '') => `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="urn:swift:xsd:envelope"><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId><BICFI>BBBBUS33</BICFI></FinInstnId></FIId></Fr><To><FIId><FinInstnId><BICFI>CCCCDEFF</BICFI></FinInstnId></FIId></To><BizMsgIdr>M1</BizMsgIdr><MsgDefIdr>pacs.008.001.08</MsgDefIdr><BizSvc>swift.cbprplus.02</BizSvc><CreDt>2025-09-28T16:00:00+00:00</CreDt></AppHdr>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf><GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-09-28T16:00:00+00:00</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I1</InstrId><EndToEndId>E1</EndToEndId><UETR>${uetr}</UETR></PmtId>${pmtTp}<IntrBkSttlmAmt Ccy="EUR">1000.00</IntrBkSttlmAmt><IntrBkSttlmDt>2025-09-29</IntrBkSttlmDt><ChrgBr>SHAR</ChrgBr>
<InstgAgt><FinInstnId><BICFI>BBBBUS33</BICFI></FinInstnId></InstgAgt><InstdAgt><FinInstnId><BICFI>CCCCDEFF</BICFI></FinInstnId></InstdAgt>${agents}
<Dbtr><Nm>JOHN</Nm></Dbtr><DbtrAgt><FinInstnId><BICFI>BBBBUS33</BICFI></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><BICFI>CCCCDEFF</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>JANE</Nm></Cdtr><CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>${tail}</CdtTrfTxInf></FIToFICstmrCdtTrf></Document></Envelope>`;

describe('F2 pacs.008: schema-valid CBPR+ elements refuse the whole message', () => {
  const cases: Record<string, string> = {
    'RmtInf/Strd': pacs008('<RmtInf><Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>4562</Nb><RltdDt>2025-09-08</RltdDt></RfrdDocInf></Strd></RmtInf>'),
    'RgltryRptg/Dtls/Cd': pacs008('<RgltryRptg><Dtls><Cd>123</Cd><Inf>/ORDERRES/US//NY</Inf></Dtls></RgltryRptg>'),
    'RgltryRptg/DbtCdtRptgInd': pacs008('<RgltryRptg><DbtCdtRptgInd>CRED</DbtCdtRptgInd><Dtls><Inf>X</Inf></Dtls></RgltryRptg>'),
    'PmtTpInf/InstrPrty': pacs008('', '<PmtTpInf><InstrPrty>NORM</InstrPrty></PmtTpInf>'),
    'PmtTpInf/LclInstrm': pacs008('', '<PmtTpInf><LclInstrm><Cd>CRED</Cd></LclInstrm></PmtTpInf>'),
    IntrmyAgt2: pacs008('', '', '<IntrmyAgt1><FinInstnId><BICFI>EEEEUS33</BICFI></FinInstnId></IntrmyAgt1><IntrmyAgt2><FinInstnId><BICFI>FFFFDEFF</BICFI></FinInstnId></IntrmyAgt2>'),
    'InstrForCdtrAgt/InstrInf': pacs008('<InstrForCdtrAgt><Cd>PHOB</Cd><InstrInf>+49 69 1234</InstrInf></InstrForCdtrAgt>'),
    RltdRmtInf: pacs008('<RltdRmtInf><RmtId>REM123</RmtId></RltdRmtInf>'),
  };
  for (const [name, xml] of Object.entries(cases)) {
    it(`${name}: XSD-valid, and parsed (what the model lacks goes in a note, not a refusal)`, async () => {
      expect((await validateAgainstSchema(xml, 'pacs.008.001.08')).valid).toBe(true);
      const parsed = parseMx(xml);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    });
  }

  it('a translation to MT103 names what the reader could not carry (structured remittance), never drops it silently', () => {
    const translated = translate(cases['RmtInf/Strd']!);
    if (!translated.ok) throw new Error(JSON.stringify(translated.issues));
    expect(translated.value.notes).toContainEqual(expect.objectContaining({ kind: 'dropped', field: expect.stringMatching(/RmtInf\/Strd/) }));
  });
});

const camt053 = (o: { rcpt?: string; stmt?: string; acct?: string; btc?: string; txd?: string; summ?: string } = {}) => `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="urn:swift:xsd:envelope"><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId><BICFI>BANKDEFF</BICFI></FinInstnId></FIId></Fr><To><FIId><FinInstnId><BICFI>CUSTDEFF</BICFI></FinInstnId></FIId></To><BizMsgIdr>STMT-1</BizMsgIdr><MsgDefIdr>camt.053.001.08</MsgDefIdr><BizSvc>swift.cbprplus.02</BizSvc><CreDt>2025-01-03T06:00:00+01:00</CreDt></AppHdr>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2025-01-03T06:00:00+01:00</CreDtTm>${o.rcpt ?? '<MsgRcpt><Id><OrgId><AnyBIC>CUSTDEFF</AnyBIC></OrgId></Id></MsgRcpt>'}</GrpHdr>
<Stmt><Id>STMT-1</Id><StmtPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></StmtPgntn><ElctrncSeqNb>12</ElctrncSeqNb>${o.stmt ?? ''}<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy>${o.acct ?? ''}<Svcr><FinInstnId><BICFI>BANKDEFF</BICFI></FinInstnId></Svcr></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-01-02</Dt></Dt></Bal><Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">900.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-01-02</Dt></Dt></Bal>${o.summ ?? ''}
<Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2025-01-02</Dt></BookgDt><ValDt><Dt>2025-01-02</Dt></ValDt><AcctSvcrRef>SVC1</AcctSvcrRef><BkTxCd>${o.btc ?? '<Prtry><Cd>NTRF</Cd></Prtry>'}</BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>E2E1</EndToEndId></Refs>${o.txd ?? ''}</TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document></Envelope>`;

describe('F3 camt.053: usual CBPR+ statement content refuses the whole statement', () => {
  const cases: Record<string, string> = {
    'BkTxCd/Domn only (ISO bank transaction code)': camt053({ btc: '<Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn>' }),
    'BkTxCd/Prtry/Issr': camt053({ btc: '<Prtry><Cd>NTRF</Cd><Issr>SWIFT</Issr></Prtry>' }),
    'no GrpHdr/MsgRcpt (optional in the schema)': camt053({ rcpt: '' }),
    'Stmt/CreDtTm': camt053({ stmt: '<CreDtTm>2025-01-03T06:00:00+01:00</CreDtTm>' }),
    'Acct/Ownr': camt053({ acct: '<Ownr><Nm>CUSTOMER GMBH</Nm></Ownr>' }),
    TxsSummry: camt053({ summ: '<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries></TtlNtries></TxsSummry>' }),
    'TxDtls/RltdPties': camt053({ txd: '<RltdPties><Cdtr><Pty><Nm>JANE</Nm></Pty></Cdtr></RltdPties>' }),
    'TxDtls/RmtInf': camt053({ txd: '<RmtInf><Ustrd>INVOICE 1</Ustrd></RmtInf>' }),
    'TxDtls/AmtDtls': camt053({ txd: '<AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>' }),
  };
  for (const [name, xml] of Object.entries(cases)) {
    it(`${name}: XSD-valid, and parsed`, async () => {
      expect((await validateAgainstSchema(xml, 'camt.053.001.08')).valid).toBe(true);
      const parsed = parseMx(xml);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    });
  }
});

describe('F4 translate pacs.008 → MT103 throws on remittance text with - or : runs', () => {
  for (const [name, text] of [
    ['separator line of dashes', '-'.repeat(140)],
    ['colon then dashes at a wrap boundary', `${'A'.repeat(34)}:B${'-'.repeat(40)}`],
  ] as const) {
    it(`${name}: returns a result (never throws)`, () => {
      expect(() => translate(pacs008(`<RmtInf><Ustrd>${text}</Ustrd></RmtInf>`))).not.toThrow();
    });
  }
});

describe('F5 50F numbered lines beyond 1/ 2/ 3/', () => {
  const text = `${head(U, '103', 'BANKGB22XXXX')}:20:REF123\n:23B:CRED\n:32A:250103EUR1000,00\n:33B:EUR1000,00\n:50F:/DE89370400440532013000\n1/JOHN DOE\n3/DE/FRANKFURT AM\n3/MAIN\n8/CONTINUED\n:59:/GB29NWBK60161331926819\nJANE SMITH\n:71A:SHA\n-}`;
  it('a second 3/ line continues the town; the country stays DE', () => {
    const mapped = mt103ToCreditTransfer(fin(text));
    expect(mapped.ok).toBe(true);
    if (mapped.ok) expect(mapped.value.model.debtor.postalAddress?.country).toBe('DE');
  });
  it('translates to pacs.008', () => {
    const result = translate(text);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
  it('6/ 7/ 8/ lines are not lost without a note', () => {
    const withIds = `${head(U, '103', 'BANKGB22XXXX')}:20:REF123\n:23B:CRED\n:32A:250103EUR1000,00\n:33B:EUR1000,00\n:50F:/DE89370400440532013000\n1/JOHN DOE\n3/DE/FRANKFURT\n6/DE/ABC BANK/1234578293\n:59:/GB29NWBK60161331926819\nJANE SMITH\n:71A:SHA\n-}`;
    const mapped = mt103ToCreditTransfer(fin(withIds));
    expect(mapped.ok).toBe(true);
    if (mapped.ok) expect(mapped.value.model.debtor.otherId?.id).toBe('1234578293');
  });
});

describe('F6 a // party identifier is a clearing code, never an account', () => {
  it('57A //CH123456 (CHIPS UID) is not read as the account "/CH123456" without a note', () => {
    const text = `${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:JOHN\n:57A://CH123456\nCITIUS33\n:59:/9876\nJANE\n:71A:SHA\n-}`;
    const mapped = mt103ToCreditTransfer(fin(text));
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    const account = mapped.value.model.creditorAgent.account;
    const noted = mapped.value.notes.some((note) => note.field.startsWith('creditorAgent'));
    expect(account === undefined || noted).toBe(true);
  });
});

describe('F7 MT103 with a sender\'s correspondent (53A) translates (CBPR+ SttlmMtd COVE + reimbursement agents)', () => {
  it('53A only', () => {
    const text = `${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:/12345\nJOHN\n:53A:CITIUS33\n:59:/9876\nJANE\n:71A:OUR\n-}`;
    const result = translate(text);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe('F8 MT103 REMIT', () => {
  it('{119:REMIT} with 77T validates (77T is the REMIT variant\'s envelope contents)', () => {
    const text = `${head(`{119:REMIT}${U}`)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:JOHN\n:59:/9876\nJANE\n:71A:SHA\n:77T:/NARR/SOME REMITTANCE\n-}`;
    expect(validateFin(fin(text))).toEqual([]);
  });
});

describe('F9 parseFin on file-shaped input', () => {
  it('a leading BOM / blank line is accepted as readSwiftMessage and translate accept it', () => {
    const parsed = parseFin(`\uFEFF\r\n${head(U)}${simpleBody}`);
    expect(parsed.ok).toBe(true);
  });
});

describe('F10 BusMsgEnvlp accepted by parseMx but refused by the schema validator', () => {
  it('both agree', async () => {
    const xml = pacs008('').replace('<Envelope xmlns', '<BusMsgEnvlp xmlns').replace('</Envelope>', '</BusMsgEnvlp>');
    const parsed = parseMx(xml);
    const schema = await validateAgainstSchema(xml, 'pacs.008.001.08');
    expect(schema.valid).toBe(parsed.ok);
  });
});

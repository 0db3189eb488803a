/** Review: what held up on sample-shaped messages (kept as regression tests; all pass today). */
import { describe, expect, it } from 'vitest';
import { buildFin, mt103ToCreditTransfer, mtStatementToStatement, parseFin, translate, validateFin } from '@qenex/protocols';
import { head, seeds, simpleBody, uetr } from './messages';

const U = `{121:${uetr}}`;
const extra: Record<string, string> = {
  fullBlock3: head(`{103:TGT}{113:ROMF}{108:MUR1}{119:STP}{111:001}${U}{115:121413 121413 DE BANKBEBBXXXX}`) + simpleBody,
  deliveryMonitoring: `{1:F01BANKDEFFAXXX0000000000}{2:I103BANKUS33XXXXU3003}{3:${U}}{4:\n${simpleBody}`,
  outputNoPriority: `{1:F01BANKDEFFAXXX2222123456}{2:O1031200250103BANKUS33AXXX22221234562501031201}{3:${U}}{4:\n${simpleBody}`,
  trailers: `${head(U)}${simpleBody}{5:{CHK:ABCDEF123456}{PDE:1200250103BANKDEFFAXXX0000000000}}{S:{SPD:}{SAC:}{COP:P}}`,
  emptyTrailer: `${head(U)}${simpleBody}{5:}`,
  crlfFile: `${head(U)}${simpleBody}`.replaceAll('\n', '\r\n') + '\r\n',
  fx: `${head(U)}:20:REF123\n:23B:CRED\n:23E:PHOB/+49 69 1234\n:26T:K90\n:32A:250103USD1000,\n:33B:EUR920,50\n:36:0,9205\n:50K:/12345\nJOHN\n:57A:CITIUS33\n:59F:/12345\n1/JANE DOE\n2/1 MAIN ST\n3/US/NEW YORK, NY 10001\n:70:/RFB/ABC\n:71A:OUR\n:71G:USD5,\n-}`,
  optionC: `${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:/12345\nJOHN\n:56C://FW021000018\n:57C://CP1234\n:59:/9876\nJANE\n:71A:SHA\n-}`,
  orderres: `${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:/12345\nJOHN\n:59:/9876\nJANE\n:71A:OUR\n:77B:/ORDERRES/BE//MEILAAN 1, 9000 GENT\n-}`,
  codewords72: `${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:50K:JOHN\n:59:/9876\nJANE\n:71A:SHA\n:72:/ACC/INSTRUCTION FOR ACCOUNT WITH\n//CONTINUED\n/INS/CHASUS33\n/BNF/BENEF INFO\n-}`,
};

describe('held up: FIN parse, byte-identical rebuild, no false positives', () => {
  for (const [name, text] of Object.entries({ ...seeds, ...extra })) {
    it(name, () => {
      const parsed = parseFin(text);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(buildFin(parsed.value)).toBe(text);
      expect(validateFin(parsed.value)).toEqual([]);
    });
  }
});

describe('held up: network rules fire where they should', () => {
  it('C1: 33B in another currency needs 36', () => {
    const parsed = parseFin(`${head(U)}:20:REF123\n:23B:CRED\n:32A:250103USD1000,\n:33B:EUR1000,\n:50K:JOHN\n:59:/9876\nJANE\n:71A:SHA\n-}`);
    expect(parsed.ok && validateFin(parsed.value).map((issue) => issue.rule)).toContain('C1');
  });
  it('UETR must be lower-case v4', () => {
    const parsed = parseFin(head('{121:8A562C67-CA16-48BA-B074-65581BE6F001}') + simpleBody);
    expect(parsed.ok && validateFin(parsed.value).map((issue) => issue.field)).toContain('block3/121');
  });
});

describe('held up: mappings keep amount, currency, value date, references, UETR', () => {
  it('output MT103 → model → pacs.008', () => {
    const parsed = parseFin(seeds.output103 ?? '');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const mapped = mt103ToCreditTransfer(parsed.value);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.value.model).toMatchObject({ settlementAmount: { amountMinor: 100000n, currency: 'USD' }, settlementDate: '2025-01-03', uetr, instructionId: '494931/DEV', messageId: 'MUR12345', previousInstructingAgent: { bic: 'CHASUS33' } });
    const result = translate(seeds.output103 ?? '');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.output).toContain('<ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>021000089</MmbId>');
  });
  it('MT940 intermediate balances, RC/RD, funds code (noted), entry date, supplementary details', () => {
    const parsed = parseFin(seeds.mt940 ?? '');
    if (!parsed.ok) throw new Error('parse');
    const mapped = mtStatementToStatement(parsed.value);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.value.model.balances.map((balance) => balance.type)).toEqual(['ITBD', 'ITBD', 'CLAV', 'FWAV', 'FWAV']);
    expect(mapped.value.model.entries[1]).toMatchObject({ creditDebit: 'DBIT', reversal: true });
    expect(mapped.value.notes.some((note) => note.detail.includes('funds code R'))).toBe(true);
    const result = translate(seeds.mt940 ?? '');
    expect(result.ok).toBe(true);
  });
});

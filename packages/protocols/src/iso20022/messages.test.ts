/**
 * The message types beside pacs.008: their own rules, their header, and parseMx telling them
 * apart. (Their schema validity and round trips over random models are in
 * test/protocols/iso20022-schema.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CancellationRequest, Checked, CustomerInitiation, InstitutionTransfer, Issue, PaymentReturn, PaymentStatusReport, Statement } from '../payment/model';
import { buildCamt053, parseCamt053 } from './camt053';
import { buildCamt056 } from './camt056';
import { parseMx } from './mx';
import { buildPacs002, parsePacs002 } from './pacs002';
import { buildPacs004 } from './pacs004';
import { buildPacs009, parsePacs009 } from './pacs009';
import { buildPain001, parsePain001 } from './pain001';
import {
  cancellationRequestArbitrary,
  customerInitiationArbitrary,
  institutionTransferArbitrary,
  paymentReturnArbitrary,
  paymentStatusReportArbitrary,
  statementArbitrary,
} from './testing/arbitraries';

function value<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.value;
}

function issuesOf(checked: Checked<unknown>): readonly Issue[] {
  expect(checked.ok).toBe(false);
  return checked.ok ? [] : checked.issues;
}

const sample = <T>(arbitrary: fc.Arbitrary<T>, seed = 7): T => {
  const [first] = fc.sample(arbitrary, { numRuns: 1, seed });
  if (first === undefined) throw new Error('no sample');
  return first;
};

const uetr = '0d4f6c1e-8a2b-4c3d-9e5f-6a7b8c9d0e1f';
const agents = { instructingAgent: { bic: 'QNXBDEFFXXX' }, instructedAgent: { bic: 'CORRGB2L' } };

describe('pacs.009 core and COV', () => {
  const core: InstitutionTransfer = {
    messageId: 'M1',
    creationDateTime: '2025-11-24T10:00:00+00:00',
    instructionId: 'B2B-1',
    endToEndId: 'E1',
    uetr,
    relatedReference: 'REL-1',
    settlementAmount: { amountMinor: 100_000_000n, currency: 'USD' },
    settlementDate: '2025-11-24',
    settlementMethod: 'INDA',
    ...agents,
    debtor: { bic: 'QNXBDEFFXXX' },
    creditor: { bic: 'BENEUS33' },
  };
  const cover: InstitutionTransfer = {
    ...core,
    underlying: {
      debtor: { name: 'Ordering Customer', postalAddress: { townName: 'Berlin', country: 'DE' } },
      debtorAgent: { bic: 'QNXBDEFFXXX' },
      creditorAgent: { bic: 'BENEUS33' },
      creditor: { name: 'Beneficiary Inc', postalAddress: { townName: 'New York', country: 'US' } },
      instructedAmount: { amountMinor: 100_000_000n, currency: 'USD' },
    },
  };

  it('a core transfer travels as swift.cbprplus.02, a cover as swift.cbprplus.cov.02, both parse back', () => {
    const coreXml = value(buildPacs009(core));
    const coverXml = value(buildPacs009(cover));
    expect(coreXml).toContain('<BizSvc>swift.cbprplus.02</BizSvc>');
    expect(coverXml).toContain('<BizSvc>swift.cbprplus.cov.02</BizSvc>');
    expect(coverXml).toContain('<UndrlygCstmrCdtTrf>');
    expect(parsePacs009(coreXml)).toEqual({ ok: true, value: core });
    expect(parsePacs009(coverXml)).toEqual({ ok: true, value: cover });
  });

  it('a cover whose header says core (or the reverse) is refused', () => {
    const coverXml = value(buildPacs009(cover));
    expect(issuesOf(parsePacs009(coverXml.replace('swift.cbprplus.cov.02', 'swift.cbprplus.02')))).toContainEqual(expect.objectContaining({ field: 'AppHdr/BizSvc', rule: 'mx.business_service' }));
  });

  it('the underlying customers are named and their address follows CBPR+', () => {
    const unnamed = { ...cover, underlying: { ...cover.underlying!, creditor: { postalAddress: { townName: 'New York' } } } };
    const fields = issuesOf(buildPacs009(unnamed)).map((issue) => `${issue.field} ${issue.rule}`);
    expect(fields).toContain('underlying.creditor cbpr.party_name');
    expect(fields).toContain('underlying.creditor.postalAddress.country cbpr.address_structured');
  });

  it('the related reference (MT :21:) follows the :20: slash rule', () => {
    expect(issuesOf(buildPacs009({ ...core, relatedReference: 'A//B' }))).toContainEqual(expect.objectContaining({ field: 'relatedReference', rule: 'cbpr.reference_slashes' }));
  });
});

describe('pacs.002 and pacs.004', () => {
  const rejected: PaymentStatusReport = {
    messageId: 'S1',
    creationDateTime: '2025-11-24T10:05:00+00:00',
    instructingAgent: { bic: 'CORRGB2L' },
    instructedAgent: { bic: 'QNXBDEFFXXX' },
    originalMessageId: 'QNX20251124-000042',
    originalMessageType: 'pacs.008.001.08',
    originalEndToEndId: 'E1',
    originalUetr: uetr,
    status: 'RJCT',
    reasonCode: 'AC01',
    additionalInformation: ['Account number incorrect'],
  };

  it("a correspondent's rejection parses with its reason, and parseMx says it is a pacs.002", () => {
    const xml = value(buildPacs002(rejected));
    expect(parsePacs002(xml)).toEqual({ ok: true, value: rejected });
    const detected = value(parseMx(xml));
    expect(detected.type).toBe('pacs.002.001.10');
    expect(detected.header).toMatchObject({ from: { bic: 'CORRGB2L' }, to: { bic: 'QNXBDEFFXXX' }, businessMessageId: 'S1', messageDefinitionId: 'pacs.002.001.10' });
  });

  it('a rejection without a reason is refused (model and XML)', () => {
    const { reasonCode: _reason, ...withoutReason } = rejected;
    expect(issuesOf(buildPacs002(withoutReason))).toContainEqual(expect.objectContaining({ field: 'reasonCode', rule: 'cbpr.status_reason' }));
    const xml = value(buildPacs002(rejected)).replace(/<StsRsnInf><Rsn><Cd>AC01<\/Cd><\/Rsn>/, '<StsRsnInf>');
    expect(issuesOf(parsePacs002(xml))).toContainEqual(expect.objectContaining({ field: 'Document/FIToFIPmtStsRpt/TxInfAndSts/StsRsnInf/Rsn/Cd', rule: 'cbpr.status_reason' }));
  });

  it('a return names both original parties or neither', () => {
    const returned: PaymentReturn = { ...sample(paymentReturnArbitrary), originalDebtor: { name: 'D' } };
    const { originalCreditor: _creditor, ...onlyDebtor } = returned;
    expect(issuesOf(buildPacs004(onlyDebtor))).toContainEqual(expect.objectContaining({ field: 'originalCreditor', rule: 'schema.return_chain' }));
  });
});

describe('camt.053', () => {
  const statement: Statement = {
    messageId: 'STMT-1',
    creationDateTime: '2025-11-24T18:00:00+00:00',
    statementId: '20251124-1',
    sequenceNumber: 330,
    pageNumber: 1,
    account: { other: '0012345678' },
    accountCurrency: 'USD',
    accountServicer: { bic: 'CORRUS33' },
    accountOwner: { bic: 'QNXBDEFFXXX' },
    fromDate: '2025-11-24',
    toDate: '2025-11-24',
    balances: [
      { type: 'OPBD', amount: { amountMinor: 1_000_00n, currency: 'USD' }, creditDebit: 'CRDT', date: '2025-11-24' },
      { type: 'CLBD', amount: { amountMinor: 0n, currency: 'USD' }, creditDebit: 'CRDT', date: '2025-11-24' },
    ],
    entries: [
      { amount: { amountMinor: 1_000_00n, currency: 'USD' }, creditDebit: 'DBIT', status: 'BOOK', valueDate: '2025-11-24', transactionCode: 'NTRF', references: { uetr, endToEndId: 'E1' } },
      { amount: { amountMinor: 5n, currency: 'USD' }, creditDebit: 'CRDT', reversal: true, status: 'BOOK', valueDate: '2025-11-24', transactionCode: 'FCHG', references: {} },
    ],
  };

  it('a last page (closing booked balance) says LastPgInd true; an entry without references has no NtryDtls; it parses back', () => {
    const xml = value(buildCamt053(statement));
    expect(xml).toContain('<StmtPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></StmtPgntn>');
    expect(xml.match(/<NtryDtls>/g)).toHaveLength(1);
    expect(parseCamt053(xml)).toEqual({ ok: true, value: statement });
  });

  it('a page whose LastPgInd contradicts its balances is refused at the XML path', () => {
    const xml = value(buildCamt053(statement)).replace('<LastPgInd>true</LastPgInd>', '<LastPgInd>false</LastPgInd>');
    expect(issuesOf(parseCamt053(xml))).toContainEqual(expect.objectContaining({ field: 'Document/BkToCstmrStmt/Stmt/StmtPgntn/LastPgInd', rule: 'camt.last_page' }));
  });

  it('an amount in another currency than the account, a receiver without BIC, a period ending before it starts', () => {
    const foreign = { ...statement, entries: [{ ...statement.entries[0]!, amount: { amountMinor: 1n, currency: 'EUR' } }] };
    expect(issuesOf(buildCamt053(foreign))).toContainEqual(expect.objectContaining({ field: 'accountCurrency', rule: 'camt.statement_currency' }));
    expect(issuesOf(buildCamt053({ ...statement, accountOwner: { name: 'Owner' } }))).toContainEqual(expect.objectContaining({ field: 'accountOwner.bic', rule: 'cbpr.agent_bic' }));
    expect(issuesOf(buildCamt053({ ...statement, fromDate: '2025-11-25' }))).toContainEqual(expect.objectContaining({ field: 'toDate', rule: 'schema.period' }));
  });
});

describe('camt.056 and pain.001', () => {
  it('a recall is assigned between BICs', () => {
    const recall: CancellationRequest = { ...sample(cancellationRequestArbitrary), assigner: { name: 'Bank', postalAddress: { townName: 'Paris', country: 'FR' } } };
    expect(issuesOf(buildCamt056(recall))).toContainEqual(expect.objectContaining({ field: 'assigner', rule: 'cbpr.agent_bic' }));
  });

  it('pain.001 counts its transactions across blocks, and a wrong count is refused', () => {
    const initiation = sample(customerInitiationArbitrary.filter((model) => model.paymentInformation.length > 1), 3);
    const count = initiation.paymentInformation.reduce((sum, block) => sum + block.transactions.length, 0);
    const xml = value(buildPain001(initiation));
    expect(xml).toContain(`<NbOfTxs>${count}</NbOfTxs>`);
    expect(issuesOf(parsePain001(xml.replace(`<NbOfTxs>${count}</NbOfTxs>`, `<NbOfTxs>${count + 1}</NbOfTxs>`)))).toContainEqual(
      expect.objectContaining({ field: 'Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs', rule: 'pain.number_of_transactions' }),
    );
  });

  it('pain.001 goes to one debtor agent, from an initiating party with a BIC', () => {
    const initiation: CustomerInitiation = sample(customerInitiationArbitrary.filter((model) => model.paymentInformation.length > 1), 5);
    const [first, ...rest] = initiation.paymentInformation;
    const twoBanks = { ...initiation, paymentInformation: [{ ...first!, debtorAgent: { bic: 'OTHRDEFF' } }, ...rest] };
    expect(issuesOf(buildPain001(twoBanks))).toContainEqual(expect.objectContaining({ field: 'paymentInformation', rule: 'cbpr.header_to' }));
    const { bic: _bic, ...withoutBic } = initiation.initiatingParty;
    expect(issuesOf(buildPain001({ ...initiation, initiatingParty: withoutBic }))).toContainEqual(expect.objectContaining({ field: 'initiatingParty', rule: 'cbpr.header_from' }));
  });
});

describe('every type refuses a broken model naming the field, before any XML', () => {
  const cases: readonly { readonly name: string; readonly arbitrary: fc.Arbitrary<{ readonly creationDateTime: string }>; readonly build: (model: never) => Checked<string> }[] = [
    { name: 'pacs.009', arbitrary: institutionTransferArbitrary, build: buildPacs009 },
    { name: 'pacs.002', arbitrary: paymentStatusReportArbitrary, build: buildPacs002 },
    { name: 'pacs.004', arbitrary: paymentReturnArbitrary, build: buildPacs004 },
    { name: 'camt.053', arbitrary: statementArbitrary, build: buildCamt053 },
    { name: 'camt.056', arbitrary: cancellationRequestArbitrary, build: buildCamt056 },
    { name: 'pain.001', arbitrary: customerInitiationArbitrary, build: buildPain001 },
  ];

  for (const { name, arbitrary, build } of cases) {
    it(`${name}: a creation time without offset is refused as creationDateTime`, () => {
      fc.assert(
        fc.property(arbitrary, (model) => {
          const broken = { ...model, creationDateTime: model.creationDateTime.slice(0, 19) };
          expect(issuesOf((build as (model: unknown) => Checked<string>)(broken))).toContainEqual(expect.objectContaining({ field: 'creationDateTime', rule: 'cbpr.date_time' }));
        }),
        { numRuns: 50 },
      );
    });
  }
});

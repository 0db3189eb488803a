/**
 * Test support (not exported by the package): fast-check arbitraries of valid models for each MX
 * message type, within every schema facet and CBPR+ rule, and one hand-written example of each.
 * The text arbitraries draw from the whole CBPR+ character sets, escaping-sensitive characters
 * (& < > " ') included, so a property run exercises the writer's escaping and the reader's decoding.
 */
import fc from 'fast-check';
import type { AccountId, Agent, Amount, CancellationRequest, CreditTransfer, CustomerInitiation, InstitutionTransfer, Party, PaymentReturn, PaymentStatusReport, PostalAddress, Statement, StatementEntry } from '../../payment/model';

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const finX = `${letters}${letters.toLowerCase()}${digits}/-?:().,'+ `;
const extendedExtra = '!#$%&*=^_`{|}~";<>@[\\]';

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const textOf = (alphabet: string, minLength: number, maxLength: number) => fc.string({ unit: chars(alphabet), minLength, maxLength });
const upper = (length: number) => textOf(letters, length, length);
const alphanumeric = (length: number) => textOf(`${letters}${digits}`, length, length);

/** Restricted FIN-X text. */
export const finXText = (maxLength: number, minLength = 1) => textOf(finX, minLength, maxLength);
/** Extended FIN-X text (names, addresses, remittance). */
export const extendedText = (maxLength: number, minLength = 1) => textOf(finX + extendedExtra, minLength, maxLength);
/** A reference for MT :20: — no leading or trailing slash, no double slash. */
export const reference = (maxLength: number) =>
  fc.array(textOf(finX.replace('/', ''), 1, 4), { minLength: 1, maxLength: Math.max(1, Math.floor(maxLength / 5)) }).map((parts) => parts.join('/').slice(0, maxLength)).filter((text) => !text.endsWith('/') && text.length > 0);

export const bicArbitrary = fc.tuple(alphanumeric(4), upper(2), alphanumeric(2), fc.option(alphanumeric(3), { nil: undefined })).map(([bank, country, location, branch]) => `${bank}${country}${location}${branch ?? ''}`);
export const uetrArbitrary = fc.uuid({ version: 4 }).map((uuid) => uuid.toLowerCase());
export const countryArbitrary = fc.constantFrom('DE', 'GB', 'US', 'FR', 'JP', 'CH', 'KW', 'SG', 'AE', 'BR');
export const leiArbitrary = fc.tuple(alphanumeric(18), textOf(digits, 2, 2)).map(([body, check]) => `${body}${check}`);
export const ibanArbitrary = fc.tuple(upper(2), textOf(digits, 2, 2), textOf(`${letters}${digits}`, 1, 30)).map(([country, check, body]) => `${country}${check}${body}`);

const twoDigits = (value: number) => String(value).padStart(2, '0');
export const dateArbitrary = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([year, month, day]) => `${year}-${twoDigits(month)}-${twoDigits(day)}`);
export const dateTimeArbitrary = fc
  .tuple(dateArbitrary, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45), fc.boolean())
  .map(([date, hour, minute, second, sign, offsetHours, offsetMinutes, millis]) => `${date}T${twoDigits(hour)}:${twoDigits(minute)}:${twoDigits(second)}${millis ? '.250' : ''}${sign}${twoDigits(offsetHours)}:${twoDigits(offsetHours === 14 ? 0 : offsetMinutes)}`);

/** Currencies of every exponent the engine's table has: 0 (JPY), 2, 3 (KWD), 4 (CLF). */
const currencyExponents: readonly (readonly [string, number])[] = [
  ['EUR', 2],
  ['USD', 2],
  ['GBP', 2],
  ['JPY', 0],
  ['KWD', 3],
  ['BHD', 3],
  ['CLF', 4],
  ['CHF', 2],
];

/** A positive amount within CBPR+'s 14 digits before the decimal separator. */
export const amountArbitrary = (currencyArbitrary = fc.constantFrom(...currencyExponents)): fc.Arbitrary<Amount> =>
  currencyArbitrary.chain(([currency, exponent]) =>
    fc.bigInt({ min: 1n, max: 10n ** BigInt(14 + exponent) - 1n }).map((amountMinor) => ({ amountMinor, currency })),
  );

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });

/** `T` with its possibly-undefined keys made optional instead. */
export type Compacted<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** Removes the keys whose value is undefined (exactOptionalPropertyTypes: absent, not undefined). */
export function compact<T extends object>(value: T): Compacted<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Compacted<T>;
}

export const postalAddressArbitrary: fc.Arbitrary<PostalAddress> = fc.oneof(
  fc
    .record({
      department: optional(extendedText(70)),
      streetName: optional(extendedText(70)),
      buildingNumber: optional(extendedText(16)),
      buildingName: optional(extendedText(35)),
      postCode: optional(extendedText(16)),
      townName: extendedText(35),
      countrySubDivision: optional(extendedText(35)),
      country: countryArbitrary,
      addressLines: optional(fc.array(extendedText(70), { minLength: 1, maxLength: 2 })),
    })
    .map(compact),
  fc.array(extendedText(35), { minLength: 1, maxLength: 3 }).map((addressLines) => ({ addressLines })),
);

export const accountArbitrary: fc.Arbitrary<AccountId> = fc.oneof(ibanArbitrary.map((iban) => ({ iban })), finXText(34).map((other) => ({ other })));

export const hopAgentArbitrary: fc.Arbitrary<Agent> = fc.record({ bic: bicArbitrary, lei: optional(leiArbitrary) }).map(compact);

/** An agent in the chain: BIC, clearing member id, or name and address. */
export const chainAgentArbitrary = (withAccount: boolean): fc.Arbitrary<Agent> =>
  fc
    .record({
      bic: optional(bicArbitrary),
      clearingMemberId: optional(fc.record({ system: fc.constantFrom('USABA', 'GBDSC', 'DEBLZ', 'CHBCC'), memberId: finXText(28) })),
      lei: optional(leiArbitrary),
      name: extendedText(140),
      postalAddress: postalAddressArbitrary,
      account: withAccount ? optional(accountArbitrary) : fc.constant(undefined),
    })
    .map((agent) => compact({ ...agent, name: agent.bic === undefined ? agent.name : undefined, postalAddress: agent.bic === undefined ? agent.postalAddress : undefined }));

const otherIdArbitrary = fc.record({ id: finXText(35), scheme: optional(textOf(`${letters}${digits}`, 1, 4)), issuer: optional(finXText(35)) }).map(compact);

export const partyArbitrary = (named: boolean): fc.Arbitrary<Party> =>
  fc
    .record({
      name: named ? extendedText(140) : optional(extendedText(140)),
      postalAddress: optional(postalAddressArbitrary),
      kind: fc.constantFrom('organisation', 'person'),
      bic: optional(bicArbitrary),
      lei: optional(leiArbitrary),
      birth: fc.record({ date: dateArbitrary, city: extendedText(35), country: countryArbitrary }),
      otherId: optional(otherIdArbitrary),
      countryOfResidence: optional(countryArbitrary),
    })
    .map(({ kind, birth, bic, lei, ...rest }) => compact(kind === 'person' ? { ...rest, birth } : { ...rest, bic, lei }));

const chargeBearerArbitrary = fc.constantFrom('DEBT', 'CRED', 'SHAR' as const);
const settlementMethodArbitrary = fc.constantFrom('INDA', 'INGA' as const);
const code4 = textOf(`${letters}${digits}`, 1, 4);

export const creditTransferArbitrary: fc.Arbitrary<CreditTransfer> = fc
  .record({
    messageId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    instructionId: reference(16),
    endToEndId: finXText(35),
    transactionId: optional(finXText(35)),
    uetr: uetrArbitrary,
    serviceLevel: optional(fc.constantFrom('G001', 'G002', 'SDVA')),
    categoryPurpose: optional(code4),
    instructionPriority: optional(fc.constantFrom('HIGH', 'NORM' as const)),
    instructionCodes: optional(
      fc
        .uniqueArray(fc.constantFrom('CHQB', 'HOLD', 'PHOB', 'TELB'), { minLength: 1, maxLength: 4 })
        .chain((codes) => fc.tuple(...codes.map((code) => (code === 'CHQB' ? fc.constant(undefined) : optional(finXText(30))).map((information) => (information === undefined ? code : `${code}/${information}`))))),
    ),
    settlementAmount: amountArbitrary(),
    settlementDate: dateArbitrary,
    settlement: fc.oneof(
      { weight: 3, arbitrary: settlementMethodArbitrary.map((settlementMethod) => ({ settlementMethod })) },
      {
        weight: 1,
        arbitrary: fc
          .record({ instructing: optional(chainAgentArbitrary(true)), instructed: optional(chainAgentArbitrary(true)), third: optional(chainAgentArbitrary(true)) })
          .map(({ instructing, instructed, third }) => {
            // COVE goes through at least one reimbursement agent; a third one needs both others.
            const first = instructing ?? (instructed === undefined ? { bic: 'COVRUS33' } : undefined);
            return compact({
              settlementMethod: 'COVE' as const,
              instructingReimbursementAgent: first,
              instructedReimbursementAgent: instructed,
              thirdReimbursementAgent: first !== undefined && instructed !== undefined ? third : undefined,
            });
          }),
      },
    ),
    instructed: optional(fc.tuple(amountArbitrary(), fc.tuple(textOf(digits, 1, 5), textOf(digits, 0, 6)).map(([whole, fraction]) => (fraction === '' ? whole : `${whole}.${fraction}`)))),
    chargeBearer: chargeBearerArbitrary,
    charges: optional(fc.array(fc.record({ amount: amountArbitrary(), agent: hopAgentArbitrary }), { minLength: 1, maxLength: 3 })),
    instructingAgent: hopAgentArbitrary,
    instructedAgent: hopAgentArbitrary,
    previousInstructingAgent: optional(chainAgentArbitrary(true)),
    intermediaries: optional(fc.array(chainAgentArbitrary(true), { minLength: 1, maxLength: 3 })),
    ultimateDebtor: optional(partyArbitrary(false)),
    debtor: partyArbitrary(true),
    debtorAccount: optional(accountArbitrary),
    debtorAgent: chainAgentArbitrary(true),
    creditorAgent: chainAgentArbitrary(true),
    creditor: partyArbitrary(true),
    creditorAccount: optional(accountArbitrary),
    ultimateCreditor: optional(partyArbitrary(false)),
    instructionsForNextAgent: optional(fc.array(finXText(35), { minLength: 1, maxLength: 6 })),
    purpose: optional(code4),
    remittanceInformation: optional(extendedText(140)),
    regulatoryReporting: optional(fc.array(extendedText(35), { minLength: 1, maxLength: 3 })),
  })
  .map(({ instructed, settlement, intermediaries, ...rest }) =>
    compact({
      ...rest,
      ...settlement,
      instructedAmount: instructed?.[0],
      exchangeRate: instructed?.[1],
      intermediaryAgent: intermediaries?.[0],
      secondIntermediaryAgent: intermediaries?.[1],
      thirdIntermediaryAgent: intermediaries?.[2],
    }),
  );

const additionalInformationArbitrary = optional(fc.array(extendedText(105), { minLength: 1, maxLength: 2 }));
const originalTypeArbitrary = fc.constantFrom('pacs.008.001.08', 'pacs.009.001.08', 'MT103');

export const paymentStatusReportArbitrary: fc.Arbitrary<PaymentStatusReport> = fc
  .record({
    messageId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    instructingAgent: hopAgentArbitrary,
    instructedAgent: hopAgentArbitrary,
    originalMessageId: finXText(35),
    originalMessageType: originalTypeArbitrary,
    originalCreationDateTime: optional(dateTimeArbitrary),
    originalInstructionId: optional(finXText(35)),
    originalEndToEndId: finXText(35),
    originalTransactionId: optional(finXText(35)),
    originalUetr: uetrArbitrary,
    status: fc.constantFrom('ACCC', 'ACSC', 'ACSP', 'ACTC', 'PDNG', 'RJCT' as const),
    reasonCode: optional(code4),
    additionalInformation: additionalInformationArbitrary,
    acceptanceDateTime: optional(dateTimeArbitrary),
    effectiveSettlementDate: optional(dateArbitrary),
  })
  .chain((report) => (report.status === 'RJCT' || report.status === 'PDNG' ? code4.map((reasonCode) => ({ ...report, reasonCode })) : fc.constant(report)))
  .map(compact);

export const paymentReturnArbitrary: fc.Arbitrary<PaymentReturn> = fc
  .record({
    messageId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    instructingAgent: hopAgentArbitrary,
    instructedAgent: hopAgentArbitrary,
    returnId: finXText(35),
    originalMessageId: finXText(35),
    originalMessageType: originalTypeArbitrary,
    originalInstructionId: optional(finXText(35)),
    originalEndToEndId: finXText(35),
    originalTransactionId: optional(finXText(35)),
    originalUetr: uetrArbitrary,
    originalSettlementAmount: optional(amountArbitrary()),
    originalSettlementDate: optional(dateArbitrary),
    returnedAmount: amountArbitrary(),
    settlementDate: dateArbitrary,
    settlementMethod: settlementMethodArbitrary,
    chargeBearer: chargeBearerArbitrary,
    reasonCode: code4,
    additionalInformation: additionalInformationArbitrary,
    chain: optional(fc.tuple(partyArbitrary(true), partyArbitrary(true))),
  })
  .map(({ chain, ...rest }) => compact({ ...rest, originalDebtor: chain?.[0], originalCreditor: chain?.[1] }));

export const institutionTransferArbitrary: fc.Arbitrary<InstitutionTransfer> = fc
  .record({
    messageId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    instructionId: reference(16),
    endToEndId: finXText(35),
    uetr: uetrArbitrary,
    relatedReference: reference(16),
    settlementAmount: amountArbitrary(),
    settlementDate: dateArbitrary,
    settlementMethod: settlementMethodArbitrary,
    instructingAgent: hopAgentArbitrary,
    instructedAgent: hopAgentArbitrary,
    debtor: chainAgentArbitrary(true),
    debtorAgent: optional(chainAgentArbitrary(true)),
    intermediaryAgent: optional(chainAgentArbitrary(true)),
    creditorAgent: optional(chainAgentArbitrary(true)),
    creditor: chainAgentArbitrary(true),
    instructionsForNextAgent: optional(fc.array(finXText(35), { minLength: 1, maxLength: 6 })),
    underlying: optional(
      fc
        .record({
          debtor: partyArbitrary(true),
          debtorAccount: optional(accountArbitrary),
          debtorAgent: chainAgentArbitrary(true),
          intermediaryAgent: optional(chainAgentArbitrary(true)),
          creditorAgent: chainAgentArbitrary(true),
          creditor: partyArbitrary(true),
          creditorAccount: optional(accountArbitrary),
          remittanceInformation: optional(extendedText(140)),
          instructedAmount: optional(amountArbitrary()),
        })
        .map(compact),
    ),
  })
  .map(compact);

export const cancellationRequestArbitrary: fc.Arbitrary<CancellationRequest> = fc
  .record({
    assignmentId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    assigner: hopAgentArbitrary,
    assignee: hopAgentArbitrary,
    caseId: finXText(35),
    caseCreator: chainAgentArbitrary(false),
    cancellationId: finXText(35),
    originalMessageId: finXText(35),
    originalMessageType: originalTypeArbitrary,
    originalCreationDateTime: optional(dateTimeArbitrary),
    originalInstructionId: optional(finXText(35)),
    originalEndToEndId: finXText(35),
    originalUetr: uetrArbitrary,
    originalSettlementAmount: amountArbitrary(),
    originalSettlementDate: dateArbitrary,
    reasonCode: fc.constantFrom('DUPL', 'FRAD', 'TECH', 'CUST', 'AGNT', 'CURR', 'UPAY'),
    additionalInformation: additionalInformationArbitrary,
  })
  .map(compact);

const entryArbitrary = (currency: readonly [string, number]): fc.Arbitrary<StatementEntry> =>
  fc
    .record({
      amount: amountArbitrary(fc.constant(currency)),
      creditDebit: fc.constantFrom('CRDT', 'DBIT' as const),
      reversal: optional(fc.boolean()),
      status: fc.constantFrom('BOOK', 'PDNG', 'INFO' as const),
      bookingDate: optional(dateArbitrary),
      valueDate: dateArbitrary,
      accountServicerReference: optional(finXText(35)),
      entryReference: optional(finXText(35)),
      code: fc.oneof(
        fc.record({ transactionCode: fc.constantFrom('NTRF', 'NMSC', 'FCHG', 'SWIFT/NTRF'), transactionCodeIssuer: optional(fc.constantFrom('SWIFT', 'BANK')) }).map(compact),
        // The ISO code alone (the model's transactionCode is then DOMN/FMLY/SUBF), or with a proprietary one.
        fc
          .record({ domain: fc.constantFrom('PMNT', 'ACMT'), family: fc.constantFrom('ICDT', 'RCDT', 'MCOP'), subFamily: fc.constantFrom('XBCT', 'BOOK', 'OTHR'), proprietary: optional(fc.constantFrom('NTRF', 'NMSC')) })
          .map(({ proprietary, ...bankTransactionCode }) => ({ bankTransactionCode, transactionCode: proprietary ?? `${bankTransactionCode.domain}/${bankTransactionCode.family}/${bankTransactionCode.subFamily}` })),
      ),
      references: fc
        .record({ accountOwnerReference: optional(finXText(35)), endToEndId: optional(finXText(35)), instructionId: optional(finXText(35)), transactionId: optional(finXText(35)), uetr: optional(uetrArbitrary) })
        .map(compact),
      supplementaryDetails: optional(extendedText(34)),
      additionalInformation: optional(extendedText(500)),
    })
    .map(({ code, ...rest }) => compact({ ...rest, ...code }));

export const statementArbitrary: fc.Arbitrary<Statement> = fc.constantFrom(...currencyExponents).chain((currency) =>
  fc
    .record({
      messageId: finXText(35),
      creationDateTime: dateTimeArbitrary,
      statementId: finXText(35),
      sequenceNumber: fc.integer({ min: 0, max: 1_000_000 }),
      pageNumber: optional(fc.integer({ min: 1, max: 99_999 })),
      account: accountArbitrary,
      accountCurrency: fc.constant(currency[0]),
      accountServicer: hopAgentArbitrary,
      accountOwner: hopAgentArbitrary,
      period: optional(fc.tuple(dateArbitrary, dateArbitrary).map(([a, b]) => (a <= b ? [a, b] : [b, a]))),
      balances: fc.array(
        fc.record({ type: fc.constantFrom('OPBD', 'ITBD', 'CLBD', 'CLAV', 'FWAV' as const), amount: amountArbitrary(fc.constant(currency)), creditDebit: fc.constantFrom('CRDT', 'DBIT' as const), date: dateArbitrary }),
        { minLength: 1, maxLength: 4 },
      ),
      entries: fc.array(entryArbitrary(currency), { maxLength: 5 }),
      additionalInformation: optional(extendedText(500)),
    })
    .map(({ period, ...rest }) => compact({ ...rest, fromDate: period?.[0], toDate: period?.[1] })),
);

export const customerInitiationArbitrary: fc.Arbitrary<CustomerInitiation> = fc
  .record({
    messageId: finXText(35),
    creationDateTime: dateTimeArbitrary,
    initiatingParty: partyArbitrary(false).chain((party) => bicArbitrary.map((bic) => compact({ ...party, bic, birth: undefined, otherId: party.birth === undefined ? party.otherId : undefined }))),
    debtorAgentBic: bicArbitrary,
    blocks: fc.array(
      fc.record({
        paymentInformationId: finXText(35),
        requestedExecutionDate: dateArbitrary,
        debtor: partyArbitrary(true),
        debtorAccount: accountArbitrary,
        debtorAgentAccount: optional(accountArbitrary),
        chargeBearer: optional(chargeBearerArbitrary),
        transactions: fc.array(
          fc
            .record({
              instructionId: optional(finXText(35)),
              endToEndId: finXText(35),
              uetr: optional(uetrArbitrary),
              amount: amountArbitrary(),
              creditorAgent: chainAgentArbitrary(true),
              creditor: partyArbitrary(true),
              creditorAccount: optional(accountArbitrary),
              remittanceInformation: optional(extendedText(140)),
              purpose: optional(code4),
            })
            .map(compact),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ debtorAgentBic, blocks, ...rest }) => ({
    ...rest,
    paymentInformation: blocks.map(({ debtorAgentAccount, ...block }) => compact({ ...block, debtorAgent: compact({ bic: debtorAgentBic, account: debtorAgentAccount }) })),
  }));

/** A credit transfer as the payment flow sends one: every usual field, a structured and a hybrid address. */
export const exampleCreditTransfer: CreditTransfer = {
  messageId: 'QNX20251124-000042',
  creationDateTime: '2025-11-24T10:15:00+01:00',
  instructionId: 'QNX-42',
  endToEndId: 'INVOICE 2025/117',
  uetr: '3f1b6a0e-2c4d-4e8f-9a1b-5c6d7e8f9a0b',
  serviceLevel: 'G001',
  settlementAmount: { amountMinor: 1_250_075n, currency: 'EUR' },
  settlementDate: '2025-11-24',
  settlementMethod: 'INDA',
  chargeBearer: 'SHAR',
  instructingAgent: { bic: 'QNXBDEFFXXX' },
  instructedAgent: { bic: 'CORRGB2L' },
  debtor: { name: 'Müller & Söhne <GmbH>'.replace('ü', 'ue').replace('ö', 'oe'), postalAddress: { streetName: 'Hauptstrasse', buildingNumber: '12', postCode: '10115', townName: 'Berlin', country: 'DE' } },
  debtorAccount: { iban: 'DE89370400440532013000' },
  debtorAgent: { bic: 'QNXBDEFFXXX' },
  creditorAgent: { bic: 'CORRGB2L' },
  creditor: { name: "O'Neil Trading Ltd", postalAddress: { townName: 'London', country: 'GB', addressLines: ['Unit 4, 22 Canal Street'] } },
  creditorAccount: { iban: 'GB29NWBK60161331926819' },
  remittanceInformation: 'Invoice 2025/117 "spare parts"',
};

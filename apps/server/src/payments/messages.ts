/**
 * The engine's payments as the wire's models (packages/protocols), and back: what the payment
 * gateway sends for a payment, and what a correspondent's message asks the engine to do.
 */
import type { Correspondent, Payment, PaymentAccountRef, PaymentParty } from '@qenex/engine';
import type { AccountId, Agent, CancellationRequest, CreditTransfer, Party, PaymentReturn, PostalAddress } from '@qenex/protocols';

/** A CBPR+ date-time: seconds and an explicit UTC offset. */
export function isoDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function accountOf(reference: PaymentAccountRef | undefined): AccountId | undefined {
  if (reference === undefined) return undefined;
  return 'iban' in reference ? { iban: reference.iban } : { other: reference.other };
}

function addressOf(party: PaymentParty): PostalAddress | undefined {
  const address: PostalAddress = {
    ...(party.streetName === undefined ? {} : { streetName: party.streetName }),
    ...(party.buildingNumber === undefined ? {} : { buildingNumber: party.buildingNumber }),
    ...(party.postCode === undefined ? {} : { postCode: party.postCode }),
    ...(party.townName === undefined ? {} : { townName: party.townName }),
    ...(party.country === undefined ? {} : { country: party.country }),
  };
  return Object.keys(address).length === 0 ? undefined : address;
}

function partyOf(party: PaymentParty): Party {
  const address = addressOf(party);
  return { name: party.name, ...(address === undefined ? {} : { postalAddress: address }) };
}

function agent(bic: string): Agent {
  return { bic };
}

/** The pacs.008 an outgoing payment makes: one transaction, serial (INDA) through the correspondent. */
export function creditTransferOf(payment: Payment, correspondent: Pick<Correspondent, 'bic' | 'ownBic'>): CreditTransfer {
  const debtorAccount = accountOf(payment.debtor.account);
  const creditorAccount = accountOf(payment.creditor.account);
  return {
    messageId: payment.messageId,
    creationDateTime: isoDateTime(payment.createdAtMs),
    instructionId: payment.instructionId,
    endToEndId: payment.endToEndId,
    transactionId: payment.instructionId,
    uetr: payment.uetr,
    settlementAmount: { amountMinor: payment.amountMinor, currency: payment.currency },
    settlementDate: payment.settlementDate,
    settlementMethod: 'INDA',
    chargeBearer: payment.chargeBearer,
    instructingAgent: agent(correspondent.ownBic),
    instructedAgent: agent(correspondent.bic),
    debtor: partyOf(payment.debtor),
    ...(debtorAccount === undefined ? {} : { debtorAccount }),
    debtorAgent: agent(payment.debtorAgentBic),
    creditorAgent: agent(payment.creditorAgentBic),
    creditor: partyOf(payment.creditor),
    ...(creditorAccount === undefined ? {} : { creditorAccount }),
    ...(payment.remittanceInformation === undefined ? {} : { remittanceInformation: payment.remittanceInformation }),
  };
}

/** The pacs.004 that sends an incoming payment back to where it came from, with the reason. */
export function returnOf(payment: Payment, correspondent: Pick<Correspondent, 'bic' | 'ownBic'>, nowMs: number): PaymentReturn {
  const originalDebtor = partyOf(payment.debtor);
  return {
    messageId: `QXR${payment.id.slice(0, 32).toUpperCase()}`,
    creationDateTime: isoDateTime(nowMs),
    instructingAgent: agent(correspondent.ownBic),
    instructedAgent: agent(correspondent.bic),
    returnId: `QXR${payment.id.slice(0, 13).toUpperCase()}`,
    originalMessageId: payment.messageId,
    originalMessageType: 'pacs.008.001.08',
    originalInstructionId: payment.instructionId,
    originalEndToEndId: payment.endToEndId,
    originalUetr: payment.uetr,
    originalSettlementAmount: { amountMinor: payment.amountMinor, currency: payment.currency },
    originalSettlementDate: payment.settlementDate,
    returnedAmount: { amountMinor: payment.amountMinor, currency: payment.currency },
    settlementDate: isoDate(nowMs),
    settlementMethod: 'INDA',
    chargeBearer: 'SHAR',
    reasonCode: payment.reason?.code ?? 'NARR',
    originalDebtor,
    originalCreditor: partyOf(payment.creditor),
  };
}

/** The camt.056 that asks the correspondent for one of our payments back. */
export function recallOf(payment: Payment, correspondent: Pick<Correspondent, 'bic' | 'ownBic'>, nowMs: number): CancellationRequest {
  const own = agent(correspondent.ownBic);
  return {
    assignmentId: `QXC${payment.id.slice(0, 32).toUpperCase()}`,
    creationDateTime: isoDateTime(nowMs),
    assigner: own,
    assignee: agent(correspondent.bic),
    caseId: `QXC${payment.id.slice(0, 13).toUpperCase()}`,
    caseCreator: own,
    cancellationId: `QXC${payment.id.slice(0, 13).toUpperCase()}`,
    originalMessageId: payment.messageId,
    originalMessageType: 'pacs.008.001.08',
    originalCreationDateTime: isoDateTime(payment.createdAtMs),
    originalInstructionId: payment.instructionId,
    originalEndToEndId: payment.endToEndId,
    originalUetr: payment.uetr,
    originalSettlementAmount: { amountMinor: payment.amountMinor, currency: payment.currency },
    originalSettlementDate: payment.settlementDate,
    reasonCode: payment.recall?.reasonCode ?? 'CUST',
  };
}

/** A party of an incoming pacs.008 as the engine's payment.receive takes it. */
export function engineParty(party: Party, account: AccountId | undefined, kind: 'person' | 'company'): PaymentParty {
  const address = party.postalAddress;
  const reference: PaymentAccountRef | undefined = account === undefined ? undefined : 'iban' in account ? { iban: account.iban } : { other: account.other };
  return {
    name: party.name ?? party.bic ?? 'unnamed',
    kind,
    ...(reference === undefined ? {} : { account: reference }),
    ...(address?.streetName === undefined ? {} : { streetName: address.streetName }),
    ...(address?.buildingNumber === undefined ? {} : { buildingNumber: address.buildingNumber }),
    ...(address?.postCode === undefined ? {} : { postCode: address.postCode }),
    ...(address?.townName === undefined ? {} : { townName: address.townName }),
    ...(address?.country === undefined ? {} : { country: address.country }),
  };
}

/** An organisation in a pacs.008 is named by its BIC or LEI; a person otherwise (for the screening's weights). */
export function partyKind(party: Party): 'person' | 'company' {
  return party.bic !== undefined || party.lei !== undefined ? 'company' : 'person';
}

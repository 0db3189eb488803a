/**
 * The payment as the bank understands it, independent of the wire format. MT (FIN) and ISO 20022
 * (MX) messages are built from and parsed into these shapes, so a translation MT103 ↔ pacs.008 is
 * parse one → model → build the other, and whatever a format cannot carry is reported, never dropped.
 *
 * Amounts are bigint minor units of the currency (ISO 4217 exponent, the engine's table); dates are
 * ISO `YYYY-MM-DD`; date-times ISO 8601 with an offset; BICs upper case (8 or 11); UETRs lower-case
 * UUID v4. Field names follow ISO 20022's meaning; the MT field each maps to is in its comment.
 */

export interface Amount {
  readonly amountMinor: bigint;
  /** ISO 4217 alphabetic code. */
  readonly currency: string;
}

/** ISO 20022 PostalAddress24 (CBPR+ wants structured: town and country at least, or address lines). */
export interface PostalAddress {
  readonly department?: string;
  readonly streetName?: string;
  readonly buildingNumber?: string;
  readonly buildingName?: string;
  readonly postCode?: string;
  readonly townName?: string;
  readonly countrySubDivision?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string;
  /** Unstructured lines (MT 50K/59 lines 2–4, MX AdrLine). */
  readonly addressLines?: readonly string[];
}

/** An account: an IBAN or another identifier (MT `/account` line of 50a/59a, MX Acct/Id). */
export type AccountId = { readonly iban: string } | { readonly other: string };

/** A party that is not a bank (debtor, creditor, ultimate parties). */
export interface Party {
  readonly name?: string;
  readonly postalAddress?: PostalAddress;
  /** An organisation's BIC (MT 50A/59A, MX Id/OrgId/AnyBIC). */
  readonly bic?: string;
  /** An organisation's LEI (MX Id/OrgId/LEI). */
  readonly lei?: string;
  /** A private person's birth date and place (MT 50F line 4, MX Id/PrvtId/DtAndPlcOfBirth). */
  readonly birth?: { readonly date: string; readonly city: string; readonly country: string };
  /** Another identifier with its scheme code (MT 50F line 1 code/country/id, MX Othr/Id + SchmeNm/Cd). */
  readonly otherId?: { readonly id: string; readonly scheme?: string; readonly issuer?: string };
  readonly countryOfResidence?: string;
}

/** A bank (MT option A is a BIC, option D name and address; MX FinInstnId). */
export interface Agent {
  readonly bic?: string;
  /** Clearing system member id, e.g. `{ system: 'USABA', memberId: '026009593' }` (MT //FW… party identifier). */
  readonly clearingMemberId?: { readonly system: string; readonly memberId: string };
  readonly lei?: string;
  readonly name?: string;
  readonly postalAddress?: PostalAddress;
  /** The agent's account at the next agent in the chain (MT party identifier line /account, MX …AgtAcct). */
  readonly account?: AccountId;
}

/** MT 71A OUR / BEN / SHA. */
export type ChargeBearer = 'DEBT' | 'CRED' | 'SHAR';
export type SettlementMethod = 'INDA' | 'INGA' | 'COVE' | 'CLRG';

/** A charge taken or to be taken by an agent (MT 71F sender's charges, 71G receiver's charges). */
export interface Charge {
  readonly amount: Amount;
  readonly agent: Agent;
  readonly type?: 'sender' | 'receiver';
}

/** A customer credit transfer: MT103 / pacs.008 (one transaction per message, as CBPR+ requires). */
export interface CreditTransfer {
  /** MX GrpHdr/MsgId and the BAH's BizMsgIdr (35 chars); MT has none (block 3 108 MUR is the nearest). */
  readonly messageId: string;
  /** MX GrpHdr/CreDtTm; MT block 2 input time and date. */
  readonly creationDateTime: string;
  /** MX PmtId/InstrId; MT :20: sender's reference (16x, no leading/trailing slash, no //). */
  readonly instructionId: string;
  /** MX PmtId/EndToEndId (35); MT :70: /ROC/ or the :20: when absent (the published mapping). */
  readonly endToEndId: string;
  /** MX PmtId/TxId. */
  readonly transactionId?: string;
  /** MX PmtId/UETR; MT block 3 field 121. */
  readonly uetr: string;
  /** MX PmtTpInf/SvcLvl/Cd, e.g. G001 (gpi); MT block 3 field 111. */
  readonly serviceLevel?: string;
  readonly categoryPurpose?: string;
  /** MX PmtTpInf/InstrPrty (HIGH or NORM); MT block 2 priority / block 3 113 are the nearest. */
  readonly instructionPriority?: 'HIGH' | 'NORM';
  /**
   * MT :23B: CRED (and :23E: instruction codes below). A code may carry its additional
   * information after a slash, as MT :23E: writes it (`PHOB/+49 69 1234`): MX InstrForCdtrAgt Cd + InstrInf.
   */
  readonly instructionCodes?: readonly string[];
  /** MX IntrBkSttlmAmt; MT :32A: currency and amount. */
  readonly settlementAmount: Amount;
  /** MX IntrBkSttlmDt; MT :32A: date (YYMMDD). */
  readonly settlementDate: string;
  readonly settlementMethod: SettlementMethod;
  /** MX InstdAmt; MT :33B:. */
  readonly instructedAmount?: Amount;
  /** MX XchgRate (decimal string); MT :36:. */
  readonly exchangeRate?: string;
  /** MX ChrgBr; MT :71A:. */
  readonly chargeBearer: ChargeBearer;
  /** MX ChrgsInf; MT :71F: / :71G:. */
  readonly charges?: readonly Charge[];
  /** MX InstgAgt; MT sender (block 1 logical terminal's BIC). */
  readonly instructingAgent: Agent;
  /** MX InstdAgt; MT receiver (block 2 destination BIC). */
  readonly instructedAgent: Agent;
  /** MX InstgRmbrsmntAgt; MT :53a: sender's correspondent (settlement method COVE). */
  readonly instructingReimbursementAgent?: Agent;
  /** MX InstdRmbrsmntAgt; MT :54a: receiver's correspondent. */
  readonly instructedReimbursementAgent?: Agent;
  /** MX ThrdRmbrsmntAgt; MT :55a: third reimbursement institution. */
  readonly thirdReimbursementAgent?: Agent;
  /** MX PrvsInstgAgt1 (MT :72: /INS/). */
  readonly previousInstructingAgent?: Agent;
  /** MX IntrmyAgt1; MT :56a:. */
  readonly intermediaryAgent?: Agent;
  /** MX IntrmyAgt2 (after IntrmyAgt1, with IntrmyAgt2Acct as its account); MT103 has no field for it. */
  readonly secondIntermediaryAgent?: Agent;
  /** MX IntrmyAgt3 (with IntrmyAgt3Acct); MT103 has no field for it. */
  readonly thirdIntermediaryAgent?: Agent;
  /** MX UltmtDbtr (MT :50F: / MT 70 cannot hold it: reported on translation). */
  readonly ultimateDebtor?: Party;
  /** MX Dbtr; MT :50a: (A, F or K). */
  readonly debtor: Party;
  readonly debtorAccount?: AccountId;
  /** MX DbtrAgt; MT :52a:. */
  readonly debtorAgent: Agent;
  /** MX CdtrAgt; MT :57a:. */
  readonly creditorAgent: Agent;
  /** MX Cdtr; MT :59a: (no letter, A or F). */
  readonly creditor: Party;
  readonly creditorAccount?: AccountId;
  readonly ultimateCreditor?: Party;
  /** MX InstrForNxtAgt; MT :72: lines (6*35). */
  readonly instructionsForNextAgent?: readonly string[];
  /** MX Purp/Cd. */
  readonly purpose?: string;
  /** MX RmtInf/Ustrd (one of 140 in CBPR+); MT :70: (4*35). */
  readonly remittanceInformation?: string;
  /** MX RgltryRptg details (MT :77B:, 3*35). */
  readonly regulatoryReporting?: readonly string[];
}

/** A financial institution credit transfer: MT202 / MT202 COV / pacs.009 (COV when `underlying` is set). */
export interface InstitutionTransfer {
  readonly messageId: string;
  readonly creationDateTime: string;
  /** MT :20:. */
  readonly instructionId: string;
  readonly endToEndId: string;
  readonly uetr: string;
  /** MT :21: related reference (the underlying customer transfer's :20: for COV). */
  readonly relatedReference: string;
  readonly settlementAmount: Amount;
  readonly settlementDate: string;
  readonly settlementMethod: SettlementMethod;
  readonly instructingAgent: Agent;
  readonly instructedAgent: Agent;
  /** MT :52a: ordering institution; MX Dbtr (an agent). */
  readonly debtor: Agent;
  /** MT :53a: sender's correspondent. */
  readonly debtorAgent?: Agent;
  /** MT :56a:. */
  readonly intermediaryAgent?: Agent;
  /** MT :57a: account with institution; MX CdtrAgt. */
  readonly creditorAgent?: Agent;
  /** MT :58a: beneficiary institution; MX Cdtr (an agent). */
  readonly creditor: Agent;
  /** MT :72:. */
  readonly instructionsForNextAgent?: readonly string[];
  /** MT 202 COV sequence B / pacs.009 COV UndrlygCstmrCdtTrf. */
  readonly underlying?: {
    readonly debtor: Party;
    readonly debtorAccount?: AccountId;
    readonly debtorAgent: Agent;
    readonly intermediaryAgent?: Agent;
    readonly creditorAgent: Agent;
    readonly creditor: Party;
    readonly creditorAccount?: AccountId;
    readonly remittanceInformation?: string;
    readonly instructedAmount?: Amount;
  };
}

/** pacs.002 transaction status (CBPR+: one transaction). */
export type TransactionStatus = 'ACCC' | 'ACSC' | 'ACSP' | 'ACTC' | 'PDNG' | 'RJCT';

export interface PaymentStatusReport {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly instructingAgent: Agent;
  readonly instructedAgent: Agent;
  readonly originalMessageId: string;
  /** e.g. `pacs.008.001.08`. */
  readonly originalMessageType: string;
  readonly originalCreationDateTime?: string;
  readonly originalInstructionId?: string;
  readonly originalEndToEndId: string;
  readonly originalTransactionId?: string;
  readonly originalUetr: string;
  readonly status: TransactionStatus;
  /** ISO external status reason code (AC01, AM04, RR04, …) for RJCT/PDNG. */
  readonly reasonCode?: string;
  readonly additionalInformation?: readonly string[];
  readonly acceptanceDateTime?: string;
  readonly effectiveSettlementDate?: string;
}

/** pacs.004 payment return (one transaction). */
export interface PaymentReturn {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly instructingAgent: Agent;
  readonly instructedAgent: Agent;
  readonly returnId: string;
  readonly originalMessageId: string;
  readonly originalMessageType: string;
  readonly originalInstructionId?: string;
  readonly originalEndToEndId: string;
  readonly originalTransactionId?: string;
  readonly originalUetr: string;
  readonly originalSettlementAmount?: Amount;
  readonly originalSettlementDate?: string;
  readonly returnedAmount: Amount;
  readonly settlementDate: string;
  readonly settlementMethod: SettlementMethod;
  readonly chargeBearer: ChargeBearer;
  /** ISO external return reason code (AC04, MS03, FOCR, …). */
  readonly reasonCode: string;
  readonly additionalInformation?: readonly string[];
  /** The original transaction's parties, carried back as CBPR+ asks (optional here). */
  readonly originalDebtor?: Party;
  readonly originalCreditor?: Party;
}

/** camt.056 FI to FI payment cancellation request (a recall), one transaction. */
export interface CancellationRequest {
  readonly assignmentId: string;
  readonly creationDateTime: string;
  readonly assigner: Agent;
  readonly assignee: Agent;
  readonly caseId: string;
  readonly caseCreator: Agent;
  readonly cancellationId: string;
  readonly originalMessageId: string;
  readonly originalMessageType: string;
  readonly originalCreationDateTime?: string;
  readonly originalInstructionId?: string;
  readonly originalEndToEndId: string;
  readonly originalUetr: string;
  readonly originalSettlementAmount: Amount;
  readonly originalSettlementDate: string;
  /** DUPL, FRAD, TECH, CUST, AGNT, CURR, UPAY, … */
  readonly reasonCode: string;
  readonly additionalInformation?: readonly string[];
}

export type CreditDebit = 'CRDT' | 'DBIT';

export interface Balance {
  /** OPBD opening booked (MT :60F:, :60M: intermediate = ITBD), CLBD closing booked (:62a:), CLAV closing available (:64:), FWAV (:65:). */
  readonly type: 'OPBD' | 'ITBD' | 'CLBD' | 'CLAV' | 'FWAV';
  readonly amount: Amount;
  readonly creditDebit: CreditDebit;
  readonly date: string;
}

export interface StatementEntry {
  readonly amount: Amount;
  readonly creditDebit: CreditDebit;
  /** MT :61: reversal marks (RC/RD) become `reversal: true`. */
  readonly reversal?: boolean;
  readonly status: 'BOOK' | 'PDNG' | 'INFO';
  readonly bookingDate?: string;
  readonly valueDate: string;
  /** MX AcctSvcrRef; MT :61: reference of the account servicing institution (after //). */
  readonly accountServicerReference?: string;
  /** MX NtryRef. */
  readonly entryReference?: string;
  /**
   * MT :61: transaction type identification code (e.g. NTRF, NMSC, FCHG); MX BkTxCd/Prtry/Cd, or
   * when the entry has only the ISO code (BkTxCd/Domn), that code written `DOMN/FMLY/SUBF`.
   */
  readonly transactionCode: string;
  /** MX BkTxCd/Domn: the ISO bank transaction code (domain, family, sub-family, e.g. PMNT/ICDT/XBCT). */
  readonly bankTransactionCode?: { readonly domain: string; readonly family: string; readonly subFamily: string };
  /** MX BkTxCd/Prtry/Issr: who issued the proprietary code (e.g. SWIFT). */
  readonly transactionCodeIssuer?: string;
  /** References of the underlying payment (MT :61: reference for the account owner; MX NtryDtls/TxDtls/Refs). */
  readonly references: {
    readonly accountOwnerReference?: string;
    readonly endToEndId?: string;
    readonly instructionId?: string;
    readonly transactionId?: string;
    readonly uetr?: string;
  };
  /** MT :61: supplementary details (34x). */
  readonly supplementaryDetails?: string;
  /** MT :86: information to account owner (6*65); MX AddtlNtryInf (500). */
  readonly additionalInformation?: string;
}

/** A statement of an account: camt.053 / MT940 (customer) / MT950 (bank's nostro). */
export interface Statement {
  readonly messageId: string;
  readonly creationDateTime: string;
  /** MT :20: transaction reference; MX Stmt/Id. */
  readonly statementId: string;
  /** MT :28C: statement number / sequence; MX ElctrncSeqNb / LglSeqNb. */
  readonly sequenceNumber: number;
  readonly pageNumber?: number;
  /** MT :25: account identification; MX Acct/Id. */
  readonly account: AccountId;
  readonly accountCurrency: string;
  /** The account servicer (MT sender; MX Acct/Svcr). */
  readonly accountServicer: Agent;
  /** The account owner's bank receiving the statement (MT receiver). */
  readonly accountOwner: Agent;
  readonly fromDate?: string;
  readonly toDate?: string;
  readonly balances: readonly Balance[];
  readonly entries: readonly StatementEntry[];
  /** MT :86: at message level; MX AddtlStmtInf. */
  readonly additionalInformation?: string;
}

/** pain.001 customer credit transfer initiation: a customer's instruction to its bank. */
export interface CustomerInitiation {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly initiatingParty: Party;
  readonly paymentInformation: readonly {
    readonly paymentInformationId: string;
    readonly requestedExecutionDate: string;
    readonly debtor: Party;
    readonly debtorAccount: AccountId;
    readonly debtorAgent: Agent;
    readonly chargeBearer?: ChargeBearer;
    readonly transactions: readonly {
      readonly instructionId?: string;
      readonly endToEndId: string;
      readonly uetr?: string;
      readonly amount: Amount;
      readonly creditorAgent: Agent;
      readonly creditor: Party;
      readonly creditorAccount?: AccountId;
      readonly remittanceInformation?: string;
      readonly purpose?: string;
    }[];
  }[];
}

/** One reason a message or a model is refused: the field (MT tag, MX path or model path) and the rule it breaks. */
export interface Issue {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly Issue[] };

/** What a translation could not carry, or carried only in part. */
export interface TranslationNote {
  readonly field: string;
  readonly kind: 'truncated' | 'dropped' | 'restructured';
  readonly detail: string;
}

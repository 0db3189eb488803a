/**
 * The reports a bank files with FinCEN's BSA E-Filing System, as plain data: Currency Transaction
 * Reports (FinCEN CTR, form 112) and Suspicious Activity Reports (FinCEN SAR, form 111). The
 * builders turn them into FinCEN's batch XML (`CTRX`, `SARX`); fincen-rules.ts refuses what FinCEN
 * would reject before a byte of XML is written.
 *
 * Money is USD minor units (cents) as `bigint`. FinCEN records US dollar amounts as whole dollars
 * rounded up to the next dollar ($15,265.25 is recorded as 15266; CTR XML user guide, general
 * instruction 13 "Monetary amounts", and the SAR electronic filing instructions: whole dollars, no
 * cents). Each recorded amount is rounded on its own: a person's cash in, the report's total cash in.
 */

export interface PostalAddress {
  readonly street: string;
  readonly city: string;
  /** USPS code of a US state or territory when `country` is US; '' (or a province code) elsewhere. */
  readonly state: string;
  /** US: 5 or 9 digits, no hyphen (FinCEN's RawZIPCode). Elsewhere: the postal code, up to 9 characters. */
  readonly zip: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
}

export type PrimaryRegulator = 'FDIC' | 'FRB' | 'NCUA' | 'OCC' | 'IRS';

export interface FilingInstitution {
  /** Legal name. */
  readonly name: string;
  /** 9-digit EIN, digits only. */
  readonly tin: string;
  readonly address: PostalAddress;
  readonly primaryRegulator: PrimaryRegulator;
  /** Federal Reserve RSSD id, digits only. */
  readonly rssd?: string;
  /** The office FinCEN calls about the report (party type 8). */
  readonly contactOffice: { readonly name: string; /** digits only */ readonly phone: string };
  readonly transmitter: {
    readonly name: string;
    /** Transmitter Control Code: 8 characters, starting with P. */
    readonly tcc: string;
    readonly tin: string;
    readonly address: PostalAddress;
    /** digits only */
    readonly phone: string;
    readonly contactName: string;
  };
}

/**
 * A branch or office where the transaction or activity took place. FinCEN's XML has no element for
 * its own name (a CTR's transaction location carries the institution's legal name with the branch's
 * address; a SAR's branch party has an address and an RSSD only): `name` is the bank's own label.
 */
export interface BranchLocation {
  readonly name: string;
  readonly address: PostalAddress;
  readonly rssd?: string;
}

export type IdentificationType = 'passport' | 'drivers_license' | 'other';

export interface PersonParty {
  readonly kind: 'person';
  readonly lastName: string;
  readonly firstName: string;
  readonly middleName?: string;
  /** YYYY-MM-DD; absent is recorded as "birth date unknown". */
  readonly birthDate?: string;
  readonly gender?: 'female' | 'male';
  /** SSN or ITIN, 9 digits; absent is recorded as "TIN unknown". */
  readonly tin?: string;
  /** Absent is recorded with every part "unknown". */
  readonly address?: PostalAddress;
  readonly identification?: {
    readonly type: IdentificationType;
    readonly number: string;
    /** ISO 3166-1 alpha-2 of the issuer. */
    readonly issuerCountry: string;
    /** USPS code of the issuing state, for a US driver's licence or state id. */
    readonly issuerState?: string;
    /** What the document is, required for (and only for) type 'other'. */
    readonly description?: string;
  };
  readonly occupation?: string;
}

export interface EntityParty {
  readonly kind: 'entity';
  readonly name: string;
  /** EIN, 9 digits; absent is recorded as "TIN unknown". */
  readonly tin?: string;
  readonly address?: PostalAddress;
}

export type ReportParty = PersonParty | EntityParty;

/** How cash came in or went out, FinCEN's CurrencyTransactionActivityDetailTypeCode for a bank. */
export type CtrCashInKind = 'deposit' | 'payment' | 'wire_out' | 'negotiable_instrument_purchase' | 'currency_exchange' | 'prepaid_access';
export type CtrCashOutKind = 'withdrawal' | 'advance_on_credit' | 'wire_in' | 'negotiable_instrument_cashed' | 'currency_exchange' | 'prepaid_access';

export interface CtrPerson {
  readonly party: ReportParty;
  /** Cash this person brought in, cents ≥ 0. */
  readonly cashInMinor: bigint;
  /** Cash paid out to this person, cents ≥ 0. */
  readonly cashOutMinor: bigint;
  /** Accounts the cash went into or came out of (each recorded as cash-in and/or cash-out account). */
  readonly accountNumbers: readonly string[];
}

export interface CtrReport {
  /** The bank's own id for the report (not sent to FinCEN; errors name it). */
  readonly reportId: string;
  /** YYYY-MM-DD */
  readonly filingDate: string;
  /** YYYY-MM-DD, the business day of the transactions. */
  readonly transactionDate: string;
  readonly institution: FilingInstitution;
  readonly location: BranchLocation;
  /** At least one; each one a person conducting the transaction on their own behalf (party type 50). */
  readonly persons: readonly CtrPerson[];
  /** Several transactions were aggregated into this report (AggregateTransactionIndicator). */
  readonly aggregated?: boolean;
  /** Defaults: cash in is deposits (55), cash out is withdrawals (56). */
  readonly cashInKind?: CtrCashInKind;
  readonly cashOutKind?: CtrCashOutKind;
}

export type SarCategory = 'structuring' | 'terrorist_financing' | 'fraud' | 'money_laundering' | 'identity' | 'other';

export interface SarCategoryEntry {
  readonly category: SarCategory;
  /**
   * FinCEN's SuspiciousActivitySubtypeID, which must belong to the category's type. Absent: the
   * category's default (structuring 114, terrorist financing 701), or its "Other" subtype when a
   * `detail` is given; fraud, money laundering, identity and other have no default and need one of the two.
   */
  readonly subtypeId?: number;
  /** The description for an "Other" subtype (OtherSuspiciousActivityTypeText, up to 50 characters). */
  readonly detail?: string;
}

export interface SarReport {
  readonly reportId: string;
  /** YYYY-MM-DD */
  readonly filingDate: string;
  readonly institution: FilingInstitution;
  /** The branch where the activity occurred (party type 46 inside the institution's party 34). */
  readonly branch: BranchLocation;
  /** At least one (party type 33). */
  readonly subjects: readonly ReportParty[];
  /** YYYY-MM-DD, first and last day of the activity. */
  readonly activityFrom: string;
  readonly activityTo: string;
  /** Cents ≥ 0; zero is recorded as "no amount involved". */
  readonly amountMinor: bigint;
  readonly categories: readonly SarCategoryEntry[];
  /** Up to 17,000 characters, one line (FinCEN refuses tabs, carriage returns and line feeds). */
  readonly narrative: string;
  /** Accounts affected, held at the filing institution; recorded for every subject. */
  readonly accountNumbers: readonly string[];
}

export type FincenForm = 'CTRX' | 'SARX';

export interface BuiltBatch {
  readonly xml: string;
  readonly form: FincenForm;
  /** The root's ActivityCount: the number of reports. */
  readonly activityCount: number;
  /**
   * The root's PartyCount as FinCEN defines it: CTR, every <Party> of the batch (six or more a
   * report); SAR, the <Party> elements with ActivityPartyTypeCode 33 (the subjects).
   */
  readonly partyCount: number;
  /**
   * The root's TotalAmount in whole dollars: CTR, the sum of every DetailTransactionAmountText
   * (cash in and cash out); SAR, the sum of every TotalSuspiciousAmountText.
   */
  readonly totalAmountDollars: bigint;
}

export type ReportRule =
  | 'required'
  | 'code'
  | 'whitespace'
  | 'character'
  | 'too_long'
  | 'date'
  | 'date_order'
  | 'ein'
  | 'tin'
  | 'tcc'
  | 'rssd'
  | 'phone'
  | 'country'
  | 'state'
  | 'zip'
  | 'amount_negative'
  | 'amount_too_large'
  | 'no_cash'
  | 'below_ctr_threshold'
  | 'count_min'
  | 'count_max'
  | 'duplicate'
  | 'subtype'
  | 'detail_required'
  | 'detail_not_allowed'
  | 'narrative_split';

export interface ReportError {
  /** Where in the input, e.g. `reports[0].persons[1].party.lastName`. */
  readonly path: string;
  readonly rule: ReportRule;
  readonly message: string;
}

export type BatchResult = { readonly ok: true; readonly value: BuiltBatch } | { readonly ok: false; readonly errors: readonly ReportError[] };

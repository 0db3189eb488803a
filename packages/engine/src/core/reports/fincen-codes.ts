/**
 * FinCEN's codes and limits as the batch schemas give them (EFL_CTRXBatchSchema.xsd v1.2 and
 * EFL_SARXBatchSchema.xsd v1.2, 12/17/2021), and our own limits where FinCEN sets none.
 */
import type { CtrCashInKind, CtrCashOutKind, IdentificationType, PrimaryRegulator, SarCategory } from './types';

/** Ours: a batch is built in memory and validated in one pass (FinCEN's schema has no bound). */
export const reportsPerBatchMax = 1_000;
/** Ours, within the CTR schema's 2,002 parties a report (five are the filer's own). */
export const personsPerCtrMax = 999;
/** Ours, within the SAR schema's 1,203 parties a report (five are the filer's own). */
export const subjectsPerSarMax = 999;
/** A CTR person's accounts: the schema allows 198 <Account>, and each account may be written twice (cash in and cash out). */
export const accountsPerCtrPersonMax = 99;
/** A SAR subject's affected accounts at one institution: the schema allows 99 <Account>. */
export const accountsPerSarMax = 99;
/** The schema allows 99 <SuspiciousActivityClassification> a SAR. */
export const categoriesPerSarMax = 99;
/** FinCEN's SAR narrative: five blocks, characters 1–17,000. */
export const narrativeCharsMax = 17_000;
/** One <ActivityNarrativeText> (RestrictString4000). */
export const narrativeBlockCharsMax = 4_000;
/** Amount elements are RestrictString15: at most 15 digits of whole dollars. */
export const amountDollarsMax = 10n ** 15n - 1n;
/**
 * A CTR reports cash in, or cash out, of more than $10,000 in one business day (31 CFR 1010.311).
 * (Transaction monitoring alerts on the same figure.)
 */
export const ctrThresholdMinor = 1_000_000n;

/** Maximum characters of each string element the builders write (RestrictStringN in both schemas). */
export const elementCharsMax = {
  RawPartyFullName: 150,
  RawEntityIndividualLastName: 150,
  RawIndividualFirstName: 35,
  RawIndividualMiddleName: 35,
  RawStreetAddress1Text: 100,
  RawCityText: 50,
  RawStateCodeText: 3,
  RawZIPCode: 9,
  RawCountryCodeText: 2,
  PhoneNumberText: 16,
  PartyIdentificationNumberText: 25,
  OtherIssuerCountryText: 2,
  OtherIssuerStateText: 3,
  OtherPartyIdentificationTypeText: 50,
  OccupationBusinessText: 50,
  AccountNumberText: 40,
  IndividualEntityCashInAmountText: 15,
  IndividualEntityCashOutAmountText: 15,
  TotalCashInReceiveAmountText: 15,
  TotalCashOutAmountText: 15,
  DetailTransactionAmountText: 15,
  OtherCurrencyTransactionActivityDetailText: 50,
  OtherForeignCurrencyCountryText: 2,
  TotalSuspiciousAmountText: 15,
  OtherSuspiciousActivityTypeText: 50,
  ActivityNarrativeText: narrativeBlockCharsMax,
} as const;

export type StringElement = keyof typeof elementCharsMax;

/** ActivityPartyTypeCode. */
export const partyType = {
  transmitter: '35',
  transmitterContact: '37',
  filingInstitution: '30',
  contactOffice: '8',
  /** CTR: transaction location; SAR: financial institution where the activity occurred. */
  activityLocation: '34',
  /** CTR only: person conducting the transaction on their own behalf. */
  ctrPerson: '50',
  /** SAR only. */
  sarSubject: '33',
  /** SAR only, inside party 34's PartyAssociation. */
  sarBranch: '46',
  /** SAR only, inside a subject's PartyAccountAssociation. */
  sarAccountInstitution: '41',
} as const;

/** PrimaryRegulatorTypeCode (the same in both schemas). */
export const regulatorCode: Record<PrimaryRegulator, string> = { FRB: '1', FDIC: '2', NCUA: '3', OCC: '4', IRS: '7' };

/** PartyIdentificationTypeCode. */
export const identificationCode = {
  ssnItin: '1',
  ein: '2',
  tin: '4',
  transmitterControlCode: '28',
  rssd: '14',
} as const;

export const documentCode: Record<IdentificationType, string> = { drivers_license: '5', passport: '6', other: '999' };

/** OrganizationTypeID: a bank files as a depository institution. */
export const depositoryInstitutionTypeId = '2';

/** CurrencyTransactionActivityDetailTypeCode. */
export const cashInCode: Record<CtrCashInKind, string> = {
  deposit: '55',
  payment: '46',
  wire_out: '23',
  negotiable_instrument_purchase: '12',
  currency_exchange: '14',
  prepaid_access: '49',
};
export const cashOutCode: Record<CtrCashOutKind, string> = {
  withdrawal: '56',
  advance_on_credit: '30',
  wire_in: '32',
  negotiable_instrument_cashed: '13',
  currency_exchange: '15',
  prepaid_access: '48',
};

/** PartyAccountAssociationTypeCode. */
export const ctrAccountCode = { cashIn: '8', cashOut: '9' } as const;
export const sarAccountCode = { institutionHoldingAccount: '5', activityAffected: '7' } as const;

interface SarType {
  readonly typeId: number;
  /** The SuspiciousActivitySubtypeID values of this type in the schema, the "Other" one last. */
  readonly subtypeIds: readonly number[];
  readonly otherSubtypeId: number;
  /** Used when the entry names neither a subtype nor a detail; absent: one of the two is required. */
  readonly defaultSubtypeId?: number;
}

/**
 * Each category is one of FinCEN's suspicious activity types (SuspiciousActivityTypeID). Structuring
 * defaults to 114 "Transaction(s) below CTR threshold", the pattern the monitoring rule detects;
 * terrorist financing to 701 "Known or suspected terrorist/terrorist organization", its only
 * specific subtype. 'identity' is type 4 "Identification documentation"; identity theft (905) is
 * under type 9, so it is category 'other' with subtypeId 905.
 */
export const sarTypes: Record<SarCategory, SarType> = {
  structuring: { typeId: 1, subtypeIds: [106, 111, 112, 113, 114, 1999], otherSubtypeId: 1999, defaultSubtypeId: 114 },
  fraud: { typeId: 3, subtypeIds: [301, 304, 305, 308, 309, 310, 312, 320, 321, 322, 323, 324, 325, 3999], otherSubtypeId: 3999 },
  identity: { typeId: 4, subtypeIds: [401, 402, 403, 404, 405, 409, 4999], otherSubtypeId: 4999 },
  terrorist_financing: { typeId: 7, subtypeIds: [701, 7999], otherSubtypeId: 7999, defaultSubtypeId: 701 },
  money_laundering: {
    typeId: 8,
    subtypeIds: [801, 804, 805, 806, 807, 808, 809, 812, 820, 821, 822, 823, 824, 8999],
    otherSubtypeId: 8999,
  },
  other: {
    typeId: 9,
    subtypeIds: [901, 903, 904, 905, 907, 908, 909, 910, 911, 913, 917, 920, 921, 922, 924, 925, 926, 927, 928, 9999],
    otherSubtypeId: 9999,
  },
};

/** USPS codes FinCEN takes as a US state: the states, DC, the territories and the armed forces' codes. */
export const usStateCodes: ReadonlySet<string> = new Set(
  (
    'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY ' +
    'DC AS GU MP PR VI UM FM MH PW AA AE AP'
  ).split(' '),
);

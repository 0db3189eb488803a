/**
 * The CBPR+ (Cross-Border Payments and Reporting Plus) rules our messages obey beyond the ISO
 * schema, in one place. The official ISO schemas in ../shared/vectors/iso20022-xsd are the base
 * messages; CBPR+ narrows them (SWIFT's usage guidelines, SR2025, in force since November 2025):
 * a restricted FIN-X character set, shorter texts, structured or hybrid postal addresses,
 * a mandatory UETR, one transaction per message, BICs for the instructing and instructed agents,
 * INDA/INGA settlement, amounts that fit MT's 15-character amount field. The schema validator
 * cannot see these, so the builders refuse them before writing and the parsers report them.
 *
 * Each rule is a pure test returning the reason it fails, or undefined.
 */
import type { PostalAddress } from '../payment/model';

/** A rule with a stable id (the `Issue.rule`) and a test saying why a value breaks it. */
export interface Rule<T> {
  readonly id: string;
  readonly test: (value: T) => string | undefined;
}

/**
 * CBPR+ "restricted FIN-X" set: the characters of SWIFT FIN's X set, a-z A-Z 0-9 / - ? : ( ) . , ' +
 * and space (CR/LF are left out: no MX text element we write is multi-line).
 */
export const finXCharacters = /^[0-9A-Za-z/\-?:().,'+ ]*$/;
/**
 * CBPR+ "extended" set for names, postal addresses and free text (…_Extended types): FIN-X plus
 * ! # $ % & * = ^ _ ` { | } ~ " ; < > @ [ \ ].
 */
export const finXExtendedCharacters = /^[0-9A-Za-z/\-?:().,'+ !#$%&*=^_`{|}~";<>@[\\\]]*$/;

export const restrictedCharacterSet: Rule<string> = {
  id: 'cbpr.character_set',
  test: (text) => (finXCharacters.test(text) ? undefined : `only a-z A-Z 0-9 / - ? : ( ) . , ' + and space are allowed (CBPR+ restricted FIN-X set)`),
};

export const extendedCharacterSet: Rule<string> = {
  id: 'cbpr.character_set',
  test: (text) =>
    finXExtendedCharacters.test(text) ? undefined : 'only the CBPR+ extended FIN-X set is allowed: a-z A-Z 0-9 / - ? : ( ) . , \' + space ! # $ % & * = ^ _ ` { | } ~ " ; < > @ [ \\ ]',
};

/** A reference that becomes an MT :20: or :21: must not start or end with '/' nor contain '//'. */
export const referenceSlashes: Rule<string> = {
  id: 'cbpr.reference_slashes',
  test: (text) => (text.startsWith('/') || text.endsWith('/') || text.includes('//') ? "must not start or end with '/' nor contain '//'" : undefined),
};

/** CBPR+ text lengths shorter than the schema's (MT field sizes). */
export const cbprLength = {
  /** PmtId/InstrId: MT :20: is 16x. */
  instructionIdMax: 16,
  /** RmtInf/Ustrd: one occurrence of 140. */
  remittanceMax: 140,
  /** InstrForNxtAgt/InstrInf: MT :72: lines of 35, at most 6 of them. */
  instructionForNextAgentMax: 35,
  instructionsForNextAgentMax: 6,
  /** Hybrid postal address: structured town and country plus at most 2 lines of 70. */
  hybridAddressLinesMax: 2,
  hybridAddressLineMax: 70,
  /** Unstructured postal address (MT 50K/59 lines 2–4): at most 3 lines of 35. */
  unstructuredAddressLinesMax: 3,
  unstructuredAddressLineMax: 35,
  /** pacs.002 / pacs.004 AddtlInf: 105 in the schema, CBPR+ keeps 2 lines of 105. */
  additionalInformationLinesMax: 2,
} as const;

/** CBPR+ date-times carry an explicit offset from UTC (±hh:mm, up to ±14:00); 'Z' and local times are refused. */
const cbprDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?[+-](0\d|1[0-4]):[0-5]\d$/;

export const dateTimeWithOffset: Rule<string> = {
  id: 'cbpr.date_time',
  test: (text) => {
    const match = cbprDateTimePattern.exec(text);
    if (match === null) return 'must be an ISO date-time with seconds and a UTC offset, e.g. 2025-11-24T10:15:00+01:00';
    return realDate(Number(match[1]), Number(match[2]), Number(match[3])) ? undefined : 'not a calendar date';
  },
};

export function realDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/** CBPR+ amounts: MT's 15d field, so at most 14 digits before the decimal separator. */
export const amountIntegerDigitsMax = 14;

export const amountIntegerDigits: Rule<string> = {
  id: 'cbpr.amount_digits',
  test: (decimal) => {
    const whole = decimal.replace(/^-/, '').split('.')[0] ?? '';
    return whole.replace(/^0+(?=\d)/, '').length > amountIntegerDigitsMax ? `at most ${amountIntegerDigitsMax} digits before the decimal separator` : undefined;
  },
};

export const amountPositive: Rule<bigint> = {
  id: 'cbpr.amount_positive',
  test: (amountMinor) => (amountMinor > 0n ? undefined : 'must be greater than zero'),
};

/** CBPR+ pacs.008/pacs.009/pacs.004 settle over accounts: INDA (instructed agent's) or INGA (instructing agent's). */
export const settlementMethods = ['INDA', 'INGA'] as const;

/** The settlement method of a message whose model carries no reimbursement agents (pacs.009, pacs.004): INDA or INGA. */
export const settlementMethodRule: Rule<string> = {
  id: 'cbpr.settlement_method',
  test: (method) =>
    (settlementMethods as readonly string[]).includes(method)
      ? undefined
      : `CBPR+ allows INDA or INGA here (COVE needs reimbursement agents this message's model does not carry; CLRG is for market infrastructures)`,
};

/** The settlement instruction of a pacs.008: its method and the reimbursement agents (GrpHdr/SttlmInf). */
export interface SettlementShape {
  readonly settlementMethod: string;
  readonly instructingReimbursementAgent?: unknown;
  readonly instructedReimbursementAgent?: unknown;
  readonly thirdReimbursementAgent?: unknown;
}

/**
 * CBPR+ pacs.008 settlement: INDA or INGA over the account between the two agents, with no
 * reimbursement agents; or COVE, where the cover goes through the instructing and/or instructed
 * reimbursement agent (MT :53a:, :54a:); a third reimbursement agent (:55a:) needs both of them
 * (ISO ThirdReimbursementAgentRule). CLRG is for market infrastructures, not CBPR+.
 */
export const settlementWithReimbursementRule: Rule<SettlementShape> = {
  id: 'cbpr.settlement_method',
  test: (settlement) => {
    const instructing = settlement.instructingReimbursementAgent !== undefined;
    const instructed = settlement.instructedReimbursementAgent !== undefined;
    const third = settlement.thirdReimbursementAgent !== undefined;
    if (settlement.settlementMethod === 'COVE') {
      if (!instructing && !instructed) return 'COVE needs the instructing or the instructed reimbursement agent the cover goes through';
      if (third && !(instructing && instructed)) return 'a third reimbursement agent needs both the instructing and the instructed reimbursement agents';
      return undefined;
    }
    if (!(settlementMethods as readonly string[]).includes(settlement.settlementMethod)) return 'CBPR+ allows INDA, INGA, or COVE with reimbursement agents (CLRG is for market infrastructures)';
    return instructing || instructed || third ? 'reimbursement agents go with settlement method COVE only (CBPR+)' : undefined;
  },
};

/** The postal address fields the rules look at: PostalAddress24, as the model has it. */
export type AddressShape = PostalAddress;

/** A broken address rule: the address field it names (a model key) and why. */
export interface AddressFinding {
  readonly key: keyof AddressShape;
  readonly rule: string;
  readonly message: string;
}

function isStructured(address: AddressShape): boolean {
  return [address.department, address.streetName, address.buildingNumber, address.buildingName, address.postCode, address.townName, address.countrySubDivision, address.country].some(
    (part) => part !== undefined,
  );
}

/**
 * CBPR+ postal addresses since November 2025: structured (TwnNm and Ctry mandatory), hybrid
 * (the same, plus at most 2 AdrLine of 70), or, until their retirement, unstructured (AdrLine
 * only, at most 3 of 35, the MT lines). An empty address is refused.
 */
export function addressFindings(address: AddressShape): AddressFinding[] {
  const lines = address.addressLines ?? [];
  if (!isStructured(address)) {
    if (lines.length === 0) return [{ key: 'addressLines', rule: 'cbpr.address_empty', message: 'a postal address needs a town and country, or address lines' }];
    return unstructuredLineFindings(lines);
  }
  const findings: AddressFinding[] = [];
  if (address.townName === undefined) findings.push({ key: 'townName', rule: 'cbpr.address_structured', message: 'a structured or hybrid address must name the town (TwnNm)' });
  if (address.country === undefined) findings.push({ key: 'country', rule: 'cbpr.address_structured', message: 'a structured or hybrid address must name the country (Ctry)' });
  if (lines.length > cbprLength.hybridAddressLinesMax) {
    findings.push({ key: 'addressLines', rule: 'cbpr.address_hybrid', message: `a hybrid address has at most ${cbprLength.hybridAddressLinesMax} address lines` });
  }
  if (lines.some((line) => line.length > cbprLength.hybridAddressLineMax)) {
    findings.push({ key: 'addressLines', rule: 'cbpr.address_hybrid', message: `a hybrid address line has at most ${cbprLength.hybridAddressLineMax} characters` });
  }
  return findings;
}

function unstructuredLineFindings(lines: readonly string[]): AddressFinding[] {
  const findings: AddressFinding[] = [];
  if (lines.length > cbprLength.unstructuredAddressLinesMax) {
    findings.push({ key: 'addressLines', rule: 'cbpr.address_unstructured', message: `an unstructured address has at most ${cbprLength.unstructuredAddressLinesMax} lines` });
  }
  if (lines.some((line) => line.length > cbprLength.unstructuredAddressLineMax)) {
    findings.push({ key: 'addressLines', rule: 'cbpr.address_unstructured', message: `an unstructured address line has at most ${cbprLength.unstructuredAddressLineMax} characters` });
  }
  return findings;
}

/** The agent fields the rules look at. */
export interface AgentShape {
  readonly bic?: string;
  readonly clearingMemberId?: unknown;
  readonly lei?: string;
  readonly name?: string;
  readonly postalAddress?: unknown;
}

/** Instructing and instructed agents are the SWIFT addresses of the hop: CBPR+ wants their BICFI and nothing else. */
export const agentBicOnly: Rule<AgentShape> = {
  id: 'cbpr.agent_bic',
  test: (agent) => {
    if (agent.bic === undefined) return 'the instructing and instructed agents are identified by BICFI (CBPR+)';
    if (agent.name !== undefined || agent.postalAddress !== undefined || agent.clearingMemberId !== undefined) return 'CBPR+ identifies the instructing and instructed agents by BICFI (and LEI) only';
    return undefined;
  },
};

/** Any other agent: a BIC, or a clearing system member id, or a name with a postal address. */
export const agentIdentified: Rule<AgentShape> = {
  id: 'cbpr.agent_identified',
  test: (agent) =>
    agent.bic !== undefined || agent.clearingMemberId !== undefined || (agent.name !== undefined && agent.postalAddress !== undefined)
      ? undefined
      : 'an agent needs a BICFI, a clearing system member id, or a name and postal address (CBPR+)',
};

/** Debtor and creditor: a name, unless an AnyBIC identifies the party. */
export const partyNamed: Rule<{ readonly name?: string; readonly bic?: string }> = {
  id: 'cbpr.party_name',
  test: (party) => (party.name !== undefined || party.bic !== undefined ? undefined : 'a debtor or creditor needs a name when no AnyBIC identifies it (CBPR+)'),
};

/** The BizSvc values head.001.001.02 carries in CBPR+. */
export const businessService = {
  core: 'swift.cbprplus.02',
  cover: 'swift.cbprplus.cov.02',
} as const;

/** pacs.002: a rejection or a pending status says why (StsRsnInf/Rsn/Cd). */
export const statusReasonRequired: Rule<{ readonly status: string; readonly reasonCode?: string }> = {
  id: 'cbpr.status_reason',
  test: (report) => ((report.status === 'RJCT' || report.status === 'PDNG') && report.reasonCode === undefined ? `a ${report.status} status needs a reason code` : undefined),
};

/**
 * pacs.008.001.08 FI to FI customer credit transfer ↔ `CreditTransfer`, as CBPR+ uses it: one
 * transaction (NbOfTxs 1), settlement INDA/INGA, or COVE with reimbursement agents (SttlmInf
 * InstgRmbrsmntAgt, InstdRmbrsmntAgt, ThrdRmbrsmntAgt), instructing and instructed agents by BIC
 * at transaction level, a UETR, the interbank settlement date in the transaction.
 *
 * Elements the schema defines that the model does not carry (structured remittance, regulatory
 * reporting codes, local instrument, …: `notCarried` below) are left out when reading, each with a
 * 'dropped' note (parseMx returns them); any element outside the schema is still refused.
 */
import type { Charge, Checked, CreditTransfer } from '../payment/model';
import { cbprLength, settlementWithReimbursementRule } from './cbpr';
import { code, decimal, dropped, flag, inside, list, type Codec } from './codec';
import { account, amount, anyParty, chainAgent, dateTime, externalCode4, extended, hopAgent, id35, isoDate, lines, namedParty, plainAgent, reference16, restricted, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record, type RecordRule, type Skipped } from './record';
import { agentHeader } from './shared';

export const settlementMethodCodes = ['INDA', 'INGA', 'COVE', 'CLRG'] as const;
export const chargeBearerCodes = ['DEBT', 'CRED', 'SHAR'] as const;
/** Instruction3Code: the instructions for the creditor agent an MT :23E: can carry into pacs.008. */
export const creditorAgentInstructionCodes = ['CHQB', 'HOLD', 'PHOB', 'TELB'] as const;
/** InstrForCdtrAgt occurrences (the schema's list is unbounded; an MT :23E: repeats as often). */
export const creditorAgentInstructionsMax = 4;
/** InstrForCdtrAgt/InstrInf: Max140Text. */
export const creditorAgentInstructionInformationMax = 140;
/** The codes that take additional information (a phone number, a telecom address, a reason to hold; as MT :23E:). */
export const creditorAgentInstructionCodesWithInformation = ['HOLD', 'PHOB', 'TELB'] as const;
/** ChrgsInf occurrences kept (MT :71F: repeats; CBPR+ keeps the schema's unbounded list, we cap it). */
export const chargesMax = 10;
/** RgltryRptg/Dtls/Inf lines (MT :77B: 3*35). */
export const regulatoryReportingLinesMax = 3;
/** BaseOneRate: totalDigits 11, fractionDigits 10. */
export const exchangeRate = decimal(11, 10);

const charge: Codec<Charge> = record<Charge>(
  (f) => [f.req('amount', 'Amt', amount({ allowZero: true })), f.req('agent', 'Agt', plainAgent)],
  [(value) => (value.type === undefined ? [] : [{ key: 'type', rule: 'model.not_carried', message: 'pacs.008.001.08 Charges7 has no charge type (sender/receiver): leave it out' }])],
);

/** CBPR+: an instructed amount in another currency needs the exchange rate, and a rate needs the instructed amount. */
const exchange: RecordRule<CreditTransfer> = (value) => {
  if (value.exchangeRate !== undefined && value.instructedAmount === undefined) {
    return [{ key: 'exchangeRate', rule: 'cbpr.exchange_rate', message: 'an exchange rate needs the instructed amount it converts' }];
  }
  if (value.instructedAmount !== undefined && value.instructedAmount.currency !== value.settlementAmount.currency && value.exchangeRate === undefined) {
    return [{ key: 'exchangeRate', rule: 'cbpr.exchange_rate', message: 'an instructed amount in another currency than the settlement amount needs the exchange rate' }];
  }
  return [];
};

/** IntrmyAgt2 comes after IntrmyAgt1, IntrmyAgt3 after IntrmyAgt2 (ISO: IntermediaryAgent2Rule, 3Rule). */
const intermediaryChain: RecordRule<CreditTransfer> = (value) => {
  if (value.secondIntermediaryAgent !== undefined && value.intermediaryAgent === undefined) return [{ key: 'secondIntermediaryAgent', rule: 'schema.intermediary_chain', message: 'a second intermediary agent needs the first (IntrmyAgt1)' }];
  if (value.thirdIntermediaryAgent !== undefined && value.secondIntermediaryAgent === undefined) return [{ key: 'thirdIntermediaryAgent', rule: 'schema.intermediary_chain', message: 'a third intermediary agent needs the second (IntrmyAgt2)' }];
  return [];
};

/** CBPR+: INDA or INGA, or COVE with the reimbursement agents the cover goes through. */
const settlement: RecordRule<CreditTransfer> = (value) => {
  const broken = settlementWithReimbursementRule.test(value);
  if (broken === undefined) return [];
  const key = value.thirdReimbursementAgent !== undefined && value.settlementMethod === 'COVE' ? 'thirdReimbursementAgent' : 'settlementMethod';
  return [{ key, rule: settlementWithReimbursementRule.id, message: broken }];
};

interface Instruction {
  readonly code?: string;
  readonly information?: string;
}

const instructionCode = code<string>(creditorAgentInstructionCodes, 'model.not_carried');
const instructionInformation = restricted(creditorAgentInstructionInformationMax);

const instructionCodec = record<Instruction>((f) => [f.opt('code', 'Cd', instructionCode), f.opt('information', 'InstrInf', instructionInformation)]);

function splitInstruction(value: string): Instruction {
  const slash = value.indexOf('/');
  return slash < 0 ? { code: value } : { code: value.slice(0, slash), information: value.slice(slash + 1) };
}

/** One model entry `CODE` or `CODE/information` (as MT :23E: writes it) ↔ InstrForCdtrAgt Cd + InstrInf. */
const instructionEntry: Codec<string> = {
  check: (value, site, report) => {
    const { code: instruction = '', information } = splitInstruction(value);
    instructionCode.check(instruction, { model: site.model, xml: `${site.xml}/Cd` }, report);
    if (information === undefined) return;
    const informationSite = { model: site.model, xml: `${site.xml}/InstrInf` };
    if (!(creditorAgentInstructionCodesWithInformation as readonly string[]).includes(instruction)) {
      flag(report, informationSite, 'cbpr.instruction_information', `${instruction} takes no additional information (only ${creditorAgentInstructionCodesWithInformation.join(', ')} do)`);
      return;
    }
    instructionInformation.check(information, informationSite, report);
  },
  write: (value, tag) => instructionCodec.write(splitInstruction(value), tag),
  read: (elements, site, report) => {
    const value = instructionCodec.read(elements, site, report);
    return value?.code === undefined ? undefined : value.information === undefined ? value.code : `${value.code}/${value.information}`;
  },
};

const instructionList = list(instructionEntry, { max: creditorAgentInstructionsMax });

/**
 * InstrForCdtrAgt: each a code with optional information. One with information but no code has
 * no place in the model's code list: it is left out with a note rather than refused.
 */
const creditorAgentInstructions: Codec<readonly string[]> = {
  ...instructionList,
  read: (elements, site, report) => {
    const values: string[] = [];
    let index = 0;
    for (const element of elements) {
      index += 1;
      const at = { model: `${site.model}[${index - 1}]`, xml: `${site.xml}[${index}]` };
      const value = instructionCodec.read([element], at, report);
      if (value === undefined) return undefined;
      if (value.code === undefined) dropped(report, at.xml, 'an instruction for the creditor agent without a code (InstrInf only) is not carried by the model');
      else values.push(value.information === undefined ? value.code : `${value.code}/${value.information}`);
    }
    return values.length === 0 ? undefined : values;
  },
};

/**
 * Elements of pacs.008.001.08 the model does not carry, left out with a note when read. Each is
 * optional in the schema and information for the receiver, not a term of the transfer the books
 * act on: the settlement itself (amounts, dates, accounts, agents, parties) is always carried.
 */
const notCarried: Skipped = {
  'GrpHdr/SttlmInf/SttlmAcct': 'the settlement account is the one agreed with the correspondent',
  'CdtTrfTxInf/PmtId/ClrSysRef': 'a clearing system reference',
  'CdtTrfTxInf/PmtTpInf/ClrChanl': 'the clearing channel',
  'CdtTrfTxInf/PmtTpInf/SvcLvl/Prtry': 'a proprietary service level',
  'CdtTrfTxInf/PmtTpInf/LclInstrm': 'the local instrument',
  'CdtTrfTxInf/PmtTpInf/CtgyPurp/Prtry': 'a proprietary category purpose',
  'CdtTrfTxInf/SttlmPrty': 'the settlement priority',
  'CdtTrfTxInf/SttlmTmIndctn': 'the settlement time indication',
  'CdtTrfTxInf/SttlmTmReq': 'the settlement time request',
  'CdtTrfTxInf/AccptncDtTm': 'the acceptance date-time',
  'CdtTrfTxInf/PoolgAdjstmntDt': 'the pooling adjustment date',
  'CdtTrfTxInf/PrvsInstgAgt2': 'a second previous instructing agent',
  'CdtTrfTxInf/PrvsInstgAgt2Acct': "a second previous instructing agent's account",
  'CdtTrfTxInf/PrvsInstgAgt3': 'a third previous instructing agent',
  'CdtTrfTxInf/PrvsInstgAgt3Acct': "a third previous instructing agent's account",
  'CdtTrfTxInf/InitgPty': 'the initiating party',
  'CdtTrfTxInf/Purp/Prtry': 'a proprietary purpose',
  'CdtTrfTxInf/RgltryRptg/DbtCdtRptgInd': 'the debit/credit reporting indicator',
  'CdtTrfTxInf/RgltryRptg/Authrty': 'the regulatory authority',
  'CdtTrfTxInf/RgltryRptg/Dtls/Tp': 'the regulatory reporting type',
  'CdtTrfTxInf/RgltryRptg/Dtls/Dt': 'the regulatory reporting date',
  'CdtTrfTxInf/RgltryRptg/Dtls/Ctry': 'the regulatory reporting country',
  'CdtTrfTxInf/RgltryRptg/Dtls/Cd': 'the regulatory reporting code',
  'CdtTrfTxInf/RgltryRptg/Dtls/Amt': 'the regulatory reporting amount',
  'CdtTrfTxInf/Tax': 'tax information',
  'CdtTrfTxInf/RltdRmtInf': 'related remittance information (where the remittance advice is sent)',
  'CdtTrfTxInf/RmtInf/Strd': 'structured remittance information (only the unstructured Ustrd is kept)',
  'CdtTrfTxInf/SplmtryData': 'supplementary data',
};

export const creditTransferCodec: Codec<CreditTransfer> = record<CreditTransfer>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.fixed('GrpHdr/NbOfTxs', '1', 'cbpr.one_transaction'),
    f.req('settlementMethod', 'GrpHdr/SttlmInf/SttlmMtd', code(settlementMethodCodes)),
    f.opt('instructingReimbursementAgent', 'GrpHdr/SttlmInf/InstgRmbrsmntAgt', chainAgent),
    f.part('instructingReimbursementAgent', 'account', 'GrpHdr/SttlmInf/InstgRmbrsmntAgtAcct', account),
    f.opt('instructedReimbursementAgent', 'GrpHdr/SttlmInf/InstdRmbrsmntAgt', chainAgent),
    f.part('instructedReimbursementAgent', 'account', 'GrpHdr/SttlmInf/InstdRmbrsmntAgtAcct', account),
    f.opt('thirdReimbursementAgent', 'GrpHdr/SttlmInf/ThrdRmbrsmntAgt', chainAgent),
    f.part('thirdReimbursementAgent', 'account', 'GrpHdr/SttlmInf/ThrdRmbrsmntAgtAcct', account),
    f.req('instructionId', 'CdtTrfTxInf/PmtId/InstrId', reference16),
    f.req('endToEndId', 'CdtTrfTxInf/PmtId/EndToEndId', id35),
    f.opt('transactionId', 'CdtTrfTxInf/PmtId/TxId', id35),
    f.req('uetr', 'CdtTrfTxInf/PmtId/UETR', uetr),
    f.opt('instructionPriority', 'CdtTrfTxInf/PmtTpInf/InstrPrty', code(['HIGH', 'NORM'] as const)),
    f.opt('serviceLevel', 'CdtTrfTxInf/PmtTpInf/SvcLvl/Cd', externalCode4),
    f.opt('categoryPurpose', 'CdtTrfTxInf/PmtTpInf/CtgyPurp/Cd', externalCode4),
    f.req('settlementAmount', 'CdtTrfTxInf/IntrBkSttlmAmt', amount()),
    f.req('settlementDate', 'CdtTrfTxInf/IntrBkSttlmDt', isoDate),
    f.opt('instructedAmount', 'CdtTrfTxInf/InstdAmt', amount()),
    f.opt('exchangeRate', 'CdtTrfTxInf/XchgRate', exchangeRate),
    f.req('chargeBearer', 'CdtTrfTxInf/ChrgBr', code(chargeBearerCodes)),
    f.opt('charges', 'CdtTrfTxInf/ChrgsInf', list(charge, { max: chargesMax })),
    f.opt('previousInstructingAgent', 'CdtTrfTxInf/PrvsInstgAgt1', chainAgent),
    f.part('previousInstructingAgent', 'account', 'CdtTrfTxInf/PrvsInstgAgt1Acct', account),
    f.req('instructingAgent', 'CdtTrfTxInf/InstgAgt', hopAgent),
    f.req('instructedAgent', 'CdtTrfTxInf/InstdAgt', hopAgent),
    f.opt('intermediaryAgent', 'CdtTrfTxInf/IntrmyAgt1', chainAgent),
    f.part('intermediaryAgent', 'account', 'CdtTrfTxInf/IntrmyAgt1Acct', account),
    f.opt('secondIntermediaryAgent', 'CdtTrfTxInf/IntrmyAgt2', chainAgent),
    f.part('secondIntermediaryAgent', 'account', 'CdtTrfTxInf/IntrmyAgt2Acct', account),
    f.opt('thirdIntermediaryAgent', 'CdtTrfTxInf/IntrmyAgt3', chainAgent),
    f.part('thirdIntermediaryAgent', 'account', 'CdtTrfTxInf/IntrmyAgt3Acct', account),
    f.opt('ultimateDebtor', 'CdtTrfTxInf/UltmtDbtr', anyParty),
    f.req('debtor', 'CdtTrfTxInf/Dbtr', namedParty),
    f.opt('debtorAccount', 'CdtTrfTxInf/DbtrAcct', account),
    f.req('debtorAgent', 'CdtTrfTxInf/DbtrAgt', chainAgent),
    f.part('debtorAgent', 'account', 'CdtTrfTxInf/DbtrAgtAcct', account),
    f.req('creditorAgent', 'CdtTrfTxInf/CdtrAgt', chainAgent),
    f.part('creditorAgent', 'account', 'CdtTrfTxInf/CdtrAgtAcct', account),
    f.req('creditor', 'CdtTrfTxInf/Cdtr', namedParty),
    f.opt('creditorAccount', 'CdtTrfTxInf/CdtrAcct', account),
    f.opt('ultimateCreditor', 'CdtTrfTxInf/UltmtCdtr', anyParty),
    f.opt('instructionCodes', 'CdtTrfTxInf/InstrForCdtrAgt', creditorAgentInstructions),
    f.opt('instructionsForNextAgent', 'CdtTrfTxInf/InstrForNxtAgt', list(inside('InstrInf', restricted(cbprLength.instructionForNextAgentMax)), { max: cbprLength.instructionsForNextAgentMax })),
    f.opt('purpose', 'CdtTrfTxInf/Purp/Cd', externalCode4),
    f.opt('regulatoryReporting', 'CdtTrfTxInf/RgltryRptg/Dtls/Inf', lines(regulatoryReportingLinesMax, 35)),
    f.opt('remittanceInformation', 'CdtTrfTxInf/RmtInf/Ustrd', extended(cbprLength.remittanceMax)),
  ],
  [settlement, exchange, intermediaryChain],
  notCarried,
);

export const pacs008: MessageDefinition<CreditTransfer> = {
  type: 'pacs.008.001.08',
  root: 'FIToFICstmrCdtTrf',
  codec: creditTransferCodec,
  header: (model) => agentHeader(model),
};

/**
 * Builds the CBPR+ pacs.008 envelope (AppHdr + Document) of a credit transfer, or refuses it
 * with issues naming model paths before any XML is written.
 */
export function buildPacs008(model: CreditTransfer, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pacs008, model, options);
}

/** Parses a pacs.008 envelope into the credit transfer it carries; issues name XML paths. */
export function parsePacs008(xml: string): Checked<CreditTransfer> {
  const parsed = parseMessage(pacs008, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}

/**
 * The parts every MX message is made of — identifiers, amounts, dates, postal addresses,
 * accounts, agents, parties — as codecs with the schema's facets and the CBPR+ rules.
 */
import { currencyByCode, formatDecimal, parseDecimal } from '@qenex/engine';
import type { AccountId, Agent, Amount, Party, PostalAddress } from '../payment/model';
import {
  addressFindings,
  agentBicOnly,
  agentIdentified,
  amountIntegerDigits,
  amountPositive,
  cbprLength,
  dateTimeWithOffset,
  extendedCharacterSet,
  partyNamed,
  realDate,
  referenceSlashes,
  restrictedCharacterSet,
  type Rule,
} from './cbpr';
import { applyRules, flag, list, mapped, pattern, text, type Codec } from './codec';
import { record, type RecordRule } from './record';
import { escapeXml } from './xml';

// Schema patterns, as the ISO 20022 schemas write them.
export const bicPattern = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
export const uetrPattern = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;
export const leiPattern = /^[A-Z0-9]{18}[0-9]{2}$/;
export const ibanPattern = /^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$/;
export const countryPattern = /^[A-Z]{2}$/;
export const currencyPattern = /^[A-Z]{3}$/;

export const bic = text({ min: 8, max: 11, rules: [pattern('schema.pattern.bic', bicPattern, 'BICFI [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?')] });
export const uetr = text({ min: 36, max: 36, rules: [pattern('schema.pattern.uetr', uetrPattern, 'a lower-case UUID version 4')] });
export const lei = text({ min: 20, max: 20, rules: [pattern('schema.pattern.lei', leiPattern, 'LEI [A-Z0-9]{18}[0-9]{2}')] });
export const iban = text({ min: 5, max: 34, rules: [pattern('schema.pattern.iban', ibanPattern, 'IBAN [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}')] });
export const country = text({ min: 2, max: 2, rules: [pattern('schema.pattern.country', countryPattern, 'an ISO 3166 alpha-2 code')] });

/** Identifiers (MsgId, EndToEndId, TxId, …): restricted FIN-X, 35. */
export const id35 = text({ max: 35, rules: [restrictedCharacterSet] });
/** References that become MT :20: / :21: (InstrId, related reference): 16, no leading/trailing or double slash. */
export const reference16 = text({ max: cbprLength.instructionIdMax, rules: [restrictedCharacterSet, referenceSlashes] });
/** Restricted FIN-X text of a given length. */
export const restricted = (max: number) => text({ max, rules: [restrictedCharacterSet] });
/** Extended FIN-X text (names, addresses, free text) of a given length. */
export const extended = (max: number) => text({ max, rules: [extendedCharacterSet] });
/** External code lists (ExternalPurpose1Code, …) are 1 to 4 characters; their values live outside the schema. */
export const externalCode4 = text({ max: 4, rules: [pattern('schema.pattern.code', /^[A-Za-z0-9]+$/, 'an external code of letters and digits')] });

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isoDate = text({
  min: 10,
  max: 10,
  rules: [
    {
      id: 'schema.date',
      test: (value) => {
        const match = isoDatePattern.exec(value);
        return match !== null && realDate(Number(match[1]), Number(match[2]), Number(match[3])) ? undefined : 'must be an ISO date YYYY-MM-DD';
      },
    },
  ],
});

export const dateTime = text({ max: 35, rules: [dateTimeWithOffset] });

/** xs:boolean as the model's boolean (true/false written; 1/0 read too). */
export const boolean: Codec<boolean> = {
  check: () => undefined,
  write: (value, tag) => `<${tag}>${value ? 'true' : 'false'}</${tag}>`,
  read: (elements, site, report) => {
    const value = elements[0]?.text;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    flag(report, site, 'schema.boolean', 'must be true or false');
    return undefined;
  },
};

/** A whole number within `max` (sequence and page numbers). */
export function whole(max: number): Codec<number> {
  return {
    check: (value, site, report) => {
      if (!Number.isSafeInteger(value) || value < 0 || value > max) flag(report, site, 'schema.number', `must be a whole number from 0 to ${max}`);
    },
    write: (value, tag) => `<${tag}>${value}</${tag}>`,
    read: (elements, site, report) => {
      const value = elements[0]?.text ?? '';
      if (!/^\d{1,18}$/.test(value) || !Number.isSafeInteger(Number(value))) {
        flag(report, site, 'schema.number', 'must be a whole number');
        return undefined;
      }
      return Number(value);
    },
  };
}

/** ActiveCurrencyAndAmount: totalDigits 18, fractionDigits 5 (the currency's own exponent is stricter). */
export const amountTotalDigitsMax = 18;
export const amountFractionDigitsMax = 5;
/** Longest amount text read: 18 digits, a point, and room for padding zeros a sender may add. */
const amountTextMax = 64;
const decimalText = /^(\d*)(?:\.(\d*))?$/;

function amountDigitFindings(decimal: string): string | undefined {
  const [whole = '', fraction = ''] = decimal.split('.');
  const digits = whole.replace(/^0+(?=\d)/, '').length + fraction.replace(/0+$/, '').length;
  if (digits > amountTotalDigitsMax) return `at most ${amountTotalDigitsMax} digits`;
  if (fraction.replace(/0+$/, '').length > amountFractionDigitsMax) return `at most ${amountFractionDigitsMax} fraction digits`;
  return undefined;
}

/** An amount with its `Ccy` attribute; positive unless `allowZero` (charges may be nil). */
export function amount(options: { readonly allowZero?: boolean } = {}): Codec<Amount> {
  const rules: Rule<bigint>[] = options.allowZero === true ? [] : [amountPositive];
  return {
    check: (value, site, report) => {
      if (currencyByCode(value.currency) === undefined) {
        flag(report, { model: `${site.model}.currency`, xml: `${site.xml}/@Ccy` }, 'iso4217.currency', `${value.currency} is not an active ISO 4217 currency with minor units`);
        return;
      }
      if (value.amountMinor < 0n) {
        flag(report, site, 'schema.amount_negative', 'must not be negative');
        return;
      }
      applyRules(rules, value.amountMinor, site, report);
      const decimal = formatDecimal(value.amountMinor, value.currency);
      const digits = amountDigitFindings(decimal);
      if (digits !== undefined) flag(report, site, 'schema.amount_digits', digits);
      applyRules([amountIntegerDigits], decimal, site, report);
    },
    write: (value, tag) => `<${tag} Ccy="${escapeXml(value.currency)}">${formatDecimal(value.amountMinor, value.currency)}</${tag}>`,
    read: (elements, site, report) => readAmount(elements[0]?.text ?? '', elements[0]?.attributes.Ccy, site, report),
  };
}

function readAmount(raw: string, currency: string | undefined, site: { model: string; xml: string }, report: Parameters<typeof flag>[0]): Amount | undefined {
  if (currency === undefined) {
    flag(report, { model: site.model, xml: `${site.xml}/@Ccy` }, 'xml.attribute_missing', 'the Ccy attribute is required');
    return undefined;
  }
  const match = raw.length <= amountTextMax ? decimalText.exec(raw) : null;
  if (match === null || `${match[1] ?? ''}${match[2] ?? ''}` === '') {
    flag(report, site, 'schema.amount', 'must be a decimal number such as 1234.56');
    return undefined;
  }
  if (currencyByCode(currency) === undefined) {
    flag(report, { model: site.model, xml: `${site.xml}/@Ccy` }, 'iso4217.currency', `${currency} is not an active ISO 4217 currency with minor units`);
    return undefined;
  }
  const parsed = parseDecimal(`${match[1] === '' ? '0' : match[1]}${match[2] === undefined || match[2] === '' ? '' : `.${match[2]}`}`, currency);
  if (!parsed.ok) {
    flag(report, site, parsed.error === 'amount_too_precise' ? 'iso4217.fraction_digits' : 'schema.amount', parsed.error === 'amount_too_precise' ? `more fraction digits than ${currency} has` : parsed.error);
    return undefined;
  }
  return { amountMinor: parsed.value, currency };
}

const addressRules: RecordRule<PostalAddress> = (address) => addressFindings(address);

export const postalAddress: Codec<PostalAddress> = record<PostalAddress>(
  (f) => [
    f.opt('department', 'Dept', extended(70)),
    f.opt('streetName', 'StrtNm', extended(70)),
    f.opt('buildingNumber', 'BldgNb', extended(16)),
    f.opt('buildingName', 'BldgNm', extended(35)),
    f.opt('postCode', 'PstCd', extended(16)),
    f.opt('townName', 'TwnNm', extended(35)),
    f.opt('countrySubDivision', 'CtrySubDvsn', extended(35)),
    f.opt('country', 'Ctry', country),
    f.opt('addressLines', 'AdrLine', list(extended(70), { max: 7 })),
  ],
  [addressRules],
  {
    AdrTp: 'the address type',
    SubDept: 'the sub-department',
    Flr: 'the floor',
    PstBx: 'the post box',
    Room: 'the room',
    TwnLctnNm: 'the town location name',
    DstrctNm: 'the district name',
  },
);

interface AccountChoice {
  readonly iban?: string;
  readonly other?: string;
}

const oneAccountId: RecordRule<AccountChoice> = (value) =>
  (value.iban === undefined) === (value.other === undefined) ? [{ rule: 'schema.choice', message: 'an account is an IBAN or another identifier, exactly one' }] : [];

function accountCodec(prefix: string): Codec<AccountId> {
  const choice = record<AccountChoice>((f) => [f.opt('iban', `${prefix}IBAN`, iban), f.opt('other', `${prefix}Othr/Id`, restricted(34))], [oneAccountId]);
  return mapped<AccountChoice, AccountId>(choice, (value) => (value.iban !== undefined ? { iban: value.iban } : { other: value.other ?? '' }), (value) => value);
}

/** CashAccount38 with only its Id (IBAN or Othr/Id). */
export const account: Codec<AccountId> = accountCodec('Id/');
/** AccountIdentification4Choice alone (the Id of an account whose other elements the message writes). */
export const accountIdentification: Codec<AccountId> = accountCodec('');

const clearingMemberId = record<{ readonly system: string; readonly memberId: string }>((f) => [
  f.req('system', 'ClrSysId/Cd', text({ max: 5, rules: [pattern('schema.pattern.code', /^[A-Z0-9]+$/, 'an ExternalClearingSystemIdentification1Code such as USABA')] })),
  f.req('memberId', 'MmbId', restricted(28)),
]);

function notCarried<T extends object>(keys: readonly (keyof T & string)[], why: string): RecordRule<T> {
  return (value) => keys.filter((key) => value[key] !== undefined).map((key) => ({ key, rule: 'model.not_carried', message: `${key} ${why}` }));
}

/**
 * A financial institution (BranchAndFinancialInstitutionIdentification6/FinInstnId). Its
 * `account` is written beside it by the message (DbtrAgtAcct, …) when `account` is 'beside';
 * otherwise the message has no place for it and it is refused.
 */
export function agent(options: { readonly account: 'beside' | 'refused'; readonly role: 'hop' | 'party' }): Codec<Agent> {
  const rules: RecordRule<Agent>[] = [(value) => ruleFinding(options.role === 'hop' ? agentBicOnly : agentIdentified, value)];
  if (options.account === 'refused') rules.push(notCarried<Agent>(['account'], 'has no place in this message for this agent'));
  return record<Agent>(
    (f) => [
      f.opt('bic', 'FinInstnId/BICFI', bic),
      f.opt('clearingMemberId', 'FinInstnId/ClrSysMmbId', clearingMemberId),
      f.opt('lei', 'FinInstnId/LEI', lei),
      f.opt('name', 'FinInstnId/Nm', extended(140)),
      f.opt('postalAddress', 'FinInstnId/PstlAdr', postalAddress),
    ],
    rules,
  );
}

function ruleFinding<T>(rule: Rule<T>, value: T): { rule: string; message: string }[] {
  const broken = rule.test(value);
  return broken === undefined ? [] : [{ rule: rule.id, message: broken }];
}

/** Instructing / instructed agent: BICFI (and LEI) only, no account. */
export const hopAgent = agent({ account: 'refused', role: 'hop' });
/** An agent in the chain whose account the message writes beside it. */
export const chainAgent = agent({ account: 'beside', role: 'party' });
/** An agent in the chain with no account element beside it. */
export const plainAgent = agent({ account: 'refused', role: 'party' });

type OtherId = NonNullable<Party['otherId']>;
type Birth = NonNullable<Party['birth']>;

const otherId = record<OtherId>((f) => [f.req('id', 'Id', restricted(35)), f.opt('scheme', 'SchmeNm/Cd', externalCode4), f.opt('issuer', 'Issr', restricted(35))]);
const birth = record<Birth>((f) => [f.req('date', 'BirthDt', isoDate), f.req('city', 'CityOfBirth', extended(35)), f.req('country', 'CtryOfBirth', country)]);

const isPerson = (party: Party) => party.birth !== undefined;

const partyIdentification: RecordRule<Party> = (party) =>
  isPerson(party) && (party.bic !== undefined || party.lei !== undefined)
    ? [{ key: 'birth', rule: 'schema.choice', message: 'a party is an organisation (AnyBIC, LEI) or a person (birth), not both' }]
    : [];

/**
 * PartyIdentification135. A party with a birth date and place is a person (Id/PrvtId, its other
 * id there too); any other is an organisation (Id/OrgId: AnyBIC, LEI, Othr).
 */
export function party(options: { readonly named: boolean }): Codec<Party> {
  const rules: RecordRule<Party>[] = [partyIdentification];
  if (options.named) rules.push((value) => ruleFinding(partyNamed, value));
  return record<Party>(
    (f) => [
      f.opt('name', 'Nm', extended(140)),
      f.opt('postalAddress', 'PstlAdr', postalAddress),
      f.opt('bic', 'Id/OrgId/AnyBIC', bic),
      f.opt('lei', 'Id/OrgId/LEI', lei),
      f.opt('otherId', 'Id/OrgId/Othr', otherId, (value) => !isPerson(value)),
      f.opt('birth', 'Id/PrvtId/DtAndPlcOfBirth', birth),
      f.opt('otherId', 'Id/PrvtId/Othr', otherId, isPerson),
      f.opt('countryOfResidence', 'CtryOfRes', country),
    ],
    rules,
    { CtctDtls: 'the contact details' },
  );
}

/** Debtor and creditor: named unless an AnyBIC identifies them (CBPR+). */
export const namedParty = party({ named: true });
/** Ultimate parties, initiating party: any identification. */
export const anyParty = party({ named: false });

/** A list of free-text lines of `lineMax` characters, at most `linesMax` of them. */
export function lines(linesMax: number, lineMax: number): Codec<readonly string[]> {
  return list(extended(lineMax), { max: linesMax });
}

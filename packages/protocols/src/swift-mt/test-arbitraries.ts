/**
 * fast-check arbitraries of valid models for the property tests and the benchmark: credit
 * transfers, institution transfers and statements. `exact` models hold only what MT carries, so
 * they must come back unchanged; the others reach for everything the model can hold (long names,
 * structured addresses, LEIs, ultimate parties), so only what the notes name may change.
 */
import fc from 'fast-check';
import type { AccountId, Agent, Amount, Balance, Charge, CreditTransfer, InstitutionTransfer, Party, Statement, StatementEntry } from '../payment/model';
import { bothInEuEea } from './model-checks';

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const alphanumeric = letters + digits;
/** The X set without line breaks; a generated text never starts with : - or / (the checks refuse those starts). */
const xCharacters = `${alphanumeric}abcdefghijklmnopqrstuvwxyz/-?:().,'+ `;

function charsOf(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: min, maxLength: max });
}

export function xText(min: number, max: number): fc.Arbitrary<string> {
  return fc.tuple(charsOf(alphanumeric, 1, 1), charsOf(xCharacters, Math.max(0, min - 1), Math.max(0, max - 1))).map(([first, rest]) => first + rest);
}

/** A 16x reference: no slash at either end, no //. */
export const reference = charsOf(`${alphanumeric}-.`, 1, 16).filter((text) => !text.startsWith('-') && !text.startsWith('.') && text !== 'NONREF');

const countries = ['DE', 'FR', 'IT', 'NL', 'CH', 'GB', 'US', 'JP', 'SG', 'AE'];
export const bic = fc
  .tuple(charsOf(letters, 4, 4), fc.constantFrom(...countries), charsOf(alphanumeric, 2, 2), fc.option(charsOf(alphanumeric, 3, 3), { nil: undefined }))
  .filter(([, , , branch]) => branch !== 'XXX')
  .map(([bank, country, location, branch]) => `${bank}${country}${location}${branch ?? ''}`);

export const uetr = fc.uuid({ version: 4 });
const currencies = ['EUR', 'USD', 'JPY', 'KWD', 'GBP', 'CHF'];
export const currency = fc.constantFrom(...currencies);
export function amountIn(code: string, min = 1n): fc.Arbitrary<Amount> {
  return fc.bigInt({ min, max: 10n ** 12n }).map((amountMinor) => ({ amountMinor, currency: code }));
}
export const isoDate = fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2070, 11, 31)), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
const iban = fc.tuple(fc.constantFrom('DE', 'FR', 'IT', 'NL'), charsOf(digits, 2, 2), charsOf(alphanumeric, 12, 24)).map(([country, check, rest]) => `${country}${check}${rest}`);
export const account: fc.Arbitrary<AccountId> = fc.oneof(iban.map((value) => ({ iban: value })), charsOf(digits, 6, 20).map((other) => ({ other })));

const exactAddress = fc.oneof(
  fc.record({ addressLines: fc.array(xText(1, 35), { minLength: 1, maxLength: 2 }) }),
  fc.record({ townName: xText(1, 30), country: fc.constantFrom(...countries) }),
  fc.record({ addressLines: fc.array(xText(1, 33), { minLength: 1, maxLength: 1 }), townName: xText(1, 30), country: fc.constantFrom(...countries) }),
);

/** A customer MT carries whole: a BIC alone, or a name (35) with at most two address lines, or name, town and country. */
const exactParty: fc.Arbitrary<Party> = fc.oneof(bic.map((code) => ({ bic: code })), fc.record({ name: xText(1, 33), postalAddress: exactAddress }, { requiredKeys: ['name'] }));

/** Anything a party can hold. */
const anyParty: fc.Arbitrary<Party> = fc.record(
  {
    name: xText(1, 140),
    bic,
    lei: charsOf(alphanumeric, 20, 20),
    postalAddress: fc.record({
      streetName: xText(1, 70),
      buildingNumber: charsOf(digits, 1, 5),
      postCode: charsOf(alphanumeric, 4, 8),
      townName: xText(1, 35),
      country: fc.constantFrom(...countries),
      addressLines: fc.array(xText(1, 70), { minLength: 1, maxLength: 5 }),
    }),
    birth: fc.record({ date: isoDate, city: xText(1, 35), country: fc.constantFrom(...countries) }),
    otherId: fc.record({ id: charsOf(alphanumeric, 1, 35), scheme: fc.constantFrom('CCPT', 'NIDN', 'TXID', 'XXXX'), issuer: fc.constantFrom(...countries) }),
    countryOfResidence: fc.constantFrom(...countries),
  },
  { requiredKeys: ['name'] },
);

const clearing = fc.record({ system: fc.constantFrom('USABA', 'GBDSC', 'DEBLZ', 'CHBCC'), memberId: charsOf(digits, 6, 9) });
const exactAgent: fc.Arbitrary<Agent> = fc.oneof(
  bic.map((code) => ({ bic: code })),
  fc.record({ bic, clearingMemberId: clearing }),
  fc.record({ bic, account }),
  fc.record({ name: xText(1, 35), postalAddress: fc.record({ addressLines: fc.array(xText(1, 35), { minLength: 1, maxLength: 2 }) }) }),
);
const anyAgent: fc.Arbitrary<Agent> = fc.record(
  { bic, clearingMemberId: clearing, lei: charsOf(alphanumeric, 20, 20), name: xText(1, 140), account, postalAddress: fc.record({ townName: xText(1, 35), country: fc.constantFrom(...countries) }) },
  { requiredKeys: ['name'] },
);

export interface ModelOptions {
  /** Only what MT carries: the model must come back as it went. */
  readonly exact: boolean;
}

export function creditTransfer(options: ModelOptions): fc.Arbitrary<CreditTransfer> {
  const party = options.exact ? exactParty : fc.oneof(exactParty, anyParty);
  const agent = options.exact ? exactAgent : fc.oneof(exactAgent, anyAgent);
  const head = fc.record({
    instructionId: reference,
    endToEndId: fc.oneof(fc.constant(undefined), xText(1, 35)),
    messageId: fc.oneof(fc.constant(undefined), options.exact ? reference : xText(1, 35)),
    uetr,
    sender: bic,
    receiver: bic,
    settlementDate: isoDate,
    settlementCurrency: currency,
    instructedCurrency: currency,
    chargeBearer: fc.constantFrom('DEBT', 'CRED', 'SHAR') as fc.Arbitrary<'DEBT' | 'CRED' | 'SHAR'>,
    withCharges: fc.boolean(),
    withInstructed: fc.boolean(),
  });
  const rest = fc.record(
    {
      serviceLevel: options.exact ? fc.constant('G001') : fc.constantFrom('G001', 'G004', 'SEPA'),
      debtor: party,
      debtorAccount: account,
      creditor: party,
      creditorAccount: account,
      intermediaryAgent: agent,
      remittanceInformation: xText(1, options.exact ? 70 : 140),
      instructionsForNextAgent: fc.array(xText(1, options.exact ? 35 : 50), { minLength: 1, maxLength: options.exact ? 4 : 8 }),
      regulatoryReporting: fc.array(xText(1, 35), { minLength: 1, maxLength: 3 }),
      instructionCodes: fc.constantFrom(['SDVA'], ['INTC', 'CORT'], ['PHOB/+4969123456'], ['SPAY']),
      ...(options.exact ? {} : { purpose: fc.constant('SALA'), ultimateDebtor: anyParty, ultimateCreditor: anyParty, transactionId: xText(1, 35) }),
    },
    // An exact debtor always has an account: 50F needs an identifier, and without one its address would be restructured into 50K lines.
    { requiredKeys: options.exact ? ['debtor', 'creditor', 'debtorAccount'] : ['debtor', 'creditor'] },
  );
  return fc.tuple(head, rest, agent, agent, amountIn('EUR'), fc.bigInt({ min: 0n, max: 10_000n })).map(([h, r, debtorAgent, creditorAgent, settled, chargeMinor]) => {
    const settlementAmount = { amountMinor: settled.amountMinor, currency: h.settlementCurrency };
    const charges = chargesFor(h.chargeBearer, h.withCharges, chargeMinor, h.sender, h.receiver, h.settlementCurrency);
    const needsInstructed = charges.length > 0 || h.withInstructed || bothInEuEea(h.sender, h.receiver);
    const instructedAmount = needsInstructed ? { amountMinor: settled.amountMinor + 1n, currency: h.instructedCurrency } : undefined;
    const { instructionCodes, ...other } = r;
    const spay = instructionCodes?.[0] === 'SPAY';
    const model: CreditTransfer = {
      messageId: h.messageId ?? h.instructionId,
      creationDateTime: `${h.settlementDate}T09:30:00+01:00`,
      instructionId: h.instructionId,
      endToEndId: h.endToEndId ?? h.instructionId,
      uetr: h.uetr,
      settlementAmount,
      settlementDate: h.settlementDate,
      settlementMethod: 'INDA',
      chargeBearer: h.chargeBearer,
      instructingAgent: { bic: h.sender },
      instructedAgent: { bic: h.receiver },
      debtorAgent: debtorAgent,
      creditorAgent: spay && creditorAgent.bic === undefined ? { bic: h.receiver } : creditorAgent,
      ...other,
      ...(spay ? { creditorAccount: other.creditorAccount ?? { other: '123456' } } : {}),
      ...(spay && other.intermediaryAgent !== undefined && other.intermediaryAgent.bic === undefined ? { intermediaryAgent: { bic: h.sender } } : {}),
      ...(instructionCodes === undefined ? {} : { instructionCodes }),
      ...(instructedAmount === undefined ? {} : { instructedAmount }),
      ...(instructedAmount !== undefined && instructedAmount.currency !== h.settlementCurrency ? { exchangeRate: '1.0825' } : {}),
      ...(charges.length > 0 ? { charges } : {}),
    };
    return model;
  });
}

function chargesFor(bearer: 'DEBT' | 'CRED' | 'SHAR', wanted: boolean, amountMinor: bigint, sender: string, receiver: string, settlementCurrency: string): Charge[] {
  if (bearer === 'CRED' || (bearer === 'SHAR' && wanted)) return [{ amount: { amountMinor, currency: 'EUR' }, agent: { bic: sender }, type: 'sender' }];
  if (bearer === 'DEBT' && wanted) return [{ amount: { amountMinor, currency: settlementCurrency }, agent: { bic: receiver }, type: 'receiver' }];
  return [];
}

export function institutionTransfer(options: ModelOptions & { readonly cover: boolean }): fc.Arbitrary<InstitutionTransfer> {
  const agent = options.exact ? exactAgent : fc.oneof(exactAgent, anyAgent);
  const party = options.exact ? exactParty : fc.oneof(exactParty, anyParty);
  const underlying = fc.record(
    { debtor: party, debtorAccount: account, debtorAgent: agent, intermediaryAgent: agent, creditorAgent: agent, creditor: party, creditorAccount: account, remittanceInformation: xText(1, options.exact ? 70 : 200), instructedAmount: amountIn('USD') },
    { requiredKeys: options.exact ? ['debtor', 'debtorAccount', 'debtorAgent', 'creditorAgent', 'creditor'] : ['debtor', 'debtorAgent', 'creditorAgent', 'creditor'] },
  );
  const optional = fc.record({ debtorAgent: agent, intermediaryAgent: agent, creditorAgent: agent, instructionsForNextAgent: fc.array(xText(1, 35), { minLength: 1, maxLength: 3 }) }, { requiredKeys: [] });
  return fc
    .record({ instructionId: reference, relatedReference: reference, endToEndId: fc.option(xText(1, 35), { nil: undefined }), uetr, sender: bic, receiver: bic, date: isoDate, amount: fc.tuple(currency, fc.bigInt({ min: 1n, max: 10n ** 12n })), debtor: agent, creditor: agent, optional, underlying })
    .map((r) => {
      const { intermediaryAgent, creditorAgent, ...others } = r.optional;
      const model: InstitutionTransfer = {
        messageId: r.instructionId,
        creationDateTime: `${r.date}T08:00:00Z`,
        instructionId: r.instructionId,
        endToEndId: options.exact ? r.relatedReference : (r.endToEndId ?? r.relatedReference),
        uetr: r.uetr,
        relatedReference: r.relatedReference,
        settlementAmount: { amountMinor: r.amount[1], currency: r.amount[0] },
        settlementDate: r.date,
        settlementMethod: 'INDA',
        instructingAgent: { bic: r.sender },
        instructedAgent: { bic: r.receiver },
        debtor: r.debtor,
        creditor: r.creditor,
        ...others,
        ...(intermediaryAgent === undefined ? {} : { intermediaryAgent, creditorAgent: creditorAgent ?? { bic: r.receiver } }),
        ...(intermediaryAgent === undefined && creditorAgent !== undefined ? { creditorAgent } : {}),
        ...(options.cover ? { underlying: r.underlying } : {}),
      };
      return model;
    });
}

/** An exact MT950 statement has neither 86 information nor forward balances (65), which MT950 lacks. */
export function statement(options: ModelOptions & { readonly type: '940' | '950' }): fc.Arbitrary<Statement> {
  const carried = !options.exact || options.type === '940';
  const entry = (code: string) =>
    fc
      .record(
        {
          amountMinor: fc.bigInt({ min: 1n, max: 10n ** 10n }),
          creditDebit: fc.constantFrom('CRDT', 'DBIT') as fc.Arbitrary<'CRDT' | 'DBIT'>,
          reversal: fc.constant(true),
          valueDate: isoDate,
          booked: fc.boolean(),
          transactionCode: fc.constantFrom('NTRF', 'NMSC', 'FCHG', 'S103'),
          accountOwnerReference: reference,
          accountServicerReference: reference,
          supplementaryDetails: xText(1, 34),
          additionalInformation: xText(1, 200),
        },
        { requiredKeys: ['amountMinor', 'creditDebit', 'valueDate', 'booked', 'transactionCode'] },
      )
      .map((raw): StatementEntry => {
        const { amountMinor, booked, accountOwnerReference, additionalInformation, ...rest } = raw;
        return {
          ...rest,
          amount: { amountMinor, currency: code },
          status: 'BOOK',
          ...(booked ? { bookingDate: raw.valueDate } : {}),
          references: accountOwnerReference === undefined ? {} : { accountOwnerReference },
          ...(carried && additionalInformation !== undefined ? { additionalInformation } : {}),
        };
      });
  return currency.chain((code) =>
    fc
      .record({
        statementId: reference,
        sequenceNumber: fc.integer({ min: 1, max: 99_999 }),
        pageNumber: fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: undefined }),
        account,
        servicer: bic,
        owner: bic,
        date: isoDate,
        opening: fc.bigInt({ min: 0n, max: 10n ** 11n }),
        entries: fc.array(entry(code), { maxLength: 6 }),
        forward: fc.array(fc.tuple(isoDate, fc.bigInt({ min: 0n, max: 10n ** 11n })), { maxLength: carried ? 2 : 0 }),
        information: fc.option(xText(1, 300), { nil: undefined }),
      })
      .map((r) => {
        const balance = (type: Balance['type'], amountMinor: bigint, date: string): Balance => ({ type, amount: { amountMinor: amountMinor < 0n ? -amountMinor : amountMinor, currency: code }, creditDebit: amountMinor < 0n ? 'DBIT' : 'CRDT', date });
        const closing = r.entries.reduce((sum, item) => sum + (item.creditDebit === 'CRDT' ? item.amount.amountMinor : -item.amount.amountMinor), r.opening);
        const model: Statement = {
          messageId: r.statementId,
          creationDateTime: `${r.date}T18:00:00Z`,
          statementId: r.statementId,
          sequenceNumber: r.sequenceNumber,
          ...(r.pageNumber === undefined ? {} : { pageNumber: r.pageNumber }),
          account: r.account,
          accountCurrency: code,
          accountServicer: { bic: r.servicer },
          accountOwner: { bic: r.owner },
          balances: [balance('OPBD', r.opening, r.date), balance('CLBD', closing, r.date), balance('CLAV', closing, r.date), ...r.forward.map(([date, amountMinor]) => balance('FWAV', amountMinor, date))],
          entries: r.entries,
          ...(carried && r.information !== undefined ? { additionalInformation: r.information } : {}),
        };
        return model;
      }),
  );
}

/** The model paths where two values differ (for "only what the notes name may change"). */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const isArray = Array.isArray(a) || Array.isArray(b);
  return [...keys].flatMap((key) => differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], isArray ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`));
}

/** Whether a note's field covers a path: the same, or one inside the other. */
export function covers(noteField: string, path: string): boolean {
  const inside = (outer: string, inner: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return inside(noteField, path) || inside(path, noteField);
}

/**
 * Regulatory reports from cases: the bank's filing profile (who files, from where), and a case's
 * currency-transaction or suspicious-activity report built as FinCEN batch XML once a second
 * compliance officer approves the proposal — its counts and totals checked against the case.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { BankAccount, ComplianceCase, ComplianceReport, Customer, MonitoredTransactionRecord, ReportingProfile } from '../../core/banking/types';
import { assert } from '../../core/assert';
import { dayMs, usdMinorOf } from '../../core/monitoring';
import {
  buildCtrBatch,
  buildSarBatch,
  checkBatch,
  dollarsRoundedUp,
  type BatchResult,
  type BranchLocation,
  type CtrPerson,
  type PersonParty,
  type ReportParty,
  type SarCategory,
  type SarCategoryEntry,
} from '../../core/reports';
import { command, ok, refuse, type CommandEnv } from '../command';
import { appendNote } from '../cases';
import { historyBetween, monitoringConfigs, usdRatesFor } from '../monitoring';
import { idSchema, textSchema, tokenSchema } from '../schemas';
import { closeWith } from './cases';

const addressSchema = z
  .object({
    street: textSchema(100),
    city: textSchema(50),
    state: tokenSchema(/^[A-Z]{0,3}$/, 3, 'a state or province code'),
    zip: tokenSchema(/^[A-Za-z0-9]{1,9}$/, 9, 'a postal code'),
    country: tokenSchema(/^[A-Z]{2}$/, 2, 'an ISO 3166-1 alpha-2 code'),
  })
  .strict();
const digits = (min: number, max: number, description: string) => tokenSchema(new RegExp(`^\\d{${min},${max}}$`), max, description);

export const reportingProfileSchema = z
  .object({
    institution: z
      .object({
        name: textSchema(150),
        tin: digits(9, 9, 'an EIN of 9 digits'),
        address: addressSchema,
        primaryRegulator: z.enum(['FDIC', 'FRB', 'NCUA', 'OCC', 'IRS']),
        rssd: digits(1, 10, 'an RSSD id').optional(),
        contactOffice: z.object({ name: textSchema(50), phone: digits(10, 16, 'a phone number of digits') }).strict(),
        transmitter: z
          .object({ name: textSchema(150), tcc: tokenSchema(/^P[A-Z0-9]{7}$/, 8, 'a transmitter control code: P and 7 letters or digits'), tin: digits(9, 9, 'an EIN of 9 digits'), address: addressSchema, phone: digits(10, 16, 'a phone number of digits'), contactName: textSchema(150) })
          .strict(),
      })
      .strict(),
    branches: z.array(z.object({ branchId: idSchema, name: textSchema(100), address: addressSchema, rssd: digits(1, 10, 'an RSSD id').optional() }).strict()).max(1_000),
  })
  .strict();

/** Who files the bank's reports, and the address of each branch: compliance keeps it. */
export const setReportingProfile = command({
  kind: 'write',
  input: reportingProfileSchema,
  async run(env, input) {
    // The schema's optional fields arrive as absent or a value, never as undefined set on purpose.
    const profile = { id: 'bank', institution: input.institution, branches: input.branches, updatedBy: env.ctx.actor, updatedAtMs: env.nowMs } as ReportingProfile;
    await env.tx.banking.put('reportingProfile', profile);
    return ok({ branches: profile.branches.length });
  },
});

/** Transactions one report reads at most. */
export const reportTransactionsMax = 2_000;

const sarCategoryDetail: Readonly<Record<SarCategory, string | undefined>> = {
  structuring: undefined,
  terrorist_financing: undefined,
  fraud: 'Fraud, see narrative',
  money_laundering: 'Money laundering, see narrative',
  identity: 'Identity, see narrative',
  other: 'See narrative',
};

/**
 * Files the proposed report of a case, as the officer who proposed it, on a second officer's
 * approval (the policy holds every request for one): FinCEN batch XML built from the case's
 * customers and transactions, its counts and totals checked, kept with the case, which closes as reported.
 */
/** The case and its waiting proposal, or why there is nothing to file. */
async function proposalToFile(env: CommandEnv, input: { caseId: string; proposalId: string }) {
  const found = await env.tx.banking.get('complianceCase', input.caseId);
  if (found === undefined) return refuse('case_not_found', 'No case has this id.');
  if (found.status === 'closed') return refuse('case_closed', `Case ${found.number} is closed; its report cannot be filed now.`);
  const proposal = found.proposal;
  if (proposal === null || proposal.id !== input.proposalId || proposal.status !== 'proposed') return refuse('proposal_not_found', `Case ${found.number} has no report proposal ${input.proposalId} waiting.`);
  return ok({ found, proposal });
}

export const fileReport = command({
  kind: 'write',
  input: z.object({ caseId: idSchema, proposalId: idSchema }).strict(),
  // Nobody is asked to approve the filing of a report that is not waiting.
  precheck: async (env, input) => {
    const waiting = await proposalToFile(env, input);
    return waiting.ok ? null : waiting;
  },
  async run(env, input) {
    const waiting = await proposalToFile(env, input);
    if (!waiting.ok) return waiting;
    const { found, proposal } = waiting.value;
    if (found.assignee !== proposal.proposedBy) return refuse('case_reassigned', `Case ${found.number} is no longer ${proposal.proposedBy}'s; its new officer proposes again.`);
    const profile = await env.tx.banking.get('reportingProfile', 'bank');
    if (profile === undefined) return refuse('reporting_profile_missing', "The bank's filing profile (institution, transmitter, branch addresses) is not set; compliance sets it first.");
    const facts = await caseFacts(env, found);
    const built = proposal.form === 'CTRX' ? ctrBatch(env, found, profile, facts) : sarBatch(env, found, profile, facts, proposal);
    if (!built.ok) {
      const first = built.errors[0]!;
      return refuse('report_invalid', `The report cannot be filed: ${first.path} ${first.message}${built.errors.length > 1 ? ` (and ${built.errors.length - 1} more)` : ''}.`, { errors: built.errors.slice(0, 20).map((error) => `${error.path}: ${error.rule}`) });
    }
    const problems = checkBatch(built.value, expectedOf(proposal.form, facts));
    assert(problems.length === 0, `the built ${proposal.form} batch does not match its case: ${problems.join('; ')}`);
    const report: ComplianceReport = {
      id: env.ids.next(),
      caseId: found.id,
      form: proposal.form,
      proposedBy: proposal.proposedBy,
      approvedBy: env.approvedBy ?? '',
      filedAtMs: env.nowMs,
      xml: built.value.xml,
      activityCount: built.value.activityCount,
      partyCount: built.value.partyCount,
      totalAmountDollars: built.value.totalAmountDollars.toString(),
      sha256: bytesToHex(sha256(utf8ToBytes(built.value.xml))),
    };
    await env.tx.banking.put('complianceReport', report);
    const filed: ComplianceCase = { ...found, proposal: { ...proposal, status: 'filed' } };
    const closed = await closeWith(env, filed, 'reported', `${proposal.form === 'CTRX' ? 'CTR' : 'SAR'} filed: ${report.activityCount} report, ${report.partyCount} ${proposal.form === 'CTRX' ? 'parties' : 'subjects'}, total $${report.totalAmountDollars.replace(/\B(?=(\d{3})+$)/g, ',')}; approved by ${report.approvedBy}.`);
    const { xml: _xml, ...summary } = report;
    return ok({ report: summary, case: closed });
  },
});

interface CaseFacts {
  readonly customers: readonly Customer[];
  readonly accounts: ReadonlyMap<string, BankAccount>;
  readonly transactions: readonly MonitoredTransactionRecord['transaction'][];
  /** Each transaction's USD value in cents, by id. */
  readonly usdMinor: ReadonlyMap<string, bigint>;
  /** CTR: the business day and each customer's cash in and out that day, in USD cents. */
  readonly ctr: { readonly day: string; readonly byCustomer: ReadonlyMap<string, { inMinor: bigint; outMinor: bigint }> } | null;
}

/** The customers, accounts and transactions a case links, valued in USD as monitoring valued them. */
async function caseFacts(env: CommandEnv, found: ComplianceCase): Promise<CaseFacts> {
  const customers = (await Promise.all(found.customerIds.map((id) => env.tx.banking.get('customer', id)))).filter((customer) => customer !== undefined);
  // The case's transactions, read from each customer's history over the span of its alerts and
  // the rules' longest window before them (the history is kept by customer and time, not by id).
  const configs = await monitoringConfigs(env.tx);
  const linked = new Set(found.transactionIds);
  const fromMs = Math.min(...found.alerts.map((alert) => alert.atMs)) - (configs?.live.windowMs ?? dayMs);
  const toMs = Math.max(...found.alerts.map((alert) => alert.atMs));
  const transactions: MonitoredTransactionRecord['transaction'][] = [];
  for (const customer of customers) {
    const history = await historyBetween(env.tx, customer.id, fromMs, toMs, reportTransactionsMax);
    transactions.push(...history.filter((transaction) => linked.has(transaction.id)));
  }
  const accounts = new Map<string, BankAccount>();
  for (const transaction of transactions) {
    const account = accounts.get(transaction.accountId) ?? (await env.tx.banking.get('bankAccount', transaction.accountId));
    if (account !== undefined) accounts.set(account.id, account);
  }
  const usdMinor = new Map<string, bigint>();
  for (const transaction of transactions) {
    const rates = await usdRatesFor(env.tx, new Set([transaction.currency]), transaction.atMs, configs?.live.rates ?? new Map());
    const value = usdMinorOf(transaction, rates);
    if (value !== undefined) usdMinor.set(transaction.id, value);
  }
  return { customers, accounts, transactions, usdMinor, ctr: await ctrFacts(env, found, transactions, usdMinor) };
}

/** The CTR's day (of the latest cash-over-threshold decision) and each customer's cash in and out that day. */
async function ctrFacts(env: CommandEnv, found: ComplianceCase, transactions: CaseFacts['transactions'], usdMinor: ReadonlyMap<string, bigint>): Promise<CaseFacts['ctr']> {
  let day: string | null = null;
  for (const alert of found.alerts) {
    if (alert.kind !== 'monitoring' || !alert.ruleIds.includes('cash_over_ctr')) continue;
    const decision = await env.tx.banking.get('monitoringDecision', alert.decisionId);
    const hit = decision?.decision.hits.find((candidate) => candidate.ruleId === 'cash_over_ctr');
    if (hit?.evidence.values.businessDayUtc !== undefined) day = hit.evidence.values.businessDayUtc;
  }
  if (day === null) return null;
  const byCustomer = new Map<string, { inMinor: bigint; outMinor: bigint }>();
  for (const transaction of transactions) {
    if (new Date(transaction.atMs).toISOString().slice(0, 10) !== day) continue;
    if (transaction.kind !== 'cash_deposit' && transaction.kind !== 'cash_withdrawal') continue;
    const totals = byCustomer.get(transaction.customerId) ?? { inMinor: 0n, outMinor: 0n };
    const value = usdMinor.get(transaction.id) ?? 0n;
    if (transaction.kind === 'cash_deposit') totals.inMinor += value;
    else totals.outMinor += value;
    byCustomer.set(transaction.customerId, totals);
  }
  return { day, byCustomer };
}

/** What the batch must say, worked out from the case alone (not from the builder's output). */
function expectedOf(form: 'CTRX' | 'SARX', facts: CaseFacts): { activityCount: number; partyCount: number; totalAmountDollars: bigint } {
  if (form === 'CTRX') {
    const persons = [...(facts.ctr?.byCustomer.values() ?? [])];
    // A CTR carries five parties of the bank's own (transmitter, its contact, the filer, the contact office, the location) and one per person.
    const total = persons.reduce((sum, person) => sum + dollarsRoundedUp(person.inMinor) + dollarsRoundedUp(person.outMinor), 0n);
    return { activityCount: 1, partyCount: 5 + persons.length, totalAmountDollars: total };
  }
  const subjects = Math.max(facts.customers.length, 1);
  return { activityCount: 1, partyCount: subjects, totalAmountDollars: dollarsRoundedUp(sumUsd(facts)) };
}

function sumUsd(facts: CaseFacts): bigint {
  return [...facts.usdMinor.values()].reduce((sum, value) => sum + value, 0n);
}

function personOf(customer: Customer): PersonParty {
  const names = customer.fullName.trim().split(/\s+/);
  const lastName = names.length > 1 ? names.at(-1)! : customer.fullName.trim();
  const firstName = names.length > 1 ? names.slice(0, -1).join(' ') : '';
  return {
    kind: 'person',
    lastName,
    firstName,
    birthDate: customer.dateOfBirth,
    identification: { type: 'other', number: customer.nationalId, issuerCountry: 'US', description: 'National identity document' },
  };
}

function locationOf(profile: ReportingProfile, branchId: string | null): BranchLocation {
  const branch = profile.branches.find((candidate) => candidate.branchId === branchId) ?? profile.branches[0];
  if (branch === undefined) return { name: profile.institution.name, address: profile.institution.address };
  return { name: branch.name, address: branch.address, ...(branch.rssd === undefined ? {} : { rssd: branch.rssd }) };
}

function ctrBatch(env: CommandEnv, found: ComplianceCase, profile: ReportingProfile, facts: CaseFacts): BatchResult {
  if (facts.ctr === null) return { ok: false, errors: [{ path: 'case', rule: 'required', message: 'has no cash over the CTR threshold to report' }] };
  const persons: CtrPerson[] = [];
  for (const customer of facts.customers) {
    const totals = facts.ctr.byCustomer.get(customer.id);
    if (totals === undefined) continue;
    const accountNumbers = [...facts.accounts.values()].filter((account) => account.customerId === customer.id).map((account) => account.number);
    persons.push({ party: personOf(customer), cashInMinor: totals.inMinor, cashOutMinor: totals.outMinor, accountNumbers });
  }
  return buildCtrBatch([{ reportId: found.number, filingDate: isoDay(env.nowMs), transactionDate: facts.ctr.day, institution: profile.institution, location: locationOf(profile, found.branchId), persons, aggregated: facts.transactions.length > 1 }]);
}

function sarBatch(env: CommandEnv, found: ComplianceCase, profile: ReportingProfile, facts: CaseFacts, proposal: NonNullable<ComplianceCase['proposal']>): BatchResult {
  const subjects: ReportParty[] = facts.customers.map(personOf);
  if (subjects.length === 0 && found.partyName !== null) subjects.push({ kind: 'entity', name: found.partyName });
  const times = facts.transactions.map((transaction) => transaction.atMs);
  const alertTimes = found.alerts.map((alert) => alert.atMs);
  const span = times.length > 0 ? times : alertTimes;
  const categories: SarCategoryEntry[] = (proposal.categories as SarCategory[]).map((category) => {
    const detail = sarCategoryDetail[category];
    return detail === undefined ? { category } : { category, detail };
  });
  return buildSarBatch([
    {
      reportId: found.number,
      filingDate: isoDay(env.nowMs),
      institution: profile.institution,
      branch: locationOf(profile, found.branchId),
      subjects,
      activityFrom: isoDay(Math.min(...span)),
      activityTo: isoDay(Math.max(...span)),
      amountMinor: sumUsd(facts),
      categories,
      narrative: proposal.narrative ?? '',
      accountNumbers: [...facts.accounts.values()].map((account) => account.number),
    },
  ]);
}

function isoDay(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

/** A filed report with its XML, as filed. */
export const getReport = command({
  kind: 'read',
  input: z.object({ reportId: idSchema }).strict(),
  async run(env, input) {
    const report = await env.tx.banking.get('complianceReport', input.reportId);
    if (report === undefined) return refuse('report_not_found', 'No report has this id.');
    return ok(report);
  },
});

/** When a second officer turns a proposal down: it is marked so on the case, which stays open. */
export async function proposalRejected(env: CommandEnv, caseId: string, proposalId: string, note: string | null): Promise<void> {
  const found = await env.tx.banking.get('complianceCase', caseId);
  if (found === undefined || found.proposal?.id !== proposalId || found.proposal.status !== 'proposed') return;
  const rejected: ComplianceCase = { ...found, proposal: { ...found.proposal, status: 'rejected' }, updatedAtMs: env.nowMs, version: found.version + 1 };
  await env.tx.banking.put('complianceCase', rejected);
  await appendNote(env.tx, rejected, { author: env.ctx.actor, atMs: env.nowMs, text: `The ${found.proposal.form} report was not approved by ${env.ctx.actor}${note === null ? '.' : `: ${note}`}`, event: 'report_rejected' });
}

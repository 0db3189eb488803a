/**
 * Compliance's scenarios as commands: a draft runs in shadow beside the live scenario; publishing
 * a live one needs a second officer; the draft (or any scenario) can be replayed over the stored
 * history to show what it would have flagged, a page at a time.
 */
import { z } from 'zod';
import type { MonitoringConfig, MonitoringDecisionRecord } from '../../core/banking/types';
import {
  checkRuleDefinition,
  checkScenario,
  evaluateScenario,
  historyTransactionsMax,
  jurisdictionCountriesMax,
  jurisdictionListsMax,
  parseUsdRates,
  ruleDefinitionsMax,
  scenarioRulesMax,
  usdRatesMax,
  type Decision,
  type DecisionOutcome,
  type MonitoredTransaction,
  type RuleDefinition,
  type Scenario,
} from '../../core/monitoring';
import { timestampMsMax } from '../../core/time';
import { command, ok, refuse, type CommandEnv } from '../command';
import { configDigest, configVersionId, historyBetween, historyWindowOf, monitoringConfigs, usdRatesFor } from '../monitoring';
import { limitSchema, textSchema, tokenSchema } from '../schemas';

const ruleIdSchema = tokenSchema(/^[a-z][a-z0-9_]{0,47}$/, 48, 'a rule or scenario id is 1-48 lowercase letters, digits or _, starting with a letter');
const usdMinorSchema = tokenSchema(/^\d{1,18}$/, 18, 'an amount in USD cents, as decimal digits').transform((value) => BigInt(value));
const msSchema = z.number().int().min(0).max(timestampMsMax);
const windowSchema = z.number().int().min(1).max(timestampMsMax);
const countrySchema = tokenSchema(/^[A-Z]{2}$/, 2, 'an ISO 3166-1 alpha-2 code');

const parametersSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cash_over_ctr'), thresholdUsdMinor: usdMinorSchema }).strict(),
  z.object({ kind: z.literal('structuring'), thresholdUsdMinor: usdMinorSchema, bandFloorBasisPoints: z.number().int(), depositsMin: z.number().int(), windowMs: windowSchema }).strict(),
  z.object({ kind: z.literal('velocity'), windowMs: windowSchema, countMax: z.number().int(), amountMaxUsdMinor: usdMinorSchema }).strict(),
  z.object({ kind: z.literal('rapid_in_out'), windowMs: windowSchema, outShareBasisPoints: z.number().int(), inflowMinUsdMinor: usdMinorSchema }).strict(),
  z.object({ kind: z.literal('dormant_wakes'), dormantMs: windowSchema, amountMinUsdMinor: usdMinorSchema }).strict(),
  z
    .object({
      kind: z.literal('high_risk_jurisdiction'),
      lists: z
        .array(z.object({ version: textSchema(40), effectiveFromMs: msSchema, effectiveUntilMs: msSchema.optional(), countries: z.array(countrySchema).max(jurisdictionCountriesMax) }).strict())
        .max(jurisdictionListsMax),
    })
    .strict(),
  z.object({ kind: z.literal('new_payee_large'), amountMinUsdMinor: usdMinorSchema }).strict(),
]);

const configSchema = z
  .object({
    scenario: z
      .object({
        id: ruleIdSchema,
        version: z.number().int().min(1).max(1_000_000),
        rules: z.array(z.object({ ruleId: ruleIdSchema, weight: z.number().int(), holdForReview: z.boolean().optional() }).strict()).max(scenarioRulesMax),
        alertThreshold: z.number().int(),
        blockThreshold: z.number().int(),
      })
      .strict(),
    rules: z.array(z.object({ id: ruleIdSchema, effectiveFromMs: msSchema, effectiveUntilMs: msSchema.optional(), parameters: parametersSchema }).strict()).max(ruleDefinitionsMax),
    usdRates: z.record(z.string().max(3), z.string().max(40)).default({}),
  })
  .strict();

type ConfigInput = z.output<typeof configSchema>;

/** What is wrong with a configuration, in words, or null: every rule checked, every scenario rule defined, the rates parsed. */
function configProblem(input: ConfigInput, status: Scenario['status']): string | null {
  const scenario = { ...input.scenario, status } as Scenario;
  const scenarioError = checkScenario(scenario);
  if (scenarioError !== undefined) return `The scenario is not valid: ${scenarioError.replaceAll('_', ' ')}.`;
  for (const rule of input.rules as RuleDefinition[]) {
    const error = checkRuleDefinition(rule);
    if (error !== undefined) return `Rule ${rule.id} is not valid: ${error.replaceAll('_', ' ')}.`;
  }
  const defined = new Set(input.rules.map((rule) => rule.id));
  const undefinedRule = scenario.rules.find((rule) => !defined.has(rule.ruleId));
  if (undefinedRule !== undefined) return `The scenario weighs rule ${undefinedRule.ruleId}, which has no definition.`;
  for (const id of defined) {
    const versions = input.rules.filter((rule) => rule.id === id).sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
    for (let index = 1; index < versions.length; index += 1) {
      if ((versions[index - 1]!.effectiveUntilMs ?? Infinity) > versions[index]!.effectiveFromMs) return `Rule ${id} has two versions in force at once.`;
    }
  }
  if (Object.keys(input.usdRates).length > usdRatesMax) return `At most ${usdRatesMax} USD rates.`;
  const rates = parseUsdRates(input.usdRates);
  if (!rates.ok) return `The USD rate of ${rates.currency ?? 'a currency'} is not valid: ${rates.error.replaceAll('_', ' ')}.`;
  return null;
}

async function store(env: CommandEnv, input: ConfigInput, status: Scenario['status']) {
  const problem = configProblem(input, status);
  if (problem !== null) return refuse('scenario_invalid', problem);
  const current = await env.tx.banking.get('monitoringConfig', status);
  const live = status === 'live' ? current : await env.tx.banking.get('monitoringConfig', 'live');
  if (current !== undefined && current.scenario.id === input.scenario.id && input.scenario.version <= current.scenario.version) {
    return refuse('scenario_version_not_newer', `Version ${input.scenario.version} is not newer than the ${status} version ${current.scenario.version}; number the new one higher.`);
  }
  if (status === 'draft' && live !== undefined && live.scenario.id === input.scenario.id && input.scenario.version <= live.scenario.version) {
    return refuse('scenario_version_not_newer', `The live scenario is version ${live.scenario.version}; a draft beside it needs a higher number.`);
  }
  const config: MonitoringConfig = {
    id: status,
    scenario: { ...input.scenario, status } as Scenario,
    rules: input.rules as RuleDefinition[],
    usdRates: input.usdRates,
    publishedBy: env.ctx.actor,
    publishedAtMs: env.nowMs,
  };
  const ref = { id: configVersionId(config), sha256: configDigest(config) };
  await env.tx.banking.put('monitoringConfig', config);
  await env.tx.banking.put('monitoringConfig', { ...config, id: ref.id });
  const state = (await env.tx.banking.get('monitoringState', 'current')) ?? { id: 'current', live: null, draft: null };
  const draft = status === 'live' ? await env.tx.banking.get('monitoringConfig', 'draft') : undefined;
  // A draft promoted to live (or overtaken by it) no longer runs in shadow; its version stays kept.
  const retireDraft = draft !== undefined && draft.scenario.id === config.scenario.id && draft.scenario.version <= config.scenario.version;
  await env.tx.banking.put('monitoringState', status === 'live' ? { ...state, live: ref, draft: retireDraft ? null : state.draft } : { ...state, draft: ref });
  if (retireDraft) await env.tx.banking.put('monitoringConfig', { ...draft, id: 'draft', scenario: { ...draft.scenario, rules: [] }, rules: [] });
  return ok({ status, scenarioId: config.scenario.id, version: config.scenario.version, rules: config.rules.length });
}

export const publishLiveScenario = command({
  kind: 'write',
  input: configSchema,
  run: (env, input) => store(env, input, 'live'),
  // A scenario that would not be published is refused before a second officer is asked.
  precheck: async (_env, input) => {
    const problem = configProblem(input, 'live');
    return problem === null ? null : refuse('scenario_invalid', problem);
  },
  audit: (input) => ({ scenarioId: input.scenario.id, version: input.scenario.version, rules: input.rules.length }),
});

export const setDraftScenario = command({
  kind: 'write',
  input: configSchema,
  run: (env, input) => store(env, input, 'draft'),
  audit: (input) => ({ scenarioId: input.scenario.id, version: input.scenario.version, rules: input.rules.length }),
});

export const monitoringSettings = command({
  kind: 'read',
  input: z.object({}).strict(),
  async run(env) {
    const configs = await monitoringConfigs(env.tx);
    return ok({ live: configs?.live.config ?? null, draft: configs?.draft?.config ?? null });
  },
});

/** Shadow decisions one page lists. */
export const shadowPageMax = 200;

/** What the draft decided in shadow, beside what the live scenario decided on the same transactions. */
export const shadowResults = command({
  kind: 'read',
  input: z.object({ limit: limitSchema }).strict(),
  async run(env, input) {
    const configs = await monitoringConfigs(env.tx);
    const draft = configs?.draft ?? null;
    const results: { transactionId: string; customerId: string; command: string; shadow: Decision; live: Decision | null }[] = [];
    if (draft === null) return ok({ draft: null as { scenarioId: string; version: number } | null, results });
    const key = `${draft.config.scenario.id}:${draft.config.scenario.version}`;
    const shadow = await env.tx.banking.findBy('monitoringDecision', 'shadow', key, Math.min(input.limit, shadowPageMax));
    for (const record of shadow) {
      const live = await env.tx.banking.get('monitoringDecision', `${record.decision.transactionId}:live`);
      results.push({ transactionId: record.decision.transactionId, customerId: record.customerId, command: record.command, shadow: record.decision, live: live?.decision ?? null });
    }
    return ok({ draft: { scenarioId: draft.config.scenario.id, version: draft.config.scenario.version }, results });
  },
});

/** Stored transactions one replay page decides at most (each is one history read). */
export const replayPageMax = 500;

/**
 * The draft (or the live scenario) over the stored history, as if it had decided each transaction
 * when it happened, with the rule definitions in force then: what it would have flagged, beside
 * what the live scenario did. Pages in the history's order (customer, newest first).
 */
export const replayScenarioOverHistory = command({
  kind: 'read',
  input: z.object({ which: z.enum(['draft', 'live']).default('draft'), after: z.string().max(200).default(''), limit: z.number().int().min(1).max(replayPageMax).default(200) }).strict(),
  async run(env, input) {
    const configs = await monitoringConfigs(env.tx);
    const chosen = input.which === 'live' ? configs?.live : configs?.draft;
    if (chosen === undefined || chosen === null || chosen.config.scenario.rules.length === 0) return refuse('scenario_not_found', `There is no ${input.which} scenario to replay; publish one first.`);
    const rows = await env.tx.banking.list('monitoredTransaction', input.after, input.limit);
    const counts: Record<DecisionOutcome, number> = { allow: 0, alert: 0, hold: 0, block: 0 };
    const flagged: { transaction: MonitoredTransaction; decision: Decision; live: Decision | null }[] = [];
    for (const row of rows) {
      const decision = await replayOne(env, chosen, row.transaction);
      counts[decision.outcome] += 1;
      if (decision.outcome === 'allow') continue;
      const live = await env.tx.banking.get('monitoringDecision', `${row.transaction.id}:live`);
      flagged.push({ transaction: row.transaction, decision, live: live?.decision ?? null });
    }
    const next = rows.length === input.limit ? rows.at(-1)!.id : null;
    return ok({ scenario: { id: chosen.config.scenario.id, version: chosen.config.scenario.version }, decided: rows.length, counts, flagged, next });
  },
});

/** One stored transaction decided again over the history the store holds before it. */
async function replayOne(env: CommandEnv, chosen: NonNullable<Awaited<ReturnType<typeof monitoringConfigs>>>['live'], transaction: MonitoredTransaction): Promise<Decision> {
  const windowMs = historyWindowOf(chosen.config.rules);
  // The customer's whole past up to the candidate: the window for the rules, all of it for the account's last use and the payees paid.
  const past = (await historyBetween(env.tx, transaction.customerId, 0, transaction.atMs, historyTransactionsMax)).filter(
    (earlier) => earlier.id !== transaction.id && (earlier.atMs < transaction.atMs || earlier.id < transaction.id),
  );
  const recent = past.filter((earlier) => earlier.atMs > transaction.atMs - windowMs);
  const accountUses = past.filter((earlier) => earlier.accountId === transaction.accountId && earlier.atMs < transaction.atMs).map((earlier) => earlier.atMs);
  const payee = transaction.counterpartyAccountId;
  const paid = payee !== undefined && past.some((earlier) => earlier.kind === 'transfer_out' && earlier.counterpartyAccountId === payee);
  const currencies = new Set([transaction.currency, ...recent.map((row) => row.currency)]);
  const rates = await usdRatesFor(env.tx, currencies, transaction.atMs, chosen.rates);
  const history = {
    candidate: transaction,
    recent,
    ...(accountUses.length === 0 ? {} : { accountLastActivityMs: Math.max(...accountUses) }),
    paidPayeeAccountIds: paid ? [payee] : [],
  };
  return evaluateScenario(chosen.config.scenario, chosen.config.rules, history, transaction.atMs, rates);
}

export type { MonitoringDecisionRecord };

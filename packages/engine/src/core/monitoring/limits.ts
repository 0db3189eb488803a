/** Bounds on what monitoring reads, so a decision in the transaction path has a bounded cost. */

export const dayMs = 86_400_000;
/** Transactions in one customer's history besides the candidate. */
export const historyTransactionsMax = 10_000;
/** How far back a history reaches before its candidate. */
export const historyWindowMsMax = 400 * dayMs;
/** The longest window a rule may look over; not more than the history holds. */
export const ruleWindowMsMax = historyWindowMsMax;
/** Rules one scenario weighs. */
export const scenarioRulesMax = 64;
/** Rule definitions (every version of every rule) handed to one evaluation. */
export const ruleDefinitionsMax = 1_024;
/** Weight of one rule, and each threshold: whole points. */
export const ruleWeightMax = 1_000_000;
/** Histories in one replay call: the shell pages stored history through it. */
export const replayHistoriesMax = 100_000;
/** Versions of the jurisdiction list one rule carries, and countries on one version. */
export const jurisdictionListsMax = 64;
export const jurisdictionCountriesMax = 300;
/** Currencies in one rates table. */
export const usdRatesMax = 200;

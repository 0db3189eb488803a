/**
 * Transaction monitoring as plain data: what a rule sees (a customer's candidate transaction and a
 * bounded window of their recent ones), rule definitions with parameters and effective dates,
 * versioned scenarios that weight rules against two thresholds, and the decision with its evidence.
 */

export type MonitoredTransactionKind = 'cash_deposit' | 'cash_withdrawal' | 'transfer_in' | 'transfer_out' | 'exchange';

export interface MonitoredTransaction {
  readonly id: string;
  readonly atMs: number;
  readonly customerId: string;
  readonly accountId: string;
  readonly kind: MonitoredTransactionKind;
  /** Strictly positive minor units of `currency`; the kind says the direction. */
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly counterpartyAccountId?: string;
  /** ISO 3166-1 alpha-2 of the counterparty's bank or address, when known. */
  readonly counterpartyCountry?: string;
}

export interface CustomerHistory {
  /** The transaction being decided (before posting) or reviewed (after it). */
  readonly candidate: MonitoredTransaction;
  /**
   * The customer's other transactions within `historyWindowMsMax` before the candidate, in any order
   * (evaluation sorts them); at most `historyTransactionsMax`, none later than the candidate.
   */
  readonly recent: readonly MonitoredTransaction[];
  /** The candidate account's last activity before the candidate; absent for an account never used. */
  readonly accountLastActivityMs?: number;
  /** Counterparty accounts the customer paid before the recent window (the recent window is read as well). */
  readonly paidPayeeAccountIds: readonly string[];
}

/** A dated version of the high-risk jurisdiction list: in force from `effectiveFromMs` until (excluding) `effectiveUntilMs`. */
export interface JurisdictionList {
  readonly version: string;
  readonly effectiveFromMs: number;
  readonly effectiveUntilMs?: number;
  /** ISO 3166-1 alpha-2 codes. */
  readonly countries: readonly string[];
}

/**
 * What each kind of rule is told. Amounts are USD minor units (cents): other currencies are valued
 * in USD by the rates table handed to the evaluation. Windows end at the candidate: (atMs − windowMs, atMs].
 */
export type RuleParameters =
  | {
      readonly kind: 'cash_over_ctr';
      /** A customer's cash in (or cash out) in one UTC business day above this is reportable: 1,000,000 (10,000.00 USD). */
      readonly thresholdUsdMinor: bigint;
    }
  | {
      readonly kind: 'structuring';
      readonly thresholdUsdMinor: bigint;
      /** A deposit counts when its value is at least this share of the threshold and not above it (8,000 = 80%). */
      readonly bandFloorBasisPoints: number;
      /** This many counted deposits (the candidate among them) in the window fire the rule. */
      readonly depositsMin: number;
      readonly windowMs: number;
    }
  | {
      readonly kind: 'velocity';
      readonly windowMs: number;
      /** More transactions than this in the window (the candidate included) fire the rule. */
      readonly countMax: number;
      /** More value than this in the window (the candidate included) fires the rule. */
      readonly amountMaxUsdMinor: bigint;
    }
  | {
      readonly kind: 'rapid_in_out';
      readonly windowMs: number;
      /** Outgoing value at least this share of what came in during the window fires the rule (9,000 = 90%). */
      readonly outShareBasisPoints: number;
      /** Inflows below this in the window are too small to matter. */
      readonly inflowMinUsdMinor: bigint;
    }
  | {
      readonly kind: 'dormant_wakes';
      /** The account was idle at least this long before the candidate. */
      readonly dormantMs: number;
      /** And the candidate is worth at least this. */
      readonly amountMinUsdMinor: bigint;
    }
  | {
      readonly kind: 'high_risk_jurisdiction';
      readonly lists: readonly JurisdictionList[];
    }
  | {
      readonly kind: 'new_payee_large';
      /** An outgoing transfer to a payee never paid before, worth at least this, fires the rule. */
      readonly amountMinUsdMinor: bigint;
    };

export type RuleKind = RuleParameters['kind'];

/**
 * A rule as configuration: in force from `effectiveFromMs` until (excluding) `effectiveUntilMs`.
 * Several definitions may share an id (a rule's versions over time) if their periods do not overlap.
 */
export interface RuleDefinition {
  readonly id: string;
  readonly effectiveFromMs: number;
  readonly effectiveUntilMs?: number;
  readonly parameters: RuleParameters;
}

export interface Evidence {
  /** Transactions that made the rule fire, ordered by time then id. */
  readonly transactionIds: readonly string[];
  /** Figures behind the hit, as text (amounts in minor units): what a reviewer reads. */
  readonly values: Readonly<Record<string, string>>;
}

/** What one rule says about a history when it fires. */
export interface RuleHit {
  readonly evidence: Evidence;
}

export interface ScenarioRule {
  readonly ruleId: string;
  /** Whole points added to the score when the rule fires. */
  readonly weight: number;
  /** A hit holds the transaction for compliance review before posting, whatever the score (below block). */
  readonly holdForReview?: boolean;
}

export interface Scenario {
  readonly id: string;
  readonly version: number;
  readonly status: 'live' | 'draft';
  readonly rules: readonly ScenarioRule[];
  /** A score at or above this alerts. */
  readonly alertThreshold: number;
  /** A score at or above this blocks; at least `alertThreshold`. */
  readonly blockThreshold: number;
}

/**
 * block: score ≥ blockThreshold, refused before posting.
 * hold: below block, but a rule marked `holdForReview` fired (or a currency could not be valued):
 *   not posted until compliance releases it.
 * alert: score ≥ alertThreshold, posted and queued for review.
 * allow: nothing to do.
 */
export type DecisionOutcome = 'allow' | 'alert' | 'hold' | 'block';

export interface DecisionHit {
  readonly ruleId: string;
  /** The weight this hit added. */
  readonly score: number;
  readonly evidence: Evidence;
}

export interface Decision {
  readonly scenarioId: string;
  readonly scenarioVersion: number;
  readonly transactionId: string;
  readonly atMs: number;
  readonly outcome: DecisionOutcome;
  readonly score: number;
  /** Ordered by rule id. */
  readonly hits: readonly DecisionHit[];
  /** The scenario's rules in force at `atMs`, sorted: a rule absent here was not looked at. */
  readonly rulesEvaluated: readonly string[];
}

/** USD per one major unit of each currency, as decimal text ("1.0842" for EUR); USD is implied at 1. */
export type UsdRateTable = Readonly<Record<string, string>>;

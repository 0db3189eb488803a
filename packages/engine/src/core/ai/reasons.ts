/**
 * A model's reasons in words a teller or an investigator reads: the feature, the value this
 * payment had, and whether it pushed the score towards fraud. The contributions themselves (exact
 * TreeSHAP values, or coefficient × value) are kept beside the words.
 */
import type { FeatureName } from './features';
import { featureDescriptionOf } from './features';

export interface WordedReason {
  readonly feature: string;
  readonly value: number | null;
  /** Log-odds this feature added (negative: took away). */
  readonly contribution: number;
  readonly words: string;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const count = (value: number, one: string, many: string) => `${value} ${value === 1 ? one : many}`;

function seconds(total: number): string {
  if (total < 90) return `${Math.round(total)} s`;
  if (total < 5_400) return `${Math.round(total / 60)} min`;
  if (total < 172_800) return `${Math.round(total / 3_600)} h`;
  return `${Math.round(total / 86_400)} days`;
}

/** What one feature's value says, in words; null when the value says nothing (missing). */
export function featureWords(feature: string, value: number): string | null {
  if (value !== value) return null;
  switch (feature as FeatureName) {
    case 'amount_major_log1p':
      return `an amount of about ${Math.round(Math.expm1(value)).toLocaleString('en-US')} in major units`;
    case 'amount_log_ratio_median_30d': {
      const ratio = Math.exp(value);
      return ratio >= 1 ? `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× the customer's usual amount` : `${percent(ratio)} of the customer's usual amount`;
    }
    case 'amount_zscore_30d':
      return `an amount ${Math.abs(value).toFixed(1)} standard deviations ${value >= 0 ? 'above' : 'below'} the customer's usual`;
    case 'count_1h':
      return `${count(value, 'payment', 'payments')} by the customer in the last hour`;
    case 'count_24h':
      return `${count(value, 'payment', 'payments')} by the customer in the last 24 hours`;
    case 'count_7d':
      return `${count(value, 'payment', 'payments')} by the customer in the last 7 days`;
    case 'same_kind_count_7d':
      return `${count(value, 'payment', 'payments')} of this kind in the last 7 days`;
    case 'seconds_since_last_log1p':
      return `${seconds(Math.expm1(value))} after the customer's previous payment`;
    case 'hour_sin':
    case 'hour_cos':
      return 'at this time of day (UTC)';
    case 'weekday_sin':
    case 'weekday_cos':
      return 'on this day of the week';
    case 'kind_transfer_out':
    case 'kind_transfer_in':
    case 'kind_cash_deposit':
    case 'kind_cash_withdrawal':
    case 'kind_card_payment':
      return value >= 0.5 ? `a ${feature.slice(5).replaceAll('_', ' ')}` : `not a ${feature.slice(5).replaceAll('_', ' ')}`;
    case 'channel_index':
      return `through the ${['branch', 'online', 'mobile', 'card', 'atm'][Math.round(value)] ?? 'unknown'} channel`;
    case 'hour_band_share':
      return value < 0.05 ? 'at an hour the customer has never or hardly ever paid' : `at an hour of ${percent(value)} of the customer's past payments`;
    case 'channel_share':
      return value < 0.05 ? 'on a channel the customer has hardly ever used' : `on a channel of ${percent(value)} of the customer's past payments`;
    case 'device_new':
      return value >= 0.5 ? 'from a device never seen for this customer' : 'from a device the customer has used before';
    case 'device_known_count':
      return `${count(value, 'device', 'devices')} known for the customer`;
    case 'country_new':
      return value >= 0.5 ? 'from a country never seen for this customer' : 'from a country the customer has been in before';
    case 'country_not_usual':
      return value >= 0.5 ? "from outside the customer's usual country" : "from the customer's usual country";
    case 'balance_drain_share':
      return `it takes ${percent(Math.min(value, 10))} of the balance`;
    case 'payee_new':
      return value >= 0.5 ? 'to a payee never paid before' : 'to a payee paid before';
    case 'receiver_fan_in_24h':
      return `the receiving account was paid by ${count(value, 'account', 'accounts')} in 24 hours`;
    case 'receiver_fan_in_7d':
      return `the receiving account was paid by ${count(value, 'account', 'accounts')} in 7 days`;
    case 'fan_out_24h':
      return `the customer paid ${count(value, 'account', 'different accounts')} in 24 hours`;
    case 'fan_out_7d':
      return `the customer paid ${count(value, 'account', 'different accounts')} in 7 days`;
    case 'cycle_2_7d':
      return value >= 0.5 ? 'it sends money straight back where it came from' : null;
    case 'cycle_3_7d':
      return value >= 0.5 ? 'it closes a loop of three accounts' : null;
    case 'payee_other_customers_7d':
      return `${count(value, 'other customer', 'other customers')} paid the same payee this week`;
    case 'out_in_share_24h':
      return `${percent(value)} of what came in over 24 hours is going out`;
    case 'sum_same_direction_24h_log1p':
      return `about ${Math.round(Math.expm1(value)).toLocaleString('en-US')} moved this way in 24 hours`;
    case 'sum_same_direction_7d_log1p':
      return `about ${Math.round(Math.expm1(value)).toLocaleString('en-US')} moved this way in 7 days`;
    default: {
      const description = (featureDescriptionOf as Readonly<Record<string, string>>)[feature];
      return description === undefined ? `${feature.replaceAll('_', ' ')} = ${value}` : `${description}: ${Number(value.toPrecision(4))}`;
    }
  }
}

/** A feature with no value for this payment (no history yet, no device named): said as such. */
function unknownWords(feature: string): string {
  const description = (featureDescriptionOf as Readonly<Record<string, string>>)[feature];
  const what = description === undefined ? feature.replaceAll('_', ' ') : description.split(';')[0]!;
  return `not known yet: ${what}`;
}

/** The reasons as kept with a decision: each with its value and words (a missing value said as such). */
export function wordedReasons(reasons: readonly { readonly feature: string; readonly index: number; readonly contribution: number }[], row: ArrayLike<number>): WordedReason[] {
  return reasons.map((reason) => {
    const value = row[reason.index]!;
    const present = value === value;
    return { feature: reason.feature, value: present ? value : null, contribution: reason.contribution, words: (present ? featureWords(reason.feature, value) : null) ?? unknownWords(reason.feature) };
  });
}

/** The reasons that raised the score, joined for a message: "to a payee never paid before; it takes 96% of the balance". */
export function reasonsSentence(reasons: readonly WordedReason[], max = 3): string {
  const raising = reasons.filter((reason) => reason.contribution > 0).slice(0, max);
  return raising.length === 0 ? 'no single reason stands out' : raising.map((reason) => reason.words).join('; ');
}

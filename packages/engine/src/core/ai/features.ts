import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { assert, unreachable } from '../assert';
import { canonicalJson } from '../canonical-json';
import { currencyByCode } from '../currencies';

/**
 * The fraud features: one definition read by the scorer in the payment path (online, from state kept
 * per customer and per account) and by training (offline, by replaying stored history from empty
 * state through the very same functions), so a model never sees in training a number it cannot have
 * when it scores.
 *
 * Every vector is computed from the state BEFORE its event: it describes the event against what was
 * known when it arrived. Windows end at the event and exclude their start, as the monitoring rules'
 * do: a window of w holds the past events at (atMs − w, atMs].
 *
 * The state is plain JSON (bigints as decimal strings, no NaN, no undefined values) so a store can
 * keep it as text; it is bounded: events older than the longest window are pruned, and each set of
 * values seen is capped (least recently seen evicted).
 */

export type PaymentKind = 'transfer_out' | 'transfer_in' | 'cash_deposit' | 'cash_withdrawal' | 'card_payment';
export type PaymentChannel = 'branch' | 'online' | 'mobile' | 'card' | 'atm';

export const paymentKinds: readonly PaymentKind[] = ['transfer_out', 'transfer_in', 'cash_deposit', 'cash_withdrawal', 'card_payment'];
export const paymentChannels: readonly PaymentChannel[] = ['branch', 'online', 'mobile', 'card', 'atm'];

export interface PaymentEvent {
  readonly id: string;
  readonly atMs: number;
  readonly customerId: string;
  readonly accountId: string;
  readonly kind: PaymentKind;
  /** Strictly positive minor units of `currency`; the kind says the direction. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The other account of a transfer, the merchant of a card payment. */
  readonly counterpartyAccountId?: string;
  readonly channel: PaymentChannel;
  readonly deviceId?: string;
  /** ISO 3166-1 alpha-2 of where the customer was (device or terminal), when known. */
  readonly country?: string;
  /** The account's balance just before the event, minor units of `currency`. */
  readonly balanceBeforeMinor: bigint;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;
export const featureWindowsMs = { hour: hourMs, day: dayMs, week: 7 * dayMs, month: 30 * dayMs } as const;
/** The longest window any feature reads: a customer's events older than this are pruned. */
export const stateWindowMsMax = featureWindowsMs.month;
/** Events kept per customer within the longest window; past it the oldest go (counts saturate near it). */
export const recentEventsMax = 2_000;
/** Payees (transfer counterparties and card merchants) remembered per customer: "new payee" means not among these. */
export const knownPayeesMax = 256;
export const knownDevicesMax = 16;
export const knownCountriesMax = 32;
/** The transfer graph's window: an account's peers not seen for this long are pruned. */
export const graphWindowMs = featureWindowsMs.week;
/** Peers kept per account and direction (the latest transfer of each); past it the least recent go. */
export const accountPeersMax = 512;
/** Floor on the standard deviation of log amounts, so a customer who always pays the same is not infinitely surprised. */
export const amountLogStdFloor = 0.1;
/** Events one offline replay takes. */
export const offlineEventsMax = 20_000_000;

/** Bump on any change of meaning; the digest below changes with it. */
export const featureSchemaVersion = 1;

/** One line each; the order is the vector's column order and never changes within a schema version. */
const featureDescriptions = {
  amount_major_log1p: 'ln(1 + amount in major units)',
  amount_log_ratio_median_30d: "ln(amount / median of the customer's same-direction, same-currency amounts over 30 d); NaN without any",
  amount_zscore_30d: 'the log amount in standard deviations from the mean of those 30-day log amounts; NaN with fewer than 3',
  count_1h: 'events of the customer in the last hour',
  count_24h: 'events of the customer in the last 24 h',
  count_7d: 'events of the customer in the last 7 d',
  sum_same_direction_24h_log1p: 'ln(1 + major units the customer moved in the same direction and currency in 24 h)',
  sum_same_direction_7d_log1p: 'ln(1 + major units the customer moved in the same direction and currency in 7 d)',
  same_kind_count_7d: 'events of the same kind (cash deposits, card payments…) in 7 d',
  seconds_since_last_log1p: "ln(1 + seconds since the customer's previous event); NaN for the first",
  hour_sin: 'sin of the UTC hour of day on the 24 h circle',
  hour_cos: 'cos of the UTC hour of day on the 24 h circle',
  weekday_sin: 'sin of the UTC day of week on the 7-day circle',
  weekday_cos: 'cos of the UTC day of week on the 7-day circle',
  hour_band_share: "share of the customer's past events in this UTC hour or the one either side; NaN without history",
  kind_transfer_out: '1 for an outgoing transfer',
  kind_transfer_in: '1 for an incoming transfer',
  kind_cash_deposit: '1 for a cash deposit',
  kind_cash_withdrawal: '1 for a cash withdrawal',
  kind_card_payment: '1 for a card payment',
  channel_index: 'branch 0, online 1, mobile 2, card 3, atm 4',
  channel_share: "share of the customer's past events on this channel; NaN without history",
  device_new: 'the device was never seen for this customer (of the last 16); NaN without a device',
  device_known_count: 'devices known for the customer',
  country_new: 'the country was never seen for this customer (of the last 32); NaN without a country',
  country_not_usual: "the country is not the customer's most frequent one; NaN without a country or history",
  balance_drain_share: 'amount / balance before, for money going out; NaN for money coming in or no balance',
  payee_new: 'the payee (transfer counterparty or card merchant) was never paid before; NaN when not a payment to someone',
  receiver_fan_in_24h: 'distinct accounts that sent transfers to the receiving account in 24 h; NaN when not a transfer',
  receiver_fan_in_7d: 'distinct accounts that sent transfers to the receiving account in 7 d; NaN when not a transfer',
  fan_out_24h: 'distinct accounts the customer sent transfers to in 24 h',
  fan_out_7d: 'distinct accounts the customer sent transfers to in 7 d',
  cycle_2_7d: 'the transfer closes a cycle A→B→A within 7 d; NaN when not a transfer',
  cycle_3_7d: 'the transfer closes a cycle A→B→C→A within 7 d; NaN when not a transfer',
  payee_other_customers_7d: 'other customers who paid the same payee in 7 d; NaN when not an outgoing transfer',
  out_in_share_24h: 'money out / money in over 24 h in this currency, this event included; NaN with nothing in',
} as const;

export type FeatureName = keyof typeof featureDescriptions;
export const featureNames: readonly FeatureName[] = Object.keys(featureDescriptions) as FeatureName[];
export const featureDescriptionOf: Readonly<Record<FeatureName, string>> = featureDescriptions;

/**
 * SHA-256 (hex) of what fixes the vector's meaning: the version, the names in order, the windows and
 * caps. A model records it; a scorer refuses a model whose digest differs. Descriptions are left out
 * so mending their wording does not retire every model.
 */
export const featureSchemaDigest: string = bytesToHex(
  sha256(
    utf8ToBytes(
      canonicalJson({
        schemaVersion: featureSchemaVersion,
        featureNames: [...featureNames],
        windowsMs: { ...featureWindowsMs },
        limits: { recentEventsMax, knownPayeesMax, knownDevicesMax, knownCountriesMax, graphWindowMs, accountPeersMax, amountLogStdFloor },
      }),
    ),
  ),
);

/** A past event as the state keeps it: what the windows read. */
export interface PastEvent {
  readonly atMs: number;
  readonly kind: PaymentKind;
  /** Decimal minor units. */
  readonly amountMinor: string;
  readonly currency: string;
  readonly counterpartyAccountId?: string;
}

/** A value seen for the customer (payee, device, country): how often, and when last. */
export interface SeenValue {
  readonly value: string;
  readonly count: number;
  readonly lastAtMs: number;
}

export interface FeatureState {
  readonly schemaVersion: number;
  readonly customerId: string;
  readonly eventCount: number;
  readonly lastAtMs: number | null;
  /** Events within `stateWindowMsMax` of the latest, oldest first, at most `recentEventsMax`. */
  readonly recent: readonly PastEvent[];
  /** Lifetime events by UTC hour (24 entries). */
  readonly hourCounts: readonly number[];
  /** Lifetime events by channel, in `paymentChannels` order. */
  readonly channelCounts: readonly number[];
  /** Each list is ordered by `lastAtMs`, least recent first, and capped (least recent evicted). */
  readonly payees: readonly SeenValue[];
  readonly devices: readonly SeenValue[];
  readonly countries: readonly SeenValue[];
}

/** A peer of an account in the transfer graph: its latest transfer with the account. */
export interface GraphPeer {
  readonly accountId: string;
  readonly lastAtMs: number;
  /** The peer account's customer, when an event named it (a transfer out names its sender's customer). */
  readonly customerId?: string;
}

export interface AccountGraphState {
  readonly schemaVersion: number;
  readonly accountId: string;
  /** Accounts that sent to this one, ordered by `lastAtMs`, least recent first, at most `accountPeersMax`. */
  readonly inbound: readonly GraphPeer[];
  /** Accounts this one sent to, likewise. */
  readonly outbound: readonly GraphPeer[];
}

/** The account states a vector reads, by account id (those `graphAccountIds` names; a missing one is empty). */
export type GraphView = ReadonlyMap<string, AccountGraphState>;

export function emptyFeatureState(customerId: string): FeatureState {
  return {
    schemaVersion: featureSchemaVersion,
    customerId,
    eventCount: 0,
    lastAtMs: null,
    recent: [],
    hourCounts: new Array<number>(24).fill(0),
    channelCounts: new Array<number>(paymentChannels.length).fill(0),
    payees: [],
    devices: [],
    countries: [],
  };
}

export function emptyAccountGraphState(accountId: string): AccountGraphState {
  return { schemaVersion: featureSchemaVersion, accountId, inbound: [], outbound: [] };
}

/** A transfer as an edge of the graph: money from one account to another. */
interface TransferEdge {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly fromCustomerId?: string;
  readonly toCustomerId?: string;
}

/**
 * Only transfers make edges: card payments and cash would make every merchant and branch a hub.
 * A transfer between two customers of the bank is seen twice (out at one, in at the other): the
 * edge is the same, and peers are kept once each, so counts of distinct peers are not doubled.
 */
function transferEdge(event: PaymentEvent): TransferEdge | undefined {
  const counterparty = event.counterpartyAccountId;
  if (counterparty === undefined || counterparty === event.accountId) return undefined;
  if (event.kind === 'transfer_out') return { fromAccountId: event.accountId, toAccountId: counterparty, fromCustomerId: event.customerId };
  if (event.kind === 'transfer_in') return { fromAccountId: counterparty, toAccountId: event.accountId, toCustomerId: event.customerId };
  return undefined;
}

/** The accounts whose graph state an event reads and changes: the shell loads these before scoring. */
export function graphAccountIds(event: PaymentEvent): string[] {
  const edge = transferEdge(event);
  return edge === undefined ? [] : [edge.fromAccountId, edge.toAccountId];
}

function isOutgoing(kind: PaymentKind): boolean {
  switch (kind) {
    case 'transfer_out':
    case 'cash_withdrawal':
    case 'card_payment':
      return true;
    case 'transfer_in':
    case 'cash_deposit':
      return false;
    default:
      return unreachable(kind);
  }
}

/** Payments to someone: the counterparty is a payee the customer may or may not know. */
function paysPayee(event: PaymentEvent): boolean {
  return (event.kind === 'transfer_out' || event.kind === 'card_payment') && event.counterpartyAccountId !== undefined;
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}

function utcHour(atMs: number): number {
  return Math.floor(mod(atMs, dayMs) / hourMs);
}

function minorPerMajor(currency: string): number {
  const known = currencyByCode(currency);
  assert(known !== undefined, `unknown currency ${currency}: events come from the ledger, whose currencies are ISO 4217`);
  return 10 ** known.exponent;
}

function assertEventFits(state: FeatureState, event: PaymentEvent): void {
  assert(state.schemaVersion === featureSchemaVersion, `feature state of schema ${state.schemaVersion}, not ${featureSchemaVersion}`);
  assert(state.customerId === event.customerId, `event ${event.id} of ${event.customerId} against the state of ${state.customerId}`);
  assert(state.lastAtMs === null || event.atMs >= state.lastAtMs, `event ${event.id} is older than the customer's last event: replay in time order`);
  assert(event.amountMinor > 0n, `event ${event.id} has a non-positive amount`);
}

/** The customer's state after the event. Pure: the input is not changed. */
export function updateState(state: FeatureState, event: PaymentEvent): FeatureState {
  assertEventFits(state, event);
  const horizonMs = event.atMs - stateWindowMsMax;
  const recent = state.recent.filter((past) => past.atMs > horizonMs);
  // Literals, not object spreads, here and in the vector: V8 builds a spread slowly (microseconds each).
  const amountMinor = event.amountMinor.toString();
  const past: PastEvent =
    event.counterpartyAccountId === undefined
      ? { atMs: event.atMs, kind: event.kind, amountMinor, currency: event.currency }
      : { atMs: event.atMs, kind: event.kind, amountMinor, currency: event.currency, counterpartyAccountId: event.counterpartyAccountId };
  recent.push(past);
  if (recent.length > recentEventsMax) recent.splice(0, recent.length - recentEventsMax);
  const hourCounts = [...state.hourCounts];
  hourCounts[utcHour(event.atMs)] = (hourCounts[utcHour(event.atMs)] ?? 0) + 1;
  const channelCounts = [...state.channelCounts];
  const channel = paymentChannels.indexOf(event.channel);
  channelCounts[channel] = (channelCounts[channel] ?? 0) + 1;
  return {
    schemaVersion: state.schemaVersion,
    customerId: state.customerId,
    eventCount: state.eventCount + 1,
    lastAtMs: event.atMs,
    recent,
    hourCounts,
    channelCounts,
    payees: paysPayee(event) ? seen(state.payees, event.counterpartyAccountId!, event.atMs, knownPayeesMax) : state.payees,
    devices: event.deviceId === undefined ? state.devices : seen(state.devices, event.deviceId, event.atMs, knownDevicesMax),
    countries: event.country === undefined ? state.countries : seen(state.countries, event.country, event.atMs, knownCountriesMax),
  };
}

/** Marks a value seen now: moved to the end (most recent), the least recent evicted past the cap. */
function seen(values: readonly SeenValue[], value: string, atMs: number, max: number): SeenValue[] {
  const existing = values.find((item) => item.value === value);
  const next = values.filter((item) => item.value !== value);
  next.push({ value, count: (existing?.count ?? 0) + 1, lastAtMs: atMs });
  if (next.length > max) next.splice(0, next.length - max);
  return next;
}

/** The account's graph state after the event (the event must name the account as one end of its transfer). */
export function updateAccountGraph(state: AccountGraphState, event: PaymentEvent): AccountGraphState {
  assert(state.schemaVersion === featureSchemaVersion, `graph state of schema ${state.schemaVersion}, not ${featureSchemaVersion}`);
  const edge = transferEdge(event);
  assert(edge !== undefined && (edge.fromAccountId === state.accountId || edge.toAccountId === state.accountId), `event ${event.id} is not a transfer of account ${state.accountId}`);
  const horizonMs = event.atMs - graphWindowMs;
  const live = (peers: readonly GraphPeer[]): GraphPeer[] => peers.filter((peer) => peer.lastAtMs > horizonMs);
  let inbound = live(state.inbound);
  let outbound = live(state.outbound);
  if (edge.toAccountId === state.accountId) inbound = touchPeer(inbound, edge.fromAccountId, edge.fromCustomerId, event.atMs);
  if (edge.fromAccountId === state.accountId) outbound = touchPeer(outbound, edge.toAccountId, edge.toCustomerId, event.atMs);
  return { schemaVersion: state.schemaVersion, accountId: state.accountId, inbound, outbound };
}

function touchPeer(peers: GraphPeer[], accountId: string, customerId: string | undefined, atMs: number): GraphPeer[] {
  const existing = peers.find((peer) => peer.accountId === accountId);
  const next = peers.filter((peer) => peer.accountId !== accountId);
  const known = customerId ?? existing?.customerId;
  next.push(known === undefined ? { accountId, lastAtMs: atMs } : { accountId, lastAtMs: atMs, customerId: known });
  if (next.length > accountPeersMax) next.splice(0, next.length - accountPeersMax);
  return next;
}

/** The graph states the event changes (both ends of a transfer; none otherwise). */
export function updateGraph(graph: GraphView, event: PaymentEvent): Map<string, AccountGraphState> {
  const changed = new Map<string, AccountGraphState>();
  for (const accountId of graphAccountIds(event)) {
    changed.set(accountId, updateAccountGraph(graph.get(accountId) ?? emptyAccountGraphState(accountId), event));
  }
  return changed;
}

/**
 * What the windows hold, in one pass over the customer's recent events (the payment path pays for
 * every pass). A past event is within a window w when its age is below w: atMs − w < past.atMs ≤ atMs.
 *
 * Amounts are read as doubles: features are doubles anyway, a double holds every whole number of minor
 * units below 2^53 (90 trillion dollars) exactly, so these sums are exact, and parsing one is ten times
 * cheaper than parsing a bigint (which was most of a vector's cost).
 */
interface WindowSummary {
  /** Same currency, same direction as the event, within 30 d, ascending. */
  readonly amountsMinor: number[];
  readonly count1h: number;
  readonly count24h: number;
  readonly count7d: number;
  readonly sameKindCount7d: number;
  readonly sameDirectionSum24hMinor: number;
  readonly sameDirectionSum7dMinor: number;
  readonly in24hMinor: number;
  readonly out24hMinor: number;
  readonly payees24h: number;
  readonly payees7d: number;
}

function summarise(recent: readonly PastEvent[], event: PaymentEvent): WindowSummary {
  const outgoing = isOutgoing(event.kind);
  const amountsMinor: number[] = [];
  let count1h = 0, count24h = 0, count7d = 0, sameKindCount7d = 0;
  let sameDirectionSum24hMinor = 0, sameDirectionSum7dMinor = 0, in24hMinor = 0, out24hMinor = 0;
  const payees24h = new Set<string>();
  const payees7d = new Set<string>();
  for (const past of recent) {
    const ageMs = event.atMs - past.atMs;
    if (ageMs < 0 || ageMs >= featureWindowsMs.month) continue;
    const sameCurrency = past.currency === event.currency;
    const pastOutgoing = isOutgoing(past.kind);
    const amountMinor = sameCurrency ? Number(past.amountMinor) : 0;
    const sameDirection = sameCurrency && pastOutgoing === outgoing;
    if (sameDirection) amountsMinor.push(amountMinor);
    if (ageMs >= featureWindowsMs.week) continue;
    count7d += 1;
    if (past.kind === event.kind) sameKindCount7d += 1;
    if (sameDirection) sameDirectionSum7dMinor += amountMinor;
    const payee = past.kind === 'transfer_out' ? past.counterpartyAccountId : undefined;
    if (payee !== undefined) payees7d.add(payee);
    if (ageMs >= featureWindowsMs.day) continue;
    count24h += 1;
    if (sameDirection) sameDirectionSum24hMinor += amountMinor;
    if (pastOutgoing) out24hMinor += amountMinor;
    else in24hMinor += amountMinor;
    if (payee !== undefined) payees24h.add(payee);
    if (ageMs < featureWindowsMs.hour) count1h += 1;
  }
  amountsMinor.sort((a, b) => a - b);
  return { amountsMinor, count1h, count24h, count7d, sameKindCount7d, sameDirectionSum24hMinor, sameDirectionSum7dMinor, in24hMinor, out24hMinor, payees24h: payees24h.size, payees7d: payees7d.size };
}

function amountFeatures(summary: WindowSummary, event: PaymentEvent): Pick<Record<FeatureName, number>, 'amount_major_log1p' | 'amount_log_ratio_median_30d' | 'amount_zscore_30d'> {
  const amounts = summary.amountsMinor;
  const logAmount = Math.log(Number(event.amountMinor));
  let ratio = Number.NaN;
  const middle = Math.floor(amounts.length / 2);
  if (amounts.length > 0) {
    const median = amounts.length % 2 === 1 ? amounts[middle]! : (amounts[middle - 1]! + amounts[middle]!) / 2;
    ratio = logAmount - Math.log(median);
  }
  let zscore = Number.NaN;
  if (amounts.length >= 3) {
    const logs = amounts.map((amount) => Math.log(amount));
    const mean = logs.reduce((total, value) => total + value, 0) / logs.length;
    const variance = logs.reduce((total, value) => total + (value - mean) ** 2, 0) / logs.length;
    zscore = (logAmount - mean) / Math.max(Math.sqrt(variance), amountLogStdFloor);
  }
  return {
    amount_major_log1p: Math.log1p(Number(event.amountMinor) / minorPerMajor(event.currency)),
    amount_log_ratio_median_30d: ratio,
    amount_zscore_30d: zscore,
  };
}

type VelocityName = 'count_1h' | 'count_24h' | 'count_7d' | 'sum_same_direction_24h_log1p' | 'sum_same_direction_7d_log1p' | 'same_kind_count_7d' | 'seconds_since_last_log1p' | 'out_in_share_24h';

function velocityFeatures(state: FeatureState, summary: WindowSummary, event: PaymentEvent): Pick<Record<FeatureName, number>, VelocityName> {
  const outgoing = isOutgoing(event.kind);
  // This event counts in the day's money in or out: "how much of what came in goes out with this one".
  const amountMinor = Number(event.amountMinor);
  const inMinor = summary.in24hMinor + (outgoing ? 0 : amountMinor);
  const outMinor = summary.out24hMinor + (outgoing ? amountMinor : 0);
  return {
    count_1h: summary.count1h,
    count_24h: summary.count24h,
    count_7d: summary.count7d,
    sum_same_direction_24h_log1p: Math.log1p(summary.sameDirectionSum24hMinor / minorPerMajor(event.currency)),
    sum_same_direction_7d_log1p: Math.log1p(summary.sameDirectionSum7dMinor / minorPerMajor(event.currency)),
    same_kind_count_7d: summary.sameKindCount7d,
    seconds_since_last_log1p: state.lastAtMs === null ? Number.NaN : Math.log1p((event.atMs - state.lastAtMs) / 1000),
    out_in_share_24h: inMinor === 0 ? Number.NaN : outMinor / inMinor,
  };
}

type TimeName = 'hour_sin' | 'hour_cos' | 'weekday_sin' | 'weekday_cos' | 'hour_band_share';

function timeFeatures(state: FeatureState, event: PaymentEvent): Pick<Record<FeatureName, number>, TimeName> {
  const hourAngle = (2 * Math.PI * (mod(event.atMs, dayMs) / hourMs)) / 24;
  // 1970-01-01 was a Thursday: day 0 is weekday 4 with Sunday as 0.
  const weekday = mod(Math.floor(event.atMs / dayMs) + 4, 7);
  const weekdayAngle = (2 * Math.PI * weekday) / 7;
  const hour = utcHour(event.atMs);
  const total = state.hourCounts.reduce((sum, count) => sum + count, 0);
  const band = [hour - 1, hour, hour + 1].reduce((sum, item) => sum + (state.hourCounts[mod(item, 24)] ?? 0), 0);
  return {
    hour_sin: Math.sin(hourAngle),
    hour_cos: Math.cos(hourAngle),
    weekday_sin: Math.sin(weekdayAngle),
    weekday_cos: Math.cos(weekdayAngle),
    hour_band_share: total === 0 ? Number.NaN : band / total,
  };
}

type ContextName = 'channel_index' | 'channel_share' | 'device_new' | 'device_known_count' | 'country_new' | 'country_not_usual' | 'balance_drain_share' | 'payee_new';

function contextFeatures(state: FeatureState, event: PaymentEvent): Pick<Record<FeatureName, number>, ContextName> {
  const channel = paymentChannels.indexOf(event.channel);
  assert(channel >= 0, `unknown channel ${event.channel}`);
  const channelTotal = state.channelCounts.reduce((sum, count) => sum + count, 0);
  const known = (values: readonly SeenValue[], value: string): number => (values.some((item) => item.value === value) ? 0 : 1);
  let countryNotUsual = Number.NaN;
  const usual = usualValue(state.countries);
  if (event.country !== undefined && usual !== undefined) countryNotUsual = event.country === usual ? 0 : 1;
  const drains = isOutgoing(event.kind) && event.balanceBeforeMinor > 0n;
  return {
    channel_index: channel,
    channel_share: channelTotal === 0 ? Number.NaN : (state.channelCounts[channel] ?? 0) / channelTotal,
    device_new: event.deviceId === undefined ? Number.NaN : known(state.devices, event.deviceId),
    device_known_count: state.devices.length,
    country_new: event.country === undefined ? Number.NaN : known(state.countries, event.country),
    country_not_usual: countryNotUsual,
    balance_drain_share: drains ? Number(event.amountMinor) / Number(event.balanceBeforeMinor) : Number.NaN,
    payee_new: paysPayee(event) ? known(state.payees, event.counterpartyAccountId!) : Number.NaN,
  };
}

/** The most often seen value; among equals the most recently seen (the lists are least recent first). */
function usualValue(values: readonly SeenValue[]): string | undefined {
  let best: SeenValue | undefined;
  for (const item of values) if (best === undefined || item.count >= best.count) best = item;
  return best?.value;
}

type GraphName = 'receiver_fan_in_24h' | 'receiver_fan_in_7d' | 'fan_out_24h' | 'fan_out_7d' | 'cycle_2_7d' | 'cycle_3_7d' | 'payee_other_customers_7d';

function graphFeatures(summary: WindowSummary, graph: GraphView, event: PaymentEvent): Pick<Record<FeatureName, number>, GraphName> {
  const edge = transferEdge(event);
  if (edge === undefined) {
    return {
      fan_out_24h: summary.payees24h,
      fan_out_7d: summary.payees7d,
      receiver_fan_in_24h: Number.NaN,
      receiver_fan_in_7d: Number.NaN,
      cycle_2_7d: Number.NaN,
      cycle_3_7d: Number.NaN,
      payee_other_customers_7d: Number.NaN,
    };
  }
  const live = (peers: readonly GraphPeer[] | undefined, windowMs: number): GraphPeer[] =>
    (peers ?? []).filter((peer) => peer.lastAtMs > event.atMs - windowMs && peer.lastAtMs <= event.atMs);
  const receiver = graph.get(edge.toAccountId);
  const sender = graph.get(edge.fromAccountId);
  const senderInbound = live(sender?.inbound, graphWindowMs);
  const receiverOutbound = new Set(live(receiver?.outbound, graphWindowMs).map((peer) => peer.accountId));
  const closesTriangle = senderInbound.some((peer) => peer.accountId !== edge.toAccountId && receiverOutbound.has(peer.accountId));
  let otherCustomers = Number.NaN;
  if (event.kind === 'transfer_out') {
    const others = live(receiver?.inbound, graphWindowMs)
      .filter((peer) => peer.accountId !== event.accountId && peer.customerId !== event.customerId)
      .map((peer) => peer.customerId ?? `account:${peer.accountId}`);
    otherCustomers = new Set(others).size;
  }
  return {
    fan_out_24h: summary.payees24h,
    fan_out_7d: summary.payees7d,
    receiver_fan_in_24h: live(receiver?.inbound, featureWindowsMs.day).length,
    receiver_fan_in_7d: live(receiver?.inbound, featureWindowsMs.week).length,
    cycle_2_7d: senderInbound.some((peer) => peer.accountId === edge.toAccountId) ? 1 : 0,
    cycle_3_7d: closesTriangle ? 1 : 0,
    payee_other_customers_7d: otherCustomers,
  };
}

function kindFeatures(event: PaymentEvent): Pick<Record<FeatureName, number>, `kind_${PaymentKind}`> {
  return {
    kind_transfer_out: event.kind === 'transfer_out' ? 1 : 0,
    kind_transfer_in: event.kind === 'transfer_in' ? 1 : 0,
    kind_cash_deposit: event.kind === 'cash_deposit' ? 1 : 0,
    kind_cash_withdrawal: event.kind === 'cash_withdrawal' ? 1 : 0,
    kind_card_payment: event.kind === 'card_payment' ? 1 : 0,
  };
}

/**
 * The event's features in `featureNames` order, from the customer's state and the graph states of
 * `graphAccountIds(event)` as they were before the event.
 */
export function featureVector(state: FeatureState, graph: GraphView, event: PaymentEvent): Float64Array {
  assertEventFits(state, event);
  const summary = summarise(state.recent, event);
  const amount = amountFeatures(summary, event);
  const velocity = velocityFeatures(state, summary, event);
  const time = timeFeatures(state, event);
  const kind = kindFeatures(event);
  const context = contextFeatures(state, event);
  const graphed = graphFeatures(summary, graph, event);
  // One literal, not a spread of the groups (V8 builds object spreads slowly); the type still makes
  // every feature be named.
  const values: Record<FeatureName, number> = {
    amount_major_log1p: amount.amount_major_log1p,
    amount_log_ratio_median_30d: amount.amount_log_ratio_median_30d,
    amount_zscore_30d: amount.amount_zscore_30d,
    count_1h: velocity.count_1h,
    count_24h: velocity.count_24h,
    count_7d: velocity.count_7d,
    sum_same_direction_24h_log1p: velocity.sum_same_direction_24h_log1p,
    sum_same_direction_7d_log1p: velocity.sum_same_direction_7d_log1p,
    same_kind_count_7d: velocity.same_kind_count_7d,
    seconds_since_last_log1p: velocity.seconds_since_last_log1p,
    hour_sin: time.hour_sin,
    hour_cos: time.hour_cos,
    weekday_sin: time.weekday_sin,
    weekday_cos: time.weekday_cos,
    hour_band_share: time.hour_band_share,
    kind_transfer_out: kind.kind_transfer_out,
    kind_transfer_in: kind.kind_transfer_in,
    kind_cash_deposit: kind.kind_cash_deposit,
    kind_cash_withdrawal: kind.kind_cash_withdrawal,
    kind_card_payment: kind.kind_card_payment,
    channel_index: context.channel_index,
    channel_share: context.channel_share,
    device_new: context.device_new,
    device_known_count: context.device_known_count,
    country_new: context.country_new,
    country_not_usual: context.country_not_usual,
    balance_drain_share: context.balance_drain_share,
    payee_new: context.payee_new,
    receiver_fan_in_24h: graphed.receiver_fan_in_24h,
    receiver_fan_in_7d: graphed.receiver_fan_in_7d,
    fan_out_24h: graphed.fan_out_24h,
    fan_out_7d: graphed.fan_out_7d,
    cycle_2_7d: graphed.cycle_2_7d,
    cycle_3_7d: graphed.cycle_3_7d,
    payee_other_customers_7d: graphed.payee_other_customers_7d,
    out_in_share_24h: velocity.out_in_share_24h,
  };
  const vector = new Float64Array(featureNames.length);
  featureNames.forEach((name, index) => {
    vector[index] = values[name];
  });
  return vector;
}

export interface OfflineFeatures {
  /** rows[i] is the vector of events[i] (the input's order). */
  readonly rows: Float64Array[];
  readonly featureNames: readonly FeatureName[];
  readonly featureSchemaDigest: string;
  /** The states after the last event: what the online store would hold (a warm start for it). */
  readonly customerStates: ReadonlyMap<string, FeatureState>;
  readonly accountGraph: ReadonlyMap<string, AccountGraphState>;
}

/** Ordered by time, then id: the one order both paths replay in (events of one moment included). */
export function compareEvents(a: PaymentEvent, b: PaymentEvent): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Every event's vector, by replaying the history in time order (then id) from empty state, as the
 * online path would have seen it: what training reads.
 */
export function featuresOffline(events: readonly PaymentEvent[]): OfflineFeatures {
  assert(events.length <= offlineEventsMax, `${events.length} events in one replay: at most ${offlineEventsMax}`);
  const order = events.map((_event, index) => index).sort((a, b) => compareEvents(events[a]!, events[b]!) || a - b);
  const rows = new Array<Float64Array>(events.length);
  const customerStates = new Map<string, FeatureState>();
  const accountGraph = new Map<string, AccountGraphState>();
  for (const index of order) {
    const event = events[index]!;
    const state = customerStates.get(event.customerId) ?? emptyFeatureState(event.customerId);
    rows[index] = featureVector(state, accountGraph, event);
    customerStates.set(event.customerId, updateState(state, event));
    for (const [accountId, next] of updateGraph(accountGraph, event)) accountGraph.set(accountId, next);
  }
  return { rows, featureNames, featureSchemaDigest, customerStates, accountGraph };
}

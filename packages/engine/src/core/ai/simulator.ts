import { assert, unreachable } from '../assert';
import { compareEvents, type PaymentChannel, type PaymentEvent, type PaymentKind } from './features';

/**
 * A seeded simulator of a retail bank's payments with labelled fraud, in the spirit of PaySim (agents
 * with profiles acting day by day, fraud injected by fraudster agents) and of the Fraud Detection
 * Handbook's generator (customer profiles, then transactions, then fraud scenarios over them; a
 * split by time with a delay period). Nothing of either is copied.
 *
 * Normal customers have a home country and time zone, 0–2 devices, active hours, a log-normal
 * spending level, salaries, bills to a stable set of payees, friends they pay (and collect from),
 * occasional new payees, cash for some, trips abroad, new phones. Balances are tracked and never go
 * negative: a spend the account cannot afford does not happen.
 *
 * Fraud is injected in episodes, every event of an episode labelled with its typology. Each
 * typology's signals have legitimate look-alikes (travellers at odd hours, a new phone, a car bought
 * from a new payee, a friend collecting for a holiday, commuters' small card payments, shops banking
 * their takings), so no one feature separates fraud.
 *
 * Deterministic: one private PRNG stream (sfc32 seeded through splitmix32), used in a fixed order.
 */

export type Typology = 'none' | 'account_takeover' | 'mule_fan_in' | 'card_testing' | 'structuring';
export const fraudTypologies: readonly Exclude<Typology, 'none'>[] = ['account_takeover', 'mule_fan_in', 'card_testing', 'structuring'];

export interface LabelledEvent {
  readonly event: PaymentEvent;
  readonly fraud: boolean;
  readonly typology: Typology;
}

export type Payday = { readonly kind: 'monthly'; readonly dayOfMonth: number } | { readonly kind: 'biweekly'; readonly phaseDays: number };

export interface Bill {
  readonly payeeAccountId: string;
  readonly amountMinor: bigint;
  readonly dayOfMonth: number;
}

export interface CustomerProfile {
  readonly customerId: string;
  readonly accountId: string;
  readonly homeCountry: string;
  readonly utcOffsetHours: number;
  readonly currency: string;
  /** Devices at the start (new phones come later). Empty for a customer who banks in person only. */
  readonly devices: readonly string[];
  /** How the customer makes transfers. */
  readonly transferChannel: PaymentChannel;
  /** Centre of the customer's day, local hour, and its spread in hours. */
  readonly activeHourLocal: number;
  readonly activeHourSpreadHours: number;
  readonly cardPaymentsPerDay: number;
  readonly cardSpendMedianMinor: bigint;
  /** Small everyday card payments (transit, coffee): per day, 0 for most. */
  readonly microPaymentsPerDay: number;
  /** Days with a burst of small in-app payments (games, top-ups), then now and then a bigger one: 0 for most. */
  readonly inAppBurstsPerDay: number;
  readonly favouriteMerchants: readonly string[];
  readonly monthlySalaryMinor: bigint;
  readonly payday: Payday;
  readonly employerAccountId: string;
  readonly bills: readonly Bill[];
  readonly friendCustomerIds: readonly string[];
  readonly cashWithdrawalsPerWeek: number;
  /** A shopkeeper banking takings in cash; 0 for most. */
  readonly cashDepositsPerWeek: number;
  readonly cashDepositMedianMinor: bigint;
  readonly tripsPerYear: number;
  readonly openingBalanceMinor: bigint;
  /** Recruited to receive and move on stolen money; otherwise an ordinary customer. */
  readonly mule: boolean;
}

export interface FraudEpisode {
  readonly id: string;
  readonly typology: Exclude<Typology, 'none'>;
  /** Customers whose accounts the episode used: victims, recruits, the mule, the structurer. */
  readonly customerIds: readonly string[];
  readonly startMs: number;
  /** Events it produced (fewer than planned when a balance could not pay). */
  readonly eventCount: number;
}

export interface SimulationProgress {
  readonly day: number;
  readonly days: number;
  readonly events: number;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly customers: number;
  readonly days: number;
  /** A UTC midnight: the first simulated day. */
  readonly startMs: number;
  /** Target share of events that are fraud, 0.007 by default. */
  readonly fraudRate?: number;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

export interface Simulation {
  /** Ordered by time, then id (the order the features replay). */
  readonly events: readonly LabelledEvent[];
  readonly customers: readonly CustomerProfile[];
  readonly episodes: readonly FraudEpisode[];
}

export const simulationCustomersMax = 200_000;
export const simulationDaysMax = 3_660;
export const fraudRateMax = 0.2;
export const defaultFraudRate = 0.007;

const hourMs = 3_600_000;
const dayMs = 86_400_000;
const minuteMs = 60_000;
const currency = 'USD';

// ---------------------------------------------------------------------------------------------
// PRNG

function splitmix32(state: number): () => number {
  let value = state >>> 0;
  return () => {
    value = (value + 0x9e3779b9) >>> 0;
    let mixed = value;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    return (mixed ^ (mixed >>> 16)) >>> 0;
  };
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator): 128 bits of state, fine for simulation. */
class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    assert(Number.isSafeInteger(seed), `seed ${seed} is not a safe integer`);
    const seeder = splitmix32((seed ^ Math.floor(seed / 2 ** 32)) >>> 0);
    this.a = seeder();
    this.b = seeder();
    this.c = seeder();
    this.d = seeder();
    for (let index = 0; index < 12; index += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let target = this.next() * total;
    for (const [item, weight] of items) {
      target -= weight;
      if (target < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.next() * (index + 1));
      [items[index], items[other]] = [items[other]!, items[index]!];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// The world: countries, merchants, billers

/** Country, UTC offset (hours, whole), weight as a home, weight as a trip, weight as a fraudster's location. */
const countries: readonly (readonly [string, number, number, number, number])[] = [
  ['US', -5, 62, 0, 8],
  ['CA', -5, 5, 8, 0],
  ['MX', -6, 6, 12, 2],
  ['GB', 0, 7, 10, 3],
  ['DE', 1, 4, 6, 1],
  ['FR', 1, 3, 9, 1],
  ['ES', 1, 0, 9, 0],
  ['IT', 1, 0, 8, 0],
  ['IN', 5, 5, 3, 4],
  ['BR', -3, 3, 4, 6],
  ['PH', 8, 3, 3, 4],
  ['NG', 1, 2, 1, 10],
  ['JP', 9, 0, 5, 0],
  ['AE', 4, 0, 4, 3],
  ['TR', 3, 0, 5, 4],
  ['RO', 2, 0, 2, 8],
  ['UA', 2, 0, 1, 7],
  ['VN', 7, 0, 3, 6],
  ['ID', 7, 0, 2, 5],
  ['CN', 8, 0, 2, 6],
];
const offsetOf = new Map(countries.map(([code, offset]) => [code, offset]));
const homeWeights = countries.filter(([, , home]) => home > 0).map(([code, , home]) => [code, home] as const);
const tripWeights = countries.filter(([, , , trip]) => trip > 0).map(([code, , , trip]) => [code, trip] as const);
const fraudsterWeights = countries.filter(([, , , , fraudster]) => fraudster > 0).map(([code, , , , fraudster]) => [code, fraudster] as const);

const merchantCount = 3_000;
const billerCount = 60;
const employerCount = 150;

function merchantId(index: number): string {
  return `mer-${String(index).padStart(4, '0')}`;
}

/** Merchant popularity is Zipf-like: a few are everywhere, most are seen by few. */
function merchantCumulativeWeights(): Float64Array {
  const cumulative = new Float64Array(merchantCount);
  let total = 0;
  for (let index = 0; index < merchantCount; index += 1) {
    total += 1 / (index + 10) ** 0.9;
    cumulative[index] = total;
  }
  return cumulative;
}

function pickMerchant(random: SeededRandom, cumulative: Float64Array): string {
  const target = random.next() * cumulative[cumulative.length - 1]!;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return merchantId(low);
}

function minorOf(major: number): bigint {
  return BigInt(Math.max(1, Math.round(major * 100)));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

// ---------------------------------------------------------------------------------------------
// Profiles

function makeProfile(random: SeededRandom, index: number, customers: number, merchants: Float64Array): CustomerProfile {
  const customerId = `cus-${String(index).padStart(6, '0')}`;
  const homeCountry = random.weighted(homeWeights);
  const deviceCount = random.weighted([[0, 10], [1, 65], [2, 25]] as const);
  const devices = Array.from({ length: deviceCount }, (_unused, device) => `dev-${index}-${device}`);
  const salaryMajor = clamp(random.logNormal(3_400, 0.55), 600, 40_000);
  const nightOwl = random.chance(0.1);
  const bills: Bill[] = [];
  const billTotal = random.int(2, 5);
  for (let bill = 0; bill < billTotal; bill += 1) {
    bills.push({ payeeAccountId: `biller-${String(random.int(1, billerCount)).padStart(3, '0')}`, amountMinor: minorOf(clamp(random.logNormal(70, 0.6), 10, 600)), dayOfMonth: random.int(1, 28) });
  }
  if (random.chance(0.7)) bills.push({ payeeAccountId: `landlord-${index}`, amountMinor: minorOf(salaryMajor * random.uniform(0.22, 0.38)), dayOfMonth: random.int(1, 5) });
  const friendTotal = random.int(0, 5);
  const friends = new Set<string>();
  for (let friend = 0; friend < friendTotal && customers > 1; friend += 1) {
    const other = random.int(0, customers - 1);
    if (other !== index) friends.add(`cus-${String(other).padStart(6, '0')}`);
  }
  const favouriteTotal = random.int(6, 20);
  const favourites = new Set<string>();
  for (let merchant = 0; merchant < favouriteTotal; merchant += 1) favourites.add(pickMerchant(random, merchants));
  const business = random.chance(0.05);
  return {
    customerId,
    accountId: `acc-${String(index).padStart(6, '0')}`,
    homeCountry,
    utcOffsetHours: offsetOf.get(homeCountry) ?? 0,
    currency,
    devices,
    transferChannel: deviceCount === 0 ? 'branch' : random.weighted([['mobile', 60], ['online', 40]] as const),
    activeHourLocal: nightOwl ? random.uniform(20, 24) : random.uniform(10.5, 17),
    activeHourSpreadHours: random.uniform(2.2, 4),
    cardPaymentsPerDay: clamp(random.logNormal(0.55, 0.6), 0.05, 4),
    cardSpendMedianMinor: minorOf(clamp(random.logNormal(22 * Math.sqrt(salaryMajor / 3_400), 0.35), 3, 400)),
    microPaymentsPerDay: random.chance(0.18) ? random.uniform(0.5, 2.5) : 0,
    inAppBurstsPerDay: deviceCount > 0 && random.chance(0.1) ? random.uniform(0.02, 0.1) : 0,
    favouriteMerchants: [...favourites],
    monthlySalaryMinor: minorOf(salaryMajor),
    payday: random.chance(0.6) ? { kind: 'monthly', dayOfMonth: random.int(1, 28) } : { kind: 'biweekly', phaseDays: random.int(0, 13) },
    employerAccountId: `employer-${String(random.int(1, employerCount)).padStart(3, '0')}`,
    bills,
    friendCustomerIds: [...friends],
    cashWithdrawalsPerWeek: random.chance(0.45) ? random.uniform(0.3, 2.5) : 0,
    cashDepositsPerWeek: business ? random.uniform(1, 4) : 0,
    cashDepositMedianMinor: business ? minorOf(random.logNormal(3_000, 0.6)) : 0n,
    tripsPerYear: random.chance(0.4) ? 0 : random.logNormal(2, 0.7),
    openingBalanceMinor: minorOf(salaryMajor * random.logNormal(1.2, 0.7)),
    mule: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Intents: what an agent means to do; executed in time order against the balances

type Amount = { readonly kind: 'fixed'; readonly minor: bigint } | { readonly kind: 'share'; readonly share: number };

interface IntentDraft {
  readonly atMs: number;
  readonly customer: number;
  readonly kind: PaymentKind;
  readonly amount: Amount;
  readonly counterpartyAccountId?: string | undefined;
  /** The receiving customer of a transfer between two of the bank's accounts: they see it come in. */
  readonly receiver?: number | undefined;
  /** How and where: given as these three, or as `via` (a customer's own transfer, from `transferContext`). */
  readonly channel?: PaymentChannel;
  readonly deviceId?: string | undefined;
  readonly country?: string | undefined;
  readonly via?: TransferContext;
  readonly typology: Typology;
  readonly episode?: number | undefined;
  /** Fraudsters take what there is: an outflow above the balance takes the balance instead. */
  readonly takeWhatThereIs?: boolean | undefined;
}

interface TransferContext {
  readonly channel: PaymentChannel;
  readonly deviceId: string | undefined;
  readonly country: string | undefined;
}

/** A draft resolved, with its place in the order of creation, which breaks ties of time. */
interface Intent {
  readonly atMs: number;
  readonly seq: number;
  readonly customer: number;
  readonly kind: PaymentKind;
  readonly amount: Amount;
  readonly counterpartyAccountId: string | undefined;
  readonly receiver: number | undefined;
  readonly channel: PaymentChannel;
  readonly deviceId: string | undefined;
  readonly country: string | undefined;
  readonly typology: Typology;
  readonly episode: number | undefined;
  readonly takeWhatThereIs: boolean;
}

interface Trip {
  readonly startMs: number;
  readonly endMs: number;
  readonly country: string;
}

/** What generation knows of each customer as days go by: the devices they have, the trips they take. */
interface Timeline {
  deviceChanges: { atMs: number; devices: string[] }[];
  trips: Trip[];
}

class World {
  readonly intentsByDay: Intent[][];
  readonly timelines: Timeline[];
  readonly indexOf = new Map<string, number>();
  private externalSerial = 0;
  private intentSerial = 0;

  constructor(
    readonly random: SeededRandom,
    readonly profiles: CustomerProfile[],
    readonly startMs: number,
    readonly days: number,
    readonly merchants: Float64Array,
  ) {
    this.intentsByDay = Array.from({ length: days }, () => []);
    this.timelines = profiles.map((profile) => ({ deviceChanges: [{ atMs: startMs, devices: [...profile.devices] }], trips: [] }));
    profiles.forEach((profile, index) => this.indexOf.set(profile.customerId, index));
  }

  add(draft: IntentDraft): void {
    const day = Math.floor((draft.atMs - this.startMs) / dayMs);
    if (day < 0 || day >= this.days) return;
    assert(draft.via !== undefined || draft.channel !== undefined, 'an intent without a channel');
    this.intentSerial += 1;
    // Fields copied, not spread: V8 builds object spreads slowly, and there is one per event.
    this.intentsByDay[day]!.push({
      atMs: draft.atMs,
      seq: this.intentSerial,
      customer: draft.customer,
      kind: draft.kind,
      amount: draft.amount,
      counterpartyAccountId: draft.counterpartyAccountId,
      receiver: draft.receiver,
      channel: draft.via?.channel ?? draft.channel!,
      deviceId: draft.via === undefined ? draft.deviceId : draft.via.deviceId,
      country: draft.via === undefined ? draft.country : draft.via.country,
      typology: draft.typology,
      episode: draft.episode,
      takeWhatThereIs: draft.takeWhatThereIs ?? false,
    });
  }

  freshExternalAccount(prefix: string): string {
    this.externalSerial += 1;
    return `${prefix}-${String(this.externalSerial).padStart(6, '0')}`;
  }

  devicesAt(customer: number, atMs: number): readonly string[] {
    const changes = this.timelines[customer]!.deviceChanges;
    let devices = changes[0]!.devices;
    for (const change of changes) if (change.atMs <= atMs) devices = change.devices;
    return devices;
  }

  deviceAt(customer: number, atMs: number): string | undefined {
    const devices = this.devicesAt(customer, atMs);
    return devices.length === 0 ? undefined : this.random.pick(devices);
  }

  countryAt(customer: number, atMs: number): string {
    const trip = this.timelines[customer]!.trips.find((item) => item.startMs <= atMs && atMs < item.endMs);
    return trip?.country ?? this.profiles[customer]!.homeCountry;
  }

  /** A moment of the day around the customer's active hours, in the time zone they are in then. */
  timeOnDay(customer: number, dayStartMs: number, centreLocal?: number, spreadHours?: number): number {
    const profile = this.profiles[customer]!;
    const country = this.countryAt(customer, dayStartMs + 12 * hourMs);
    const offset = offsetOf.get(country) ?? profile.utcOffsetHours;
    const localHour = (centreLocal ?? profile.activeHourLocal) + (spreadHours ?? profile.activeHourSpreadHours) * this.random.normal();
    const utcHour = (((localHour - offset) % 24) + 24) % 24;
    return dayStartMs + Math.floor(utcHour * hourMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Normal behaviour

function planLifeEvents(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  const timeline = world.timelines[customer]!;
  const current = world.devicesAt(customer, dayStartMs);
  // A new phone: the old one is usually retired.
  if (current.length > 0 && random.chance(1 / 120)) {
    const fresh = `dev-${customer}-${timeline.deviceChanges.length + 1}`;
    const kept = random.chance(0.3) ? current : current.slice(1);
    timeline.deviceChanges.push({ atMs: dayStartMs, devices: [...kept, fresh] });
    // A new phone, and a new payee paid from it the same day: what a takeover looks like, innocently.
    if (random.chance(0.3)) {
      const atMs = world.timeOnDay(customer, dayStartMs);
      world.add({
        atMs,
        customer,
        kind: 'transfer_out',
        amount: random.chance(0.3) ? { kind: 'share', share: random.uniform(0.2, 0.7) } : { kind: 'fixed', minor: minorOf(clamp(random.logNormal(250, 1), 5, 20_000)) },
        counterpartyAccountId: world.freshExternalAccount('ext'),
        channel: profile.transferChannel === 'online' ? 'online' : 'mobile',
        deviceId: fresh,
        country: world.countryAt(customer, atMs),
        typology: 'none',
      });
    }
  }
  const lastTrip = timeline.trips[timeline.trips.length - 1];
  const travelling = lastTrip !== undefined && lastTrip.endMs > dayStartMs;
  if (!travelling && random.chance(profile.tripsPerYear / 365)) {
    let country = random.weighted(tripWeights);
    if (country === profile.homeCountry) country = 'ES';
    timeline.trips.push({ startMs: dayStartMs, endMs: dayStartMs + random.int(3, 12) * dayMs, country });
  }
}

function planCardPayments(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  const payments = random.poisson(profile.cardPaymentsPerDay);
  for (let payment = 0; payment < payments; payment += 1) {
    const atMs = world.timeOnDay(customer, dayStartMs);
    const online = random.chance(0.3);
    const deviceId = online ? world.deviceAt(customer, atMs) : undefined;
    world.add({
      atMs,
      customer,
      kind: 'card_payment',
      amount: { kind: 'fixed', minor: minorOf(clamp(random.logNormal(Number(profile.cardSpendMedianMinor) / 100, 0.85), 0.5, 5_000)) },
      counterpartyAccountId: random.chance(0.85) ? random.pick(profile.favouriteMerchants) : pickMerchant(random, world.merchants),
      channel: online && deviceId !== undefined ? 'online' : 'card',
      deviceId,
      country: world.countryAt(customer, atMs),
      typology: 'none',
    });
  }
  const micro = random.poisson(profile.microPaymentsPerDay);
  for (let payment = 0; payment < micro; payment += 1) {
    const atMs = world.timeOnDay(customer, dayStartMs, 8.5, 1.5);
    world.add({
      atMs,
      customer,
      kind: 'card_payment',
      amount: { kind: 'fixed', minor: minorOf(random.uniform(1.25, 4.5)) },
      counterpartyAccountId: merchantId(customer % 7),
      channel: 'card',
      country: world.countryAt(customer, atMs),
      typology: 'none',
    });
  }
  if (random.chance(profile.inAppBurstsPerDay)) planInAppBurst(world, customer, dayStartMs);
}

/** A run of small online payments at one app merchant, sometimes ending in a bigger one: card testing's look-alike. */
function planInAppBurst(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  // Among the little-known merchants that card testers use too, so a merchant does not give either away.
  const merchant = merchantId(merchantCount - 1 - random.int(0, 5) * 40);
  let atMs = world.timeOnDay(customer, dayStartMs, 21, 2.5);
  const payments = random.int(2, 9);
  const deviceId = world.deviceAt(customer, atMs);
  for (let payment = 0; payment <= payments; payment += 1) {
    const bigger = payment === payments;
    if (bigger && !random.chance(0.35)) break;
    world.add({
      atMs,
      customer,
      kind: 'card_payment',
      amount: { kind: 'fixed', minor: minorOf(bigger ? random.uniform(25, 180) : random.pick([0.99, 1.99, 2.99, 4.99, 9.99])) },
      counterpartyAccountId: merchant,
      channel: 'online',
      deviceId,
      country: world.countryAt(customer, atMs),
      typology: 'none',
    });
    atMs += random.int(1, 25) * minuteMs;
  }
}

function isPayday(profile: CustomerProfile, dayIndex: number, dayOfMonth: number): boolean {
  return profile.payday.kind === 'monthly' ? profile.payday.dayOfMonth === dayOfMonth : (dayIndex + profile.payday.phaseDays) % 14 === 0;
}

function planIncomeAndBills(world: World, customer: number, dayStartMs: number, dayIndex: number, dayOfMonth: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  if (isPayday(profile, dayIndex, dayOfMonth)) {
    const salaryMajor = (Number(profile.monthlySalaryMinor) / 100) * (profile.payday.kind === 'monthly' ? 1 : 12 / 26);
    world.add({
      atMs: world.timeOnDay(customer, dayStartMs, 6, 1),
      customer,
      kind: 'transfer_in',
      amount: { kind: 'fixed', minor: minorOf(salaryMajor * (1 + 0.03 * random.normal())) },
      counterpartyAccountId: profile.employerAccountId,
      channel: 'online',
      typology: 'none',
    });
  }
  for (const bill of profile.bills) {
    if (bill.dayOfMonth !== dayOfMonth) continue;
    const atMs = world.timeOnDay(customer, dayStartMs);
    const variable = !bill.payeeAccountId.startsWith('landlord-');
    world.add({
      atMs,
      customer,
      kind: 'transfer_out',
      amount: { kind: 'fixed', minor: variable ? minorOf((Number(bill.amountMinor) / 100) * random.uniform(0.85, 1.15)) : bill.amountMinor },
      counterpartyAccountId: bill.payeeAccountId,
      via: transferContext(world, customer, atMs),
      typology: 'none',
    });
  }
}

/** Channel, device and country of a transfer the customer makes themselves. */
function transferContext(world: World, customer: number, atMs: number): TransferContext {
  const profile = world.profiles[customer]!;
  const deviceId = world.deviceAt(customer, atMs);
  const country = world.countryAt(customer, atMs);
  if (profile.transferChannel === 'branch' || deviceId === undefined) return { channel: 'branch', deviceId: undefined, country };
  return { channel: profile.transferChannel, deviceId, country };
}

function planTransfers(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  if (profile.friendCustomerIds.length > 0 && random.chance(0.07)) {
    const atMs = world.timeOnDay(customer, dayStartMs);
    const friend = world.indexOf.get(random.pick(profile.friendCustomerIds))!;
    world.add({
      atMs,
      customer,
      kind: 'transfer_out',
      amount: { kind: 'fixed', minor: minorOf(clamp(random.logNormal(45, 0.8), 5, 2_000)) },
      counterpartyAccountId: world.profiles[friend]!.accountId,
      receiver: friend,
      via: transferContext(world, customer, atMs),
      typology: 'none',
    });
  }
  // Collecting from friends (a holiday, a shared present): a legitimate fan-in, often followed by a payment out.
  if (profile.friendCustomerIds.length >= 2 && random.chance(1 / 90)) planCollection(world, customer, dayStartMs);
  if (random.chance(0.045)) {
    const atMs = world.timeOnDay(customer, dayStartMs);
    // Now and then a big one: a car, a deposit on a flat; it can take most of the balance.
    const big = random.chance(0.15);
    world.add({
      atMs,
      customer,
      kind: 'transfer_out',
      amount: big ? { kind: 'share', share: random.uniform(0.3, 0.85) } : { kind: 'fixed', minor: minorOf(clamp(random.logNormal(160, 1), 5, 20_000)) },
      counterpartyAccountId: world.freshExternalAccount('ext'),
      via: transferContext(world, customer, atMs),
      typology: 'none',
    });
  }
}

function planCollection(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  const startMs = world.timeOnDay(customer, dayStartMs);
  const share = clamp(random.logNormal(80, 0.7), 10, 1_500);
  for (const friendId of profile.friendCustomerIds) {
    const friend = world.indexOf.get(friendId)!;
    const atMs = startMs + random.int(5, 36 * 60) * minuteMs;
    world.add({
      atMs,
      customer: friend,
      kind: 'transfer_out',
      amount: { kind: 'fixed', minor: minorOf(share) },
      counterpartyAccountId: profile.accountId,
      receiver: customer,
      via: transferContext(world, friend, atMs),
      typology: 'none',
    });
  }
  if (random.chance(0.6)) {
    const atMs = startMs + random.int(24, 60) * hourMs;
    world.add({
      atMs,
      customer,
      kind: 'transfer_out',
      amount: { kind: 'fixed', minor: minorOf(share * profile.friendCustomerIds.length * random.uniform(0.8, 1.1)) },
      counterpartyAccountId: world.freshExternalAccount('ext'),
      via: transferContext(world, customer, atMs),
      typology: 'none',
    });
  }
}

function planCash(world: World, customer: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[customer]!;
  const abroad = world.countryAt(customer, dayStartMs) !== profile.homeCountry;
  const withdrawals = random.poisson((profile.cashWithdrawalsPerWeek / 7) * (abroad ? 2 : 1) + (abroad ? 0.15 : 0));
  for (let withdrawal = 0; withdrawal < withdrawals; withdrawal += 1) {
    // Some cash comes out at night: going out, coming home, a different time zone.
    const atMs = random.chance(0.08) ? world.timeOnDay(customer, dayStartMs, 1.5, 1.5) : world.timeOnDay(customer, dayStartMs);
    world.add({
      atMs,
      customer,
      kind: 'cash_withdrawal',
      amount: { kind: 'fixed', minor: BigInt(Math.max(1, Math.round(clamp(random.logNormal(100, 0.6), 20, 1_000) / 20))) * 2_000n },
      counterpartyAccountId: `atm-${world.countryAt(customer, atMs)}-${random.int(1, 40)}`,
      channel: 'atm',
      country: world.countryAt(customer, atMs),
      typology: 'none',
    });
  }
  const deposits = random.poisson(profile.cashDepositsPerWeek / 7);
  const lump = random.chance(1 / 500);
  for (let deposit = 0; deposit < deposits + (lump ? 1 : 0); deposit += 1) {
    const atMs = world.timeOnDay(customer, dayStartMs, 13, 2.2);
    const major = deposit < deposits ? clamp(random.logNormal(Number(profile.cashDepositMedianMinor) / 100, 0.6), 50, 25_000) : Math.exp(random.uniform(Math.log(400), Math.log(14_000)));
    world.add({ atMs, customer, kind: 'cash_deposit', amount: { kind: 'fixed', minor: minorOf(Math.round(major)) }, channel: 'branch', country: profile.homeCountry, typology: 'none' });
  }
}

function planNormalDay(world: World, dayIndex: number): void {
  const dayStartMs = world.startMs + dayIndex * dayMs;
  const dayOfMonth = new Date(dayStartMs).getUTCDate();
  for (let customer = 0; customer < world.profiles.length; customer += 1) {
    planLifeEvents(world, customer, dayStartMs);
    planCardPayments(world, customer, dayStartMs);
    planIncomeAndBills(world, customer, dayStartMs, dayIndex, dayOfMonth);
    planTransfers(world, customer, dayStartMs);
    planCash(world, customer, dayStartMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Fraud

interface EpisodePlan {
  readonly typology: Exclude<Typology, 'none'>;
  readonly customers: number[];
  readonly startMs: number;
}

/** Events an episode of each typology yields on average, and each typology's share of fraud events. */
const typologyPlan: Readonly<Record<Exclude<Typology, 'none'>, { readonly eventsPerEpisode: number; readonly share: number; readonly spanDays: number }>> = {
  account_takeover: { eventsPerEpisode: 4.5, share: 0.32, spanDays: 2 },
  mule_fan_in: { eventsPerEpisode: 13, share: 0.26, spanDays: 4 },
  card_testing: { eventsPerEpisode: 13, share: 0.26, spanDays: 1 },
  structuring: { eventsPerEpisode: 5, share: 0.16, spanDays: 8 },
};

/** A moment in the victim's night, or (sometimes) their ordinary hours, so hour alone does not give it away. */
function fraudsterTime(world: World, customer: number, dayStartMs: number, oddHourChance: number): number {
  const profile = world.profiles[customer]!;
  if (world.random.chance(oddHourChance)) return world.timeOnDay(customer, dayStartMs, profile.activeHourLocal + 12, 1.5);
  return world.timeOnDay(customer, dayStartMs);
}

function planAccountTakeover(world: World, episode: number, victim: number, mule: number | undefined, dayStartMs: number): void {
  const { random } = world;
  const ownDevice = random.chance(0.2) ? world.deviceAt(victim, dayStartMs) : undefined;
  const deviceId = ownDevice ?? `dev-x-${episode}`;
  const country = random.chance(0.35) ? random.weighted(fraudsterWeights) : world.countryAt(victim, dayStartMs);
  let atMs = fraudsterTime(world, victim, dayStartMs, 0.35);
  const transfers = random.weighted([[1, 30], [2, 40], [3, 20], [4, 10]] as const);
  const channel: PaymentChannel = random.chance(0.6) ? 'mobile' : 'online';
  for (let transfer = 0; transfer < transfers; transfer += 1) {
    const toMule = mule !== undefined && (transfer === 0 || random.chance(0.5));
    world.add({
      atMs,
      customer: victim,
      kind: 'transfer_out',
      // Some take everything; some take a part, hoping it goes unnoticed.
      amount: { kind: 'share', share: transfer === transfers - 1 ? random.uniform(0.25, 0.95) : random.uniform(0.2, 0.6) },
      counterpartyAccountId: toMule ? world.profiles[mule]!.accountId : world.freshExternalAccount('ext'),
      receiver: toMule ? mule : undefined,
      channel,
      deviceId,
      country,
      typology: 'account_takeover',
      episode,
      takeWhatThereIs: true,
    });
    atMs += random.int(2, 90) * minuteMs;
  }
  // The mule cashes out what came in.
  if (mule !== undefined) {
    const cashOutMs = atMs + random.int(30, 16 * 60) * minuteMs;
    world.add({
      atMs: cashOutMs,
      customer: mule,
      kind: 'cash_withdrawal',
      amount: { kind: 'share', share: random.uniform(0.6, 0.95) },
      counterpartyAccountId: `atm-${world.profiles[mule]!.homeCountry}-${random.int(1, 40)}`,
      channel: 'atm',
      country: world.countryAt(mule, cashOutMs),
      typology: 'account_takeover',
      episode,
    });
  }
}

function planMuleFanIn(world: World, episode: number, senders: readonly number[], mule: number, dayStartMs: number): void {
  const { random } = world;
  let lastMs = dayStartMs;
  const muleAccount = world.profiles[mule]!.accountId;
  for (const sender of senders) {
    // Recruits send from their own phones at their own hours; compromised accounts are driven by the ring.
    const recruited = random.chance(0.7);
    const atMs = recruited ? world.timeOnDay(sender, dayStartMs + random.int(0, 2) * dayMs) : fraudsterTime(world, sender, dayStartMs + random.int(0, 2) * dayMs, 0.5);
    const context = transferContext(world, sender, atMs);
    world.add({
      atMs,
      customer: sender,
      kind: 'transfer_out',
      amount: recruited ? { kind: 'fixed', minor: minorOf(clamp(random.logNormal(600, 0.7), 100, 6_000)) } : { kind: 'share', share: random.uniform(0.4, 0.9) },
      counterpartyAccountId: muleAccount,
      receiver: mule,
      channel: context.channel === 'branch' ? 'online' : context.channel,
      deviceId: recruited && context.deviceId !== undefined ? context.deviceId : `dev-r-${episode}`,
      country: recruited ? context.country : random.chance(0.5) ? random.weighted(fraudsterWeights) : context.country,
      typology: 'mule_fan_in',
      episode,
      takeWhatThereIs: !recruited,
    });
    lastMs = Math.max(lastMs, atMs);
  }
  // The mule moves it on quickly: to exits abroad or a crypto exchange, or out as cash.
  const moves = random.int(1, 3);
  let atMs = lastMs + random.int(20, 10 * 60) * minuteMs;
  for (let move = 0; move < moves; move += 1) {
    const cash = random.chance(0.3);
    const share = move === moves - 1 ? random.uniform(0.8, 0.97) : random.uniform(0.3, 0.6);
    world.add({
      atMs,
      customer: mule,
      kind: cash ? 'cash_withdrawal' : 'transfer_out',
      amount: { kind: 'share', share },
      counterpartyAccountId: cash ? `atm-${world.profiles[mule]!.homeCountry}-${random.int(1, 40)}` : world.freshExternalAccount(random.chance(0.5) ? 'exit' : 'ext'),
      via: cash ? { channel: 'atm', deviceId: undefined, country: world.countryAt(mule, atMs) } : transferContext(world, mule, atMs),
      typology: 'mule_fan_in',
      episode,
    });
    atMs += random.int(5, 240) * minuteMs;
  }
}

function planCardTesting(world: World, episode: number, victim: number, dayStartMs: number): void {
  const { random } = world;
  let atMs = fraudsterTime(world, victim, dayStartMs, 0.5);
  const country = random.chance(0.45) ? random.weighted(fraudsterWeights) : world.countryAt(victim, dayStartMs);
  const deviceId = random.chance(0.5) ? `dev-c-${episode}` : undefined;
  const testMerchants = Array.from({ length: random.int(1, 4) }, () => (random.chance(0.7) ? merchantId(random.int(merchantCount - 300, merchantCount - 1)) : pickMerchant(random, world.merchants)));
  const tests = random.int(3, 16);
  for (let test = 0; test < tests; test += 1) {
    world.add({
      atMs,
      customer: victim,
      kind: 'card_payment',
      amount: { kind: 'fixed', minor: minorOf(random.uniform(0.5, 3.5)) },
      counterpartyAccountId: random.pick(testMerchants),
      channel: 'online',
      deviceId,
      country,
      typology: 'card_testing',
      episode,
    });
    atMs += random.int(10, 20 * 60) * 1_000;
  }
  const large = random.int(1, 2);
  atMs += random.int(5, 6 * 60) * minuteMs;
  for (let purchase = 0; purchase < large; purchase += 1) {
    world.add({
      atMs,
      customer: victim,
      kind: 'card_payment',
      amount: { kind: 'fixed', minor: minorOf(clamp(random.logNormal(300, 0.8), 40, 4_000)) },
      counterpartyAccountId: pickMerchant(random, world.merchants),
      channel: 'online',
      deviceId,
      country,
      typology: 'card_testing',
      episode,
    });
    atMs += random.int(1, 40) * minuteMs;
  }
}

function planStructuring(world: World, episode: number, actor: number, dayStartMs: number): void {
  const { random } = world;
  const profile = world.profiles[actor]!;
  const deposits = random.int(3, 6);
  let day = 0;
  let totalMajor = 0;
  for (let deposit = 0; deposit < deposits; deposit += 1) {
    const atMs = world.timeOnDay(actor, dayStartMs + day * dayMs, 13, 2);
    const major = Math.round(random.uniform(7_000, 9_990) / 10) * 10;
    totalMajor += major;
    world.add({ atMs, customer: actor, kind: 'cash_deposit', amount: { kind: 'fixed', minor: minorOf(major) }, channel: 'branch', country: profile.homeCountry, typology: 'structuring', episode });
    day += random.chance(0.2) ? 0 : random.int(1, 2);
  }
  if (random.chance(0.5)) {
    const atMs = world.timeOnDay(actor, dayStartMs + (day + random.int(0, 2)) * dayMs);
    world.add({
      atMs,
      customer: actor,
      kind: 'transfer_out',
      amount: { kind: 'fixed', minor: minorOf(totalMajor * random.uniform(0.6, 0.9)) },
      counterpartyAccountId: world.freshExternalAccount('ext'),
      via: transferContext(world, actor, atMs),
      typology: 'structuring',
      episode,
      takeWhatThereIs: true,
    });
  }
}

function episodeCounts(expectedNormalEvents: number, fraudRate: number): Record<Exclude<Typology, 'none'>, number> {
  const fraudEvents = (fraudRate * expectedNormalEvents) / (1 - fraudRate);
  const counts = {} as Record<Exclude<Typology, 'none'>, number>;
  for (const typology of fraudTypologies) {
    const plan = typologyPlan[typology];
    counts[typology] = fraudRate === 0 ? 0 : Math.max(1, Math.round((fraudEvents * plan.share) / plan.eventsPerEpisode));
  }
  return counts;
}

function planFraud(world: World, fraudRate: number, expectedNormalEvents: number): EpisodePlan[] {
  const { random } = world;
  const counts = episodeCounts(expectedNormalEvents, fraudRate);
  const mules = world.profiles.flatMap((profile, index) => (profile.mule ? [index] : []));
  // Each customer is a victim, recruit or structurer at most once; mules are never victims.
  const pool = random.shuffle(world.profiles.flatMap((profile, index) => (profile.mule ? [] : [index])));
  const take = (): number | undefined => pool.pop();
  const plans: EpisodePlan[] = [];
  for (const typology of fraudTypologies) {
    const { spanDays } = typologyPlan[typology];
    for (let count = 0; count < counts[typology]; count += 1) {
      const lastStartDay = Math.max(0, world.days - 1 - spanDays);
      const dayStartMs = world.startMs + random.int(Math.min(1, lastStartDay), lastStartDay) * dayMs;
      const episode = plans.length;
      const customers = planEpisode(world, typology, episode, take, mules, dayStartMs);
      if (customers !== undefined) plans.push({ typology, customers, startMs: dayStartMs });
    }
  }
  return plans;
}

function planEpisode(world: World, typology: Exclude<Typology, 'none'>, episode: number, take: () => number | undefined, mules: readonly number[], dayStartMs: number): number[] | undefined {
  const { random } = world;
  const victim = take();
  if (victim === undefined) return undefined;
  switch (typology) {
    case 'account_takeover': {
      const mule = mules.length > 0 && random.chance(0.6) ? random.pick(mules) : undefined;
      planAccountTakeover(world, episode, victim, mule, dayStartMs);
      return mule === undefined ? [victim] : [victim, mule];
    }
    case 'mule_fan_in': {
      if (mules.length === 0) return undefined;
      const senders = [victim];
      const wanted = random.int(3, 7);
      for (let sender = senders.length; sender < wanted; sender += 1) {
        const next = take();
        if (next !== undefined) senders.push(next);
      }
      const mule = random.pick(mules);
      planMuleFanIn(world, episode, senders, mule, dayStartMs);
      return [...senders, mule];
    }
    case 'card_testing':
      planCardTesting(world, episode, victim, dayStartMs);
      return [victim];
    case 'structuring':
      planStructuring(world, episode, victim, dayStartMs);
      return [victim];
    default:
      return unreachable(typology);
  }
}

// ---------------------------------------------------------------------------------------------
// Execution

interface Ledger {
  readonly balances: bigint[];
  readonly out: LabelledEvent[];
  readonly episodeEvents: number[];
  serial: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emit(world: World, ledger: Ledger, intent: Intent, customer: number, kind: PaymentKind, amountMinor: bigint, counterpartyAccountId: string | undefined, own: boolean): void {
  const profile = world.profiles[customer]!;
  const balanceBeforeMinor = ledger.balances[customer]!;
  ledger.serial += 1;
  const event: Mutable<PaymentEvent> = {
    id: `evt-${String(ledger.serial).padStart(9, '0')}`,
    atMs: intent.atMs,
    customerId: profile.customerId,
    accountId: profile.accountId,
    kind,
    amountMinor,
    currency,
    channel: own ? intent.channel : 'online',
    balanceBeforeMinor,
  };
  // Optional fields are set only when known (no spreads: V8 builds them slowly, and this runs per event).
  if (counterpartyAccountId !== undefined) event.counterpartyAccountId = counterpartyAccountId;
  if (own && intent.deviceId !== undefined) event.deviceId = intent.deviceId;
  if (own && intent.country !== undefined) event.country = intent.country;
  const outgoing = kind === 'transfer_out' || kind === 'cash_withdrawal' || kind === 'card_payment';
  ledger.balances[customer] = balanceBeforeMinor + (outgoing ? -amountMinor : amountMinor);
  assert(ledger.balances[customer]! >= 0n, `balance of ${profile.customerId} went negative`);
  ledger.out.push({ event, fraud: intent.typology !== 'none', typology: intent.typology });
  if (intent.episode !== undefined) ledger.episodeEvents[intent.episode] = (ledger.episodeEvents[intent.episode] ?? 0) + 1;
}

/** Resolves the amount against the balance; undefined when the spend cannot happen. */
function amountFor(intent: Intent, balanceMinor: bigint): bigint | undefined {
  const outgoing = intent.kind === 'transfer_out' || intent.kind === 'cash_withdrawal' || intent.kind === 'card_payment';
  let amountMinor = intent.amount.kind === 'fixed' ? intent.amount.minor : (balanceMinor * BigInt(Math.round(intent.amount.share * 10_000))) / 10_000n;
  if (intent.amount.kind === 'share' && intent.kind === 'cash_withdrawal') amountMinor = (amountMinor / 2_000n) * 2_000n;
  if (outgoing && amountMinor > balanceMinor) {
    if (!intent.takeWhatThereIs) return undefined;
    amountMinor = balanceMinor;
  }
  return amountMinor > 0n ? amountMinor : undefined;
}

function execute(world: World, ledger: Ledger, intent: Intent): void {
  const amountMinor = amountFor(intent, ledger.balances[intent.customer]!);
  if (amountMinor === undefined) return;
  emit(world, ledger, intent, intent.customer, intent.kind, amountMinor, intent.counterpartyAccountId, true);
  // A transfer between two of the bank's customers: the receiver sees it come in, at the same moment.
  if (intent.kind === 'transfer_out' && intent.receiver !== undefined) {
    emit(world, ledger, intent, intent.receiver, 'transfer_in', amountMinor, world.profiles[intent.customer]!.accountId, false);
  }
}

// ---------------------------------------------------------------------------------------------

function checkOptions(options: SimulationOptions): number {
  const fraudRate = options.fraudRate ?? defaultFraudRate;
  assert(Number.isInteger(options.customers) && options.customers >= 1 && options.customers <= simulationCustomersMax, `customers must be 1…${simulationCustomersMax}`);
  assert(Number.isInteger(options.days) && options.days >= 1 && options.days <= simulationDaysMax, `days must be 1…${simulationDaysMax}`);
  assert(Number.isSafeInteger(options.startMs) && options.startMs % dayMs === 0, 'startMs must be a UTC midnight');
  assert(fraudRate >= 0 && fraudRate <= fraudRateMax, `fraudRate must be 0…${fraudRateMax}`);
  return fraudRate;
}

export function simulate(options: SimulationOptions): Simulation {
  const fraudRate = checkOptions(options);
  const random = new SeededRandom(options.seed);
  const merchants = merchantCumulativeWeights();
  const profiles = Array.from({ length: options.customers }, (_unused, index) => makeProfile(random, index, options.customers, merchants));
  const muleTotal = Math.max(2, Math.round(options.customers * 0.008));
  for (const index of random.shuffle(profiles.map((_profile, item) => item)).slice(0, Math.min(muleTotal, Math.floor(options.customers / 4)))) {
    const profile = profiles[index]!;
    // Mules are often young and hold little.
    profiles[index] = { ...profile, mule: true, openingBalanceMinor: profile.openingBalanceMinor / 4n };
  }
  const world = new World(random, profiles, options.startMs, options.days, merchants);
  for (let day = 0; day < options.days; day += 1) planNormalDay(world, day);
  const normalIntents = world.intentsByDay.flat();
  const expectedNormalEvents = normalIntents.length + normalIntents.filter((intent) => intent.receiver !== undefined).length;
  const plans = planFraud(world, fraudRate, expectedNormalEvents);
  const ledger: Ledger = { balances: profiles.map((profile) => profile.openingBalanceMinor), out: [], episodeEvents: plans.map(() => 0), serial: 0 };
  for (let day = 0; day < options.days; day += 1) {
    const intents = world.intentsByDay[day]!;
    intents.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    for (const intent of intents) execute(world, ledger, intent);
    world.intentsByDay[day] = [];
    options.onProgress?.({ day: day + 1, days: options.days, events: ledger.out.length });
  }
  const episodes = plans.map((plan, index) => ({
    id: `episode-${index}`,
    typology: plan.typology,
    customerIds: plan.customers.map((customer) => profiles[customer]!.customerId),
    startMs: plan.startMs,
    eventCount: ledger.episodeEvents[index] ?? 0,
  }));
  assertChronological(ledger.out);
  return { events: ledger.out, customers: profiles, episodes };
}

function assertChronological(events: readonly LabelledEvent[]): void {
  for (let index = 1; index < events.length; index += 1) assert(compareEvents(events[index - 1]!.event, events[index]!.event) < 0, 'simulated events out of order');
}

// ---------------------------------------------------------------------------------------------
// Split by time

export interface TimeSplitOptions {
  readonly trainDays: number;
  /** Days between training and test, discarded: the labels of the last days before the test would not yet be known. */
  readonly delayDays: number;
  readonly testDays: number;
  /** First day of training; the UTC midnight of the first event by default. */
  readonly startMs?: number;
  /**
   * Leave out of the test the customers already known defrauded during training (as the Fraud
   * Detection Handbook does with compromised cards): their accounts would be blocked by then.
   */
  readonly dropKnownFraudCustomersFromTest?: boolean;
}

export interface TimeSplitPart {
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
  readonly events: readonly LabelledEvent[];
  /** Positions in the split's input of these events. */
  readonly indices: readonly number[];
}

export interface TimeSplit {
  readonly train: TimeSplitPart;
  readonly gap: TimeSplitPart;
  readonly test: TimeSplitPart;
}

export function splitByTime(labelled: readonly LabelledEvent[], options: TimeSplitOptions): TimeSplit {
  for (const days of [options.trainDays, options.delayDays, options.testDays]) assert(Number.isInteger(days) && days >= 0 && days <= simulationDaysMax, `split days must be whole, 0…${simulationDaysMax}`);
  const firstMs = labelled.reduce((earliest, item) => Math.min(earliest, item.event.atMs), Number.POSITIVE_INFINITY);
  const startMs = options.startMs ?? (Number.isFinite(firstMs) ? Math.floor(firstMs / dayMs) * dayMs : 0);
  const gapStartMs = startMs + options.trainDays * dayMs;
  const testStartMs = gapStartMs + options.delayDays * dayMs;
  const testEndMs = testStartMs + options.testDays * dayMs;
  const parts = { train: [] as number[], gap: [] as number[], test: [] as number[] };
  labelled.forEach((item, index) => {
    const atMs = item.event.atMs;
    if (atMs >= startMs && atMs < gapStartMs) parts.train.push(index);
    else if (atMs >= gapStartMs && atMs < testStartMs) parts.gap.push(index);
    else if (atMs >= testStartMs && atMs < testEndMs) parts.test.push(index);
  });
  let testIndices = parts.test;
  if (options.dropKnownFraudCustomersFromTest === true) {
    const known = new Set(parts.train.flatMap((index) => (labelled[index]!.fraud ? [labelled[index]!.event.customerId] : [])));
    testIndices = testIndices.filter((index) => !known.has(labelled[index]!.event.customerId));
  }
  const part = (indices: number[], fromMs: number, toMs: number): TimeSplitPart => ({ startMs: fromMs, endMs: toMs, events: indices.map((index) => labelled[index]!), indices });
  return { train: part(parts.train, startMs, gapStartMs), gap: part(parts.gap, gapStartMs, testStartMs), test: part(testIndices, testStartMs, testEndMs) };
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  accountPeersMax,
  compareEvents,
  emptyAccountGraphState,
  emptyFeatureState,
  featureNames,
  featureSchemaDigest,
  featuresOffline,
  featureVector,
  graphAccountIds,
  knownCountriesMax,
  knownDevicesMax,
  knownPayeesMax,
  paymentChannels,
  paymentKinds,
  updateGraph,
  updateState,
  type AccountGraphState,
  type FeatureName,
  type FeatureState,
  type PaymentEvent,
} from './features';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
const t0 = Date.UTC(2026, 2, 2, 10); // a Monday, 10:00 UTC

type EventFields = Partial<PaymentEvent> & Pick<PaymentEvent, 'atMs'>;
let serial = 0;
function payment(fields: EventFields): PaymentEvent {
  serial += 1;
  return {
    id: `e${String(serial).padStart(6, '0')}`,
    customerId: 'c1',
    accountId: 'a1',
    kind: 'transfer_out',
    amountMinor: 10_000n,
    currency: 'USD',
    channel: 'mobile',
    balanceBeforeMinor: 1_000_000n,
    ...fields,
  };
}

/** The vector of the last event after replaying all before it (offline, which the first test proves equal to online). */
function lastVector(events: PaymentEvent[]): Record<FeatureName, number> {
  const { rows } = featuresOffline(events);
  const row = rows[rows.length - 1]!;
  return Object.fromEntries(featureNames.map((name, index) => [name, row[index]!])) as Record<FeatureName, number>;
}

/** Freezes a state through and through (a Map's values too), so a write to it throws. */
function deepFreeze<T>(value: T): T {
  if (value instanceof Map) for (const item of value.values()) deepFreeze(item);
  else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

describe('the feature schema', () => {
  it('names 30–40 distinct features and digests them', () => {
    expect(featureNames.length).toBeGreaterThanOrEqual(30);
    expect(featureNames.length).toBeLessThanOrEqual(40);
    expect(new Set(featureNames).size).toBe(featureNames.length);
    expect(featureSchemaDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps its digest: a change of names, order, windows or caps must bump featureSchemaVersion and this line', () => {
    expect(featureSchemaDigest).toBe('2cba8b0b71b26cec0245299deb52d159853175291b3d781266899c8c88551c2b');
  });
});

// ---------------------------------------------------------------------------------------------

const customers = ['c0', 'c1', 'c2', 'c3'];
const accountOf = (customer: string): string => `a${customer.slice(1)}`;
const gapsMs = [0, 1, 1_000, hourMs - 1, hourMs, hourMs + 1, 5 * hourMs, dayMs - 1, dayMs, 3 * dayMs, 7 * dayMs - 1, 7 * dayMs, 8 * dayMs, 30 * dayMs, 31 * dayMs];

const eventArbitrary = fc.record({
  customer: fc.constantFrom(...customers),
  gapMs: fc.constantFrom(...gapsMs),
  kind: fc.constantFrom(...paymentKinds),
  amountMinor: fc.bigInt({ min: 1n, max: 50_000_000n }),
  currency: fc.constantFrom('USD', 'USD', 'EUR', 'JPY'),
  counterparty: fc.constantFrom(undefined, 'a0', 'a1', 'a2', 'a3', 'x0', 'x1', 'm0'),
  channel: fc.constantFrom(...paymentChannels),
  deviceId: fc.constantFrom(undefined, 'd0', 'd1', 'd2'),
  country: fc.constantFrom(undefined, 'US', 'GB', 'NG'),
  balanceBeforeMinor: fc.bigInt({ min: 0n, max: 100_000_000n }),
});

type Draft = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

function history(drafts: readonly Draft[]): PaymentEvent[] {
  let atMs = t0;
  return drafts.map((draft, index) => {
    atMs += draft.gapMs;
    const event: PaymentEvent = {
      id: `h${String(index).padStart(4, '0')}`,
      atMs,
      customerId: draft.customer,
      accountId: accountOf(draft.customer),
      kind: draft.kind,
      amountMinor: draft.amountMinor,
      currency: draft.currency,
      channel: draft.channel,
      balanceBeforeMinor: draft.balanceBeforeMinor,
      ...(draft.counterparty === undefined ? {} : { counterpartyAccountId: draft.counterparty }),
      ...(draft.deviceId === undefined ? {} : { deviceId: draft.deviceId }),
      ...(draft.country === undefined ? {} : { country: draft.country }),
    };
    return event;
  });
}

/** The payment path: state read from a store as text, used, updated and written back as text. */
function online(events: readonly PaymentEvent[]): Float64Array[] {
  const customerStore = new Map<string, string>();
  const accountStore = new Map<string, string>();
  return [...events].sort(compareEvents).map((event) => {
    const stored = customerStore.get(event.customerId);
    const state = deepFreeze(stored === undefined ? emptyFeatureState(event.customerId) : (JSON.parse(stored) as FeatureState));
    const graph = new Map<string, AccountGraphState>();
    for (const accountId of graphAccountIds(event)) {
      const text = accountStore.get(accountId);
      graph.set(accountId, deepFreeze(text === undefined ? emptyAccountGraphState(accountId) : (JSON.parse(text) as AccountGraphState)));
    }
    const vector = featureVector(state, graph, event);
    customerStore.set(event.customerId, JSON.stringify(updateState(state, event)));
    for (const [accountId, next] of updateGraph(graph, event)) accountStore.set(accountId, JSON.stringify(next));
    return vector;
  });
}

function bits(vector: Float64Array): number[] {
  return Array.from(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
}

describe('online and offline agree', () => {
  it('gives bit-identical vectors from state stored as JSON text as from the offline replay', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 60 }), (drafts) => {
        const events = history(drafts);
        const offline = featuresOffline(events).rows;
        const onlineRows = online(events);
        expect(onlineRows.map(bits)).toEqual(offline.map(bits));
      }),
      { numRuns: 150 },
    );
  });

  it('returns each row beside its event in the input order, whatever that order', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 2, maxLength: 30 }), fc.infiniteStream(fc.nat()), (drafts, stream) => {
        const events = history(drafts);
        const shuffled = [...events];
        const it = stream[Symbol.iterator]();
        for (let index = shuffled.length - 1; index > 0; index -= 1) {
          const other = it.next().value! % (index + 1);
          [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
        }
        const inOrder = featuresOffline(events).rows;
        const fromShuffled = featuresOffline(shuffled).rows;
        shuffled.forEach((event, index) => {
          expect(bits(fromShuffled[index]!)).toEqual(bits(inOrder[events.indexOf(event)]!));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('changes neither the state nor the graph it is given', () => {
    const state = deepFreeze(emptyFeatureState('c1'));
    const event = payment({ atMs: t0, counterpartyAccountId: 'b1' });
    const graph = deepFreeze(new Map([['a1', emptyAccountGraphState('a1')]]));
    expect(() => updateState(state, event)).not.toThrow();
    expect(() => updateGraph(graph, event)).not.toThrow();
    expect(state.recent).toHaveLength(0);
  });

  it('refuses an event out of time order or of another customer', () => {
    const state = updateState(emptyFeatureState('c1'), payment({ atMs: t0 }));
    expect(() => updateState(state, payment({ atMs: t0 - 1 }))).toThrow(/time order/);
    expect(() => featureVector(state, new Map(), payment({ atMs: t0, customerId: 'c2' }))).toThrow(/state of c1/);
  });
});

describe('windows', () => {
  const windows: [FeatureName, number][] = [
    ['count_1h', hourMs],
    ['count_24h', dayMs],
    ['count_7d', 7 * dayMs],
    ['fan_out_24h', dayMs],
    ['fan_out_7d', 7 * dayMs],
  ];
  it.each(windows)('%s holds an event one millisecond inside its window and not one at its start', (name, windowMs) => {
    const first = payment({ atMs: t0, counterpartyAccountId: 'b1' });
    expect(lastVector([first, payment({ atMs: t0 + windowMs - 1, counterpartyAccountId: 'b2' })])[name]).toBe(1);
    expect(lastVector([first, payment({ atMs: t0 + windowMs, counterpartyAccountId: 'b2' })])[name]).toBe(0);
  });

  it('counts an earlier event of the same moment', () => {
    expect(lastVector([payment({ atMs: t0 }), payment({ atMs: t0 })]).count_1h).toBe(1);
  });

  it('compares amounts with the last 30 days only', () => {
    const first = payment({ atMs: t0, amountMinor: 1_000n });
    expect(lastVector([first, payment({ atMs: t0 + 30 * dayMs - 1, amountMinor: 10_000n })]).amount_log_ratio_median_30d).toBeCloseTo(Math.log(10), 12);
    expect(lastVector([first, payment({ atMs: t0 + 30 * dayMs, amountMinor: 10_000n })]).amount_log_ratio_median_30d).toBeNaN();
  });

  it('counts senders into an account over 24 h and 7 d to the millisecond', () => {
    const into = (customerId: string, atMs: number): PaymentEvent => payment({ atMs, customerId, accountId: `a-${customerId}`, counterpartyAccountId: 'mule' });
    const probe = (atMs: number): Record<FeatureName, number> => lastVector([into('s1', t0), into('s9', atMs)]);
    expect(probe(t0 + dayMs - 1).receiver_fan_in_24h).toBe(1);
    expect(probe(t0 + dayMs).receiver_fan_in_24h).toBe(0);
    expect(probe(t0 + dayMs).receiver_fan_in_7d).toBe(1);
    expect(probe(t0 + 7 * dayMs).receiver_fan_in_7d).toBe(0);
  });

  it('closes a cycle only within 7 days', () => {
    const there = payment({ atMs: t0, customerId: 'c1', accountId: 'a1', counterpartyAccountId: 'a2' });
    const back = (atMs: number): PaymentEvent => payment({ atMs, customerId: 'c2', accountId: 'a2', counterpartyAccountId: 'a1' });
    expect(lastVector([there, back(t0 + 7 * dayMs - 1)]).cycle_2_7d).toBe(1);
    expect(lastVector([there, back(t0 + 7 * dayMs)]).cycle_2_7d).toBe(0);
  });
});

describe('pruning', () => {
  it('keeps a customer and an account bounded over two years of ever-new payees, devices and countries', () => {
    const events: PaymentEvent[] = [];
    const stepMs = 6 * hourMs;
    const total = (730 * dayMs) / stepMs;
    for (let index = 0; index < total; index += 1) {
      const atMs = t0 + index * stepMs;
      const country = String.fromCharCode(65 + (index % 26), 65 + (Math.floor(index / 26) % 26));
      events.push(payment({ atMs, counterpartyAccountId: `p${index}`, deviceId: `d${index}`, country }));
      // Each new sender pays one account: its inbound peers must stay capped.
      events.push(payment({ atMs, customerId: `s${index}`, accountId: `as${index}`, counterpartyAccountId: 'hub' }));
    }
    const { customerStates, accountGraph } = featuresOffline(events);
    const state = customerStates.get('c1')!;
    expect(state.eventCount).toBe(total);
    expect(state.recent.length).toBeLessThanOrEqual((30 * dayMs) / stepMs);
    expect(state.payees).toHaveLength(knownPayeesMax);
    expect(state.devices).toHaveLength(knownDevicesMax);
    expect(state.countries).toHaveLength(knownCountriesMax);
    expect(JSON.stringify(state).length).toBeLessThan(60_000);
    const hub = accountGraph.get('hub')!;
    expect(hub.inbound.length).toBeLessThanOrEqual(Math.min(accountPeersMax, (7 * dayMs) / stepMs));
    expect(JSON.stringify(hub).length).toBeLessThan(60_000);
  });

  it('caps the senders an account remembers, dropping the least recent', () => {
    const events = Array.from({ length: accountPeersMax + 50 }, (_unused, index) =>
      payment({ atMs: t0 + index * 60_000, customerId: `s${index}`, accountId: `as${index}`, counterpartyAccountId: 'hub' }),
    );
    const hub = featuresOffline(events).accountGraph.get('hub')!;
    expect(hub.inbound).toHaveLength(accountPeersMax);
    expect(hub.inbound[0]!.accountId).toBe('as50');
  });

  it('forgets the least recently seen payee first', () => {
    const events = Array.from({ length: knownPayeesMax + 1 }, (_unused, index) => payment({ atMs: t0 + index * 40 * dayMs, counterpartyAccountId: `p${index}` }));
    const state = featuresOffline(events).customerStates.get('c1')!;
    expect(state.payees.map((payee) => payee.value)).not.toContain('p0');
    expect(state.payees.map((payee) => payee.value)).toContain('p1');
  });
});

describe('each feature fires on its pattern', () => {
  it('device_new: a device never seen, not one seen; NaN without a device', () => {
    const known = payment({ atMs: t0, deviceId: 'phone' });
    expect(lastVector([known, payment({ atMs: t0 + hourMs, deviceId: 'phone' })]).device_new).toBe(0);
    expect(lastVector([known, payment({ atMs: t0 + hourMs, deviceId: 'other' })]).device_new).toBe(1);
    expect(lastVector([known, payment({ atMs: t0 + hourMs })]).device_new).toBeNaN();
    expect(lastVector([known, payment({ atMs: t0 + hourMs })]).device_known_count).toBe(1);
  });

  it('country_new and country_not_usual: a trip abroad after a life at home', () => {
    const home = [0, 1, 2].map((day) => payment({ atMs: t0 + day * dayMs, country: 'US' }));
    const abroad = lastVector([...home, payment({ atMs: t0 + 3 * dayMs, country: 'NG' })]);
    expect(abroad.country_new).toBe(1);
    expect(abroad.country_not_usual).toBe(1);
    const back = lastVector([...home, payment({ atMs: t0 + 3 * dayMs, country: 'NG' }), payment({ atMs: t0 + 4 * dayMs, country: 'NG' })]);
    expect(back.country_new).toBe(0);
    expect(back.country_not_usual).toBe(1);
    expect(lastVector([...home, payment({ atMs: t0 + 3 * dayMs, country: 'US' })]).country_not_usual).toBe(0);
  });

  it('payee_new: a payee never paid, for transfers and card merchants; NaN for cash', () => {
    const paid = payment({ atMs: t0, counterpartyAccountId: 'landlord' });
    expect(lastVector([paid, payment({ atMs: t0 + dayMs, counterpartyAccountId: 'landlord' })]).payee_new).toBe(0);
    expect(lastVector([paid, payment({ atMs: t0 + dayMs, counterpartyAccountId: 'stranger' })]).payee_new).toBe(1);
    expect(lastVector([paid, payment({ atMs: t0 + dayMs, kind: 'card_payment', counterpartyAccountId: 'shop' })]).payee_new).toBe(1);
    expect(lastVector([paid, payment({ atMs: t0 + dayMs, kind: 'cash_withdrawal' })]).payee_new).toBeNaN();
  });

  it('receiver_fan_in: several senders into one account, seen by the next sender and by the account itself', () => {
    const senders = ['s1', 's2', 's3'].map((customerId, index) => payment({ atMs: t0 + index * hourMs, customerId, accountId: `a-${customerId}`, counterpartyAccountId: 'mule' }));
    expect(lastVector([...senders, payment({ atMs: t0 + 4 * hourMs, customerId: 's4', accountId: 'a-s4', counterpartyAccountId: 'mule' })]).receiver_fan_in_24h).toBe(3);
    const muleSide = lastVector([...senders, payment({ atMs: t0 + 4 * hourMs, customerId: 'm', accountId: 'mule', kind: 'transfer_in', counterpartyAccountId: 'a-s4' })]);
    expect(muleSide.receiver_fan_in_24h).toBe(3);
    expect(lastVector([payment({ atMs: t0, kind: 'cash_deposit' })]).receiver_fan_in_24h).toBeNaN();
  });

  it('payee_other_customers_7d: other customers who paid the same payee', () => {
    const others = ['s1', 's2'].map((customerId, index) => payment({ atMs: t0 + index * hourMs, customerId, accountId: `a-${customerId}`, counterpartyAccountId: 'shared' }));
    const mine = payment({ atMs: t0 + 2 * hourMs, counterpartyAccountId: 'shared' });
    expect(lastVector([...others, mine, payment({ atMs: t0 + 3 * hourMs, counterpartyAccountId: 'shared' })]).payee_other_customers_7d).toBe(2);
    expect(lastVector([...others, payment({ atMs: t0 + 3 * hourMs, kind: 'transfer_in', counterpartyAccountId: 'shared' })]).payee_other_customers_7d).toBeNaN();
  });

  it('fan_out: distinct payees of the customer', () => {
    const paid = ['p1', 'p2', 'p2', 'p3'].map((counterpartyAccountId, index) => payment({ atMs: t0 + index * hourMs, counterpartyAccountId }));
    expect(lastVector([...paid, payment({ atMs: t0 + 5 * hourMs, counterpartyAccountId: 'p4' })]).fan_out_24h).toBe(3);
  });

  it('cycle_2_7d: money back to where it came from', () => {
    const there = payment({ atMs: t0, customerId: 'c1', accountId: 'a1', counterpartyAccountId: 'a2' });
    expect(lastVector([there, payment({ atMs: t0 + hourMs, customerId: 'c2', accountId: 'a2', counterpartyAccountId: 'a1' })]).cycle_2_7d).toBe(1);
    expect(lastVector([there, payment({ atMs: t0 + hourMs, customerId: 'c2', accountId: 'a2', counterpartyAccountId: 'a3' })]).cycle_2_7d).toBe(0);
  });

  it('cycle_3_7d: A→B, B→C, then C→A', () => {
    const ab = payment({ atMs: t0, customerId: 'cA', accountId: 'A', counterpartyAccountId: 'B' });
    const bc = payment({ atMs: t0 + hourMs, customerId: 'cB', accountId: 'B', counterpartyAccountId: 'C' });
    const ca = payment({ atMs: t0 + 2 * hourMs, customerId: 'cC', accountId: 'C', counterpartyAccountId: 'A' });
    expect(lastVector([ab, bc, ca]).cycle_3_7d).toBe(1);
    expect(lastVector([ab, bc, ca]).cycle_2_7d).toBe(0);
    const cd = payment({ atMs: t0 + 2 * hourMs, customerId: 'cC', accountId: 'C', counterpartyAccountId: 'D' });
    expect(lastVector([ab, bc, cd]).cycle_3_7d).toBe(0);
    // Seen from A, receiving from C: the same triangle closes.
    const aSide = payment({ atMs: t0 + 2 * hourMs, customerId: 'cA', accountId: 'A', kind: 'transfer_in', counterpartyAccountId: 'C' });
    expect(lastVector([ab, bc, aSide]).cycle_3_7d).toBe(1);
  });

  it('out_in_share_24h and balance_drain_share: money in, then most of it out', () => {
    const salary = payment({ atMs: t0, kind: 'transfer_in', amountMinor: 100_000n, counterpartyAccountId: 'employer' });
    const out = lastVector([salary, payment({ atMs: t0 + hourMs, amountMinor: 90_000n, balanceBeforeMinor: 100_000n })]);
    expect(out.out_in_share_24h).toBeCloseTo(0.9, 12);
    expect(out.balance_drain_share).toBeCloseTo(0.9, 12);
    expect(lastVector([payment({ atMs: t0 })]).out_in_share_24h).toBeNaN();
    expect(lastVector([payment({ atMs: t0, kind: 'cash_deposit' })]).balance_drain_share).toBeNaN();
    expect(lastVector([payment({ atMs: t0, balanceBeforeMinor: 0n })]).balance_drain_share).toBeNaN();
  });

  it('amount features: far above the usual amount, in the same direction and currency', () => {
    const usual = [0, 1, 2, 3].map((day) => payment({ atMs: t0 + day * dayMs, amountMinor: BigInt(1_000 + day) }));
    const big = lastVector([...usual, payment({ atMs: t0 + 4 * dayMs, amountMinor: 100_000n })]);
    expect(big.amount_log_ratio_median_30d).toBeCloseTo(Math.log(100_000 / 1_001.5), 12);
    expect(big.amount_zscore_30d).toBeGreaterThan(30);
    expect(big.amount_major_log1p).toBeCloseTo(Math.log1p(1_000), 12);
    // Money coming in is compared with money that came in: none yet.
    expect(lastVector([...usual, payment({ atMs: t0 + 4 * dayMs, kind: 'transfer_in', amountMinor: 100_000n })]).amount_log_ratio_median_30d).toBeNaN();
    // JPY has no minor unit: 1,000 yen is 1,000 major units.
    expect(lastVector([payment({ atMs: t0, currency: 'JPY', amountMinor: 1_000n })]).amount_major_log1p).toBeCloseTo(Math.log1p(1_000), 12);
  });

  it('velocity: a burst of card payments', () => {
    const burst = Array.from({ length: 12 }, (_unused, index) => payment({ atMs: t0 + index * 60_000, kind: 'card_payment', amountMinor: 100n, counterpartyAccountId: 'shop' }));
    const next = lastVector([...burst, payment({ atMs: t0 + 13 * 60_000, kind: 'card_payment', amountMinor: 90_000n, counterpartyAccountId: 'shop' })]);
    expect(next.count_1h).toBe(12);
    expect(next.same_kind_count_7d).toBe(12);
    expect(next.sum_same_direction_24h_log1p).toBeCloseTo(Math.log1p(12), 12);
    expect(next.seconds_since_last_log1p).toBeCloseTo(Math.log1p(120), 12);
    expect(lastVector([payment({ atMs: t0 })]).seconds_since_last_log1p).toBeNaN();
  });

  it('hour_band_share: the hour is usual for this customer or not; the clock features are cyclic', () => {
    const mornings = [0, 1, 2].map((day) => payment({ atMs: t0 + day * dayMs }));
    expect(lastVector([...mornings, payment({ atMs: t0 + 3 * dayMs + 30 * 60_000 })]).hour_band_share).toBe(1);
    expect(lastVector([...mornings, payment({ atMs: t0 + 3 * dayMs - 7 * hourMs })]).hour_band_share).toBe(0);
    const six = lastVector([payment({ atMs: Date.UTC(2026, 2, 2, 6) })]);
    expect(six.hour_sin).toBeCloseTo(1, 12);
    expect(six.hour_cos).toBeCloseTo(0, 12);
    // 2026-03-01 is a Sunday: weekday 0.
    const sunday = lastVector([payment({ atMs: Date.UTC(2026, 2, 1, 12) })]);
    expect(sunday.weekday_sin).toBeCloseTo(0, 12);
    expect(sunday.weekday_cos).toBeCloseTo(1, 12);
  });

  it('channel and kind: the channel is rare for this customer, the kind one-hot', () => {
    const mobile = [0, 1, 2].map((day) => payment({ atMs: t0 + day * dayMs, channel: 'mobile' }));
    const atBranch = lastVector([...mobile, payment({ atMs: t0 + 3 * dayMs, channel: 'branch', kind: 'cash_deposit' })]);
    expect(atBranch.channel_share).toBe(0);
    expect(atBranch.channel_index).toBe(paymentChannels.indexOf('branch'));
    expect(atBranch.kind_cash_deposit).toBe(1);
    expect(atBranch.kind_transfer_out).toBe(0);
  });
});

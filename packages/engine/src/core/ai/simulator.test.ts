import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { featureNames, featuresOffline, type FeatureName } from './features';
import { fraudTypologies, simulate, splitByTime, type LabelledEvent, type Simulation } from './simulator';

const dayMs = 86_400_000;
const startMs = Date.UTC(2026, 0, 5);

/** SHA-256 of the events and labels as JSON text (amounts as decimal text; the literal below fixes the key order). */
function digest(events: readonly LabelledEvent[]): string {
  // Fields listed, not spread: V8 builds object spreads slowly, and there are thousands of events.
  const rows = events.map(({ event, fraud, typology }) => ({
    id: event.id,
    atMs: event.atMs,
    customerId: event.customerId,
    accountId: event.accountId,
    kind: event.kind,
    amountMinor: event.amountMinor.toString(),
    currency: event.currency,
    counterpartyAccountId: event.counterpartyAccountId,
    channel: event.channel,
    deviceId: event.deviceId,
    country: event.country,
    balanceBeforeMinor: event.balanceBeforeMinor.toString(),
    fraud,
    typology,
  }));
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(rows))));
}

// One small world shared by the checks that only read it.
const small: Simulation = simulate({ seed: 7, customers: 400, days: 30, startMs });

function fraudShare(events: readonly LabelledEvent[]): number {
  return events.filter((item) => item.fraud).length / events.length;
}

describe('simulate', () => {
  it('is deterministic: the same seed gives the same events, labels and profiles', () => {
    const again = simulate({ seed: 7, customers: 400, days: 30, startMs });
    expect(digest(again.events)).toBe(digest(small.events));
    expect(again.customers).toEqual(small.customers);
  });

  it('gives another world for another seed', () => {
    const other = simulate({ seed: 8, customers: 400, days: 30, startMs });
    expect(digest(other.events)).not.toBe(digest(small.events));
  });

  it('emits events in time order (then id), within the simulated days', () => {
    const ids = new Set(small.events.map((item) => item.event.id));
    expect(ids.size).toBe(small.events.length);
    const disordered = small.events.findIndex((item, index) => {
      const before = small.events[index - 1]?.event;
      return before !== undefined && !(before.atMs < item.event.atMs || (before.atMs === item.event.atMs && before.id < item.event.id));
    });
    expect(disordered).toBe(-1);
    expect(small.events[0]!.event.atMs).toBeGreaterThanOrEqual(startMs);
    expect(small.events[small.events.length - 1]!.event.atMs).toBeLessThan(startMs + 30 * dayMs);
  });

  it('keeps every balance at or above zero, each event starting from the balance the last one left', () => {
    const balances = new Map(small.customers.map((profile) => [profile.accountId, profile.openingBalanceMinor]));
    const wrong: string[] = [];
    for (const { event } of small.events) {
      const outgoing = event.kind === 'transfer_out' || event.kind === 'cash_withdrawal' || event.kind === 'card_payment';
      const after = event.balanceBeforeMinor + (outgoing ? -event.amountMinor : event.amountMinor);
      if (event.balanceBeforeMinor !== balances.get(event.accountId) || after < 0n || event.amountMinor <= 0n) wrong.push(event.id);
      balances.set(event.accountId, after);
    }
    expect(wrong).toEqual([]);
  });

  it('injects every typology and labels each of its events fraud (and only those)', () => {
    for (const typology of fraudTypologies) {
      expect(small.events.some((item) => item.typology === typology), typology).toBe(true);
      expect(small.episodes.some((episode) => episode.typology === typology && episode.eventCount > 0), typology).toBe(true);
    }
    expect(small.events.filter((item) => item.fraud !== (item.typology !== 'none'))).toEqual([]);
    const labelled = small.events.filter((item) => item.fraud).length;
    expect(small.episodes.reduce((total, episode) => total + episode.eventCount, 0)).toBe(labelled);
  });

  it('gives each typology its shape', () => {
    const of = (typology: string): LabelledEvent[] => small.events.filter((item) => item.typology === typology);
    expect(of('structuring').filter((item) => item.event.kind === 'cash_deposit').every((item) => item.event.amountMinor >= 700_000n && item.event.amountMinor < 1_000_000n)).toBe(true);
    expect(of('card_testing').every((item) => item.event.kind === 'card_payment')).toBe(true);
    expect(of('card_testing').some((item) => item.event.amountMinor <= 350n)).toBe(true);
    const mules = new Set(small.customers.filter((profile) => profile.mule).map((profile) => profile.accountId));
    expect(of('mule_fan_in').some((item) => item.event.kind === 'transfer_in' && mules.has(item.event.accountId))).toBe(true);
    expect(of('account_takeover').some((item) => item.event.kind === 'transfer_out')).toBe(true);
  });

  it('hits the fraud rate asked for, roughly', () => {
    expect(fraudShare(small.events)).toBeGreaterThan(0.003);
    expect(fraudShare(small.events)).toBeLessThan(0.015);
    const more = simulate({ seed: 7, customers: 400, days: 30, startMs, fraudRate: 0.03 });
    expect(fraudShare(more.events)).toBeGreaterThan(0.015);
    expect(fraudShare(more.events)).toBeLessThan(0.06);
    expect(simulate({ seed: 7, customers: 50, days: 5, startMs, fraudRate: 0 }).events.some((item) => item.fraud)).toBe(false);
  });

  it('reports progress once a day', () => {
    const days: number[] = [];
    simulate({ seed: 1, customers: 20, days: 4, startMs, onProgress: (progress) => days.push(progress.day) });
    expect(days).toEqual([1, 2, 3, 4]);
  });

  it('refuses a start that is not a UTC midnight and sizes past its limits', () => {
    expect(() => simulate({ seed: 1, customers: 10, days: 2, startMs: startMs + 1 })).toThrow(/midnight/);
    expect(() => simulate({ seed: 1, customers: 0, days: 2, startMs })).toThrow(/customers/);
    expect(() => simulate({ seed: 1, customers: 10, days: 2, startMs, fraudRate: 0.9 })).toThrow(/fraudRate/);
  });

  it('at the default scale, 2,000 customers over 60 days, yields 100k–200k events with 0.5–1% fraud', () => {
    const big = simulate({ seed: 1, customers: 2_000, days: 60, startMs });
    expect(big.events.length).toBeGreaterThan(100_000);
    expect(big.events.length).toBeLessThan(200_000);
    expect(fraudShare(big.events)).toBeGreaterThan(0.005);
    expect(fraudShare(big.events)).toBeLessThan(0.01);
  });
});

/** Average precision of a score for the labels (ties broken pessimistically). */
function averagePrecision(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((_score, index) => index).sort((a, b) => scores[b]! - scores[a]! || Number(labels[a]) - Number(labels[b]));
  const positives = labels.filter(Boolean).length;
  let found = 0;
  let total = 0;
  order.forEach((index, rank) => {
    if (!labels[index]) return;
    found += 1;
    total += found / (rank + 1);
  });
  return total / positives;
}

describe('fraud is not given away by one feature', () => {
  const { rows } = featuresOffline(small.events.map((item) => item.event));
  const labels = small.events.map((item) => item.fraud);
  const column = (name: FeatureName): number[] => rows.map((row) => row[featureNames.indexOf(name)]!);
  const normal = (name: FeatureName, test: (value: number) => boolean): number => column(name).filter((value, index) => !labels[index] && test(value)).length;

  it('shows every fraud signal in normal customers too', () => {
    expect(normal('device_new', (value) => value === 1)).toBeGreaterThan(20);
    expect(normal('country_not_usual', (value) => value === 1)).toBeGreaterThan(100);
    expect(normal('payee_new', (value) => value === 1)).toBeGreaterThan(100);
    expect(normal('hour_band_share', (value) => value < 0.05)).toBeGreaterThan(100);
    expect(normal('balance_drain_share', (value) => value > 0.8)).toBeGreaterThan(10);
    expect(normal('receiver_fan_in_24h', (value) => value >= 3)).toBeGreaterThan(10);
    expect(normal('count_1h', (value) => value >= 3)).toBeGreaterThan(100);
    const nightCash = small.events.filter(({ event, fraud }) => !fraud && event.kind === 'cash_withdrawal' && new Date(event.atMs).getUTCHours() + (small.customers.find((profile) => profile.customerId === event.customerId)?.utcOffsetHours ?? 0) < 5);
    expect(nightCash.length).toBeGreaterThan(10);
    const bandDeposits = small.events.filter(({ event, fraud }) => !fraud && event.kind === 'cash_deposit' && event.amountMinor >= 700_000n && event.amountMinor < 1_000_000n);
    expect(bandDeposits.length).toBeGreaterThan(0);
  });

  it('ranks fraud poorly by any single feature (average precision under 0.5 either way round)', () => {
    for (const name of featureNames) {
      const values = column(name).map((value) => (Number.isNaN(value) ? 0 : value));
      const best = Math.max(averagePrecision(values, labels), averagePrecision(values.map((value) => -value), labels));
      expect(best, name).toBeLessThan(0.5);
    }
  });
});

describe('splitByTime', () => {
  const split = splitByTime(small.events, { trainDays: 15, delayDays: 5, testDays: 10 });

  it('puts each event in one part by its time, the delay between training and test', () => {
    expect(split.train.startMs).toBe(startMs);
    expect(split.gap.startMs).toBe(startMs + 15 * dayMs);
    expect(split.test.startMs).toBe(startMs + 20 * dayMs);
    expect(split.train.events.every((item) => item.event.atMs < split.gap.startMs)).toBe(true);
    expect(split.gap.events.every((item) => item.event.atMs >= split.gap.startMs && item.event.atMs < split.test.startMs)).toBe(true);
    expect(split.test.events.every((item) => item.event.atMs >= split.test.startMs && item.event.atMs < split.test.endMs)).toBe(true);
    const all = [...split.train.indices, ...split.gap.indices, ...split.test.indices];
    expect(new Set(all).size).toBe(small.events.length);
    expect(split.test.indices.every((index, position) => small.events[index] === split.test.events[position])).toBe(true);
  });

  it('leaves out events past the test period and, when asked, customers known defrauded in training', () => {
    const short = splitByTime(small.events, { trainDays: 10, delayDays: 2, testDays: 3 });
    expect(short.train.events.length + short.gap.events.length + short.test.events.length).toBeLessThan(small.events.length);
    const dropped = splitByTime(small.events, { trainDays: 15, delayDays: 5, testDays: 10, dropKnownFraudCustomersFromTest: true });
    const known = new Set(split.train.events.filter((item) => item.fraud).map((item) => item.event.customerId));
    expect(known.size).toBeGreaterThan(0);
    expect(dropped.test.events.some((item) => known.has(item.event.customerId))).toBe(false);
    expect(dropped.test.events.length).toBeLessThan(split.test.events.length);
    expect(dropped.train.events).toEqual(split.train.events);
  });
});

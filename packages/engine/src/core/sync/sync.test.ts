import { describe, expect, it } from 'vitest';
import { decideBatch } from './batches';
import { businessDay, checkStandIn, type StandInPolicy } from './stand-in';
import type { PushBatch } from './types';

const day = Date.UTC(2026, 10, 24, 12);
const policy: StandInPolicy = {
  branchId: 'b',
  currency: 'USD',
  perTransactionMinor: 50_000n,
  perCustomerPerDayMinor: 80_000n,
  perTellerPerDayMinor: 150_000n,
  issuedAtMs: day - 1000,
  expiresAtMs: day + 3_600_000,
  version: 1,
};
const none = { tellerMinor: 0n, customerMinor: 0n };
const payout = (amountMinor: bigint, atMs = day) => ({ amountMinor, atMs });

describe('stand-in limits', () => {
  it('allows a payout within every limit', () => {
    expect(checkStandIn(policy, none, payout(50_000n), 'USD')).toEqual({ ok: true });
  });

  it("names the limit a payout breaks: per transaction, per customer per day, per teller per day (today's offline payouts so far)", () => {
    expect(checkStandIn(policy, none, payout(50_001n), 'USD')).toMatchObject({ ok: false, code: 'exceeds_stand_in_limit', limit: 'per_transaction' });
    const customerPaid = { tellerMinor: 0n, customerMinor: 70_000n };
    expect(checkStandIn(policy, customerPaid, payout(10_001n), 'USD')).toMatchObject({ limit: 'per_customer_per_day' });
    expect(checkStandIn(policy, customerPaid, payout(10_000n), 'USD')).toEqual({ ok: true });
    const tellerBusy = { tellerMinor: 140_000n, customerMinor: 0n };
    expect(checkStandIn(policy, tellerBusy, payout(10_001n), 'USD')).toMatchObject({ limit: 'per_teller_per_day' });
    expect(checkStandIn(policy, tellerBusy, payout(10_000n), 'USD')).toEqual({ ok: true });
  });

  it('refuses without a policy for the currency, before the policy was issued, and after it expires', () => {
    expect(checkStandIn(undefined, none, payout(1n), 'USD')).toMatchObject({ code: 'policy_missing' });
    expect(checkStandIn(policy, none, payout(1n), 'EUR')).toMatchObject({ code: 'policy_missing' });
    expect(checkStandIn(policy, none, payout(1n, policy.issuedAtMs - 1), 'USD')).toMatchObject({ code: 'policy_missing' });
    expect(checkStandIn(policy, none, payout(1n, policy.expiresAtMs), 'USD')).toMatchObject({ code: 'policy_expired' });
  });

  it('counts days in UTC', () => {
    expect(businessDay(Date.UTC(2026, 10, 24, 23, 59, 59, 999))).toBe('2026-11-24');
    expect(businessDay(Date.UTC(2026, 10, 25))).toBe('2026-11-25');
  });
});

describe('batch decisions', () => {
  const batch = (batchSeq: number, prevDigest: string, seqs: number[]): PushBatch => ({
    deviceId: 'd',
    batchSeq,
    prevDigest,
    commands: seqs.map((seq) => ({ seq, name: 'cash.deposit', input: {}, actor: 'a', roles: [], atMs: 0 })),
  });
  const standing = { status: 'active' as const, lastBatchSeq: 2, lastBatchDigest: 'abc' };

  it('applies the next batch in the chain', () => {
    expect(decideBatch(standing, batch(3, 'abc', [11, 12]), 'x', 10)).toEqual({ kind: 'apply' });
  });

  it('treats a batch already applied as a duplicate, never as new', () => {
    expect(decideBatch(standing, batch(2, 'zzz', [9, 10]), 'abc', 10)).toEqual({ kind: 'duplicate' });
    expect(decideBatch(standing, batch(1, '', [1]), 'old', 10)).toEqual({ kind: 'duplicate' });
  });

  it('refuses a gap, a broken chain, commands out of sequence, empty and oversized batches', () => {
    expect(decideBatch(standing, batch(4, 'abc', [11]), 'x', 10)).toMatchObject({ kind: 'refuse', code: 'sequence_gap' });
    expect(decideBatch(standing, batch(3, 'abd', [11]), 'x', 10)).toMatchObject({ code: 'chain_broken' });
    expect(decideBatch(standing, batch(3, 'abc', [12]), 'x', 10)).toMatchObject({ code: 'commands_not_in_sequence' });
    expect(decideBatch(standing, batch(3, 'abc', [11, 13]), 'x', 10)).toMatchObject({ code: 'commands_not_in_sequence' });
    expect(decideBatch(standing, batch(3, 'abc', []), 'x', 10)).toMatchObject({ code: 'batch_empty' });
    expect(decideBatch(standing, batch(3, 'abc', Array.from({ length: 501 }, (_, i) => 11 + i)), 'x', 10)).toMatchObject({ code: 'batch_too_large' });
  });

  it('refuses a revoked device and one not yet approved, whatever the batch', () => {
    expect(decideBatch({ ...standing, status: 'revoked' }, batch(3, 'abc', [11]), 'x', 10)).toMatchObject({ code: 'device_revoked' });
    expect(decideBatch({ ...standing, status: 'pending' }, batch(3, 'abc', [11]), 'x', 10)).toMatchObject({ code: 'device_not_active' });
  });
});

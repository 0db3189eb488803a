import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cbdcLedgerOf, fundingRoom, holdingLimitOf, policyProblem, splitIncoming, splitPayment, tierOf } from './wallet';

const sheet = { standardLimitMinor: 300_000n, reducedLimitMinor: 50_000n };
const amount = fc.bigInt({ min: 0n, max: 10n ** 12n });

describe('CBDC wallet rules', () => {
  it('derives the tier from KYC status and risk: verified low/medium standard, high reduced, anything unverified none', () => {
    expect(tierOf({ kycStatus: 'verified', riskRating: 'low' })).toBe('standard');
    expect(tierOf({ kycStatus: 'verified', riskRating: 'medium' })).toBe('standard');
    expect(tierOf({ kycStatus: 'verified', riskRating: 'high' })).toBe('reduced');
    expect(tierOf({ kycStatus: 'pending', riskRating: 'low' })).toBe('none');
    expect(tierOf({ kycStatus: 'rejected', riskRating: 'low' })).toBe('none');
  });

  it("takes each tier's limit from the sheet, and none holds nothing", () => {
    expect(holdingLimitOf(sheet, 'standard')).toBe(300_000n);
    expect(holdingLimitOf(sheet, 'reduced')).toBe(50_000n);
    expect(holdingLimitOf(sheet, 'none')).toBe(0n);
    expect(policyProblem({ standardLimitMinor: 1n, reducedLimitMinor: 2n })).toBe('reduced_limit_above_standard');
    expect(policyProblem(sheet)).toBeNull();
  });

  it('keeps the CBDC ledger apart from the fiat one', () => {
    expect(cbdcLedgerOf('EUR')).toBe(1_000_978);
    expect(cbdcLedgerOf('USD')).toBe(1_000_840);
  });

  it('waterfall: fills the wallet to its limit, the rest to the deposit; a wallet above a lowered limit takes nothing', () => {
    expect(splitIncoming(250_000n, 300_000n, 80_000n)).toEqual({ toWallet: 50_000n, toLinked: 30_000n });
    expect(splitIncoming(0n, 300_000n, 1_000n)).toEqual({ toWallet: 1_000n, toLinked: 0n });
    expect(splitIncoming(400_000n, 300_000n, 1_000n)).toEqual({ toWallet: 0n, toLinked: 1_000n });
    fc.assert(
      fc.property(amount, amount, amount, (balance, limit, incoming) => {
        const split = splitIncoming(balance, limit, incoming);
        expect(split.toWallet + split.toLinked).toBe(incoming);
        expect(split.toWallet >= 0n && split.toLinked >= 0n).toBe(true);
        // Never above the limit, and a wallet already above it never grows.
        expect(balance + split.toWallet <= (balance > limit ? balance : limit)).toBe(true);
        // The wallet takes all it may: the deposit gets something only when the wallet is full.
        if (split.toLinked > 0n) expect(balance + split.toWallet >= limit).toBe(true);
      }),
    );
  });

  it('reverse waterfall: the wallet first, then the linked account; beyond both, insufficient', () => {
    expect(splitPayment(10_000n, 50_000n, 25_000n)).toEqual({ ok: true, fromWallet: 10_000n, fromLinked: 15_000n });
    expect(splitPayment(10_000n, 5_000n, 25_000n)).toEqual({ ok: false, code: 'insufficient_funds', shortMinor: 10_000n });
    expect(splitPayment(10_000n, -7n, 10_000n)).toEqual({ ok: true, fromWallet: 10_000n, fromLinked: 0n });
    fc.assert(
      fc.property(amount, fc.bigInt({ min: -(10n ** 6n), max: 10n ** 12n }), amount, (balance, linked, paid) => {
        const split = splitPayment(balance, linked, paid);
        if (!split.ok) {
          expect(paid > balance + (linked > 0n ? linked : 0n)).toBe(true);
          return;
        }
        expect(split.fromWallet + split.fromLinked).toBe(paid);
        expect(split.fromWallet <= balance && split.fromLinked <= (linked > 0n ? linked : 0n)).toBe(true);
        if (split.fromLinked > 0n) expect(split.fromWallet).toBe(balance);
      }),
    );
  });

  it('funding room is what fits below the limit, never negative', () => {
    expect(fundingRoom(100n, 300n)).toBe(200n);
    expect(fundingRoom(400n, 300n)).toBe(0n);
  });
});

import { demoUsers, mustWithApproval, type Context } from '@qenex/engine';
import { beforeEach, describe, expect, it } from 'vitest';
import { balances, bankBooks, cbdcBooks, eur, ledgersBalanced, must, openingDeposit, openingReserves, otherTeller, reducedLimit, settlementCtx, snapshot, standardLimit, type CbdcBooksUnderTest } from './support';

const { alice, bob, tess, trent } = demoUsers;

describe('retail CBDC wallets through the engine on SQLite', () => {
  let books: CbdcBooksUnderTest;
  beforeEach(async () => {
    books = await cbdcBooks();
  });

  const first = () => books.customers[0]!;
  const second = () => books.customers[1]!;
  const run = (name: string, input: unknown, ctx: Context = alice) => books.engine.executeAny(name, input, ctx);

  it('opens one wallet per customer and currency, showing its tier and the limit from the published sheet', async () => {
    const view = await must(books.engine, 'cbdc.wallet', { walletId: first().walletId }, alice);
    expect(view).toMatchObject({ tier: 'standard', balance: '0', limit: standardLimit.toString(), policyVersion: 1 });
    const again = await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: first().customerId, currency: 'EUR', linkedAccountId: first().accountId });
    expect(again).toMatchObject({ ok: false, code: 'wallet_exists' });
    const usdAccount = books.bank.customers[0]!.accountIds[0]!;
    expect(await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: first().customerId, currency: 'EUR', linkedAccountId: usdAccount })).toMatchObject({ ok: false, code: 'currency_mismatch' });
    expect(await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: first().customerId, currency: 'EUR', linkedAccountId: second().accountId })).toMatchObject({ ok: false, code: 'no_linked_account' });
    expect(await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: first().customerId, currency: 'USD', linkedAccountId: usdAccount })).toMatchObject({ ok: false, code: 'cbdc_not_offered' });
  });

  it('derives the tier from KYC: high risk holds the reduced amount; a customer no longer verified gets no wallet', async () => {
    const customerId = books.ids.next();
    await must(books.engine, 'customer.create', { customerId, branchId: books.bank.branchId, fullName: 'Una Verified', dateOfBirth: '1990-02-02', nationalId: 'U-1000-2000', address: '5 Quay', phone: '+1 415 555 0101' }, alice);
    await must(books.engine, 'customer.review_kyc', { customerId, kycStatus: 'verified', riskRating: 'high' }, bob);
    const accountId = books.ids.next();
    await must(books.engine, 'account.open', { accountId, customerId, productId: 'CURRENT-EUR' }, alice);
    const walletId = books.ids.next();
    await must(books.engine, 'cbdc.open_wallet', { walletId, customerId, currency: 'EUR', linkedAccountId: accountId }, alice);
    expect(await must(books.engine, 'cbdc.wallet', { walletId }, alice)).toMatchObject({ tier: 'reduced', limit: reducedLimit.toString() });
    const other = books.bank.customers[2]!.id;
    await must(books.engine, 'customer.review_kyc', { customerId: other, kycStatus: 'rejected', riskRating: 'high' }, bob);
    const usd = books.bank.customers[2]!.accountIds[0]!;
    expect(await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: other, currency: 'USD', linkedAccountId: usd })).toMatchObject({ ok: false, code: 'cbdc_not_offered' });
    await mustWithApproval(books.engine, 'cbdc.set_policy', { currency: 'USD', standardLimit: '300000', reducedLimit: '50000' } as never, tess, trent);
    expect(await run('cbdc.open_wallet', { walletId: books.ids.next(), customerId: other, currency: 'USD', linkedAccountId: usd })).toMatchObject({ ok: false, code: 'kyc_tier_has_no_wallet' });
    // The EUR wallet it already holds now has a limit of nothing: incoming money all goes to the deposit.
    expect(await must(books.engine, 'cbdc.wallet', { walletId: books.customers[2]!.walletId }, alice)).toMatchObject({ tier: 'none', limit: '0' });
  });

  it('funds to the limit from the deposit; one unit over is refused and changes nothing', async () => {
    const funded = await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(standardLimit) }, bob);
    expect(funded).toMatchObject({ kind: 'fund', amountMinor: standardLimit.toString(), fresh: true });
    expect(await balances(books, first())).toEqual({ wallet: standardLimit, deposit: openingDeposit - standardLimit });
    const before = await snapshot(books);
    const over = await run('cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(1n) });
    expect(over).toMatchObject({ ok: false, code: 'exceeds_holding_limit', details: { limitMinor: standardLimit.toString(), balanceMinor: standardLimit.toString() } });
    expect(await snapshot(books)).toBe(before);
    expect(await ledgersBalanced(books)).toMatchObject({ balanced: true });
  });

  it('issues on demand against reserves when the float is short, and funding more than the deposit holds is refused', async () => {
    const before = await bankBooks(books);
    expect(before).toEqual({ float: 0n, issuance: 0n, reserves: openingReserves, position: 0n });
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(100_000n) }, alice);
    expect(await bankBooks(books)).toEqual({ float: 0n, issuance: 100_000n, reserves: openingReserves - 100_000n, position: 0n });
    // Beyond what the deposit holds (within the limit): refused, nothing moved.
    const third = books.customers[2]!;
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: third.walletId, money: eur(standardLimit) }, bob);
    await must(books.engine, 'cbdc.pay', { operationId: books.ids.next(), walletId: third.walletId, money: eur(standardLimit), payee: { intermediaryBic: 'BNPAFRPPXXX', walletReference: 'FR-1', name: 'Claire Martin' } }, bob);
    const unchanged = await snapshot(books);
    const tooMuch = await run('cbdc.fund', { operationId: books.ids.next(), walletId: third.walletId, money: eur(openingDeposit - standardLimit + 1n) });
    expect(tooMuch).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await snapshot(books)).toBe(unchanged);
  });

  it('waterfall: a payment from another intermediary fills the wallet to its limit and the excess goes to the deposit', async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(250_000n) }, alice);
    const incoming = { operationId: books.ids.next(), walletId: first().walletId, money: eur(80_000n), payer: { name: 'Jan de Vries', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } };
    const received = await must(books.engine, 'cbdc.receive', incoming, settlementCtx);
    expect(received).toMatchObject({ toWalletMinor: '50000', toLinkedMinor: '30000' });
    expect(await balances(books, first())).toEqual({ wallet: standardLimit, deposit: openingDeposit - 250_000n + 30_000n });
    // The excess became the bank's CBDC (float), matched by its position on the fiat ledger.
    const own = await bankBooks(books);
    expect(own.float).toBe(30_000n);
    expect(own.position).toBe(own.float);
    // Replayed, the settlement report changes nothing.
    const before = await snapshot(books);
    expect(await must(books.engine, 'cbdc.receive', incoming, settlementCtx)).toMatchObject({ fresh: false, toLinkedMinor: '30000' });
    expect(await snapshot(books)).toBe(before);
  });

  it("reverse waterfall: a payment beyond the wallet pulls the rest from the deposit in one posting, and the payee's waterfall applies", async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(20_000n) }, alice);
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: second().walletId, money: eur(290_000n) }, bob);
    const payment = { operationId: books.ids.next(), walletId: first().walletId, money: eur(50_000n), payee: { walletId: second().walletId } };
    const paid = await must(books.engine, 'cbdc.pay', payment, alice);
    expect(paid).toMatchObject({ fromWalletMinor: '20000', fromLinkedMinor: '30000', toWalletMinor: '10000', toLinkedMinor: '40000' });
    expect(await balances(books, first())).toEqual({ wallet: 0n, deposit: openingDeposit - 20_000n - 30_000n });
    expect(await balances(books, second())).toEqual({ wallet: standardLimit, deposit: openingDeposit - 290_000n + 40_000n });
    // Replayed, the payment changes nothing (the split recorded, not re-decided on today's balances).
    const before = await snapshot(books);
    expect(await must(books.engine, 'cbdc.pay', payment, alice)).toMatchObject({ fresh: false, fromLinkedMinor: '30000' });
    expect(await snapshot(books)).toBe(before);
    expect(await run('cbdc.pay', { ...payment, money: eur(50_001n) })).toMatchObject({ ok: false, code: 'transaction_id_reused' });
    expect(await ledgersBalanced(books)).toMatchObject({ balanced: true });
  });

  it('a payment to another intermediary leaves the books; one beyond wallet and deposit together is refused and changes nothing', async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(100_000n) }, alice);
    const issuedBefore = (await bankBooks(books)).issuance;
    const payee = { intermediaryBic: 'BNPAFRPPXXX', walletReference: 'DEU-8812', name: 'Claire Martin' };
    await must(books.engine, 'cbdc.pay', { operationId: books.ids.next(), walletId: first().walletId, money: eur(120_000n), payee }, alice);
    expect(await balances(books, first())).toEqual({ wallet: 0n, deposit: openingDeposit - 100_000n - 20_000n });
    expect((await bankBooks(books)).issuance).toBe(issuedBefore - 100_000n);
    const before = await snapshot(books);
    const refused = await run('cbdc.pay', { operationId: books.ids.next(), walletId: first().walletId, money: eur(openingDeposit), payee });
    expect(refused).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await snapshot(books)).toBe(before);
  });

  it('defunds back to the deposit, never more than the wallet holds', async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(60_000n) }, alice);
    await must(books.engine, 'cbdc.defund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(25_000n) }, alice);
    expect(await balances(books, first())).toEqual({ wallet: 35_000n, deposit: openingDeposit - 35_000n });
    expect(await run('cbdc.defund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(35_001n) })).toMatchObject({ ok: false, code: 'insufficient_funds' });
  });

  it("issue and redeem move the bank's reserve account at the central bank, with two treasurers", async () => {
    const issue = { operationId: books.ids.next(), money: eur(500_000n) };
    expect(await books.engine.executeAny('cbdc.issue', issue, tess)).toMatchObject({ ok: false, code: 'approval_required' });
    await mustWithApproval(books.engine, 'cbdc.issue', issue as never, tess, trent);
    expect(await bankBooks(books)).toEqual({ float: 500_000n, issuance: 500_000n, reserves: openingReserves - 500_000n, position: 500_000n });
    await mustWithApproval(books.engine, 'cbdc.redeem', { operationId: books.ids.next(), money: eur(200_000n) } as never, tess, trent);
    expect(await bankBooks(books)).toEqual({ float: 300_000n, issuance: 300_000n, reserves: openingReserves - 300_000n, position: 300_000n });
    // Redeeming more than the bank's own float is refused before anyone is asked to agree.
    expect(await books.engine.executeAny('cbdc.redeem', { operationId: books.ids.next(), money: eur(300_001n) }, tess)).toMatchObject({ ok: false, code: 'insufficient_float' });
    expect(await books.engine.executeAny('cbdc.issue', { operationId: books.ids.next(), money: eur(openingReserves) }, tess)).toMatchObject({ ok: false, code: 'insufficient_reserves' });
    // A float is funded from first, before anything is issued on demand.
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(100_000n) }, alice);
    expect(await bankBooks(books)).toMatchObject({ float: 200_000n, issuance: 300_000n });
  });

  it('a teller of another branch is refused; the sheet is never set by one person alone', async () => {
    const outOfScope = await run('cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(1_000n) }, otherTeller);
    expect(outOfScope).toMatchObject({ ok: false, code: 'out_of_scope' });
    expect(await run('cbdc.wallet', { walletId: first().walletId }, otherTeller)).toMatchObject({ ok: false, code: 'out_of_scope' });
    expect(await run('cbdc.set_policy', { currency: 'EUR', standardLimit: '1', reducedLimit: '0' }, tess)).toMatchObject({ ok: false, code: 'approval_required' });
    expect(await run('cbdc.set_policy', { currency: 'EUR', standardLimit: '1', reducedLimit: '0' }, alice)).toMatchObject({ ok: false, code: 'permission_denied' });
    expect(await run('cbdc.receive', { operationId: books.ids.next(), walletId: first().walletId, money: eur(1n), payer: { name: 'X', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } }, alice)).toMatchObject({ ok: false, code: 'permission_denied' });
  });

  it('a lowered limit sweeps nothing already held, and blocks funding and incoming money above it', async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(200_000n) }, alice);
    await mustWithApproval(books.engine, 'cbdc.set_policy', { currency: 'EUR', standardLimit: '100000', reducedLimit: '10000' } as never, tess, trent);
    expect(await balances(books, first())).toMatchObject({ wallet: 200_000n });
    expect(await run('cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(1n) })).toMatchObject({ ok: false, code: 'exceeds_holding_limit' });
    const received = await must(books.engine, 'cbdc.receive', { operationId: books.ids.next(), walletId: first().walletId, money: eur(5_000n), payer: { name: 'Jan de Vries', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } }, settlementCtx);
    expect(received).toMatchObject({ toWalletMinor: '0', toLinkedMinor: '5000' });
    expect(await balances(books, first())).toMatchObject({ wallet: 200_000n });
  });

  it('keeps every ledger balanced, the CBDC ledger apart from the fiat one', async () => {
    await must(books.engine, 'cbdc.fund', { operationId: books.ids.next(), walletId: first().walletId, money: eur(10_000n) }, alice);
    const { ledgers, balanced } = await ledgersBalanced(books);
    expect(balanced).toBe(true);
    expect(ledgers).toEqual(expect.arrayContaining([978, 1_000_978]));
  });
});

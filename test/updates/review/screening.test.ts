/**
 * Review: sanctions screening with a list installed through the signed update path.
 *
 * - `fx.exchange` moves a customer's money (sells one currency, buys another) but declares no
 *   `parties`, so a listed customer's exchange is booked while their deposit is refused.
 * - The normaliser folds accents that Unicode decomposes (é, ü, ą) but not letters with a stroke
 *   or slash that it does not (ø, ł, đ, æ), so "Søren Dahl" passes a list entry "Soren Dahl"
 *   while "Sören Dahl" is caught. (Exact, not fuzzy: the same name in the usual ASCII spelling.)
 * - What holds: case, combining accents, punctuation, word order, NBSP, fullwidth letters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, encodeSanctionsList, sanctionsPath } from '@qenex/engine';
import { amaraDeposit, makeFixture, type Fixture } from './fixture';

let f: Fixture;
let amaraEur: string;

beforeAll(async () => {
  f = await makeFixture('screening');
  const amara = f.books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
  amaraEur = f.books.ids.next();
  const opened = await f.books.engine.execute('account.open', { accountId: amaraEur, customerId: amara.id, productId: 'CURRENT-EUR' }, demoUsers.alice);
  expect(opened.ok).toBe(true);
  const list = f.sanctions('review-list', '2026-11-30', ['Amara Okafor', 'Soren Dahl', 'Lukasz Nowak', 'Dorde Petrovic', 'Aeron Vale']);
  await f.repository.addTarget('compliance', sanctionsPath('review-list'), new TextEncoder().encode(encodeSanctionsList(list)), f.books.clock.nowMs());
  await f.sign('compliance', 'dee');
  await f.repository.publish(f.books.clock.nowMs());
  expect(await f.client().check()).toMatchObject({ kind: 'up_to_date' });
}, 120_000);

afterAll(async () => f?.close());

function register(fullName: string) {
  return f.books.engine.execute(
    'customer.create',
    { customerId: f.books.ids.next(), branchId: f.books.bank.branchId, fullName, dateOfBirth: '1980-01-01', nationalId: `N-${f.books.ids.next().slice(-10)}`, phone: '+1 415 555 0100', email: '', address: '1 Market Street' },
    demoUsers.alice,
  );
}

describe('money commands are screened', () => {
  it('(holds) a listed customer cannot deposit', async () => {
    expect(await amaraDeposit(f)).toMatchObject({ ok: false, code: 'sanctions_match' });
  });

  it('a listed customer cannot exchange currency either (fx.exchange has no parties)', async () => {
    const amara = f.books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
    const exchanged = await f.books.engine.execute(
      'fx.exchange',
      { sellTransferId: f.books.ids.next(), buyTransferId: f.books.ids.next(), fromAccountId: amara.accountIds[0]!, toAccountId: amaraEur, money: { amount: '10000', currency: 'USD' } },
      demoUsers.alice,
    );
    expect(exchanged).toMatchObject({ ok: false, code: 'sanctions_match' });
  });
});

describe('the retry shortcut of holdersOf', () => {
  it('(holds) reusing the transferId of an earlier transfer skips screening, but the ledger refuses the different transfer', async () => {
    const amara = f.books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
    const mei = f.books.bank.customers.find((customer) => customer.name === 'Mei Tanaka')!;
    const transferId = f.books.ids.next();
    const first = await f.books.engine.execute('cash.deposit', { transferId, sessionId: f.books.bank.sessionId, accountId: mei.accountIds[0]!, money: { amount: '500', currency: 'USD' } }, demoUsers.alice);
    expect(first.ok).toBe(true);
    const reused = await f.books.engine.execute('cash.deposit', { transferId, sessionId: f.books.bank.sessionId, accountId: amara.accountIds[0]!, money: { amount: '500', currency: 'USD' } }, demoUsers.alice);
    expect(reused.ok).toBe(false);
  });
});

describe('the normaliser', () => {
  it.each(['AMARA OKAFOR', 'okafor, amara', 'Ámara Okáfor', 'Amara-Okafor', 'Okafor Amara', 'Amara\u00a0Okafor', 'Ａｍａｒａ Ｏｋａｆｏｒ', ' amara   okafor. ', 'Sören Dahl', 'Łukasz Nowak'.replace('Ł', 'L')])('(holds) a new customer "%s" is refused', async (name) => {
    expect(await register(name)).toMatchObject({ ok: false, code: 'sanctions_match' });
  });

  it.each(['Søren Dahl', 'Łukasz Nowak', 'Đorđe Petrović', 'Æron Vale'])('a new customer "%s" (a stroke/ligature letter of the listed ASCII name) is refused', async (name) => {
    expect(await register(name)).toMatchObject({ ok: false, code: 'sanctions_match' });
  });
});

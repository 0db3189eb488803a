/**
 * The server under concurrent load, through real HTTP and the group-commit batcher, on real
 * PostgreSQL. Many clients race to overdraw one guarded account (debits must not exceed credits):
 * the account never passes its limit at any moment (its balance history says so), what was taken
 * is exactly what was acknowledged, each acknowledged transfer is in the books once, each refused
 * one is not (and stays failed), and a linked pair is both or neither. A second race hammers a few
 * hot accounts from both sides, over HTTP and in-process at once: nothing deadlocks or errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Id128 } from '@qenex/engine';
import { AccountFlags, TransferFlags, seededRandom, type Account, type Transfer } from '@qenex/engine/testing';
import { dropTestDatabase, startTestServer, type TestServer, type WireTransfer } from './harness';

const USD = 840;
const clientsPerRound = 64;
const overdrawRounds = 5;
const hotRounds = 4;
/** Funding added to the guarded account before each round; each round asks for about twice as much. */
const roundFundingMinor = 10_000n;
const amountMaxMinor = 600;
/** Every `linkedEvery`-th request of a round is a linked pair, every `duplicateEvery`-th resends an earlier transfer. */
const linkedEvery = 8;
const duplicateEvery = 11;
const hotAccounts = 4;
/** In-process writers (engine.executeAny, no batcher) racing the HTTP clients in each round. */
const inProcessWriters = 8;
/** The ledger operator (the one role with ledger.write), as the in-process writers act. */
const ledgerOperator = { actor: 'lena', roles: ['ledger_operator'], deviceId: 'concurrency-test' };

const accountKind = 1n;
const transferKind = 2n;
let serial = 0n;

function accountId(index: number): Id128 {
  return ((accountKind << 124n) | BigInt(index)).toString(16) as Id128;
}

function nextTransferId(): string {
  serial += 1n;
  return ((transferKind << 124n) | serial).toString(16);
}

function wire(debit: string, credit: string, amount: bigint, flags = 0, id = nextTransferId()): WireTransfer {
  return { id, debitAccountId: debit, creditAccountId: credit, amount: amount.toString(), ledger: USD, code: 1, ...(flags === 0 ? {} : { flags }) };
}

/** What one request sent and what the server answered for each of its transfers. */
interface Sent {
  readonly transfers: readonly WireTransfer[];
  readonly results: readonly string[];
  readonly status: number;
}

/** POSTs one transfer as a bare object, or several as `{transfers}`; returns one result per transfer. */
async function post(t: TestServer, token: string, transfers: readonly WireTransfer[], asBatch: boolean): Promise<Sent> {
  const response = await t.request('POST', '/api/v1/transfers', { token, body: asBatch ? { transfers } : transfers[0] });
  const { status, body } = response;
  if (asBatch) {
    expect(status, JSON.stringify(body)).toBe(200);
    return { transfers, status, results: (body.results as Array<{ index: number; result: string }>).map((entry) => entry.result) };
  }
  if (typeof body?.result === 'string') {
    expect([status, body.result], 'created: 201 ok; already there: 200 exists').toEqual(body.result === 'ok' ? [201, 'ok'] : [200, 'exists']);
    return { transfers, status, results: [body.result as string] };
  }
  expect(body?.code, `status ${status}: ${JSON.stringify(body)}`).toEqual(expect.any(String));
  return { transfers, status, results: [body.code as string] };
}

async function openAccounts(t: TestServer, token: string, accounts: ReadonlyArray<{ id: string; flags: number }>): Promise<void> {
  const response = await t.request('POST', '/api/v1/ledger/accounts', {
    token,
    body: { accounts: accounts.map((account) => ({ ...account, ledger: USD, code: 10 })) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.results).toEqual(accounts.map(() => 'ok'));
}

async function lookUp(t: TestServer, ids: readonly string[]): Promise<{ transfers: Transfer[]; failures: Map<string, string> }> {
  return t.server.storage.read(async (tx) => {
    const [transfers, failures] = await Promise.all([tx.ledger.transfers(ids), tx.ledger.failures(ids)]);
    return { transfers, failures: new Map<string, string>(failures.map((failure) => [failure.id, failure.result])) };
  });
}

async function accountsById(t: TestServer, ids: readonly string[]): Promise<Map<string, Account>> {
  const accounts = await t.server.storage.read((tx) => tx.ledger.accounts(ids));
  return new Map<string, Account>(accounts.map((account) => [account.id, account]));
}

async function expectBalancedTotals(t: TestServer, token: string): Promise<void> {
  const totals = await t.request('GET', '/api/v1/ledger/totals', { token });
  expect(totals.status).toBe(200);
  expect(totals.body.length).toBeGreaterThan(0);
  for (const total of totals.body as Array<{ ledger: number; debitsPosted: string; creditsPosted: string; balanced: boolean }>) {
    expect(total.balanced, `ledger ${total.ledger}: Σdebits ${total.debitsPosted}, Σcredits ${total.creditsPosted}`).toBe(true);
  }
}

/**
 * Per transfer id, every answer it got: at most one request may have created it (`ok`), and the
 * others must say so (`exists`) or, for an id that failed, that it stays failed.
 */
function answersById(sent: readonly Sent[]): Map<string, { transfer: WireTransfer; results: string[] }> {
  const byId = new Map<string, { transfer: WireTransfer; results: string[] }>();
  for (const request of sent) {
    request.transfers.forEach((transfer, index) => {
      const entry = byId.get(transfer.id) ?? { transfer, results: [] };
      entry.results.push(request.results[index]!);
      byId.set(transfer.id, entry);
    });
  }
  return byId;
}

describe('server under concurrent transfers', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer();
    token = await t.signIn('lena');
  });
  afterAll(async () => {
    await t?.close();
    await dropTestDatabase();
  });

  it(`never lets ${clientsPerRound} racing clients overdraw a guarded account, and books each acknowledged transfer exactly once`, async () => {
    const random = seededRandom(7);
    const funder = accountId(1);
    const guarded = accountId(2);
    const sinks = [accountId(3), accountId(4), accountId(5)];
    await openAccounts(t, token, [
      { id: funder, flags: AccountFlags.none },
      { id: guarded, flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.history },
      ...sinks.map((id) => ({ id, flags: AccountFlags.none })),
    ]);

    const sent: Sent[] = [];
    for (let round = 0; round < overdrawRounds; round += 1) {
      const funding = await post(t, token, [wire(funder, guarded, roundFundingMinor)], false);
      expect(funding.results).toEqual(['ok']);
      const singles: WireTransfer[] = [];
      const requests = Array.from({ length: clientsPerRound }, (_, client): Promise<Sent> => {
        const amount = () => BigInt(1 + random(amountMaxMinor));
        const sink = () => sinks[random(sinks.length)]!;
        if (client % linkedEvery === linkedEvery - 1) {
          return post(t, token, [wire(guarded, sink(), amount(), TransferFlags.linked), wire(guarded, sink(), amount())], true);
        }
        if (client % duplicateEvery === duplicateEvery - 1 && singles.length > 0) {
          // The same transfer again (same id and body, a new Idempotency-Key): a client retrying while the first is in flight.
          return post(t, token, [singles[random(singles.length)]!], false);
        }
        const transfer = wire(guarded, sink(), amount());
        singles.push(transfer);
        return post(t, token, [transfer], false);
      });
      // Writers that bypass HTTP and the batcher (another server process would) race the clients too.
      const inProcess = Array.from({ length: inProcessWriters }, async (): Promise<Sent> => {
        const transfers = [wire(guarded, sinks[random(sinks.length)]!, BigInt(1 + random(amountMaxMinor)))];
        const outcome = await t.server.engine.executeAny('ledger.create_transfers', { transfers }, ledgerOperator);
        expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
        return { transfers, status: 0, results: (outcome as { value: { results: string[] } }).value.results };
      });
      const answered = await Promise.all([...requests, ...inProcess]);
      sent.push(...answered);
      const account = (await accountsById(t, [guarded])).get(guarded)!;
      expect(account.debitsPosted, `round ${round}: debits within credits`).toBeLessThanOrEqual(account.creditsPosted);
    }

    const answers = answersById(sent);
    const refusedCodes = new Set(['exceeds_credits', 'linked_event_failed', 'id_already_failed']);
    let refusedCount = 0;
    for (const [id, { results }] of answers) {
      const created = results.filter((result) => result === 'ok').length;
      expect(created, `${id} was created by more than one request: ${results.join(', ')}`).toBeLessThanOrEqual(1);
      for (const result of results) {
        expect(['ok', 'exists', ...refusedCodes], `${id}: unexpected answer ${result}`).toContain(result);
      }
      if (created === 1) expect(results.every((result) => result === 'ok' || result === 'exists'), `${id}: ${results.join(', ')}`).toBe(true);
      else refusedCount += 1;
    }
    expect(refusedCount, 'the race refused some transfers (otherwise it tested nothing)').toBeGreaterThan(0);
    expect(refusedCount, 'the race accepted some transfers').toBeLessThan(answers.size);

    // Every acknowledged transfer is stored once, as sent; every refused one is absent and stays failed.
    const { transfers, failures } = await lookUp(t, [...answers.keys()]);
    const stored = new Map<string, Transfer>(transfers.map((transfer) => [transfer.id, transfer]));
    expect(stored.size).toBe(transfers.length);
    let takenMinor = 0n;
    const sinkCredits = new Map<string, bigint>();
    for (const [id, { transfer, results }] of answers) {
      const acknowledged = results.includes('ok');
      const row = stored.get(id);
      if (!acknowledged) {
        expect(row, `refused transfer ${id} is in the books`).toBeUndefined();
        // The event that broke a rule burns its id; its chain partners (`linked_event_failed`) stay free, as in TigerBeetle.
        if (results.every((result) => result === 'linked_event_failed')) expect(failures.has(id), `${id} failed only with its chain`).toBe(false);
        else expect(failures.get(id), `${id} is remembered as failed (${results.join(', ')})`).toBe('exceeds_credits');
        continue;
      }
      expect(row, `acknowledged transfer ${id} is missing`).toBeDefined();
      expect([row!.debitAccountId, row!.creditAccountId, row!.amount]).toEqual([transfer.debitAccountId, transfer.creditAccountId, BigInt(transfer.amount)]);
      expect(failures.has(id), `${id} both stored and failed`).toBe(false);
      takenMinor += row!.amount;
      sinkCredits.set(row!.creditAccountId, (sinkCredits.get(row!.creditAccountId) ?? 0n) + row!.amount);
    }

    // A linked pair is both or neither.
    for (const request of sent.filter((entry) => entry.transfers.length === 2)) {
      const [first, second] = request.transfers;
      expect(stored.has(first!.id), `linked pair ${first!.id}, ${second!.id} is half there`).toBe(stored.has(second!.id));
    }

    // What the guarded account paid is exactly what was acknowledged, within what it was given.
    const accounts = await accountsById(t, [guarded, ...sinks]);
    const account = accounts.get(guarded)!;
    expect(account.creditsPosted).toBe(roundFundingMinor * BigInt(overdrawRounds));
    expect(account.debitsPosted).toBe(takenMinor);
    expect(account.debitsPosted).toBeLessThanOrEqual(account.creditsPosted);
    for (const sink of sinks) expect(accounts.get(sink)!.creditsPosted, `credits of ${sink}`).toBe(sinkCredits.get(sink) ?? 0n);

    // At no moment in between did it pass its limit: one balance row per change, each within credits.
    const history = await t.server.storage.read((tx) => tx.ledger.balanceRows(guarded, 0n, 10_000));
    const changes = overdrawRounds + [...stored.values()].filter((row) => row.debitAccountId === guarded).length;
    expect(history).toHaveLength(changes);
    for (const row of history) expect(row.debitsPosted, `balance after ${row.transferId}`).toBeLessThanOrEqual(row.creditsPosted);

    await expectBalancedTotals(t, token);
  });

  it('moves money both ways between a few hot accounts from many clients at once without a deadlock or an error', async () => {
    const random = seededRandom(11);
    const hot = Array.from({ length: hotAccounts }, (_, index) => accountId(100 + index));
    await openAccounts(t, token, hot.map((id) => ({ id, flags: AccountFlags.none })));
    const pair = (): [string, string] => {
      const debit = random(hotAccounts);
      return [hot[debit]!, hot[(debit + 1 + random(hotAccounts - 1)) % hotAccounts]!];
    };
    const moves = (): WireTransfer[] => {
      const [a, b] = pair();
      // Each request debits and credits both of its accounts, in an order that differs between requests.
      return [wire(a, b, BigInt(1 + random(amountMaxMinor))), wire(b, a, BigInt(1 + random(amountMaxMinor))), wire(...pair(), 1n)];
    };
    const applied: WireTransfer[] = [];
    for (let round = 0; round < hotRounds; round += 1) {
      const overHttp = Array.from({ length: clientsPerRound }, (_, client) => {
        const transfers = client % 2 === 0 ? moves() : moves().slice(0, 1);
        applied.push(...transfers);
        return post(t, token, transfers, transfers.length > 1);
      });
      const inProcess = Array.from({ length: inProcessWriters }, async () => {
        const transfers = moves();
        applied.push(...transfers);
        const outcome = await t.server.engine.executeAny('ledger.create_transfers', { transfers }, ledgerOperator);
        expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
        return { transfers, status: 0, results: (outcome as { value: { results: string[] } }).value.results };
      });
      const answered = await Promise.all([...overHttp, ...inProcess]);
      for (const request of answered) {
        expect(request.status === 0 || request.status === 200 || request.status === 201, `status ${request.status}`).toBe(true);
        expect(request.results).toEqual(request.transfers.map(() => 'ok'));
      }
    }

    const expected = new Map<string, { debits: bigint; credits: bigint }>(hot.map((id) => [id, { debits: 0n, credits: 0n }]));
    for (const transfer of applied) {
      expected.get(transfer.debitAccountId)!.debits += BigInt(transfer.amount);
      expected.get(transfer.creditAccountId)!.credits += BigInt(transfer.amount);
    }
    const accounts = await accountsById(t, hot);
    for (const id of hot) {
      const account = accounts.get(id)!;
      expect({ debits: account.debitsPosted, credits: account.creditsPosted }, `balances of ${id}`).toEqual(expected.get(id));
    }
    const { transfers } = await lookUp(t, applied.map((transfer) => transfer.id));
    expect(transfers).toHaveLength(applied.length);
    await expectBalancedTotals(t, token);
  });

  it('refuses, within shared batches, exactly the requests that touch a customer\'s account (ledger_account_protected), and posts the others', async () => {
    const random = seededRandom(13);
    const raw = Array.from({ length: hotAccounts }, (_, index) => accountId(200 + index));
    await openAccounts(t, token, raw.map((id) => ({ id, flags: AccountFlags.none })));
    // A demo customer's current account, as a teller finds it.
    const alice = await t.signIn('alice');
    const customers = await t.request('GET', '/api/v1/customers', { token: alice });
    expect(customers.status).toBe(200);
    const customer = await t.request('GET', `/api/v1/customers/${customers.body[0].id}`, { token: alice });
    const protectedId = customer.body.accounts[0].id as Id128;
    const protectedBefore = (await accountsById(t, [protectedId])).get(protectedId)!;

    const requests = Array.from({ length: clientsPerRound }, (_, client) => {
      const [debit, credit] = [raw[client % hotAccounts]!, raw[(client + 1) % hotAccounts]!];
      const touches = client % 4 === 3;
      const transfers = [wire(debit, credit, BigInt(1 + random(amountMaxMinor)))];
      if (touches) transfers.push(random(2) === 0 ? wire(protectedId, credit, 1n) : wire(debit, protectedId, 1n));
      return { touches, transfers };
    });
    const answers = await Promise.all(requests.map(({ transfers }) => t.request('POST', '/api/v1/transfers', { token, body: { transfers } })));
    answers.forEach((answer, index) => {
      if (requests[index]!.touches) {
        expect({ status: answer.status, code: answer.body?.code }, JSON.stringify(answer.body)).toEqual({ status: 403, code: 'ledger_account_protected' });
      } else {
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.results.map((entry: { result: string }) => entry.result)).toEqual(['ok']);
      }
    });
    const refused = requests.filter((request) => request.touches).flatMap((request) => request.transfers);
    const accepted = requests.filter((request) => !request.touches).flatMap((request) => request.transfers);
    const stored = await lookUp(t, [...refused, ...accepted].map((transfer) => transfer.id));
    expect(stored.transfers.map((transfer) => transfer.id).sort()).toEqual(accepted.map((transfer) => transfer.id).sort());
    // A refused request burns no id: it never reached the ledger.
    expect(stored.failures.size).toBe(0);
    const protectedAfter = (await accountsById(t, [protectedId])).get(protectedId)!;
    expect(protectedAfter).toEqual(protectedBefore);
    const moved = await accountsById(t, raw);
    for (const id of raw) {
      const debits = accepted.filter((transfer) => transfer.debitAccountId === id).reduce((sum, transfer) => sum + BigInt(transfer.amount), 0n);
      const credits = accepted.filter((transfer) => transfer.creditAccountId === id).reduce((sum, transfer) => sum + BigInt(transfer.amount), 0n);
      expect({ debits: moved.get(id)!.debitsPosted, credits: moved.get(id)!.creditsPosted }, `balances of ${id}`).toEqual({ debits, credits });
    }
    await expectBalancedTotals(t, token);
  });
});

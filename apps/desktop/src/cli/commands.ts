import {
  parseDecimal,
  seedDemoBank,
  type CommandInput,
  type CommandName,
  type CommandValue,
  type Clock,
  type Context,
  type Engine,
  type IdSource,
} from '@qenex/engine';
import { money, table, time } from './format';

export interface CliEnv {
  readonly engine: Engine;
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly user: Context;
  readonly path: string;
  readonly options: { readonly [key: string]: string | boolean | undefined };
  readonly out: (text: string) => void;
}

export const usage = `qenex — the QENEX engine on a workstation database

  npm run qenex -- demo                          create the database with a demo branch (Main Street)
  npm run qenex -- customers                     list customers and their accounts
  npm run qenex -- balance <account>             balances of an account (id or 14-digit number)
  npm run qenex -- statement <account>           paged history with running balance [--limit N --after CURSOR]
  npm run qenex -- till                          your open till and its cash
  npm run qenex -- till open <T1> --count 10000x80,5000x30
  npm run qenex -- till close --count 10000x100  close your till; over/short is posted
  npm run qenex -- deposit <account> <amount>    cash in at your till, e.g. 125.50
  npm run qenex -- withdraw <account> <amount>   cash out at your till
  npm run qenex -- transfer <from> <to> <amount>
  npm run qenex -- rates                         the bank's rate sheets: what it pays and asks for each base currency
  npm run qenex -- exchange <from> <to> <amount> at the bank's rate [--rate R: the rate you quoted; refused if it changed]
  npm run qenex -- approvals                     held commands waiting for a supervisor
  npm run qenex -- approve <id> | reject <id>    decide one (as a head teller: --as bob)
  npm run qenex -- totals                        Σdebits and Σcredits of every ledger
  npm run qenex -- audit                         verify the hash-chained audit log
  npm run qenex -- run <command> '<json>'        any engine command, JSON in and out
  npm run qenex -- screen "NAME" [--dob YYYY-MM-DD] [--country CC] [--type person|company|vessel|aircraft] [--lists DIR]
                                                 sanctions hits as JSON lines (exit 1 when one is a match)
  npm run qenex -- screen-pair "NAME A" "NAME B" [--type …]   the score of one pair, and whether it is a match
  npm run qenex -- swift parse|build|translate|validate FILE   SWIFT MT or MX (- reads stdin): parse to JSON, build from
                                                 {format, message} JSON, translate MT103↔pacs.008 / MT940,MT950↔camt.053
                                                 (notes on stderr) [--statement mt950] [--created ISO], validate (exit 1 invalid)

Options: --as <alice|tom|bob|carol|olivia|adam|tess|trent|lena>  (default alice, a teller)
         --db <file>  (default .qenex/workstation.db, or $QENEX_DB)   --json
`;

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

async function call<N extends CommandName>(env: CliEnv, name: N, input: CommandInput<N>, user = env.user): Promise<CommandValue<N>> {
  const result = await env.engine.execute(name, input, user);
  if (!result.ok) throw new Refused(result.code, result.message, result.details);
  return result.value;
}

/** Finds an account by id or number; amounts are typed as decimals in the account's currency. */
async function account(env: CliEnv, reference: string | undefined) {
  if (reference === undefined) throw new Refused('missing_argument', 'Name an account by its id or 14-digit number.');
  return call(env, 'account.get', { accountId: reference });
}

function minor(text: string | undefined, currency: string): string {
  if (text === undefined) throw new Refused('missing_argument', 'Give an amount, e.g. 125.50.');
  const parsed = parseDecimal(text, currency);
  if (!parsed.ok) throw new Refused(parsed.error, `"${text}" is not an amount in ${currency}: ${parsed.error.replaceAll('_', ' ')}.`);
  return parsed.value.toString();
}

function parseCount(text: string | undefined): Record<string, number> {
  if (text === undefined || text === '') return {};
  const count: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^(\d+)x(\d+)$/.exec(part.trim());
    if (match === null) throw new Refused('count_malformed', `"${part}" is not DENOMINATIONxPIECES (minor units), e.g. 10000x80 for eighty 100.00 notes.`);
    count[match[1]!] = (count[match[1]!] ?? 0) + Number(match[2]);
  }
  return count;
}

async function session(env: CliEnv) {
  return call(env, 'till.current_session', {});
}

type Handler = (env: CliEnv, args: readonly string[]) => Promise<void>;

const handlers: Record<string, Handler> = {
  async demo(env) {
    const branches = await call(env, 'branch.list', {});
    if (branches.length > 0) {
      env.out(`${env.path} already holds branch ${branches[0]!.code} ${branches[0]!.name}; nothing to do.`);
      return;
    }
    const bank = await seedDemoBank(env.engine, env.ids, { clock: env.clock });
    env.out(`Created ${env.path}: branch 0001 Main Street, till T1 open under alice, ${bank.customers.length} customers.\n`);
    await handlers.customers!(env, []);
  },

  async customers(env) {
    const customers = await call(env, 'customer.search', { limit: 50 });
    const rows: string[][] = [];
    for (const customer of customers) {
      const { accounts } = await call(env, 'customer.get', { customerId: customer.id });
      for (const bankAccount of [...accounts].sort((a, b) => a.number.localeCompare(b.number))) {
        const { balances } = await call(env, 'account.get', { accountId: bankAccount.id });
        rows.push([customer.fullName, customer.kycStatus, bankAccount.number, bankAccount.productId, money(balances.posted, bankAccount.currency), money(balances.available, bankAccount.currency)]);
      }
      if (accounts.length === 0) rows.push([customer.fullName, customer.kycStatus, '-', '-', '-', '-']);
    }
    env.out(table(['customer', 'kyc', 'account', 'product', 'balance', 'available'], rows));
  },

  async balance(env, [reference]) {
    const found = await account(env, reference);
    const currency = found.account.currency;
    env.out(table(['account', 'posted', 'held', 'available', 'overdraft'], [[
      found.account.number, money(found.balances.posted, currency), money(found.balances.pending, currency),
      money(found.balances.available, currency), money(found.overdraftLimit, currency),
    ]]));
  },

  async statement(env, [reference]) {
    const found = await account(env, reference);
    const limit = Number(env.options.limit ?? 20);
    const after = typeof env.options.after === 'string' ? env.options.after : '0';
    const statement = await call(env, 'account.statement', { accountId: found.account.id, limit, after });
    const currency = statement.currency;
    env.out(`Statement of ${found.account.number} (${found.account.productId}), opening balance ${money(statement.openingBalance, currency)}`);
    env.out(table(
      ['time (UTC)', 'transfer', 'code', 'amount', 'balance'],
      statement.lines.map((line) => [time(line.timestamp), line.transferId, String(line.code), `${money(line.amount, currency)}${line.pending ? ' (held)' : ''}`, money(line.balance, currency)]),
    ));
    if (statement.next !== null) env.out(`more: --after ${statement.next}`);
  },

  async till(env, [action, code]) {
    if (action === 'open') {
      const branches = await call(env, 'branch.list', {});
      const tills = (await Promise.all(branches.map((branch) => call(env, 'till.list', { branchId: branch.id })))).flat();
      const chosen = tills.find((entry) => entry.till.code === code);
      if (chosen === undefined) throw new Refused('till_not_found', `No till ${code ?? '(none given)'}; tills: ${tills.map((entry) => entry.till.code).join(', ')}.`);
      const opened = await call(env, 'till.open_session', { sessionId: env.ids.next(), tillId: chosen.till.id, count: parseCount(env.options.count as string | undefined) });
      env.out(`Till ${code} open under ${env.user.actor}; counted ${money(opened.session.openingCountedMinor, chosen.till.currency)}, variance ${money(opened.session.openingVarianceMinor, chosen.till.currency)}.`);
      return;
    }
    const current = await session(env);
    if (action === 'close') {
      const closed = await call(env, 'till.close_session', { sessionId: current.session.id, count: parseCount(env.options.count as string | undefined) });
      const currency = current.till.currency;
      env.out(`Till ${current.till.code} closed. Book ${money(closed.book ?? '0', currency)}, counted ${money(closed.session.closingCountedMinor ?? 0n, currency)}, over/short ${money(closed.session.closingVarianceMinor ?? 0n, currency)}.`);
      return;
    }
    env.out(`Till ${current.till.code} open under ${current.session.tellerId} since ${new Date(current.session.openedAtMs).toISOString()}; cash on the books ${money(current.cash.posted, current.till.currency)}.`);
  },

  async deposit(env, [reference, amount]) {
    await cash(env, 'cash.deposit', reference, amount);
  },

  async withdraw(env, [reference, amount]) {
    await cash(env, 'cash.withdraw', reference, amount);
  },

  async transfer(env, [fromReference, toReference, amount]) {
    const from = await account(env, fromReference);
    const to = await account(env, toReference);
    const currency = from.account.currency;
    await call(env, 'transfer.internal', { transferId: env.ids.next(), fromAccountId: from.account.id, toAccountId: to.account.id, money: { amount: minor(amount, currency), currency } });
    env.out(`Transferred ${money(minor(amount, currency), currency)} from ${from.account.number} to ${to.account.number}.`);
  },

  async exchange(env, [fromReference, toReference, amount]) {
    const from = await account(env, fromReference);
    const to = await account(env, toReference);
    // The rate is the bank's published sheet; --rate only confirms what the customer was quoted.
    const quoted = env.options.rate;
    const currency = from.account.currency;
    const done = await call(env, 'fx.exchange', {
      sellTransferId: env.ids.next(),
      buyTransferId: env.ids.next(),
      fromAccountId: from.account.id,
      toAccountId: to.account.id,
      money: { amount: minor(amount, currency), currency },
      ...(typeof quoted === 'string' ? { expectedRate: quoted } : {}),
    });
    env.out(`Sold ${money(done.sold.amount, done.sold.currency)}, bought ${money(done.bought.amount, done.bought.currency)} at ${done.rate}.`);
  },

  async rates(env) {
    const sheets = await call(env, 'fx.rates', {});
    env.out(table(
      ['pair', 'mid', 'bank buys', 'bank sells', 'valid until (UTC)', 'version'],
      sheets.map((sheet) => [sheet.id, sheet.mid, sheet.bankBuys, sheet.bankSells, new Date(sheet.validUntilMs).toISOString(), String(sheet.version)]),
    ));
  },

  async approvals(env) {
    const pending = await call(env, 'approval.list', { status: 'pending', limit: 100 });
    env.out(table(['approval', 'command', 'requested by', 'reason'], pending.map((approval) => [approval.id, approval.command, approval.requestedBy, approval.reason])));
  },

  async approve(env, [approvalId]) {
    await decide(env, approvalId, 'approve');
  },

  async reject(env, [approvalId]) {
    await decide(env, approvalId, 'reject');
  },

  async totals(env) {
    const totals = await call(env, 'ledger.totals', {});
    env.out(table(['ledger', 'debits posted', 'credits posted', 'debits pending', 'credits pending', 'balanced'], totals.map((total) => [String(total.ledger), total.debitsPosted, total.creditsPosted, total.debitsPending, total.creditsPending, total.balanced ? 'yes' : 'NO'])));
  },

  async audit(env) {
    const verdict = await call(env, 'audit.verify', {});
    env.out(verdict.intact
      ? `Audit log intact: ${verdict.count} records, head ${verdict.hash}.`
      : `Audit log BROKEN at record ${verdict.break?.seq}: ${verdict.break?.kind}. ${verdict.count} records verified before it.`);
  },

  async run(env, [name, json]) {
    const result = await env.engine.executeAny(name ?? '', JSON.parse(json ?? '{}'), env.user);
    env.out(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
    if (!result.ok) throw new Refused(result.code, result.message);
  },
};

async function cash(env: CliEnv, name: 'cash.deposit' | 'cash.withdraw', reference: string | undefined, amount: string | undefined) {
  const found = await account(env, reference);
  const current = await session(env);
  const currency = found.account.currency;
  const done = await call(env, name, { transferId: env.ids.next(), sessionId: current.session.id, accountId: found.account.id, money: { amount: minor(amount, currency), currency } });
  const verb = name === 'cash.deposit' ? 'Deposited' : 'Paid out';
  env.out(`${verb} ${money(minor(amount, currency), currency)} — ${found.account.number} now ${money(done.balances.posted, currency)} (available ${money(done.balances.available, currency)}).`);
}

async function decide(env: CliEnv, approvalId: string | undefined, decision: 'approve' | 'reject') {
  const input = { approvalId: approvalId ?? '', decision, ...(typeof env.options.note === 'string' ? { note: env.options.note } : {}) };
  const decided = await call(env, 'approval.decide', input);
  env.out(`Request ${decided.approval.id} ${decided.approval.status} by ${env.user.actor}.`);
}

export async function runCommand(env: CliEnv, [name, ...args]: readonly string[]): Promise<number> {
  const handler = name === undefined ? undefined : handlers[name];
  if (handler === undefined) {
    env.out(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  try {
    await handler(env, args);
    return 0;
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    env.out(`Refused (${error.code}): ${error.message}`);
    const approvalId = (error.details as { approvalId?: string } | undefined)?.approvalId;
    if (approvalId !== undefined) env.out(`Held for approval ${approvalId}: a head teller runs  npm run qenex -- approve ${approvalId} --as bob`);
    return 1;
  }
}

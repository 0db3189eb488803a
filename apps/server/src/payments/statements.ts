/**
 * The bank's end-of-day statements: a camt.053 for every customer account, of the day's booked
 * movements with the balance before and after, each checked against ISO's schema when the schemas
 * are at hand, written where operations collects them (one file per account and day).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemRole, TransferCodes, type Context, type Engine } from '@qenex/engine';
import { buildCamt053, type Statement, type StatementEntry } from '@qenex/protocols';
import { missingSchemaFiles, validateBatchAgainstSchema } from '@qenex/protocols/node';
import { isoDateTime } from './messages';

const statementCtx: Context = { actor: 'statement-run', roles: [systemRole], deviceId: 'server' };
/** Pages of accounts one run reads at most (200 accounts a page: a bank of two million accounts). */
export const statementPagesMax = 10_000;

/** The MT :61: / BkTxCd proprietary code of a ledger movement: why the money moved. */
function transactionCode(code: number): string {
  switch (code) {
    case TransferCodes.paymentIn:
    case TransferCodes.paymentOut:
    case TransferCodes.internalTransfer:
      return 'NTRF';
    case TransferCodes.paymentReturn:
      return 'NRTI';
    case TransferCodes.fxExchange:
      return 'NFEX';
    default:
      return 'NMSC';
  }
}

interface DayStatement {
  readonly accountId: string;
  readonly number: string;
  readonly currency: string;
  readonly openingMinor: string;
  readonly closingMinor: string;
  /** False when the day had more movements than one statement reads: it is not issued short. */
  readonly complete: boolean;
  readonly lines: ReadonlyArray<{ readonly transferId: string; readonly bookedAtMs: number; readonly code: number; readonly creditDebit: 'CRDT' | 'DBIT'; readonly amountMinor: string; readonly payment: { uetr: string; endToEndId: string; instructionId: string } | null }>;
}

/** One account's day as a camt.053 statement model (the bank is the account servicer). */
export function statementOf(day: DayStatement, date: string, bankBic: string, nowMs: number): Statement {
  const balance = (type: 'OPBD' | 'CLBD', minor: bigint) => ({ type, amount: { amountMinor: minor < 0n ? -minor : minor, currency: day.currency }, creditDebit: minor < 0n ? ('DBIT' as const) : ('CRDT' as const), date });
  const entries: StatementEntry[] = day.lines.map((line) => ({
    amount: { amountMinor: BigInt(line.amountMinor), currency: day.currency },
    creditDebit: line.creditDebit,
    status: 'BOOK',
    bookingDate: new Date(line.bookedAtMs).toISOString().slice(0, 10),
    valueDate: new Date(line.bookedAtMs).toISOString().slice(0, 10),
    accountServicerReference: line.transferId.slice(0, 35),
    transactionCode: transactionCode(line.code),
    references: line.payment === null ? {} : { uetr: line.payment.uetr, endToEndId: line.payment.endToEndId, instructionId: line.payment.instructionId },
  }));
  const statementId = `${day.number}-${date.replaceAll('-', '')}`;
  return {
    messageId: `QXS${day.accountId.slice(0, 16).toUpperCase()}${date.replaceAll('-', '')}`,
    creationDateTime: isoDateTime(nowMs),
    statementId,
    sequenceNumber: Number(date.replaceAll('-', '').slice(2)),
    account: { other: day.number },
    accountCurrency: day.currency,
    accountServicer: { bic: bankBic },
    accountOwner: { bic: bankBic },
    fromDate: date,
    toDate: date,
    balances: [balance('OPBD', BigInt(day.openingMinor)), balance('CLBD', BigInt(day.closingMinor))],
    entries,
  };
}

export interface StatementRun {
  readonly date: string;
  readonly issued: number;
  readonly directory: string;
  /** Whether each statement was also checked against ISO's schema (the schemas were at hand). */
  readonly schemaChecked: boolean;
  /** Accounts whose day had more movements than one statement reads: not issued (operations splits them). */
  readonly incomplete: readonly string[];
}

/** Every customer account's camt.053 for `date`, written under `directory/date/`. Throws on an invalid statement: none is issued half-checked. */
export async function issueStatements(engine: Engine, options: { readonly date: string; readonly directory: string; readonly bankBic: string; readonly nowMs: number }): Promise<StatementRun> {
  const folder = join(options.directory, options.date);
  mkdirSync(folder, { recursive: true });
  const schemaChecked = missingSchemaFiles(['camt.053.001.08']).length === 0;
  let after = '';
  let issued = 0;
  const incomplete: string[] = [];
  for (let page = 0; page < statementPagesMax; page += 1) {
    const found = await engine.execute('payment.customer_statements', { date: options.date, after }, statementCtx);
    if (!found.ok) throw new Error(`the day's statements could not be read: ${found.code}: ${found.message}`);
    // An account that moved more often than one statement reads is listed, not issued short.
    incomplete.push(...found.value.statements.filter((day) => !day.complete).map((day) => day.number));
    const built = found.value.statements.filter((day) => day.complete).map((day) => ({ day, xml: buildCamt053(statementOf(day, options.date, options.bankBic, options.nowMs)) }));
    const xmls = built.map(({ day, xml }) => {
      if (!xml.ok) throw new Error(`the statement of ${day.number} is invalid: ${xml.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
      return xml.value;
    });
    if (schemaChecked && xmls.length > 0) {
      const verdicts = await validateBatchAgainstSchema(xmls, 'camt.053.001.08');
      const failed = verdicts.findIndex((verdict) => !verdict.valid);
      if (failed !== -1) throw new Error(`the statement of ${built[failed]!.day.number} fails ISO's schema: ${verdicts[failed]!.errors.slice(0, 3).join('; ')}`);
    }
    built.forEach(({ day }, index) => writeFileSync(join(folder, `${day.number}.camt053.xml`), xmls[index]!));
    issued += xmls.length;
    if (found.value.next === null) break;
    after = found.value.next;
  }
  return { date: options.date, issued, directory: folder, schemaChecked, incomplete };
}

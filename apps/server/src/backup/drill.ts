/**
 * The restore drill's proof, the same for the server's PostgreSQL and a workstation's SQLite (it
 * reads through the engine and the storage port only): the books captured from the source just
 * before its backup, then the restored books checked against them.
 *   - every account's posted and pending debits and credits equal the source's (all accounts, the
 *     bank's own included, not a sample);
 *   - `ledger.totals`: debits equal credits in every ledger, and the totals equal the source's;
 *   - `audit.verify` intact end to end, vouched for by the signed anchors kept apart from the backup.
 * And what the recovery cost: how long it took, and the writes the source made after the snapshot
 * (the data a restore from this backup loses).
 */
import type { AuditAnchor, AuditVerdict, Context, Engine, Storage } from '@qenex/engine';

/** Accounts read per storage round trip. */
export const drillAccountsPerReadMax = 500;
/** Mismatches named in a failed proof (the count is always complete). */
export const drillMismatchesNamedMax = 20;

export const drillContext: Context = { actor: 'restore-drill', roles: ['auditor', 'operations'], deviceId: 'restore-drill' };

export interface AccountBalances {
  readonly id: string;
  readonly ledger: number;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
}

export interface Books {
  readonly accounts: readonly AccountBalances[];
  readonly totals: readonly { ledger: number; debitsPosted: bigint; creditsPosted: bigint; balanced: boolean }[];
  readonly auditSeq: number;
  readonly auditHash: string;
}

export interface DrillProof {
  readonly ok: boolean;
  readonly accountsCompared: number;
  readonly accountMismatches: readonly string[];
  readonly accountMismatchCount: number;
  readonly ledgers: number;
  readonly ledgersBalanced: boolean;
  readonly totalsEqual: boolean;
  readonly audit: AuditVerdict;
  /** The newest kept anchor the restored chain agrees with. */
  readonly anchoredSeq: number | null;
  readonly failures: readonly string[];
}

export interface RecoveryReport {
  /** Verify + restore + open + prove, wall clock. */
  readonly recoveryMs: number;
  /** The point of recovery: when the backup's snapshot was taken. */
  readonly snapshotAtMs: number;
  /** The source's last committed write (its audit head), when the drill looked. */
  readonly lastWriteAtMs: number;
  /** Audit records (every command, accepted or refused) the source has beyond the restored head: the data lost. */
  readonly writesLost: number;
  readonly proof: DrillProof;
}

/** The books as they are: call on the source right before its backup, with writes held. */
export async function captureBooks(engine: Engine, storage: Storage, accountIds: readonly string[]): Promise<Books> {
  const accounts = await readAccounts(storage, accountIds);
  const totals = await engine.execute('ledger.totals', {}, drillContext);
  if (!totals.ok) throw new Error(`ledger.totals refused: ${totals.code}`);
  const head = await storage.read((tx) => tx.audit.head());
  return {
    accounts,
    totals: totals.value.map(({ ledger, debitsPosted, creditsPosted, balanced }) => ({ ledger, debitsPosted: BigInt(debitsPosted), creditsPosted: BigInt(creditsPosted), balanced })),
    auditSeq: head?.seq ?? 0,
    auditHash: head?.hash ?? '',
  };
}

/** Checks the restored books against the source's, and the restored chain against the anchors. */
export async function proveRestored(expected: Books, engine: Engine, storage: Storage, anchors: readonly AuditAnchor[], accountIds: readonly string[]): Promise<DrillProof> {
  const failures: string[] = [];
  const restored = await captureBooks(engine, storage, accountIds);
  const mismatches = compareAccounts(expected.accounts, restored.accounts);
  if (expected.accounts.length === 0) failures.push('the source has no accounts: nothing was proven');
  if (mismatches.length > 0) failures.push(`${mismatches.length} account(s) differ from the source`);
  const ledgersBalanced = restored.totals.length > 0 && restored.totals.every((ledger) => ledger.balanced && ledger.debitsPosted === ledger.creditsPosted);
  if (!ledgersBalanced) failures.push('a restored ledger does not balance');
  const totalsEqual = JSON.stringify(restored.totals, bigints) === JSON.stringify(expected.totals, bigints);
  if (!totalsEqual) failures.push('the restored ledger totals differ from the source');
  const verdict = await engine.execute('audit.verify', { anchors: anchors.map((anchor) => ({ ...anchor })) }, drillContext);
  if (!verdict.ok) throw new Error(`audit.verify refused: ${verdict.code}`);
  if (!verdict.value.intact) failures.push(`the restored audit chain is broken: ${JSON.stringify(verdict.value.break)}`);
  const newestAnchor = anchors.reduce((seq, anchor) => Math.max(seq, anchor.seq), 0);
  const anchoredSeq = verdict.value.anchor?.seq ?? null;
  if (anchors.length > 0 && anchoredSeq !== newestAnchor) failures.push(`the restored chain is vouched for up to ${anchoredSeq ?? 'no'} anchor, the newest kept is ${newestAnchor}`);
  if (restored.auditSeq !== expected.auditSeq || restored.auditHash !== expected.auditHash) {
    failures.push(`the restored audit head is ${restored.auditSeq} ${restored.auditHash}, the source's at backup was ${expected.auditSeq} ${expected.auditHash}`);
  }
  return {
    ok: failures.length === 0,
    accountsCompared: restored.accounts.length,
    accountMismatches: mismatches.slice(0, drillMismatchesNamedMax),
    accountMismatchCount: mismatches.length,
    ledgers: restored.totals.length,
    ledgersBalanced,
    totalsEqual,
    audit: verdict.value,
    anchoredSeq,
    failures,
  };
}

/** The data a restore loses: the source's writes after the restored head, and the last one's time. */
export async function writesAfter(source: Storage, restoredSeq: number): Promise<{ writesLost: number; lastWriteAtMs: number }> {
  const head = await source.read((tx) => tx.audit.head());
  if (head === undefined) return { writesLost: 0, lastWriteAtMs: 0 };
  return { writesLost: Math.max(0, head.seq - restoredSeq), lastWriteAtMs: head.atMs };
}

async function readAccounts(storage: Storage, accountIds: readonly string[]): Promise<AccountBalances[]> {
  const sorted = [...accountIds].sort();
  const found: AccountBalances[] = [];
  for (let start = 0; start < sorted.length; start += drillAccountsPerReadMax) {
    const page = sorted.slice(start, start + drillAccountsPerReadMax);
    const accounts = await storage.read((tx) => tx.ledger.accounts(page));
    for (const account of accounts) {
      found.push({
        id: account.id,
        ledger: account.ledger,
        debitsPosted: account.debitsPosted,
        creditsPosted: account.creditsPosted,
        debitsPending: account.debitsPending,
        creditsPending: account.creditsPending,
      });
    }
  }
  return found.sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

function compareAccounts(expected: readonly AccountBalances[], actual: readonly AccountBalances[]): string[] {
  const restored = new Map(actual.map((account) => [account.id, account]));
  const mismatches: string[] = [];
  for (const account of expected) {
    const other = restored.get(account.id);
    if (other === undefined) mismatches.push(`${account.id}: missing`);
    else if (JSON.stringify(other, bigints) !== JSON.stringify(account, bigints)) mismatches.push(`${account.id}: ${JSON.stringify(other, bigints)} ≠ ${JSON.stringify(account, bigints)}`);
    restored.delete(account.id);
  }
  for (const id of restored.keys()) mismatches.push(`${id}: not in the source`);
  return mismatches;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

import { z } from 'zod';
import { AuditVerifier, auditGenesisHash, type AuditBreak } from '../../core/audit';
import {
  auditAnchorBreak,
  auditAnchorEd25519Chars,
  auditAnchorMlDsa65Chars,
  claimedSeq,
  newerAuditAnchor,
  signAuditAnchor,
  verifyAuditAnchor,
  type AuditAnchor,
  type AuditAnchorBreak,
} from '../../core/audit-anchor';
import { auditAnchorId, type AuditAnchorRecord } from '../../core/banking/types';
import type { StorageTx } from '../../ports/storage';
import { command, ok, refuse, type CommandEnv, type Outcome, type Refusal, type ServerKeys } from '../command';
import { idSchema, limitSchema, tokenSchema } from '../schemas';

/** Records, and stored anchors, read per round trip while verifying. */
export const auditPageMax = 1000;
/**
 * Anchors one verify request may bring: about 4.5 KB and 4 ms of signature checking each, so 256
 * stay well inside the HTTP body limit and a second of work. The newest of an auditor's anchors is
 * the one that matters: a chain cut or rewritten before an older anchor contradicts every newer one.
 */
export const auditAnchorsSuppliedMax = 256;

export interface AuditVerdict {
  readonly intact: boolean;
  readonly count: number;
  readonly hash: string;
  readonly break: AuditBreak | AuditAnchorBreak | null;
  /** The newest anchor that is the server's and agrees with the chain: how far the chain is vouched for. */
  readonly anchor: AuditAnchor | null;
}

const anchorSchema = z.object({
  seq: z.number().int().min(0),
  hash: tokenSchema(/^[0-9a-f]{64}$/, 64, 'must be 64 lowercase hex digits'),
  atMs: z.number().int().min(0),
  keyVersion: z.number().int().min(0),
  signature: z.object({
    mlDsa65: tokenSchema(/^[A-Za-z0-9_-]*$/, auditAnchorMlDsa65Chars, 'must be base64url'),
    ed25519: tokenSchema(/^[A-Za-z0-9_-]*$/, auditAnchorEd25519Chars, 'must be base64url'),
  }),
});

/**
 * Walks the whole chain and reports the first edited, inserted or deleted record; then checks every
 * stored anchor and every anchor the caller brings (an auditor's own copies) against it, so a chain
 * whose last records were deleted, or that was rewritten from some record on, is caught too.
 */
export const verifyAudit = command({
  kind: 'read',
  input: z.object({ anchors: z.array(anchorSchema).max(auditAnchorsSuppliedMax).default([]) }),
  async run(env, input) {
    const verifier = new AuditVerifier();
    const broken = await walkChain(env.tx, verifier);
    if (broken !== undefined) return ok<AuditVerdict>({ intact: false, ...verifier.head, break: broken, anchor: null });
    const anchors = await checkAnchors(env, verifier.head, input.anchors);
    if (!anchors.ok) return anchors;
    const { newest, broken: anchorBroken } = anchors.value;
    return ok<AuditVerdict>({ intact: anchorBroken === null, ...verifier.head, break: anchorBroken, anchor: newest });
  },
  audit: (input) => ({ anchors: input.anchors.length }),
});

/**
 * Signs the chain's head with the server's key and keeps the anchor, unless that head is anchored
 * already (nothing was recorded since). Appends no audit record of its own: that record would move
 * the head just signed, and the next anchor would have to sign it, and so on forever.
 */
export const anchorAudit = command({
  kind: 'write',
  input: z.object({}),
  auditSuccess: false,
  async run(env) {
    if (env.serverKeys === null) return keysMissing();
    const head = await chainHead(env.tx);
    const existing = await env.tx.banking.get('auditAnchor', auditAnchorId(head.seq));
    if (existing !== undefined && existing.hash !== head.hash) {
      return refuse('anchor_mismatch', `Record ${head.seq} was anchored with another hash: the audit log was rewritten. Run audit verification.`);
    }
    if (existing !== undefined) return ok({ anchor: withoutId(existing), stored: false });
    const anchor = signHead(env.serverKeys, head, env.nowMs);
    await env.tx.banking.put('auditAnchor', { id: auditAnchorId(anchor.seq), ...anchor });
    return ok({ anchor, stored: true });
  },
});

/** A freshly signed anchor of the head, not kept: an auditor keeps it and brings it back to verify. */
export const auditHead = command({
  kind: 'read',
  input: z.object({}),
  async run(env) {
    if (env.serverKeys === null) return keysMissing();
    return ok(signHead(env.serverKeys, await chainHead(env.tx), env.nowMs));
  },
});

export const auditLog = command({
  kind: 'read',
  input: z.object({ after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), limit: limitSchema }),
  async run(env, input) {
    return ok(await env.tx.audit.page(input.after, input.limit));
  },
});

/** Feeds every record to the verifier, page by page; the first break, if any. */
async function walkChain(tx: StorageTx, verifier: AuditVerifier): Promise<AuditBreak | undefined> {
  let after = 0;
  for (;;) {
    const page = await tx.audit.page(after, auditPageMax);
    for (const record of page) {
      const broken = verifier.check(record);
      if (broken !== undefined) return broken;
    }
    if (page.length < auditPageMax) return undefined;
    after = page.at(-1)!.seq;
  }
}

interface AnchorCheck {
  readonly newest: AuditAnchor | null;
  readonly broken: AuditAnchorBreak | null;
}

/**
 * The stored anchors in seq order, then the caller's, against an intact chain of `head.count`
 * records; stops at the first that contradicts it. A stored anchor that agrees with the chain is
 * not signature-checked unless it is the newest: it adds nothing the newest does not vouch for
 * (each record's hash covers all before it), and a signature check costs milliseconds, which over
 * a year of anchors every minute would make verification take half an hour. One that disagrees is
 * checked, to tell a forged anchor from a cut or rewritten chain. The caller's are all checked.
 */
async function checkAnchors(
  env: CommandEnv,
  head: { readonly count: number; readonly hash: string },
  supplied: readonly AuditAnchor[],
): Promise<Outcome<AnchorCheck, 'server_keys_missing'>> {
  const keys = env.serverKeys;
  let newest: AuditAnchor | null = null;
  let lastStored: unknown;
  const check = async (anchor: unknown, agreeingIsEnough: boolean): Promise<AuditAnchorBreak | undefined> => {
    const seq = claimedSeq(anchor);
    const hashAtSeq = seq <= head.count ? await hashAt(env.tx, seq, head) : undefined;
    if (agreeingIsEnough && hashAtSeq !== undefined && (anchor as Partial<AuditAnchor> | null)?.hash === hashAtSeq) return undefined;
    const broken = auditAnchorBreak(anchor, verifyAuditAnchor(anchor, publicKeysOf(keys!)), head.count, hashAtSeq);
    if (broken === undefined) newest = newerAuditAnchor(newest, anchor as AuditAnchor);
    return broken;
  };
  for await (const anchor of storedAnchors(env.tx)) {
    if (keys === null) return keysMissing();
    const broken = await check(anchor, true);
    if (broken !== undefined) return ok({ newest, broken });
    lastStored = anchor;
  }
  const toCheck = [...(lastStored === undefined ? [] : [lastStored]), ...[...supplied].sort((a, b) => a.seq - b.seq)];
  for (const anchor of toCheck) {
    if (keys === null) return keysMissing();
    const broken = await check(anchor, false);
    if (broken !== undefined) return ok({ newest, broken });
  }
  return ok({ newest, broken: null });
}

/** Every stored anchor in seq order, page by page. */
async function* storedAnchors(tx: StorageTx): AsyncGenerator<unknown> {
  let after = '';
  for (;;) {
    const page = await tx.banking.list('auditAnchor', after, auditPageMax);
    // What the database holds is checked, not trusted: a row edited into something else is a forged anchor.
    yield* page.map((record: unknown) => (record !== null && typeof record === 'object' ? withoutId(record as AuditAnchorRecord) : record));
    if (page.length < auditPageMax) break;
    after = page.at(-1)!.id;
  }
}

/** The hash of the record at `seq` of an intact chain (the head's is known; seq 0 is the genesis). */
async function hashAt(tx: StorageTx, seq: number, head: { readonly count: number; readonly hash: string }): Promise<string | undefined> {
  if (seq === head.count) return head.hash;
  if (seq === 0) return auditGenesisHash;
  const [record] = await tx.audit.page(seq - 1, 1);
  return record?.seq === seq ? record.hash : undefined;
}

async function chainHead(tx: StorageTx): Promise<{ seq: number; hash: string }> {
  const head = await tx.audit.head();
  return head === undefined ? { seq: 0, hash: auditGenesisHash } : { seq: head.seq, hash: head.hash };
}

function signHead(keys: ServerKeys, head: { seq: number; hash: string }, nowMs: number): AuditAnchor {
  return signAuditAnchor(head, nowMs, { keyVersion: keys.keyVersion, secretKeys: keys.signing.secretKeys });
}

/** The server's public signing keys by version (only the current one until keys rotate). */
function publicKeysOf(keys: ServerKeys) {
  return (keyVersion: number) => (keyVersion === keys.keyVersion ? keys.signing.publicKeys : undefined);
}

function withoutId(record: AuditAnchorRecord): AuditAnchor {
  const { id: _id, ...anchor } = record;
  return anchor;
}

function keysMissing(): Refusal<'server_keys_missing'> {
  return refuse('server_keys_missing', "Audit anchors are signed and checked with the server's key, which this engine was started without.");
}

/** Who read whose records, for compliance and auditors: page by page, or for one customer or account. */
export const accessLog = command({
  kind: 'read',
  input: z.object({ after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), limit: limitSchema, subject: idSchema.optional() }),
  async run(env, input) {
    return ok(await env.tx.access.page(input.after, input.limit, input.subject));
  },
});

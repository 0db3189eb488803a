/**
 * Signed anchors of the audit head, on the real server and real PostgreSQL: the chain alone cannot
 * tell that its last records were deleted (what is left is consistent), nor that it was rewritten
 * from some record on with the hashes recomputed. An anchor the server signed can: it is kept in
 * the database, in the data directory's audit-anchors.jsonl, and by any auditor who asked for the
 * head (GET /api/v1/audit/head). Each test tampers with the database as someone with access to it
 * would, straight through SQL, and checks that GET/POST /api/v1/audit/verify and
 * `npm run server:admin -- audit-verify` find it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  chainAuditRecord,
  decodeBase64url,
  encodeBase64url,
  hybridPublicKeysFromJson,
  verifyAuditAnchor,
  type AuditAnchor,
  type AuditRecord,
} from '@qenex/engine';
import { dropTestDatabase, startTestServer, testDatabaseUrl, type TestServer, type TestServerOptions } from './harness';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const adminPath = fileURLToPath(new URL('../../apps/server/src/admin.ts', import.meta.url));
const adminTimeoutMs = 60_000;

const started: TestServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  await dropTestDatabase();
});

interface Verdict {
  readonly intact: boolean;
  readonly count: number;
  readonly hash: string;
  readonly break: { kind: string; seq: number; anchorSeq?: number; code?: string } | null;
  readonly anchor: AuditAnchor | null;
}

async function start(options: TestServerOptions = {}): Promise<{ t: TestServer; carol: string }> {
  const t = await startTestServer(options);
  started.push(t);
  return { t, carol: await t.signIn('carol') };
}

async function verify(t: TestServer, token: string, anchors?: readonly unknown[]): Promise<Verdict> {
  const reply = anchors === undefined ? await t.request('GET', '/api/v1/audit/verify', { token }) : await t.request('POST', '/api/v1/audit/verify', { token, body: { anchors } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as Verdict;
}

async function savedHead(t: TestServer, token: string): Promise<AuditAnchor> {
  const reply = await t.request('GET', '/api/v1/audit/head', { token });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as AuditAnchor;
}

/** A statement on the server's own schema, as someone with database access would run it. */
async function sql(t: TestServer, text: string, params: unknown[] = []): Promise<number> {
  const result = await t.server.storage.pool.query(text, params);
  return result.rowCount ?? 0;
}

async function anchorNow(t: TestServer): Promise<AuditAnchor> {
  const anchor = await t.server.anchorAudit();
  expect(anchor).not.toBeNull();
  return anchor!;
}

function anchorLines(t: TestServer): AuditAnchor[] {
  const file = t.server.auditAnchorsFile;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditAnchor);
}

function withFlippedByte(anchor: AuditAnchor, half: 'mlDsa65' | 'ed25519'): AuditAnchor {
  const bytes = decodeBase64url(anchor.signature[half])!;
  bytes[17] = bytes[17]! ^ 0x01;
  return { ...anchor, signature: { ...anchor.signature, [half]: encodeBase64url(bytes) } };
}

/** `npm run server:admin -- audit-verify` in its own process, on this server's schema, data directory and keys. */
async function adminAuditVerify(t: TestServer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const databaseUrl = `${await testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${t.schema}`)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', adminPath, 'audit-verify'], {
    cwd: repositoryRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, QENEX_DATA_DIR: t.config.dataDir, QENEX_SERVER_KEYS_FILE: t.config.serverKeysFile, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), adminTimeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Every record from `fromSeq` on, as the server stores them. */
async function recordsFrom(t: TestServer, fromSeq: number): Promise<AuditRecord[]> {
  return t.server.storage.read((tx) => tx.audit.page(fromSeq - 1, 1000));
}

/**
 * Rewrites record `seq` (its outcome) and re-chains every record after it, hash and prev_hash
 * columns included: a chain consistent in itself, that only an anchor can contradict.
 */
async function rewriteFrom(t: TestServer, seq: number): Promise<void> {
  const [previous] = seq > 1 ? await recordsFrom(t, seq - 1) : [];
  let chained: { seq: number; hash: string } | undefined = previous;
  for (const record of await recordsFrom(t, seq)) {
    const { seq: _seq, prevHash: _prevHash, hash: _hash, ...entry } = record;
    const rewritten = chainAuditRecord(chained, record.seq === seq ? { ...entry, outcome: 'permission_denied' } : entry);
    await sql(t, 'UPDATE audit_log SET outcome = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [rewritten.outcome, rewritten.prevHash, rewritten.hash, rewritten.seq]);
    chained = rewritten;
  }
}

const deleteAnchorsSql = `DELETE FROM entities WHERE kind = 'auditAnchor'`;

describe('an untouched audit log', () => {
  it('verifies intact against the stored anchor, the file and a saved head, over HTTP and from the admin CLI', async () => {
    const { t, carol } = await start();
    const before = await verify(t, carol);
    const anchor = await anchorNow(t);
    expect(anchor).toMatchObject({ seq: before.count, hash: before.hash, keyVersion: 1 });
    // Anchoring adds no audit record (it would move the head it signed), and an unmoved head is not anchored twice.
    expect(await t.server.anchorAudit()).toBeNull();
    expect((await verify(t, carol)).count).toBe(before.count);
    expect(anchorLines(t)).toEqual([anchor]);
    expect(statSync(t.server.auditAnchorsFile).mode & 0o777).toBe(0o600);

    const keys = await t.request('GET', '/api/v1/server-keys');
    const publicKeys = hybridPublicKeysFromJson(keys.body.publicKeys)!;
    const head = await savedHead(t, carol);
    expect(head).toMatchObject({ seq: before.count, hash: before.hash });
    expect(verifyAuditAnchor(head, (version) => (version === 1 ? publicKeys : undefined))).toBe('ok');

    expect(await verify(t, carol)).toMatchObject({ intact: true, break: null, count: before.count, anchor: { seq: anchor.seq, hash: anchor.hash } });
    expect(await verify(t, carol, [head])).toMatchObject({ intact: true, break: null, anchor: { seq: head.seq } });
    const admin = await adminAuditVerify(t);
    expect(admin, admin.stderr).toMatchObject({ code: 0 });
    expect(admin.stdout).toMatch(new RegExp(`audit log intact: ${before.count} records, head ${before.hash}; signed anchor at record ${anchor.seq}`));
  });

  it('gives the signed head only to whom may read the audit log', async () => {
    const { t } = await start();
    const alice = await t.signIn('alice');
    const refused = await t.request('GET', '/api/v1/audit/head', { token: alice });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'permission_denied' });
  });

  it('refuses a verify request whose anchors are not anchors with 400 invalid_input, stores nothing and records the refusal', async () => {
    const { t, carol } = await start();
    const head = await savedHead(t, carol);
    const anchorsBefore = await sql(t, `SELECT 1 FROM entities WHERE kind = 'auditAnchor'`);
    const bodies: unknown[] = [
      { anchors: 'all of them' },
      { anchors: [{ ...head, seq: -1 }] },
      { anchors: [{ ...head, hash: 'not hex' }] },
      { anchors: [{ ...head, seq: '7' }] },
      { anchors: Array.from({ length: 257 }, () => head) },
    ];
    for (const body of bodies) {
      const before = (await t.server.storage.read((tx) => tx.audit.head()))!.seq;
      const reply = await t.request('POST', '/api/v1/audit/verify', { token: carol, body });
      expect({ status: reply.status, code: reply.body.code }, JSON.stringify(body).slice(0, 80)).toEqual({ status: 400, code: 'invalid_input' });
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const [refusal] = await recordsFrom(t, before + 1);
      expect(refusal).toMatchObject({ actor: expect.any(String), command: 'audit.verify', outcome: 'invalid_input' });
    }
    expect(await sql(t, `SELECT 1 FROM entities WHERE kind = 'auditAnchor'`)).toBe(anchorsBefore);
  });
});

describe('deleting the last records of the audit log', () => {
  it('is tail_missing from the first deleted record, over HTTP and from the admin CLI, even with the stored anchors deleted too', async () => {
    const { t, carol } = await start();
    const anchor = await anchorNow(t);
    const deleted = await sql(t, 'DELETE FROM audit_log WHERE seq > $1', [anchor.seq - 3]);
    expect(deleted).toBe(3);

    const expected = { kind: 'tail_missing', seq: anchor.seq - 2, anchorSeq: anchor.seq };
    expect(await verify(t, carol)).toMatchObject({ intact: false, count: anchor.seq - 3, break: expected });
    const admin = await adminAuditVerify(t);
    expect(admin.code, admin.stderr).toBe(1);
    expect(admin.stdout).toContain(`records ${anchor.seq - 2} to ${anchor.seq} are missing (tail_missing)`);

    // The anchors kept beside the records go with them: the database alone now looks intact…
    expect(await sql(t, deleteAnchorsSql)).toBe(1);
    expect(await verify(t, carol)).toMatchObject({ intact: true, break: null, anchor: null });
    // …but the file in the data directory still holds the anchor.
    const fromFile = await adminAuditVerify(t);
    expect(fromFile.code, fromFile.stderr).toBe(1);
    expect(fromFile.stdout).toContain(`records ${anchor.seq - 2} to ${anchor.seq} are missing (tail_missing)`);
  });

  it("is found by an auditor's saved head when the stored anchors were wiped as well", async () => {
    const { t, carol } = await start();
    await anchorNow(t);
    const head = await savedHead(t, carol);
    await sql(t, 'DELETE FROM audit_log WHERE seq > $1', [head.seq - 5]);
    await sql(t, deleteAnchorsSql);
    rmSync(t.server.auditAnchorsFile);

    expect(await verify(t, carol)).toMatchObject({ intact: true, break: null });
    expect(await verify(t, carol, [head])).toMatchObject({
      intact: false,
      count: head.seq - 5,
      break: { kind: 'tail_missing', seq: head.seq - 4, anchorSeq: head.seq },
    });
  });
});

describe('a forged anchor', () => {
  it('is anchor_forged, whether stored with a flipped signature byte or brought by the caller', async () => {
    const { t, carol } = await start();
    const anchor = await anchorNow(t);
    const [row] = (await t.server.storage.pool.query<{ id: string; data: string }>(`SELECT id, data FROM entities WHERE kind = 'auditAnchor'`)).rows;
    const forged = withFlippedByte(JSON.parse(row!.data) as AuditAnchor, 'ed25519');
    await sql(t, `UPDATE entities SET data = $1 WHERE kind = 'auditAnchor' AND id = $2`, [JSON.stringify({ id: row!.id, ...forged }), row!.id]);
    expect(await verify(t, carol)).toMatchObject({ intact: false, break: { kind: 'anchor_forged', seq: anchor.seq, code: 'ed25519_signature_invalid' } });

    await sql(t, deleteAnchorsSql);
    const head = await savedHead(t, carol);
    expect(await verify(t, carol, [head])).toMatchObject({ intact: true });
    expect(await verify(t, carol, [withFlippedByte(head, 'mlDsa65')])).toMatchObject({
      intact: false,
      break: { kind: 'anchor_forged', seq: head.seq, code: 'ml_dsa_signature_invalid' },
    });
    // A "head" far beyond the log, not signed by the server, is a forgery, not a deleted tail.
    expect(await verify(t, carol, [{ ...head, seq: head.seq + 1000 }])).toMatchObject({ break: { kind: 'anchor_forged', seq: head.seq + 1000 } });
    // A stored row edited into something that is no anchor at all.
    await sql(t, `INSERT INTO entities (kind, id, data) VALUES ('auditAnchor', '0000000000000001', 'null')`);
    expect(await verify(t, carol)).toMatchObject({ intact: false, break: { kind: 'anchor_forged', seq: 0, code: 'malformed_anchor' } });
  });
});

describe('editing the record an anchor points to', () => {
  it('is anchor_mismatch though the rewritten chain is consistent, from the stored anchor, the file and a saved head', async () => {
    const { t, carol } = await start();
    const anchor = await anchorNow(t);
    const head = await savedHead(t, carol);
    await rewriteFrom(t, anchor.seq - 10);
    expect((await recordsFrom(t, anchor.seq))[0]!.hash).not.toBe(anchor.hash);

    expect(await verify(t, carol)).toMatchObject({ intact: false, count: head.seq, break: { kind: 'anchor_mismatch', seq: anchor.seq } });
    await sql(t, deleteAnchorsSql);
    // The chain walk alone no longer sees anything: the hashes were recomputed.
    expect(await verify(t, carol)).toMatchObject({ intact: true, break: null });
    expect(await verify(t, carol, [head])).toMatchObject({ intact: false, break: { kind: 'anchor_mismatch', seq: head.seq } });
    const admin = await adminAuditVerify(t);
    expect(admin.code, admin.stderr).toBe(1);
    expect(admin.stdout).toContain(`BROKEN at record ${anchor.seq}: it differs from what the server signed (anchor_mismatch)`);
  });

  it('refuses to anchor over an anchored record that changed, and records the refusal', async () => {
    const { t, carol } = await start();
    const anchor = await anchorNow(t);
    await rewriteFrom(t, anchor.seq);
    await expect(t.server.anchorAudit()).rejects.toThrow(/anchor_mismatch/);
    const [refusal] = await recordsFrom(t, anchor.seq + 1);
    expect(refusal).toMatchObject({ command: 'audit.anchor', actor: 'server', outcome: 'anchor_mismatch' });
    expect(await verify(t, carol)).toMatchObject({ break: { kind: 'anchor_mismatch', seq: anchor.seq } });
  });
});

describe('the server anchors on its own', () => {
  it('signs the head on a timer when it moved, and not while it stands still', async () => {
    const { t, carol } = await start({ auditAnchorMs: 50 });
    const alice = await t.signIn('alice');
    const head = await verify(t, carol);
    const first = await waitForAnchors(t, (lines) => lines.at(-1)?.seq === head.count);
    expect(first.at(-1)).toMatchObject({ seq: head.count, hash: head.hash });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(anchorLines(t)).toHaveLength(first.length);

    // A refused read is audited: the head moves, and the next tick signs it.
    expect((await t.request('GET', '/api/v1/audit/verify', { token: alice })).status).toBe(403);
    const moved = await waitForAnchors(t, (lines) => lines.length > first.length);
    expect(moved.at(-1)!.seq).toBe(head.count + 1);
    expect(await verify(t, carol)).toMatchObject({ intact: true, anchor: { seq: head.count + 1 } });
  });

  it('signs the final head at shutdown, after the last write, and not at all when QENEX_AUDIT_ANCHOR_MS is 0', async () => {
    const { t, carol } = await start();
    const head = await verify(t, carol);
    expect(anchorLines(t)).toEqual([]);
    await t.server.close();
    expect(anchorLines(t)).toEqual([expect.objectContaining({ seq: head.count, hash: head.hash })]);

    const off = await start({ auditAnchorMs: 0 });
    await verify(off.t, off.carol);
    await off.t.server.close();
    expect(existsSync(off.t.server.auditAnchorsFile)).toBe(false);
  });
});

async function waitForAnchors(t: TestServer, done: (lines: AuditAnchor[]) => boolean): Promise<AuditAnchor[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = anchorLines(t);
    if (done(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`the anchors in ${t.server.auditAnchorsFile} did not get there within 10 s: ${JSON.stringify(lines.map((line) => line.seq))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

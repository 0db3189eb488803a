/**
 * Signed updates as commands: a host's update client installs what it verified (one transaction
 * for everything of one check), a workstation reports what it runs (signed with its device key),
 * and an administrator reads every branch's versions.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import type { InstalledContent, UpdateTrustRecord } from '../../core/banking/types';
import type { Id128 } from '../../core/ids';
import { canonicalJson, type JsonValue } from '../../core/canonical-json';
import { decodeBase64url, encodeHex } from '../../core/crypto';
import { parseFraudModelDocument } from '../../core/ai/deployment';
import { parseSanctionsList } from '../../core/screening';
import { contentKindOf, parseStandInDocument, standInPolicyOf, type ContentKind } from '../../core/update/content';
import type { RepositorySummary, UpdateReport, UpdateStatusRow } from '../../core/update/report';
import { decodeMetadataFile } from '../../core/update/signing';
import { openRequest } from '../../core/sync';
import { command, ok, refuse, type CommandEnv, type Refusal } from '../command';
import { deviceOfMessage, devicePublicKeys, freshnessRefusal, withNonce } from './devices';
import { recordStandInPolicy } from './sync';

/** One content file's text at most (a national sanctions list with every alias is a few MiB). */
export const contentBodyCharsMax = 32 * 1024 * 1024;
/** Files one check installs at most. */
export const installItemsMax = 256;
/** Metadata files of one trusted state at most (roots beyond the pinned one, delegated roles). */
const trustFilesMax = 256;
const metadataCharsMax = 24 * 1024 * 1024;
/** Reports the admin screen lists at most. */
export const updateReportsListedMax = 2_000;

const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
const pathSchema = z.string().max(512).regex(/^[A-Za-z0-9._/-]+$/);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const fileSchema = z.string().max(metadataCharsMax).regex(/^[A-Za-z0-9_-]*$/);
const refusalSchema = z.object({ code: codeSchema, role: z.string().max(64).regex(/^[A-Za-z0-9_-]+$/), path: pathSchema.nullable(), atMs: z.number().int().nonnegative() }).strict();

const installSchema = z.object({
  trust: z
    .object({
      roots: z.array(fileSchema).max(trustFilesMax),
      timestamp: fileSchema.nullable(),
      snapshot: fileSchema.nullable(),
      targets: fileSchema.nullable(),
      delegated: z.record(z.string().max(64).regex(/^[A-Za-z0-9_-]+$/), fileSchema).refine((value) => Object.keys(value).length <= trustFilesMax),
      verifiedAtMs: z.number().int().nonnegative(),
    })
    .strict(),
  install: z
    .array(z.object({ path: pathSchema, role: z.string().max(64).regex(/^[A-Za-z0-9_-]+$/), sha256: sha256Schema, length: z.number().int().nonnegative(), body: z.string().max(contentBodyCharsMax) }).strict())
    .max(installItemsMax),
  /** Paths the repository no longer publishes (a withdrawn list): they stop being in force. */
  remove: z.array(pathSchema).max(installItemsMax),
  checkedAtMs: z.number().int().nonnegative(),
  refusal: refusalSchema.nullable(),
  appStaged: z.string().max(32).regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/).nullable(),
});
type InstallInput = z.output<typeof installSchema>;
type InstallItem = InstallInput['install'][number];

/**
 * What a host's update client verified, taking effect as one step: the trusted metadata, every
 * new content file and the removal of withdrawn ones, in one transaction. Each file is checked
 * again here (its length and hash against what the client verified, and the document whole), so
 * a document that does not parse changes nothing. On the server, a branch's signed stand-in
 * policy also becomes the branch's next policy version, which replayed payouts are decided with.
 */
export const installUpdate = command({
  kind: 'write',
  input: installSchema,
  async run(env, input) {
    const prepared: InstalledContent[] = [];
    for (const item of input.install) {
      const checked = checkItem(item, env.nowMs);
      if (!checked.ok) return checked;
      prepared.push(checked.value);
    }
    for (const content of prepared) {
      const previous = await env.tx.banking.get('installedContent', content.id);
      // The same file intact changes nothing; a body edited in the store under the signed hash is put right.
      if (previous?.sha256 === content.sha256 && previous.status === 'in_force' && previous.body === content.body) continue;
      await env.tx.banking.put('installedContent', content);
      if (content.kind === 'stand_in_policy' && env.serverKeys !== null) await adoptStandIn(env, content);
    }
    for (const path of input.remove) {
      const installed = await env.tx.banking.get('installedContent', path);
      if (installed !== undefined && installed.status === 'in_force') await env.tx.banking.put('installedContent', { ...installed, status: 'withdrawn', body: '' });
    }
    const previous = await env.tx.banking.get('updateTrust', 'local');
    const trust: UpdateTrustRecord = {
      id: 'local',
      ...input.trust,
      lastCheckedAtMs: input.checkedAtMs,
      lastInstalledAtMs: prepared.length > 0 || input.remove.length > 0 ? env.nowMs : (previous?.lastInstalledAtMs ?? null),
      refusal: input.refusal,
      appStaged: input.appStaged,
    };
    await env.tx.banking.put('updateTrust', trust);
    return ok({ installed: prepared.map((content) => content.id), removed: input.remove });
  },
  // The files themselves are signed and kept; the audit log records which, by hash.
  audit: (input) => ({
    install: input.install.map((item) => ({ path: item.path, role: item.role, sha256: item.sha256 })),
    remove: input.remove,
    refusal: input.refusal === null ? null : { code: input.refusal.code, role: input.refusal.role },
  }),
});

function invalidContent(path: string, message: string): Refusal {
  return refuse('content_invalid', message, { path });
}

function checkItem(item: InstallItem, nowMs: number): { ok: true; value: InstalledContent } | Refusal {
  const kind: ContentKind | null = contentKindOf(item.path);
  if (kind === null) return invalidContent(item.path, `${item.path} is not a path content is published under.`);
  const bytes = new TextEncoder().encode(item.body);
  if (kind !== 'app_build' && (bytes.length !== item.length || encodeHex(sha256(bytes)) !== item.sha256)) {
    return invalidContent(item.path, `${item.path} is not the file its signed metadata describes.`);
  }
  const version = versionOf(kind, item);
  if (!version.ok) return version;
  return { ok: true, value: { id: item.path, kind, role: item.role, version: version.value, sha256: item.sha256, length: item.length, installedAtMs: nowMs, body: kind === 'app_build' ? '' : item.body, status: 'in_force' } };
}

function versionOf(kind: ContentKind, item: InstallItem): { ok: true; value: string } | Refusal {
  const basename = item.path.slice(item.path.lastIndexOf('/') + 1).replace(/\.json$/, '');
  if (kind === 'app_build') return { ok: true, value: basename };
  let json: unknown;
  try {
    json = JSON.parse(item.body);
  } catch {
    return invalidContent(item.path, `${item.path} is not JSON.`);
  }
  if (kind === 'stand_in_policy') {
    const parsed = parseStandInDocument(json);
    if (!parsed.ok) return invalidContent(item.path, `${item.path}: ${parsed.message}`);
    if (parsed.value.branchId !== basename) return invalidContent(item.path, `${item.path} is the policy of another branch.`);
    return { ok: true, value: `v${parsed.value.version}` };
  }
  if (kind === 'fraud_model') {
    const model = parseFraudModelDocument(json);
    if (!model.ok) return invalidContent(item.path, `${item.path}: ${model.message}. The model was not installed; the one in force stays.`);
    if (model.value.document.slot !== basename) return invalidContent(item.path, `${item.path} holds the ${model.value.document.slot} model.`);
    return { ok: true, value: model.value.model.metadata.version };
  }
  const parsed = parseSanctionsList(json);
  if (!parsed.ok) return invalidContent(item.path, `${item.path}: ${parsed.message}`);
  if (parsed.value.listId !== basename) return invalidContent(item.path, `${item.path} holds the list ${parsed.value.listId}.`);
  return { ok: true, value: parsed.value.publishedAt };
}

/** The server makes a signed stand-in policy the branch's next version, per currency (a branch it does not know is skipped). */
async function adoptStandIn(env: CommandEnv, content: InstalledContent): Promise<void> {
  const parsed = parseStandInDocument(JSON.parse(content.body));
  if (!parsed.ok) return;
  if ((await env.tx.banking.get('branch', parsed.value.branchId)) === undefined) return;
  for (const limits of parsed.value.limits) {
    const { version: _version, ...policy } = standInPolicyOf(parsed.value, limits.currency)!;
    await recordStandInPolicy(env, { ...policy, branchId: policy.branchId as Id128 });
  }
}

const reportSchema = z
  .object({
    deviceId: z.string().max(64),
    atMs: z.number().int().nonnegative(),
    metadata: z
      .object({
        root: z.number().int().positive(),
        timestamp: z.number().int().positive().nullable(),
        snapshot: z.number().int().positive().nullable(),
        targets: z.number().int().positive().nullable(),
        delegated: z.record(z.string().max(64), z.number().int().positive()).refine((value) => Object.keys(value).length <= trustFilesMax),
      })
      .strict(),
    content: z
      .array(z.object({ path: pathSchema, kind: codeSchema, role: z.string().max(64), version: z.string().max(64), sha256: sha256Schema, length: z.number().int().nonnegative(), installedAtMs: z.number().int().nonnegative() }).strict())
      .max(installItemsMax),
    app: z.object({ running: z.string().max(32), staged: z.string().max(32).nullable() }).strict(),
    lastCheckedAtMs: z.number().int().nonnegative().nullable(),
    lastInstalledAtMs: z.number().int().nonnegative().nullable(),
    refusal: refusalSchema.nullable(),
  })
  .strict();

/** A workstation's version report, signed with its device key (`update_report`), fresh and with a new nonce; the latest is kept per device. */
export const reportUpdateVersions = command({
  kind: 'write',
  input: z.object({ message: z.unknown() }),
  async run(env, input) {
    const device = await deviceOfMessage(env, input.message);
    const opened = openRequest(input.message, 'update_report', (keyId) => devicePublicKeys(device, keyId));
    if (!opened.ok) return refuse(opened.code, `The version report was refused: ${opened.code.replaceAll('_', ' ')}.`);
    if (device === undefined || device.status !== 'active') return refuse('device_not_active', 'This workstation may not report.');
    const stale = freshnessRefusal(env, device, opened.value);
    if (stale !== null) return stale;
    const report = reportSchema.safeParse(opened.value.report);
    if (!report.success || report.data.deviceId !== device.id) return refuse('report_malformed', 'The version report does not have the shape of one, or is about another device.');
    await env.tx.banking.put('device', withNonce(device, opened.value, env.nowMs));
    await env.tx.banking.put('updateReport', { id: device.id, branchId: device.branchId, receivedAtMs: env.nowMs, report: canonicalJson(report.data as unknown as JsonValue) });
    return ok({ deviceId: device.id, receivedAtMs: env.nowMs });
  },
  audit: () => ({}),
});

/** Every workstation's latest report with its branch, and what the repository publishes now (as this server verified it). */
export const updateStatus = command({
  kind: 'read',
  input: z.object({}).strict(),
  async run(env) {
    const records = await env.tx.banking.list('updateReport', '', updateReportsListedMax);
    const names = new Map<string, string>();
    const devices: UpdateStatusRow[] = [];
    for (const record of records) {
      if (!names.has(record.branchId)) names.set(record.branchId, (await env.tx.banking.get('branch', record.branchId))?.name ?? record.branchId);
      devices.push({ ...(JSON.parse(record.report) as UpdateReport), branchId: record.branchId, branchName: names.get(record.branchId)!, receivedAtMs: record.receivedAtMs });
    }
    // What needs attention first: a refusal, then the oldest report.
    devices.sort((a, b) => Number(b.refusal !== null) - Number(a.refusal !== null) || a.receivedAtMs - b.receivedAtMs);
    const trust = await env.tx.banking.get('updateTrust', 'local');
    return ok({ devices, repository: trust === undefined ? null : repositorySummary(trust) });
  },
});

interface SignedFile {
  readonly signed: { readonly version: number; readonly targets?: Readonly<Record<string, { readonly length: number; readonly hashes: { readonly sha256: string } }>> };
}

function signedOf(file: string | null): SignedFile['signed'] | null {
  if (file === null) return null;
  const bytes = decodeBase64url(file);
  return bytes === undefined ? null : ((decodeMetadataFile(bytes) as SignedFile | undefined)?.signed ?? null);
}

function repositorySummary(trust: UpdateTrustRecord): RepositorySummary | null {
  const [timestamp, snapshot, targets] = [signedOf(trust.timestamp), signedOf(trust.snapshot), signedOf(trust.targets)];
  if (timestamp === null || snapshot === null || targets === null) return null;
  const lastRoot = trust.roots.length === 0 ? null : signedOf(trust.roots[trust.roots.length - 1]!);
  const files: { path: string; role: string; length: number; sha256: string }[] = [];
  const delegated: Record<string, number> = {};
  const listed = (role: string, signed: SignedFile['signed']) => {
    for (const [path, info] of Object.entries(signed.targets ?? {})) files.push({ path, role, length: info.length, sha256: info.hashes.sha256 });
  };
  listed('targets', targets);
  for (const [role, file] of Object.entries(trust.delegated)) {
    const signed = signedOf(file);
    if (signed === null) continue;
    delegated[role] = signed.version;
    listed(role, signed);
  }
  return { root: lastRoot?.version ?? 1, timestamp: timestamp.version, snapshot: snapshot.version, targets: targets.version, delegated, files };
}

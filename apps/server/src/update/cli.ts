/**
 * `npm run server:admin -- key …`, `… update …`, `… content …`: the administrators' tools for the
 * signed update repository. Keys stay with each admin; drafts travel (a file) to wherever a key is,
 * get signed there — offline too — and come back with `update merge`.
 *
 *   key new --name N --out FILE          a new key sealed under a passphrase, and FILE.pub.json
 *   key show --key FILE                  the key id and name (public half only)
 *   update init --repo DIR --root-key P… [--root-threshold 2] --targets-key P… [--targets-threshold 1]
 *               [--compliance-key P… [--compliance-threshold 1]]   drafts of root 1, targets 1, compliance 1
 *   update rotate-root --repo DIR --root-key P… --root-threshold N    a draft of the next root
 *   update add --repo DIR --role ROLE --path PATH --file FILE          stage a file in ROLE's next version
 *   update remove --repo DIR --role ROLE --path PATH
 *   update sign --draft FILE --key KEY [--role ROLE]                   sign a draft (here or offline)
 *   update merge --repo DIR --draft FILE [--role ROLE]                 bring a signed copy back
 *   update status --repo DIR                                           drafts and their signatures
 *   update publish --repo DIR                                          check every threshold, then publish
 *   update refresh --repo DIR                                          re-sign timestamp/snapshot if due
 *   content stand-in --branch ID --version N --currency C --per-transaction A --per-customer-day A
 *               --per-teller-day A [--currency … ] --valid-days D --out FILE   a stand-in policy document
 *   content sanctions-ofac --sdn FILE --alt FILE --list ID --published DATE --out FILE
 *
 * The passphrase comes from QENEX_KEY_PASSPHRASE or is asked on the terminal; it is never printed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { gunzipSync } from 'node:zlib';
import {
  compliancePathPatterns,
  contentKindOf,
  diffSanctionsLists,
  parseSanctionsList,
  repositoryNames,
  encodeContentDocument,
  encodeSanctionsList,
  parseDecimal,
  parseOfacSdnCsv,
  parseStandInDocument,
  type Signed,
  type StandInDocument,
} from '@qenex/engine';
import { AdminKeyError, createAdminKey, openAdminKey, readAdminPublicKey } from './admin-key';
import { RepositoryError, signDraftFile, UpdateRepository } from './repository';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly nowMs: () => number;
}

class UsageError extends Error {}

/** `--name value` pairs; a flag given several times collects every value. */
function parseFlags(args: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index]!;
    const value = args[index + 1];
    if (!flag.startsWith('--') || value === undefined) throw new UsageError(`expected --flag value pairs, got "${flag}"`);
    flags.set(flag.slice(2), [...(flags.get(flag.slice(2)) ?? []), value]);
  }
  return flags;
}

function one(flags: Map<string, string[]>, name: string, fallback?: string): string {
  const values = flags.get(name);
  if (values === undefined || values.length === 0) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required`);
  }
  if (values.length > 1) throw new UsageError(`--${name} is given more than once`);
  return values[0]!;
}

function count(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${name} is a whole number from 1`);
  return value;
}

async function passphrase(io: CliIo, prompt: string): Promise<string> {
  const fromEnv = io.env.QENEX_KEY_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError('set QENEX_KEY_PASSPHRASE, or run on a terminal to be asked');
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await lines.question(prompt);
  } finally {
    lines.close();
  }
}

async function keys(flags: Map<string, string[]>, name: string) {
  return Promise.all((flags.get(name) ?? []).map(async (file) => (await readAdminPublicKey(file)).key));
}

async function readText(file: string): Promise<string> {
  const bytes = await readFile(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

export async function runUpdateCli(group: string, args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [action, ...rest] = args;
    const flags = parseFlags(rest);
    if (group === 'key') return await keyCommand(action, flags, io);
    if (group === 'update') return await updateCommand(action, flags, io);
    if (group === 'content') return await contentCommand(action, flags, io);
    throw new UsageError(`unknown command group ${group}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`usage: ${error.message} (see apps/server/src/update/cli.ts for every command)`);
      return 2;
    }
    if (error instanceof RepositoryError) {
      io.err(`refused (${error.code}): ${error.message}`);
      return 1;
    }
    if (error instanceof AdminKeyError) {
      io.err(`key: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function keyCommand(action: string | undefined, flags: Map<string, string[]>, io: CliIo): Promise<number> {
  if (action === 'new') {
    const created = await createAdminKey(one(flags, 'out'), one(flags, 'name'), await passphrase(io, 'New passphrase for this key: '));
    io.out(`key ${created.name}: ${created.keyid}`);
    io.out(`public key: ${one(flags, 'out')}.pub.json (give it to whoever initialises or rotates the repository); keep the key file with you`);
    return 0;
  }
  if (action === 'show') {
    const key = await readAdminPublicKey(one(flags, 'key'));
    io.out(`key ${key.name}: ${key.keyid}`);
    return 0;
  }
  throw new UsageError('key new --name N --out FILE | key show --key FILE');
}

async function updateCommand(action: string | undefined, flags: Map<string, string[]>, io: CliIo): Promise<number> {
  const nowMs = io.nowMs();
  const repository = () => new UpdateRepository(one(flags, 'repo'));
  switch (action) {
    case 'init': {
      const compliance = await keys(flags, 'compliance-key');
      const written = await repository().init(
        {
          root: { keys: await keys(flags, 'root-key'), threshold: count(one(flags, 'root-threshold', '2'), 'root-threshold') },
          targets: { keys: await keys(flags, 'targets-key'), threshold: count(one(flags, 'targets-threshold', '1'), 'targets-threshold') },
          compliance: compliance.length === 0 ? null : { keys: compliance, threshold: count(one(flags, 'compliance-threshold', '1'), 'compliance-threshold') },
          compliancePaths: compliancePathPatterns,
        },
        nowMs,
      );
      for (const file of written) io.out(`draft: ${file}`);
      io.out('next: each admin signs the drafts (update sign), then update publish');
      return 0;
    }
    case 'rotate-root': {
      io.out(`draft: ${await repository().draftRootRotation({ keys: await keys(flags, 'root-key'), threshold: count(one(flags, 'root-threshold'), 'root-threshold') }, nowMs)}`);
      io.out('it needs the current root threshold and the new one: both sets of admins sign it');
      return 0;
    }
    case 'add':
    case 'remove': {
      const role = one(flags, 'role', 'targets');
      const path = one(flags, 'path');
      const bytes = action === 'add' ? new Uint8Array(await readFile(one(flags, 'file'))) : null;
      if (bytes !== null && contentKindOf(path) === 'sanctions_list') await describeListChange(repository(), role, path, bytes, io);
      const draft = bytes !== null ? await repository().addTarget(role, path, bytes, nowMs) : await repository().removeTarget(role, path, nowMs);
      io.out(`draft: ${draft} (${action === 'add' ? 'adds' : 'removes'} ${path}); its signatures were cleared: sign it again`);
      return 0;
    }
    case 'sign': {
      const file = one(flags, 'draft');
      const role = one(flags, 'role', basename(file).replace(/\.json$/, ''));
      const key = await openAdminKey(one(flags, 'key'), await passphrase(io, `Passphrase of ${one(flags, 'key')}: `));
      const signed = await signDraftFile(file, role, key.keyPair);
      io.out(`signed ${role} as ${key.name} (${signed.keyid.slice(0, 16)}…); ${signed.signatures} signature(s) on the draft`);
      return 0;
    }
    case 'merge': {
      const file = one(flags, 'draft');
      const role = one(flags, 'role', basename(file).replace(/\.json$/, ''));
      const copy = JSON.parse(await readFile(file, 'utf8')) as Signed<unknown>;
      io.out(`merged: ${await repository().mergeSignatures(role, copy)} signature(s) on ${role}`);
      return 0;
    }
    case 'status': {
      const pending = await repository().pending();
      if (pending.length === 0) io.out('no drafts waiting');
      for (const entry of pending) io.out(`${entry.role} v${entry.version}: ${entry.signatures} signature(s); needs ${entry.needs}`);
      return 0;
    }
    case 'publish': {
      const { published } = await repository().publish(nowMs);
      io.out(`published: ${published.join(', ')}; snapshot and timestamp re-signed`);
      return 0;
    }
    case 'refresh': {
      const refreshed = await repository().refresh(nowMs);
      io.out(refreshed === null ? 'nothing due' : `re-signed ${refreshed}`);
      return 0;
    }
    default:
      throw new UsageError('update init | rotate-root | add | remove | sign | merge | status | publish | refresh');
  }
}

/** Entry ids a change summary names at most per kind of change (the counts are always whole). */
const changeIdsShownMax = 10;

/**
 * What a new list changes against the one published under the same path: entries added, removed and
 * amended (with the fields), so the compliance officer sees what they are about to sign. A file
 * that is not a valid list is refused here, before it is staged.
 */
async function describeListChange(repository: UpdateRepository, role: string, path: string, bytes: Uint8Array, io: CliIo): Promise<void> {
  const next = parseSanctionsList(JSON.parse(new TextDecoder().decode(bytes)));
  if (!next.ok) throw new UsageError(`${path}: the file is not a valid sanctions list (${next.message})`);
  const published = (await repository.currentTargets(role))?.signed.targets[path];
  const before = published === undefined ? null : await repository.readFile(repositoryNames.target(path, published.hashes.sha256));
  const previous = before === null ? null : parseSanctionsList(JSON.parse(new TextDecoder().decode(before)));
  const diff = diffSanctionsLists(previous !== null && previous.ok ? previous.value : null, next.value);
  const ids = (list: readonly string[]) => (list.length === 0 ? '' : `: ${list.slice(0, changeIdsShownMax).join(', ')}${list.length > changeIdsShownMax ? ', …' : ''}`);
  io.out(`${path}: ${next.value.entries.length} entries, published ${next.value.publishedAt}; against ${published === undefined ? 'nothing published yet' : 'the published version'}:`);
  io.out(`  added ${diff.added.length}${ids(diff.added)}`);
  io.out(`  removed ${diff.removed.length}${ids(diff.removed)}`);
  io.out(`  amended ${diff.amended.length}${ids(diff.amended.map((entry) => `${entry.id} (${entry.fields.join(', ')})`))}`);
}

async function contentCommand(action: string | undefined, flags: Map<string, string[]>, io: CliIo): Promise<number> {
  if (action === 'stand-in') {
    const currencies = flags.get('currency') ?? [];
    const minor = (name: string, index: number) => {
      const text = (flags.get(name) ?? [])[index];
      const parsed = text === undefined ? undefined : parseDecimal(text, currencies[index]!);
      if (parsed === undefined || !parsed.ok || parsed.value <= 0n) throw new UsageError(`--${name} (one per --currency, a positive amount such as 500.00)`);
      return String(parsed.value);
    };
    const issuedMs = Math.floor(io.nowMs() / 1000) * 1000;
    const document: StandInDocument = {
      kind: 'qenex.stand-in-policy',
      schema: 1,
      branchId: one(flags, 'branch'),
      version: count(one(flags, 'version'), 'version'),
      issuedAt: new Date(issuedMs).toISOString(),
      expiresAt: new Date(issuedMs + count(one(flags, 'valid-days'), 'valid-days') * 24 * 60 * 60 * 1000).toISOString(),
      limits: currencies.map((currency, index) => ({ currency, perTransactionMinor: minor('per-transaction', index), perCustomerPerDayMinor: minor('per-customer-day', index), perTellerPerDayMinor: minor('per-teller-day', index) })),
    };
    const checked = parseStandInDocument(document);
    if (!checked.ok) throw new UsageError(checked.message);
    await writeFile(one(flags, 'out'), encodeContentDocument(checked.value), { flag: 'wx' });
    io.out(`stand-in policy v${document.version} of branch ${document.branchId}: ${one(flags, 'out')}; stage it with update add --path content/stand-in/${document.branchId}.json`);
    return 0;
  }
  if (action === 'sanctions-ofac') {
    const listId = one(flags, 'list');
    // OFAC cuts Remarks at 1,000 characters and continues them in sdn_comments.csv (wallet addresses among them).
    const comments = flags.has('comments') ? await readText(one(flags, 'comments')) : undefined;
    const parsed = parseOfacSdnCsv(await readText(one(flags, 'sdn')), flags.has('alt') ? await readText(one(flags, 'alt')) : undefined, { listId, publishedAt: one(flags, 'published') }, comments);
    if (!parsed.ok) throw new UsageError(`the OFAC files do not parse: ${parsed.message}`);
    await writeFile(one(flags, 'out'), encodeSanctionsList(parsed.value), { flag: 'wx' });
    io.out(`${parsed.value.entries.length} entries of ${listId}: ${one(flags, 'out')}; compliance stages it with update add --role compliance --path content/sanctions/${listId}.json`);
    return 0;
  }
  throw new UsageError('content stand-in … | content sanctions-ofac …');
}

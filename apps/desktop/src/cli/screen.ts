/**
 * `npm run qenex -- screen "NAME" [--dob YYYY-MM-DD] [--country CC] [--type person|company|vessel|aircraft] [--lists DIR]`
 * and `npm run qenex -- screen-pair "NAME A" "NAME B" [--type …]`: the bank's scored screening from a
 * terminal, for compliance staff and for checks from outside. Hits print as JSON lines (list, entry,
 * matched name, score, whether it is a match at the shipped threshold, and each part of the score).
 *
 * The lists are the ones in force on this workstation (installed from signed updates), or every list
 * file in `--lists DIR` in its publisher's format: OFAC's sdn.csv (+ alt.csv), OFAC's sdnList XML,
 * the UN consolidated XML, the EU FSF XML, or the signed list document (.json); `.gz` is read too.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  buildFuzzyIndex,
  parseEuFsfXml,
  parseOfacSdnCsv,
  parseOfacXml,
  parseSanctionsList,
  parseUnConsolidatedXml,
  scorePair,
  screenFuzzy,
  shippedThreshold,
  type FuzzyQuery,
  type FuzzyQueryType,
  type SanctionsList,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';

/** List files one directory may hold at most. */
const listFilesMax = 64;
const queryTypes: readonly FuzzyQueryType[] = ['person', 'company', 'vessel', 'aircraft'];

export class ScreenUsageError extends Error {}

async function text(path: string): Promise<string> {
  const bytes = await readFile(path);
  const raw = path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
  // OFAC's CSV files are ASCII with the odd Latin-1 byte; the XML files declare UTF-8.
  return path.includes('.csv') ? raw.toString('latin1') : raw.toString('utf8');
}

function listIdOf(file: string): string {
  return basename(file).replace(/\.gz$/, '').replace(/\.(xml|json|csv)$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'list';
}

/** Every list file in `directory`, each converted from its publisher's format; a file that does not convert is an error naming it. */
export async function listsFromDirectory(directory: string): Promise<SanctionsList[]> {
  const names = (await readdir(directory)).sort();
  if (names.length > listFilesMax) throw new ScreenUsageError(`${directory} holds more than ${listFilesMax} files`);
  const lists: SanctionsList[] = [];
  for (const name of names) {
    const path = join(directory, name);
    const plain = name.replace(/\.gz$/, '');
    let parsed: { ok: true; value: SanctionsList } | { ok: false; message: string } | null = null;
    if (plain === 'sdn.csv') {
      const alt = ['alt.csv', 'alt.csv.gz'].map((file) => join(directory, file)).find((file) => existsSync(file));
      const comments = ['sdn_comments.csv', 'sdn_comments.csv.gz'].map((file) => join(directory, file)).find((file) => existsSync(file));
      parsed = parseOfacSdnCsv(await text(path), alt === undefined ? undefined : await text(alt), { listId: 'ofac-sdn', publishedAt: new Date().toISOString().slice(0, 10) }, comments === undefined ? undefined : await text(comments));
    } else if (plain.endsWith('.json')) {
      parsed = parseSanctionsList(JSON.parse(await text(path)));
    } else if (plain.endsWith('.xml')) {
      const xml = await text(path);
      const head = xml.slice(0, 2_000);
      const meta = { listId: listIdOf(name) };
      if (head.includes('<CONSOLIDATED_LIST')) parsed = parseUnConsolidatedXml(xml, meta);
      else if (head.includes('<sdnList')) parsed = parseOfacXml(xml, meta);
      else if (head.includes('<export')) {
        const eu = parseEuFsfXml(xml, meta);
        parsed = eu.ok ? { ok: true, value: eu.value.list } : eu;
      }
    }
    if (parsed === null) continue;
    if (!parsed.ok) throw new ScreenUsageError(`${path} does not convert: ${parsed.message}`);
    lists.push(parsed.value);
  }
  if (lists.length === 0) throw new ScreenUsageError(`${directory} holds no list file this tool reads (sdn.csv, *.xml from OFAC, the UN or the EU, or signed .json lists)`);
  return lists;
}

/** The lists installed on the workstation database at `path` (none: the workstation has taken no signed list yet). */
export async function installedLists(path: string): Promise<SanctionsList[]> {
  if (!existsSync(path)) throw new ScreenUsageError(`no workstation database at ${path}: pass --lists DIR`);
  const storage = new SqliteStorage({ path });
  try {
    const installed = await storage.read((tx) => tx.banking.findBy('installedContent', 'kind', 'sanctions_list', 64));
    const lists: SanctionsList[] = [];
    for (const content of installed) {
      const parsed = parseSanctionsList(JSON.parse(content.body));
      if (parsed.ok) lists.push(parsed.value);
    }
    if (lists.length === 0) throw new ScreenUsageError(`the workstation at ${path} has no sanctions list installed yet: pass --lists DIR`);
    return lists;
  } finally {
    await storage.close();
  }
}

function queryType(value: string | boolean | undefined): FuzzyQueryType | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(queryTypes as readonly string[]).includes(value)) throw new ScreenUsageError(`--type is one of ${queryTypes.join(', ')}`);
  return value as FuzzyQueryType;
}

export interface ScreenOptions {
  readonly [key: string]: string | boolean | undefined;
}

/** `screen NAME`: the hits as JSON lines, strongest first (near misses too, `match: false`); exit 0 with no match, 1 with one. */
export async function screenCommand(args: readonly string[], options: ScreenOptions, lists: readonly SanctionsList[], out: (line: string) => void): Promise<number> {
  const [name] = args;
  if (name === undefined || args.length !== 1) throw new ScreenUsageError('screen "NAME" [--dob YYYY-MM-DD] [--country CC] [--type person|company|vessel|aircraft] [--lists DIR]');
  const type = queryType(options.type);
  const query: FuzzyQuery = {
    name,
    ...(type === undefined ? {} : { type }),
    ...(typeof options.dob === 'string' ? { birthDate: options.dob } : {}),
    ...(typeof options.country === 'string' ? { country: options.country.toUpperCase() } : {}),
  };
  const index = buildFuzzyIndex(lists);
  const matches = screenFuzzy(index, query, { threshold: shippedThreshold });
  for (const match of matches) {
    out(JSON.stringify({ list: match.listId, entryId: match.entryId, entryType: match.entryType, matchedName: match.matchedName, score: Number(match.score.toFixed(4)), match: match.match, explanation: match.explanation }));
  }
  return matches.some((match) => match.match) ? 1 : 0;
}

/** `screen-pair A B`: the score of one pair and whether it is a match at the shipped threshold. */
export function screenPairCommand(args: readonly string[], options: ScreenOptions, out: (line: string) => void): number {
  const [a, b] = args;
  if (a === undefined || b === undefined || args.length !== 2) throw new ScreenUsageError('screen-pair "NAME A" "NAME B" [--type person|company|vessel|aircraft]');
  const type = queryType(options.type);
  const scored = scorePair(a, b, type === undefined ? {} : { type });
  out(JSON.stringify({ a, b, score: Number(scored.score.toFixed(4)), match: scored.match, threshold: shippedThreshold, explanation: scored.explanation }));
  return scored.match ? 1 : 0;
}

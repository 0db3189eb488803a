/**
 * Admin-signed content as the commands use it: the stand-in policy a branch's admins signed, and
 * the sanctions lists every party of a money command is screened against. Both are read from the
 * installed content (see commands/updates.ts), parsed once per file (cached by its hash).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { CaseAlert, InstalledContent } from '../core/banking/types';
import { encodeHex } from '../core/crypto';
import { parseStandInDocument, standInPath, standInPolicyOf, type StandInDocument } from '../core/update/content';
import type { StandInPolicy } from '../core/sync/stand-in';
import { buildDigitalAddressIndex, screenDigitalAddressIn, type DigitalAddressIndex, buildFuzzyIndex, parseSanctionsList, screenFuzzy, shippedThreshold, type FuzzyIndex, type FuzzyMatch, type SanctionsList } from '../core/screening';
import type { Storage, StorageTx } from '../ports/storage';
import { refuse, type Refusal, type ScreenedParty } from './command';

/** The stored body of installed content still hashes to what was verified (an app build's file is checked where it is staged). */
export function bodyIntact(content: InstalledContent): boolean {
  return content.kind === 'app_build' || encodeHex(sha256(utf8ToBytes(content.body))) === content.sha256;
}

/** Sanctions lists in force on one host at most (each is one installed file). */
export const sanctionsListsMax = 64;
/** Parsed files kept in memory: a few lists and a few policies per host. */
const parsedCacheMax = 32;

const standInCache = new Map<string, StandInDocument | null>();
const screeningCache = new Map<string, FuzzyIndex>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= parsedCacheMax) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The admins' signed stand-in policy for a branch and currency, if one is installed and was issued by `atMs`. */
export async function signedStandInAt(tx: StorageTx, branchId: string, currency: string, atMs: number): Promise<StandInPolicy | undefined> {
  const installed = await tx.banking.get('installedContent', standInPath(branchId));
  if (installed === undefined || installed.status !== 'in_force') return undefined;
  // A body edited in the store is not the policy the admins signed: nothing is paid out offline on it.
  if (!bodyIntact(installed)) return { branchId, currency, perTransactionMinor: 0n, perCustomerPerDayMinor: 0n, perTellerPerDayMinor: 0n, issuedAtMs: 0, expiresAtMs: Number.MAX_SAFE_INTEGER, version: 0 };
  let document = standInCache.get(installed.sha256);
  if (document === undefined) {
    const parsed = parseStandInDocument(parseJson(installed.body));
    document = remember(standInCache, installed.sha256, parsed.ok ? parsed.value : null);
  }
  const policy = document === null ? undefined : standInPolicyOf(document, currency);
  return policy !== undefined && policy.issuedAtMs <= atMs ? policy : undefined;
}

async function screeningIndexOf(tx: StorageTx): Promise<{ index: FuzzyIndex; lists: readonly InstalledContent[] } | { damaged: string } | null> {
  const lists = await tx.banking.findBy('installedContent', 'kind', 'sanctions_list', sanctionsListsMax);
  if (lists.length === 0) return null;
  const key = lists.map((list) => list.sha256).sort().join(',');
  let index = screeningCache.get(key);
  if (index === undefined) {
    const parsed: SanctionsList[] = [];
    for (const list of lists) {
      // Hashed again whenever it is parsed: a list edited in the store is not the one compliance signed.
      if (!bodyIntact(list)) return { damaged: list.id };
      const document = parseSanctionsList(parseJson(list.body));
      // update.install parsed every list before it took effect: one that does not parse now is a broken store.
      if (!document.ok) throw new Error(`installed sanctions list ${list.id} does not parse: ${document.message}`);
      parsed.push(document.value);
    }
    index = remember(screeningCache, key, buildFuzzyIndex(parsed));
  }
  return { index, lists };
}

/** The lists in force as one key (their digests, sorted); null when none is. */
export async function sanctionsListsKey(tx: StorageTx): Promise<string | null> {
  const lists = await tx.banking.findBy('installedContent', 'kind', 'sanctions_list', sanctionsListsMax);
  return lists.length === 0 ? null : lists.map((list) => list.sha256).sort().join(',');
}

/**
 * Builds the screening index of the lists in force, outside any command's transaction, so the first
 * payment after a list arrives (or after a restart) does not build it under the writer lock (about a
 * second for the full OFAC, UN and EU lists here). A no-op when it is built already.
 */
export async function warmScreening(storage: Storage): Promise<void> {
  await storage.read((tx) => screeningIndexOf(tx));
}

/**
 * The parties of a command against the sanctions lists in force here, by scored matching (names
 * normalised and transliterated, token order free, per-token similarity and a phonetic key, weak
 * aliases down-weighted, a person's date of birth as a qualifier): a match at the shipped threshold
 * refuses the command before anything is booked or held (nobody is asked to approve it), and says
 * which list and entry matched, with the score and each part of it, so compliance can look.
 */
export async function screeningRefusal(tx: StorageTx, partiesOf: () => Promise<readonly ScreenedParty[]>): Promise<ScreeningRefusal | null> {
  const screened = await screenParties(tx, partiesOf);
  if (screened === null) return null;
  if ('damaged' in screened) {
    return { refusal: refuse('screening_unavailable', `The sanctions list ${screened.damaged} on this workstation is damaged, so nobody can be screened; nothing was done. Check for updates (it is fetched again), then try again.`), hit: null };
  }
  const found = screened.find((result) => result.matches.length > 0);
  if (found === undefined) return null;
  const first = found.matches[0]!;
  const refusal = refuse(
    'sanctions_match',
    `A party's name matches entry ${first.entryId} of the sanctions list ${first.listId} ("${first.matchedName}", score ${first.score.toFixed(2)}). Nothing was done; refer the customer to compliance before going on.`,
    { listId: first.listId, entryId: first.entryId, matchedName: first.matchedName, score: rounded(first.score), matches: found.matches.length, explanation: explained(first) },
  );
  return { refusal, hit: { party: found.party, match: first } };
}

export interface ScreeningRefusal {
  readonly refusal: Refusal;
  /** The party and the strongest entry it matched; null when nobody could be screened. */
  readonly hit: { readonly party: ScreenedParty; readonly match: FuzzyMatch } | null;
}

/** A sanctions hit as a case keeps it: the party, the entry, the score and each part of it. */
export function screeningAlert(command: string, hit: NonNullable<ScreeningRefusal['hit']>, atMs: number): CaseAlert {
  const described = describeMatch(hit.match);
  return { kind: 'screening', command, partyName: hit.party.name, listId: described.listId, entryId: described.entryId, matchedName: described.matchedName, score: described.score, explanation: described.explanation, atMs };
}

function rounded(score: number): number {
  return Math.round(score * 1000) / 1000;
}

function explained(match: FuzzyMatch): { part: string; value: number; detail: string }[] {
  return match.explanation.map((part) => ({ part: part.part, value: rounded(part.value), detail: part.detail }));
}

/**
 * Each party against the lists in force: its matches at the shipped threshold, strongest first;
 * null when no list is in force, `damaged` when one no longer hashes to what was signed. The
 * parties are read only when a list is in force: a host without one pays one lookup per command.
 */
export async function screenParties(tx: StorageTx, partiesOf: () => Promise<readonly ScreenedParty[]>): Promise<{ party: ScreenedParty; matches: FuzzyMatch[] }[] | { damaged: string } | null> {
  const screening = await screeningIndexOf(tx);
  if (screening === null || 'damaged' in screening) return screening;
  const parties = await partiesOf();
  return parties.map((party) => {
    const query = { name: party.name, type: party.type, ...(party.birthDate === undefined ? {} : { birthDate: party.birthDate }) };
    return { party, matches: screenFuzzy(screening.index, query, { threshold: shippedThreshold }).filter((match) => match.match) };
  });
}

/** A customer's matches as the re-screen reports them. */
export function describeMatch(match: FuzzyMatch): { listId: string; entryId: string; matchedName: string; score: number; explanation: { part: string; value: number; detail: string }[] } {
  return { listId: match.listId, entryId: match.entryId, matchedName: match.matchedName, score: rounded(match.score), explanation: explained(match) };
}

const addressCache = new Map<string, DigitalAddressIndex>();

/**
 * A chain address against the digital-currency addresses the lists in force name (OFAC lists
 * sanctioned wallets in its SDN entries). An EVM address is matched whatever currency it was filed
 * under: the same key holds every token on the chain. A hit refuses before anything is held.
 */
export async function addressScreening(tx: StorageTx, address: string): Promise<Refusal | null> {
  const lists = await tx.banking.findBy('installedContent', 'kind', 'sanctions_list', sanctionsListsMax);
  if (lists.length === 0) return null;
  const key = lists.map((list) => list.sha256).sort().join(',');
  let index = addressCache.get(key);
  if (index === undefined) {
    const parsed: SanctionsList[] = [];
    for (const list of lists) {
      if (!bodyIntact(list)) return refuse('screening_unavailable', `The sanctions list ${list.id} here is damaged, so the destination cannot be screened; nothing was done. Check for updates, then try again.`);
      const document = parseSanctionsList(parseJson(list.body));
      if (!document.ok) throw new Error(`installed sanctions list ${list.id} does not parse: ${document.message}`);
      parsed.push(document.value);
    }
    index = remember(addressCache, key, buildDigitalAddressIndex(parsed));
  }
  const screened = screenDigitalAddressIn(index, address);
  if (!screened.hit) return null;
  const hit = screened.matches[0]!;
  return refuse('destination_sanctioned', `The destination address is listed as a ${hit.currency} address of entry ${hit.entryId} ("${hit.name}") on the sanctions list ${hit.listId}. Nothing was done; refer the customer to compliance.`, {
    listId: hit.listId,
    entryId: hit.entryId,
    matchedName: hit.name,
  });
}

/**
 * First screening against the published sanctions lists: a name matches an entry when, after
 * `normalizeName`, it has exactly the tokens of one of the entry's names, in any order
 * ("Saddam Hussein" finds "HUSSEIN, Saddam"; "O'Brien" finds "OBRIEN").
 *
 * This is an honest first step, not a compliance screen: there is no fuzzy scoring, so a
 * misspelling, a missing middle name, a transliteration variant or an extra title ("Dr") finds
 * nothing. Scored matching (edit distance, phonetic keys, partial token sets, transliteration)
 * comes with the compliance engine; until then an empty result means "no exact match", never
 * "cleared".
 */
import { assert } from '../assert';
import type { SanctionsEntryType, SanctionsList } from './list';
import { keyOfNormalized, letterCount, normalizeName } from './names';

export interface ScreeningMatch {
  readonly listId: string;
  readonly entryId: string;
  readonly entryType: SanctionsEntryType;
  /** The entry's name, as the list writes it, whose key the screened name has. */
  readonly matchedName: string;
}

export interface ScreeningIndex {
  /** From `nameKey` to the entries having a name with that key, in list order, each entry once. */
  readonly byKey: ReadonlyMap<string, readonly ScreeningMatch[]>;
  readonly listIds: readonly string[];
}

/** Lists one index holds: a bank screens against a handful (OFAC, UN, EU, its own). */
export const screeningListsMax = 64;
/** Matches one screening returns: past this many the name is a hit for review anyway. */
export const screeningMatchesMax = 100;
/** The longest name screened, in UTF-16 code units; the caller's schema bounds what a teller types. */
export const screenedNameCharsMax = 1_000;
/** A normalised name with fewer letters than this (any script, digits not counted) never matches: "A", "1", "-". */
export const screenedLettersMin = 2;

export function buildScreeningIndex(lists: readonly SanctionsList[]): ScreeningIndex {
  assert(lists.length <= screeningListsMax, `buildScreeningIndex: more than ${screeningListsMax} lists`);
  const listIds = lists.map((list) => list.listId);
  assert(new Set(listIds).size === listIds.length, 'buildScreeningIndex: two lists with one listId');
  const byKey = new Map<string, ScreeningMatch[]>();
  for (const list of lists) {
    for (const entry of list.entries) {
      for (const name of entry.names) {
        const key = screeningKey(name);
        if (key === undefined) continue;
        const matches = byKey.get(key);
        const match: ScreeningMatch = { listId: list.listId, entryId: entry.id, entryType: entry.type, matchedName: name };
        if (matches === undefined) byKey.set(key, [match]);
        else if (!sameEntry(matches[matches.length - 1], match)) matches.push(match);
      }
    }
  }
  return { byKey, listIds };
}

/** The entries with a name of exactly `name`'s tokens, at most `screeningMatchesMax`, in list order. */
export function screenName(index: ScreeningIndex, name: string): ScreeningMatch[] {
  assert(name.length <= screenedNameCharsMax, `screenName: a name over ${screenedNameCharsMax} characters`);
  const key = screeningKey(name);
  if (key === undefined) return [];
  return (index.byKey.get(key) ?? []).slice(0, screeningMatchesMax);
}

/** The key a name is indexed and looked up by, or `undefined` for a name too short to screen. */
function screeningKey(name: string): string | undefined {
  const normalized = normalizeName(name);
  return letterCount(normalized) < screenedLettersMin ? undefined : keyOfNormalized(normalized);
}

/** One entry's names are indexed one after another, so a repeat of the entry under a key is the key's last match. */
function sameEntry(a: ScreeningMatch | undefined, b: ScreeningMatch): boolean {
  return a !== undefined && a.listId === b.listId && a.entryId === b.entryId;
}

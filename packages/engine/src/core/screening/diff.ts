/**
 * What changes when a new version of a sanctions list replaces the installed one, entry by entry
 * (by the publisher's id), for the admin to read before signing: entries added, entries removed,
 * and entries kept whose content changed, with the fields that did.
 *
 * A field is compared as the document holds it, in order: an alias moved or a programme added is
 * an amendment, because the signed bytes change (and the primary name is the first). A qualifier
 * that appears or disappears (a date of birth now known) is an amendment of that field.
 */
import { assert } from '../assert';
import { sanctionsEntriesMax, type DigitalCurrencyAddress, type SanctionsEntry, type SanctionsList } from './list';

/** The fields of an entry besides its id, in the order a diff names them. */
export type SanctionsEntryField = Exclude<keyof SanctionsEntry, 'id'>;
export const sanctionsEntryFields: readonly SanctionsEntryField[] = ['type', 'names', 'weakNames', 'programs', 'birthDates', 'nationalities', 'digitalCurrencyAddresses'];

export interface SanctionsListDiff {
  /** Ids only in the new list, in its order. */
  readonly added: string[];
  /** Ids only in the old list, in its order. */
  readonly removed: string[];
  /** Ids in both whose entries differ, in the new list's order, each with the fields that differ. */
  readonly amended: { readonly id: string; readonly fields: SanctionsEntryField[] }[];
}

/**
 * The changes from `before` (`null` when no version is installed: every entry is added) to
 * `after`. Both are lists the validator accepted, of one listId: a diff between two different
 * lists, an oversized list or a repeated id is a programmer error. The work is linear in the
 * entries and their names, and the result at most one item per entry of either list.
 */
export function diffSanctionsLists(before: SanctionsList | null, after: SanctionsList): SanctionsListDiff {
  assert(before === null || before.listId === after.listId, `diffSanctionsLists: ${before?.listId} and ${after.listId} are different lists`);
  const old = entriesById(before?.entries ?? []);
  const current = entriesById(after.entries);
  const added: string[] = [];
  const amended: { id: string; fields: SanctionsEntryField[] }[] = [];
  for (const entry of after.entries) {
    const previous = old.get(entry.id);
    if (previous === undefined) {
      added.push(entry.id);
      continue;
    }
    const fields = sanctionsEntryFields.filter((field) => !sameField(previous[field], entry[field]));
    if (fields.length > 0) amended.push({ id: entry.id, fields });
  }
  const removed = (before?.entries ?? []).filter((entry) => !current.has(entry.id)).map((entry) => entry.id);
  return { added, removed, amended };
}

function entriesById(entries: readonly SanctionsEntry[]): Map<string, SanctionsEntry> {
  assert(entries.length <= sanctionsEntriesMax, `diffSanctionsLists: a list of over ${sanctionsEntriesMax} entries`);
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  assert(byId.size === entries.length, 'diffSanctionsLists: a list with one id on two entries');
  return byId;
}

type FieldValue = string | readonly (string | DigitalCurrencyAddress)[] | undefined;

function sameField(a: FieldValue, b: FieldValue): boolean {
  if (a === undefined || b === undefined || typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((item, index) => sameItem(item, b[index]));
}

function sameItem(a: string | DigitalCurrencyAddress, b: string | DigitalCurrencyAddress | undefined): boolean {
  if (typeof a === 'string' || b === undefined || typeof b === 'string') return a === b;
  return a.currency === b.currency && a.address === b.address;
}

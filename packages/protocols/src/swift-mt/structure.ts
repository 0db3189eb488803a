/**
 * Which fields a message type holds, in which order, with which letter options, how often: one
 * list of slots per type, walked by one function. A repeating group (MT940's 61 + 86) is a run of
 * slots sharing a `group` name; only its first slot opens it.
 */
import type { Issue } from '../payment/model';
import type { TextField } from './fin';
import { splitTag } from './fields';

export interface Slot {
  /** Field number (`50`) and the letter options allowed (`''` for no letter). */
  readonly number: string;
  readonly options: readonly string[];
  readonly mandatory: boolean;
  readonly repeats: boolean;
  /** Name of the repeating group this slot belongs to. */
  readonly group?: string;
  /** Prefix for issue fields in a second sequence (`seqB/`). */
  readonly sequence?: string;
}

/** `options`: the letters allowed, `-` for no letter (`-AF`: 59, 59A, 59F). */
export function slot(tag: string, options: string, mandatory: 'M' | 'O', extra: { repeats?: boolean; group?: string; sequence?: string } = {}): Slot {
  return {
    number: tag,
    options: options.split('').map((option) => (option === '-' ? '' : option)),
    mandatory: mandatory === 'M',
    repeats: extra.repeats ?? false,
    ...(extra.group === undefined ? {} : { group: extra.group }),
    ...(extra.sequence === undefined ? {} : { sequence: extra.sequence }),
  };
}

/** A field placed in its slot, with the name issues use for it (`32A`, `seqB/50K`). */
export interface PlacedField {
  readonly field: TextField;
  readonly slotIndex: number;
  readonly name: string;
}

export interface Placement {
  readonly placed: readonly PlacedField[];
  readonly issues: readonly Issue[];
}

function fits(slot: Slot, tag: string): boolean {
  const { number, letter } = splitTag(tag);
  return slot.number === number && slot.options.includes(letter);
}

function slotLabel(slot: Slot): string {
  const options = slot.options.length === 1 ? (slot.options[0] ?? '') : 'a';
  return `${slot.sequence ?? ''}${slot.number}${options}`;
}

/** Places each field in a slot, walking forward; reports mandatory fields missing, fields out of order, options not allowed. */
export function placeFields(slots: readonly Slot[], fields: readonly TextField[]): Placement {
  const issues: Issue[] = [];
  const placed: PlacedField[] = [];
  let at = 0;
  let count = 0;
  const missing = (from: number, to: number) => {
    for (let index = from; index < to; index += 1) {
      const skipped = slots[index];
      if (skipped !== undefined && skipped.mandatory && !(index === at && count > 0)) {
        issues.push({ field: slotLabel(skipped), rule: 'mandatory', message: `field ${slotLabel(skipped)} is mandatory` });
      }
    }
  };
  for (const field of fields) {
    const current = slots[at];
    if (current !== undefined && fits(current, field.tag) && (count === 0 || current.repeats)) {
      count += 1;
      placed.push({ field, slotIndex: at, name: `${current.sequence ?? ''}${field.tag}` });
      continue;
    }
    const next = nextSlot(slots, at, field.tag);
    if (next !== undefined) {
      missing(at, next);
      at = next;
      count = 1;
      const target = slots[next];
      placed.push({ field, slotIndex: next, name: `${target?.sequence ?? ''}${field.tag}` });
      continue;
    }
    const wrongOption = wrongOptionSlot(slots, at, field.tag);
    if (wrongOption !== undefined) {
      // The field stands where its number belongs: its slot counts as filled, only the letter is wrong.
      issues.push(optionIssue(slots[wrongOption] as Slot, field.tag));
      if (wrongOption > at || count === 0) missing(at, wrongOption);
      if (wrongOption !== at) count = 0;
      at = wrongOption;
      count += 1;
      continue;
    }
    issues.push(misplaced(slots, field.tag));
  }
  missing(at, slots.length);
  return { placed, issues };
}

/** The next slot the tag can open: later slots, or the start of the group the walk is in. */
function nextSlot(slots: readonly Slot[], at: number, tag: string): number | undefined {
  const group = slots[at]?.group;
  if (group !== undefined) {
    const start = slots.findIndex((candidate) => candidate.group === group);
    if (start !== -1 && start < at && fits(slots[start] as Slot, tag)) return start;
  }
  for (let index = at + 1; index < slots.length; index += 1) {
    const candidate = slots[index] as Slot;
    const opensGroup = candidate.group === undefined || slots[index - 1]?.group !== candidate.group || candidate.group === group;
    if (opensGroup && fits(candidate, tag)) return index;
  }
  return undefined;
}

/** A slot at or after the walk with the tag's number but not its letter. */
function wrongOptionSlot(slots: readonly Slot[], at: number, tag: string): number | undefined {
  const { number, letter } = splitTag(tag);
  for (let index = at; index < slots.length; index += 1) {
    const candidate = slots[index] as Slot;
    if (candidate.number === number) return candidate.options.includes(letter) ? undefined : index;
  }
  return undefined;
}

function optionIssue(target: Slot, tag: string): Issue {
  const letter = splitTag(tag).letter;
  const allowed = target.options.map((option) => (option === '' ? 'no letter' : option)).join(', ');
  return { field: `${target.sequence ?? ''}${tag}`, rule: 'option', message: `option ${letter === '' ? 'without a letter' : letter} is not allowed for field ${slotLabel(target)} (allowed: ${allowed})` };
}

function misplaced(slots: readonly Slot[], tag: string): Issue {
  const number = splitTag(tag).number;
  const sameNumber = slots.find((candidate) => candidate.number === number);
  if (sameNumber !== undefined && !slots.some((candidate) => fits(candidate, tag))) return optionIssue(sameNumber, tag);
  if (sameNumber !== undefined) return { field: tag, rule: 'order', message: `field ${tag} is out of order or repeated` };
  return { field: tag, rule: 'not_allowed', message: `field ${tag} is not part of this message type` };
}

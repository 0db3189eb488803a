/**
 * MT202 and MT202 COV network-validated rules: 56a needs 57a, in sequence A (C1, C81) and, for
 * COV, in sequence B (C2, C68). Sequence B's 50a and 59a being mandatory is the structure's work.
 */
import type { Issue } from '../payment/model';
import type { RuleInput } from './checks';
import { splitTag } from './fields';

export function mt202Rules(input: RuleInput): readonly Issue[] {
  const issues: Issue[] = [];
  const sequenceA = input.placed.filter((entry) => !entry.name.startsWith('seqB/'));
  const sequenceB = input.placed.filter((entry) => entry.name.startsWith('seqB/'));
  const has = (entries: typeof sequenceA, number: string) => entries.some((entry) => splitTag(entry.field.tag).number === number);
  if (has(sequenceA, '56') && !has(sequenceA, '57')) issues.push({ field: '57a', rule: 'C1', message: 'field 57a is mandatory when 56a is present (C81)' });
  if (input.kind === 'MT202COV' && has(sequenceB, '56') && !has(sequenceB, '57')) {
    issues.push({ field: 'seqB/57a', rule: 'C2', message: 'in sequence B, field 57a is mandatory when 56a is present (C68)' });
  }
  return issues;
}

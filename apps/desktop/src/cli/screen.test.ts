import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SanctionsList } from '@qenex/engine';
import { listsFromDirectory, screenCommand, screenPairCommand, ScreenUsageError } from './screen';

const vectors = new URL('../../../../../shared/vectors/sanctions/', import.meta.url).pathname;
let lists: SanctionsList[];
let empty: string;

beforeAll(async () => {
  lists = await listsFromDirectory(vectors);
  empty = await mkdtemp(join(tmpdir(), 'qenex-screen-'));
}, 60_000);

afterAll(async () => rm(empty, { recursive: true, force: true }));

describe('qenex screen, from a terminal', () => {
  it('reads every list in its publisher format from one directory', () => {
    expect(lists.map((list) => list.listId).sort()).toEqual(['eu-fsf-1-1-sample', 'ofac-consolidated-non-sdn', 'ofac-sdn', 'un-consolidated']);
    expect(lists.reduce((sum, list) => sum + list.entries.length, 0)).toBeGreaterThan(10_000);
  });

  it('prints each hit as a JSON line with its score and explanation, and exits 1 on a match', async () => {
    const lines: string[] = [];
    const code = await screenCommand(['Usama bin Ladin'], { type: 'person' }, lists, (line) => lines.push(line));
    expect(code).toBe(1);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ list: 'ofac-sdn', matchedName: 'BIN LADIN, Usama', match: true });
    expect(first.explanation.length).toBeGreaterThan(0);
    const parts = first.explanation.reduce((sum: number, part: { value: number }) => sum + part.value, 0);
    expect(parts).toBeCloseTo(first.score, 3);
  });

  it('exits 0 for a name on no list', async () => {
    const lines: string[] = [];
    expect(await screenCommand(['Amara Okafor'], { type: 'person', dob: '1984-03-12' }, lists, (line) => lines.push(line))).toBe(0);
    expect(lines.map((line) => JSON.parse(line).match)).not.toContain(true);
  });

  it('scores one pair and says whether it is a match at the shipped threshold', () => {
    const lines: string[] = [];
    expect(screenPairCommand(['Vladimir Putin', 'PUTIN, Vladimir Vladimirovich'], { type: 'person' }, (line) => lines.push(line))).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ match: true, threshold: expect.any(Number) });
    expect(screenPairCommand(['Vladimir Putin', 'Mei Tanaka'], {}, (line) => lines.push(line))).toBe(0);
  });

  it('refuses what it cannot read with a usage error, not a crash', async () => {
    await expect(listsFromDirectory(empty)).rejects.toBeInstanceOf(ScreenUsageError);
    await writeFile(join(empty, 'broken.xml'), '<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>');
    await expect(listsFromDirectory(empty)).rejects.toThrow(/does not convert/);
    await expect(screenCommand([], {}, lists, () => undefined)).rejects.toBeInstanceOf(ScreenUsageError);
    expect(() => screenPairCommand(['a', 'b'], { type: 'planet' }, () => undefined)).toThrow(ScreenUsageError);
  });
});

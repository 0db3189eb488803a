import { describe, expect, it } from 'vitest';
import { expiredBackups } from '@qenex/engine/node';

const dayMs = 24 * 60 * 60 * 1000;
const nowMs = Date.UTC(2026, 11, 1);
const daily = (days: number) => Array.from({ length: days }, (_, index) => ({ name: `b${index}`, createdAtMs: nowMs - index * dayMs }));

describe('backup retention', () => {
  it('keeps at most keptMax of the newest backups', () => {
    expect(expiredBackups(daily(10), { keptMax: 7, ageMaxMs: 100 * dayMs }, nowMs).map((b) => b.name)).toEqual(['b7', 'b8', 'b9']);
  });

  it('deletes backups older than ageMaxMs', () => {
    expect(expiredBackups(daily(10), { keptMax: 30, ageMaxMs: 5.5 * dayMs }, nowMs).map((b) => b.name)).toEqual(['b6', 'b7', 'b8', 'b9']);
  });

  it('never deletes the newest backup, however old', () => {
    const old = [{ name: 'only', createdAtMs: nowMs - 400 * dayMs }, { name: 'older', createdAtMs: nowMs - 401 * dayMs }];
    expect(expiredBackups(old, { keptMax: 5, ageMaxMs: dayMs }, nowMs).map((b) => b.name)).toEqual(['older']);
  });
});

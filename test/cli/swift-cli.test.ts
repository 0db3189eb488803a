/**
 * `qenex swift …` run as a person runs it: the real CLI in its own process, files and stdin in,
 * stdout, stderr and the exit code out. Few spawns (each costs a second or two), the independent
 * ones side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editMt103, finText, mt940Base } from '../../packages/protocols/src/swift-mt/test-messages';

const directory = mkdtempSync(join(tmpdir(), 'qenex-swift-'));
const file = (name: string, text: string) => {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
};

interface Run {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
}

/** The real CLI (`npm run qenex -- swift …`), with `input` on stdin. */
function qenex(args: readonly string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/desktop/src/cli/main.ts', 'swift', ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out, err }));
    child.stdin.end(input);
  });
}

const jsonLines = (text: string): unknown[] => text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as unknown);

describe('qenex swift', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('parses, builds, translates and validates, with the exit codes the usage promises', async () => {
    const payment = finText(editMt103({}));
    const statement = finText(mt940Base, { type: '940', userHeader: '' });
    const broken = finText(editMt103({ remove: ['59'], set: [['70', 'RENT & MORE']] }));
    const badAmount = JSON.stringify({ format: 'pacs.008', message: { settlementAmount: { amountMinor: 2500.5, currency: 'EUR' } } });
    const [parsed, translated, invalid, refused, usage] = await Promise.all([
      qenex(['parse', file('statement.fin', statement)]),
      qenex(['translate', file('payment.fin', payment), '--created', '2024-01-15T09:00:00+01:00']),
      qenex(['validate', file('broken.fin', broken)]),
      qenex(['build', '-'], badAmount),
      qenex(['validate']),
    ]);

    // parse: one JSON line, the model with amounts as strings of minor units.
    expect(parsed.status).toBe(0);
    const read = JSON.parse(parsed.out) as { format: string; valid: boolean; message: { balances: { amount: { amountMinor: string } }[] }; issues: unknown[] };
    expect([read.format, read.valid, read.issues]).toEqual(['mt940', true, []]);
    expect(read.message.balances[0]?.amount.amountMinor).toBe('1000000');

    // translate: the pacs.008 alone on stdout, the notes as JSON lines on stderr.
    expect(translated.status).toBe(0);
    expect(translated.out).toMatch(/^<\?xml[^\n]*<\/Envelope>\n$/);
    expect(translated.out).toContain('<IntrBkSttlmAmt Ccy="EUR">2500.00</IntrBkSttlmAmt>');
    expect(translated.out).toContain('<CreDtTm>2024-01-15T09:00:00+01:00</CreDtTm>');
    expect(jsonLines(translated.err)).toContainEqual(expect.objectContaining({ field: 'creationDateTime', kind: 'restructured' }));

    // validate: each error a JSON line naming the field and the rule; exit 1.
    expect(invalid.status).toBe(1);
    const errors = jsonLines(invalid.out) as { field: string; rule: string }[];
    expect(errors.map((entry) => `${entry.field} ${entry.rule}`)).toEqual(expect.arrayContaining(['70 charset_x']));
    expect(errors.some((entry) => entry.field.startsWith('59'))).toBe(true);

    // build: invalid input names the field; exit 1.
    expect(refused.status).toBe(1);
    expect(jsonLines(refused.out)).toContainEqual(expect.objectContaining({ field: 'message.settlementAmount.amountMinor', rule: 'json.type' }));
    expect(jsonLines(refused.out)).toContainEqual(expect.objectContaining({ field: 'message.uetr', rule: 'json.mandatory' }));

    // usage errors exit 2.
    expect(usage.status).toBe(2);
    expect(usage.err).toContain('swift parse|build|translate|validate FILE');

    // build from what parse printed gives back the statement; the translated pacs.008 validates from stdin, schemas included.
    const [built, valid] = await Promise.all([qenex(['build', '-'], JSON.stringify({ format: 'mt940', message: read.message })), qenex(['validate', '-'], translated.out)]);
    expect(built.status).toBe(0);
    expect(built.out).toBe(`${statement}\n`);
    expect(valid.status).toBe(0);
    expect(valid.out).toBe('');
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMinor, receiptLabelLengthMax, receiptLinesMax, receiptValueLengthMax, renderReceipt, type ReceiptData } from './receipt';

const deposit: ReceiptData = {
  bankName: 'First Harbor Savings Bank',
  branchName: 'Mission Street',
  branchCode: '0042',
  teller: 'Maria Lopez',
  deviceId: 'WS-0042-03',
  reference: '9f3c2a7be41d0c5f8a6b3e2d1c0f9a8b',
  kind: 'cash.deposit',
  atMs: Date.UTC(2026, 11, 1, 22, 5, 9),
  timeZone: 'America/Los_Angeles',
  lines: [
    { label: 'Account', value: 'Checking \u00b7\u00b7\u00b7\u00b7 4821' },
    { label: 'Customer', value: 'Jane Q. Doe' },
    { label: 'Amount', value: '$1,234.56' },
    { label: 'Balance after', value: '$5,902.11' },
  ],
  amount: { minor: '123456', currency: 'USD' },
  status: 'completed',
  copy: false,
  printedAtMs: Date.UTC(2026, 11, 1, 22, 5, 12),
};

const scratch = mkdtempSync(join(tmpdir(), 'qenex-receipt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Reading the text back needs poppler: content streams hold glyph codes, not searchable text.
const poppler = spawnSync('pdftotext', ['-v']).error === undefined;

let filesWritten = 0;
function popplerRun(tool: 'pdftotext' | 'pdfinfo', pdf: Buffer, args: readonly string[] = []): string {
  filesWritten += 1;
  const path = join(scratch, `${tool}-${filesWritten}.pdf`);
  writeFileSync(path, pdf);
  return execFileSync(tool, [...args, path, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
}

const textOf = (pdf: Buffer) => popplerRun('pdftotext', pdf, ['-layout']);
const latin1 = (pdf: Buffer) => pdf.toString('latin1');

describe('renderReceipt', () => {
  it('finds poppler on CI, where skipping the text checks would hide a broken receipt', () => {
    if (process.env.CI !== undefined && !poppler) throw new Error('pdftotext is missing: apt-get install -y poppler-utils');
  });

  it('writes a tagged PDF 1.7 with a structure tree, language and displayed title', async () => {
    const pdf = latin1(await renderReceipt(deposit));
    expect(pdf.startsWith('%PDF-1.7')).toBe(true);
    expect(pdf).toContain('/StructTreeRoot');
    const markInfo = /\/MarkInfo (\d+) 0 R/.exec(pdf)?.[1];
    expect(markInfo).toBeDefined();
    expect(pdf).toMatch(new RegExp(`\\n${markInfo} 0 obj\\n<<\\n/Marked true\\n>>`));
    expect(pdf).toContain('/Lang (en-US)');
    expect(pdf).toContain('/DisplayDocTitle true');
    for (const type of ['Document', 'H1', 'H2', 'P', 'Table', 'TR', 'TH', 'TD']) expect(pdf).toContain(`/S /${type}\n`);
    expect(pdf).toContain('/Scope /Row');
    expect(pdf.match(/\/Type \/Page\n/g)).toHaveLength(1);
  });

  it('gives the same bytes for the same input, and other bytes for another print time', async () => {
    const first = await renderReceipt(deposit);
    expect((await renderReceipt(deposit)).equals(first)).toBe(true);
    expect((await renderReceipt({ ...deposit, printedAtMs: deposit.printedAtMs + 1000 })).equals(first)).toBe(false);
  });

  it('renders in a few milliseconds once warm', async () => {
    await renderReceipt(deposit);
    const timesMs: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const startMs = performance.now();
      await renderReceipt(deposit);
      timesMs.push(performance.now() - startMs);
    }
    // About 10 ms here; the bound only catches heavy work creeping in (network, font parsing on Latin text).
    expect(timesMs.sort((a, b) => a - b)[2]).toBeLessThan(100);
  });

  it('keeps Helvetica when the only strangers are the narrow spaces ICU puts in times (Electron does)', async () => {
    const pdf = latin1(await renderReceipt({ ...deposit, lines: [{ label: 'Value date', value: 'Dec 2, 2:05\u202fPM' }] }));
    expect(pdf).toContain('/BaseFont /Helvetica');
    expect(pdf).not.toContain('DejaVu');
  });

  it('refuses more lines than one page holds', async () => {
    const lines = Array.from({ length: receiptLinesMax + 1 }, (_, index) => ({ label: `Line ${index}`, value: 'x' }));
    await expect(renderReceipt({ ...deposit, lines })).rejects.toThrow(/at most/);
  });
});

describe.skipIf(!poppler)('renderReceipt, read back with poppler', () => {
  it('prints bank, branch, kind, amount, lines, teller, device, time with offset, grouped reference and footer on one page', async () => {
    const pdf = await renderReceipt(deposit);
    const info = popplerRun('pdfinfo', pdf);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    expect(info).toMatch(/^PDF version:\s+1\.7$/m);
    expect(info).toMatch(/^Title:\s+First Harbor Savings Bank — Cash deposit \$1,234\.56$/m);
    expect(info).toMatch(/^Page size:\s+419\.53 x 595\.28 pts/m);
    const text = textOf(pdf);
    for (const expected of ['First Harbor Savings Bank', 'Mission Street · Branch 0042', 'CASH DEPOSIT', '$1,234.56', 'Completed', 'Jane Q. Doe', 'Balance after', '$5,902.11', 'Maria Lopez', 'WS-0042-03']) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('9f3c 2a7b e41d 0c5f 8a6b 3e2d 1c0f 9a8b');
    expect(text).toContain('Dec 1, 2026, 2:05:09 PM (UTC-08:00)');
    expect(text).toContain('Keep this receipt. Questions: quote the reference.');
    expect(text).not.toContain('COPY');
    expect(text).not.toMatch(/reprint/i);
  });

  it('marks a reprint COPY in the header and across the page, and says Reprint', async () => {
    const pdf = await renderReceipt({ ...deposit, copy: true });
    const text = textOf(pdf);
    expect(text).toMatch(/^First Harbor Savings Bank\s+COPY$/m);
    expect(text).toContain('Reprint: a copy of the original receipt');
    // The watermark: COPY (WinAnsi hex, as pdfkit writes Helvetica) drawn rotated inside a Pagination artifact.
    const content = latin1(await renderReceipt({ ...deposit, copy: true }, { compress: false }));
    expect(content).toMatch(/\/Artifact <<\n\/Type \/Pagination\n>> BDC\nq\n0\.64\d* -0\.76\d* 0\.76\d* 0\.64\d* [-\d.]+ [-\d.]+ cm[\s\S]{0,400}?\/F\d+ 150 Tf\n\[<434f5059> 0\] TJ/);
    expect(popplerRun('pdfinfo', pdf)).toMatch(/^Title:.*\(copy\)$/m);
  });

  it('says an offline receipt awaits the bank, and an approved one who approved it', async () => {
    expect(textOf(await renderReceipt({ ...deposit, status: 'pending_sync' }))).toContain('Made offline — awaiting confirmation by the bank');
    const approved = await renderReceipt({ ...deposit, kind: 'cash.withdraw', status: 'approved_by', approvedBy: 'Sam Okafor' });
    expect(textOf(approved)).toContain('Approved by Sam Okafor');
    expect(textOf(approved)).toContain('CASH WITHDRAWAL');
  });

  it('prints the time in the branch zone with its offset, and UTC as +00:00', async () => {
    const tokyo = textOf(await renderReceipt({ ...deposit, timeZone: 'Asia/Tokyo' }));
    expect(tokyo).toContain('Dec 2, 2026, 7:05:09 AM (UTC+09:00)');
    expect(textOf(await renderReceipt({ ...deposit, timeZone: 'UTC' }))).toContain('(UTC+00:00)');
  });

  it.skipIf(!existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'))('embeds DejaVu Sans for text beyond Latin-1', async () => {
    const pdf = await renderReceipt({ ...deposit, status: 'approved_by', approvedBy: 'Łukasz Żółć' });
    expect(latin1(pdf)).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    expect(textOf(pdf)).toContain('Approved by Łukasz Żółć');
  });

  it('prints ? for what Helvetica cannot show when no Unicode font is installed', async () => {
    const pdf = await renderReceipt({ ...deposit, status: 'approved_by', approvedBy: 'Łukasz Żółć' }, { unicodeFontPath: join(scratch, 'absent.ttf') });
    expect(latin1(pdf)).not.toContain('DejaVu');
    expect(textOf(pdf)).toContain('Approved by ?ukasz ?ó??');
  });

  it('keeps the longest receipt the limits allow on one page, money in full', async () => {
    const wide = (length: number) => 'W'.repeat(length);
    const longest: ReceiptData = {
      ...deposit,
      bankName: wide(80),
      branchName: wide(80),
      branchCode: wide(80),
      teller: wide(80),
      deviceId: wide(80),
      copy: true,
      status: 'approved_by',
      approvedBy: wide(80),
      amount: { minor: '9223372036854775807', currency: 'USD' },
      lines: Array.from({ length: receiptLinesMax }, () => ({ label: wide(receiptLabelLengthMax + 10), value: wide(receiptValueLengthMax + 10) })),
    };
    const pdf = await renderReceipt(longest);
    expect(popplerRun('pdfinfo', pdf)).toMatch(/^Pages:\s+1$/m);
    expect(textOf(pdf)).toContain('$92,233,720,368,547,758.07');
  });

  it('draws the receipt as PNG (into QENEX_RECEIPT_PNG when set, to be looked at)', async () => {
    const target = process.env.QENEX_RECEIPT_PNG ?? join(scratch, 'receipt-sample.png');
    mkdirSync(dirname(target), { recursive: true });
    const samples: Array<[string, ReceiptData]> = [
      [target, deposit],
      [target.replace(/(\.png)?$/, '-copy.png'), { ...deposit, copy: true, status: 'pending_sync', printedAtMs: deposit.printedAtMs + 86_400_000 }],
    ];
    for (const [path, data] of samples) {
      const pdfPath = join(scratch, 'sample.pdf');
      writeFileSync(pdfPath, await renderReceipt(data));
      execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', pdfPath, path.replace(/\.png$/, '')]);
      expect(existsSync(path)).toBe(true);
    }
  });
});

describe('formatMinor', () => {
  it('formats minor units with the currency exponent', () => {
    expect(formatMinor('123456', 'USD')).toBe('$1,234.56');
    expect(formatMinor('123456', 'JPY')).toBe('¥123,456');
    expect(formatMinor('1234567', 'KWD')).toBe('KWD\u00a01,234.567');
    expect(formatMinor('5', 'CLF')).toBe('CLF\u00a00.0005');
    expect(formatMinor('0', 'EUR')).toBe('€0.00');
  });

  it('keeps the sign, also when the whole part is zero', () => {
    expect(formatMinor('-123456', 'USD')).toBe('-$1,234.56');
    expect(formatMinor('-5', 'USD')).toBe('-$0.05');
    expect(formatMinor('-7', 'JPY')).toBe('-¥7');
    expect(formatMinor('-0', 'USD')).toBe('$0.00');
  });

  it('stays exact beyond 2^53', () => {
    expect(formatMinor('123456789012345678901', 'USD')).toBe('$1,234,567,890,123,456,789.01');
    expect(formatMinor('9007199254740993', 'JPY')).toBe('¥9,007,199,254,740,993');
  });

  it('follows the locale for grouping, decimal mark and symbol position', () => {
    expect(formatMinor('123456', 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMinor('-123456', 'EUR', 'de-DE')).toBe('-1.234,56\u00a0€');
  });

  it('refuses what is not an integer amount or not a currency', () => {
    expect(() => formatMinor('12.34', 'USD')).toThrow(RangeError);
    expect(() => formatMinor('', 'USD')).toThrow(RangeError);
    expect(() => formatMinor('100', 'XYZ')).toThrow(RangeError);
  });
});

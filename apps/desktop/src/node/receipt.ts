/**
 * Customer receipts as tagged PDF (headings, paragraphs, label/value tables; rules and watermark as artifacts),
 * one A5 portrait page, rendered in-process with pdfkit. The same input gives the same bytes: pdfkit
 * derives the file ID from the info dictionary, whose dates we set to the print time.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { currencyByCode } from '@qenex/engine';

export interface ReceiptData {
  bankName: string;
  branchName: string;
  branchCode: string;
  /** Display name or username of the teller. */
  teller: string;
  deviceId: string;
  /** The transfer id (32 hex characters), printed in full in groups of four. */
  reference: string;
  kind: 'cash.deposit' | 'cash.withdraw' | 'transfer.internal' | 'fx.exchange';
  atMs: number;
  /** IANA time zone of the branch; times are printed in it, with their UTC offset. */
  timeZone: string;
  /** Account, Customer, Amount, Rate, Balance after…: values already formatted. */
  lines: Array<{ label: string; value: string }>;
  /** The headline amount: bigint minor units as a string, and its ISO 4217 code. */
  amount: { minor: string; currency: string };
  /** pending_sync: made offline; the bank's server has not confirmed it yet. */
  status: 'completed' | 'pending_sync' | 'approved_by';
  approvedBy?: string;
  /** A reprint: marked COPY in the header and across the page, and "Reprint" in the text. */
  copy: boolean;
  printedAtMs: number;
}

export interface RenderOptions {
  /** Off only to read content streams in tests and debugging. */
  compress?: boolean;
  /** A TrueType font with glyphs beyond Latin-1, embedded only when some text needs it. */
  unicodeFontPath?: string;
}

/** Limits that keep every receipt on one A5 page (the longest allowed is rendered in the tests). */
export const receiptLinesMax = 6;
export const receiptLabelLengthMax = 24;
export const receiptValueLengthMax = 64;
export const receiptNameLengthMax = 40;
export const receiptReferenceLengthMax = 40;
const defaultUnicodeFontPath = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/** Far past the ledger's 2^63 range, short of anything that would make Intl slow. */
const minorDigitsMax = 40;

/**
 * Exact money for people from bigint minor units: the digits never pass through Number. The locale's
 * pattern (sign, symbol, spacing) comes from formatting ±1; its integer is replaced by the grouped whole
 * part and its fraction by the minor digits, so "-5" USD is "-$0.05" and 2^70 cents stay exact.
 */
export function formatMinor(minor: string, currency: string, locale = 'en-US'): string {
  const match = new RegExp(`^(-?)(\\d{1,${minorDigitsMax}})$`).exec(minor);
  if (match === null) throw new RangeError(`not an integer amount in minor units: ${JSON.stringify(minor)}`);
  const exponent = currencyByCode(currency)?.exponent;
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const digits = (match[2] ?? '').padStart(exponent + 1, '0');
  const whole = BigInt(digits.slice(0, digits.length - exponent));
  const fraction = digits.slice(digits.length - exponent);
  const negative = match[1] === '-' && /[1-9]/.test(digits);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  const grouped = money.formatToParts(whole).filter((part) => part.type === 'integer' || part.type === 'group');
  const fractionDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: Math.max(1, exponent), useGrouping: false });
  return money
    .formatToParts(negative ? -1n : 1n)
    .map((part) => {
      if (part.type === 'integer') return grouped.map((group) => group.value).join('');
      if (part.type === 'fraction') return fractionDigits.format(BigInt(fraction));
      return part.value;
    })
    .join('');
}

export function kindHeading(kind: ReceiptData['kind']): string {
  switch (kind) {
    case 'cash.deposit':
      return 'Cash deposit';
    case 'cash.withdraw':
      return 'Cash withdrawal';
    case 'transfer.internal':
      return 'Transfer between accounts';
    case 'fx.exchange':
      return 'Currency exchange';
    default:
      return unreachable(kind);
  }
}

export function statusText(data: Pick<ReceiptData, 'status' | 'approvedBy'>): string {
  switch (data.status) {
    case 'completed':
      return 'Completed';
    case 'pending_sync':
      return 'Made offline \u2014 awaiting confirmation by the bank';
    case 'approved_by':
      assert(data.approvedBy !== undefined && data.approvedBy !== '', 'an approved receipt names its approver');
      return `Approved by ${data.approvedBy}`;
    default:
      return unreachable(data.status);
  }
}

function unreachable(value: never): never {
  return assert.fail(`unreachable: ${JSON.stringify(value)}`);
}

/** "Dec 1, 2026, 2:05:09 PM" and "UTC-08:00, America/Los_Angeles". */
export function formatWhen(atMs: number, timeZone: string): { local: string; offset: string; zone: string } {
  const at = new Date(atMs);
  const local = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'medium' }).format(at);
  const offsetName = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  // ICU spells UTC itself "GMT" without digits; a receipt states the offset every time.
  const offset = offsetName === undefined || offsetName === 'GMT' ? '+00:00' : offsetName.replace(/^GMT/, '');
  return { local, offset: `UTC${offset}`, zone: `UTC${offset}, ${timeZone}` };
}

/** 32 hex characters in eight groups of four, as people read them out over the phone. */
export function groupReference(reference: string): string {
  return /^[0-9a-f]{32}$/i.test(reference) ? (reference.match(/.{4}/g) ?? []).join(' ') : reference;
}

export interface ReceiptRow {
  label: string;
  value: string;
  monospace?: boolean;
}

/** Every string the receipt prints, in reading order: the pure part of rendering. */
export interface ReceiptText {
  title: string;
  bankName: string;
  branch: string;
  copyMark: string | undefined;
  heading: string;
  amount: string;
  currencyName: string;
  status: string;
  lines: readonly ReceiptRow[];
  details: readonly ReceiptRow[];
  footer: string;
  reprint: string | undefined;
  printed: string;
}

export function describeReceipt(given: ReceiptData): ReceiptText {
  const data = withinLimits(given);
  const when = formatWhen(data.atMs, data.timeZone);
  const printed = formatWhen(data.printedAtMs, data.timeZone);
  const heading = kindHeading(data.kind);
  const amount = formatMinor(data.amount.minor, data.amount.currency);
  const currencyName = new Intl.DisplayNames('en-US', { type: 'currency' }).of(data.amount.currency) ?? data.amount.currency;
  return {
    title: `${data.bankName} \u2014 ${heading} ${amount}${data.copy ? ' (copy)' : ''}`,
    bankName: data.bankName,
    branch: `${data.branchName} \u00b7 Branch ${data.branchCode}`,
    copyMark: data.copy ? 'COPY' : undefined,
    heading,
    amount,
    currencyName: `${currencyName} (${data.amount.currency})`,
    status: statusText(data),
    lines: data.lines,
    details: [
      { label: 'Teller', value: data.teller },
      { label: 'Workstation', value: data.deviceId },
      { label: 'Date and time', value: `${when.local} (${when.offset})` },
      { label: 'Reference', value: groupReference(data.reference), monospace: true },
    ],
    footer: 'Keep this receipt. Questions: quote the reference.',
    reprint: data.copy ? 'Reprint: a copy of the original receipt, not a second transaction.' : undefined,
    printed: `Printed ${printed.local} (${printed.zone})`,
  };
}

/**
 * Names and values come from customers and configuration, so an over-long one is shortened with an
 * ellipsis rather than refusing the receipt; the number of lines is the calling code's, so it is asserted.
 */
function withinLimits(data: ReceiptData): ReceiptData {
  assert(data.lines.length <= receiptLinesMax, `a receipt has at most ${receiptLinesMax} lines`);
  assert(Number.isFinite(data.atMs) && Number.isFinite(data.printedAtMs), 'receipt times are finite');
  const name = (text: string) => clip(text, receiptNameLengthMax);
  return {
    ...data,
    bankName: name(data.bankName),
    branchName: name(data.branchName),
    branchCode: name(data.branchCode),
    teller: name(data.teller),
    deviceId: name(data.deviceId),
    reference: clip(data.reference, receiptReferenceLengthMax),
    ...(data.approvedBy === undefined ? {} : { approvedBy: name(data.approvedBy) }),
    lines: data.lines.map((line) => ({ label: clip(line.label, receiptLabelLengthMax), value: clip(line.value, receiptValueLengthMax) })),
  };
}

function clip(text: string, lengthMax: number): string {
  const characters = [...text];
  return characters.length <= lengthMax ? text : `${characters.slice(0, lengthMax - 1).join('').trimEnd()}\u2026`;
}

// pdfkit's built-in fonts use WinAnsiEncoding: Latin-1 plus these code points.
const winAnsiExtras = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a,
  0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || winAnsiExtras.has(code);
}

/**
 * ICU puts thin and narrow no-break spaces in times and some currencies (Electron's ICU does in en-US
 * times), and a pasted name may carry a tab or line break: all print as a plain space.
 */
function normaliseSpaces(text: string): string {
  return text.replace(/[\t\n\v\f\r\u2007\u2009\u202f\u2028\u2029]/g, ' ');
}

interface Fonts {
  regular: string;
  bold: string;
  mono: string;
  clean: (text: string) => string;
}

/** Helvetica when every character is in WinAnsi; else DejaVu embedded; else '?' for what cannot print. */
function chooseFonts(doc: PDFKit.PDFDocument, texts: readonly string[], unicodeFontPath: string): Fonts {
  const builtIn = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' };
  if (texts.every((text) => [...normaliseSpaces(text)].every(isWinAnsi))) return { ...builtIn, clean: normaliseSpaces };
  if (!existsSync(unicodeFontPath)) {
    return { ...builtIn, clean: (text) => [...normaliseSpaces(text)].map((char) => (isWinAnsi(char) ? char : '?')).join('') };
  }
  const sibling = (name: string) => {
    const path = join(dirname(unicodeFontPath), name);
    return existsSync(path) ? path : unicodeFontPath;
  };
  doc.registerFont('Receipt', unicodeFontPath);
  doc.registerFont('Receipt-Bold', sibling('DejaVuSans-Bold.ttf'));
  doc.registerFont('Receipt-Mono', sibling('DejaVuSansMono.ttf'));
  return { regular: 'Receipt', bold: 'Receipt-Bold', mono: 'Receipt-Mono', clean: normaliseSpaces };
}

function allStrings(text: ReceiptText): string[] {
  const rows = [...text.lines, ...text.details].flatMap((row) => [row.label, row.value]);
  return [text.bankName, text.branch, text.copyMark ?? '', text.heading, text.amount, text.currencyName, text.status, text.footer, text.reprint ?? '', text.printed, ...rows];
}

// A5 portrait in points; the label column is wide enough for "Balance after" at 10 pt.
const page = { width: 419.53, height: 595.28, margin: 36, labelWidth: 96, gap: 12, rowGap: 5 } as const;
const contentWidth = page.width - 2 * page.margin;
const ink = { text: '#111111', muted: '#555555', rule: '#9a9a9a', watermark: '#d4d4d4', pending: '#8a4b00' } as const;

export async function renderReceipt(data: ReceiptData, options: RenderOptions = {}): Promise<Buffer> {
  const text = describeReceipt(data);
  const doc = new PDFDocument({
    size: 'A5',
    layout: 'portrait',
    margin: page.margin,
    pdfVersion: '1.7',
    tagged: true,
    displayTitle: true,
    lang: 'en-US',
    compress: options.compress ?? true,
    info: {
      Title: text.title,
      Author: `${text.bankName}, ${data.branchName}`,
      Subject: `${text.heading} receipt, reference ${data.reference}`,
      Creator: 'QENEX branch workstation',
      CreationDate: new Date(data.printedAtMs),
      ModDate: new Date(data.printedAtMs),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  let pagesAdded = 0;
  doc.on('pageAdded', () => (pagesAdded += 1));
  const fonts = chooseFonts(doc, allStrings(text), options.unicodeFontPath ?? defaultUnicodeFontPath);
  drawReceipt(doc, fonts, text);
  assert(pagesAdded === 0, 'a receipt fits one page');
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}

interface Style {
  font: string;
  size: number;
  color: string;
}

interface Box {
  x: number;
  y: number;
  width: number;
  /** Text past this many lines ends in an ellipsis, which is what keeps every receipt on one page. */
  linesMax: number;
  align?: 'left' | 'center';
}

function measure(doc: PDFKit.PDFDocument, style: Style, value: string, box: Box): number {
  doc.font(style.font).fontSize(style.size);
  return Math.min(doc.heightOfString(value, { width: box.width }), box.linesMax * doc.currentLineHeight(true));
}

/** One run of text as the content of a structure element of the given type, under parent. */
function write(
  doc: PDFKit.PDFDocument,
  parent: PDFKit.PDFStructureElement,
  type: string,
  style: Style,
  value: string,
  box: Box,
  elementOptions: PDFKit.Mixins.StructureElementOptions = {},
): number {
  const height = measure(doc, style, value, box);
  const options = { width: box.width, height: height + 0.5, ellipsis: true, align: box.align ?? 'left' };
  parent.add(doc.struct(type, elementOptions, () => drawText(doc, style, value, box, options)));
  return height;
}

function drawText(doc: PDFKit.PDFDocument, style: Style, value: string, box: Box, options: PDFKit.Mixins.TextOptions): void {
  doc.font(style.font).fontSize(style.size).fillColor(style.color).text(value, box.x, box.y, options);
}

// pdfkit 0.20 writes a TH's Scope attribute; @types/pdfkit 0.17 does not list the option yet.
const rowHeader = { scope: 'Row' } as PDFKit.Mixins.StructureElementOptions;

/** The largest size from sizeMax down to sizeMin at which value fits width on one line. */
function fittedSize(doc: PDFKit.PDFDocument, font: string, value: string, width: number, sizeMax: number, sizeMin: number): number {
  const widthAtMax = doc.font(font).fontSize(sizeMax).widthOfString(value);
  return widthAtMax <= width ? sizeMax : Math.max(sizeMin, Math.floor((sizeMax * width) / widthAtMax));
}

function drawReceipt(doc: PDFKit.PDFDocument, fonts: Fonts, given: ReceiptText): void {
  const text = cleanText(given, fonts.clean);
  const root = doc.struct('Document');
  doc.addStructure(root);
  if (text.copyMark !== undefined) drawWatermark(doc, fonts, text.copyMark);
  let y = drawHeader(doc, root, fonts, text);
  y = drawHeadline(doc, root, fonts, text, y);
  y = drawTable(doc, root, fonts, text.lines, 'Transaction', y);
  rule(doc, y + 4);
  y = drawTable(doc, root, fonts, text.details, 'Details', y + 16);
  drawFooter(doc, root, fonts, text, y);
  root.end();
}

function cleanText(text: ReceiptText, clean: (value: string) => string): ReceiptText {
  const rows = (list: readonly ReceiptRow[]) => list.map((row) => ({ ...row, label: clean(row.label), value: clean(row.value) }));
  return {
    ...text,
    bankName: clean(text.bankName),
    branch: clean(text.branch),
    heading: clean(text.heading),
    amount: clean(text.amount),
    currencyName: clean(text.currencyName),
    status: clean(text.status),
    lines: rows(text.lines),
    details: rows(text.details),
    footer: clean(text.footer),
    reprint: text.reprint === undefined ? undefined : clean(text.reprint),
    printed: clean(text.printed),
  };
}

/** A decoration, not content: marked as an artifact so screen readers skip it. */
function artifact(doc: PDFKit.PDFDocument, type: 'Layout' | 'Pagination', draw: () => void): void {
  doc.markContent('Artifact', { type });
  doc.save();
  draw();
  doc.restore();
  doc.endMarkedContent();
}

function rule(doc: PDFKit.PDFDocument, y: number, weight = 0.75): void {
  artifact(doc, 'Layout', () => {
    doc.moveTo(page.margin, y).lineTo(page.width - page.margin, y).lineWidth(weight).strokeColor(ink.rule).stroke();
  });
}

/** Across the page behind the text, so a reprint cannot pass for the original even cut down. */
function drawWatermark(doc: PDFKit.PDFDocument, fonts: Fonts, mark: string): void {
  artifact(doc, 'Pagination', () => {
    doc.rotate(-50, { origin: [page.width / 2, page.height / 2] });
    doc.font(fonts.bold).fontSize(150).fillColor(ink.watermark).fillOpacity(0.55);
    const markWidth = doc.widthOfString(mark);
    doc.text(mark, page.width / 2 - markWidth / 2, page.height / 2 - 75, { lineBreak: false });
  });
}

/** Bank and branch at the top left; on a reprint, a boxed COPY at the top right. Returns the body's top. */
function drawHeader(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, text: ReceiptText): number {
  const top = page.margin;
  const markWidth = text.copyMark === undefined ? 0 : 86;
  const width = contentWidth - (markWidth === 0 ? 0 : markWidth + page.gap);
  const nameSize = fittedSize(doc, fonts.bold, text.bankName, width, 20, 14);
  const nameHeight = write(doc, root, 'H1', { font: fonts.bold, size: nameSize, color: ink.text }, text.bankName, { x: page.margin, y: top, width, linesMax: 1 });
  const branchTop = top + Math.max(nameHeight, 24) + 2;
  const branchHeight = write(doc, root, 'P', { font: fonts.regular, size: 10.5, color: ink.muted }, text.branch, { x: page.margin, y: branchTop, width, linesMax: 1 });
  if (text.copyMark !== undefined) drawCopyBox(doc, root, fonts, text.copyMark, markWidth);
  const bottom = Math.max(branchTop + branchHeight, top + 40);
  rule(doc, bottom + 10, 1.25);
  return bottom + 24;
}

function drawCopyBox(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, mark: string, boxWidth: number): void {
  const x = page.width - page.margin - boxWidth;
  artifact(doc, 'Layout', () => doc.rect(x, page.margin, boxWidth, 40).lineWidth(2).strokeColor(ink.text).stroke());
  const box = { x, width: boxWidth, linesMax: 1, align: 'center' } as const;
  write(doc, root, 'P', { font: fonts.bold, size: 18, color: ink.text }, mark, { ...box, y: page.margin + 6 });
  write(doc, root, 'P', { font: fonts.regular, size: 7.5, color: ink.text }, 'REPRINT', { ...box, y: page.margin + 26 });
}

/** What happened, how much, and whether the bank has it yet. Returns the top of the table. */
function drawHeadline(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, text: ReceiptText, top: number): number {
  const box = { x: page.margin, width: contentWidth, linesMax: 1 };
  let y = top;
  // Set in capitals, read as words: the text a screen reader gets is the heading as written.
  const heading = { font: fonts.bold, size: 13, color: ink.muted };
  y += write(doc, root, 'H2', heading, text.heading.toUpperCase(), { ...box, y }, { actual: text.heading }) + 2;
  // Money is never cut short: a long amount gets a smaller size, and at the smallest it may wrap.
  const amountSize = fittedSize(doc, fonts.bold, text.amount, contentWidth, 30, 14);
  y += write(doc, root, 'P', { font: fonts.bold, size: amountSize, color: ink.text }, text.amount, { ...box, y, linesMax: 2 });
  y += write(doc, root, 'P', { font: fonts.regular, size: 9.5, color: ink.muted }, text.currencyName, { ...box, y }) + 10;
  y = drawStatus(doc, root, fonts, text.status, y);
  rule(doc, y + 12);
  return y + 22;
}

function drawStatus(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, status: string, top: number): number {
  // Pending is told in words first; the colour only helps on a colour printer.
  const color = status.startsWith('Made offline') ? ink.pending : ink.text;
  const height = 22;
  artifact(doc, 'Layout', () => doc.rect(page.margin, top, 3, height).fillColor(color).fill());
  const width = contentWidth - 10;
  const size = fittedSize(doc, fonts.bold, status, width, 11, 9);
  write(doc, root, 'P', { font: fonts.bold, size, color }, status, { x: page.margin + 10, y: top + (height - size * 1.16) / 2, width, linesMax: 1 });
  return top + height;
}

/** Label/value rows as a Table of TR with a row-header TH and a TD; both columns top-aligned. */
function drawTable(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, rows: readonly ReceiptRow[], summary: string, top: number): number {
  const table = doc.struct('Table', { title: summary });
  root.add(table);
  const labelStyle = { font: fonts.regular, size: 10, color: ink.muted };
  const valueX = page.margin + page.labelWidth + page.gap;
  const valueWidth = page.width - page.margin - valueX;
  let y = top;
  for (const row of rows) {
    // Courier's glyphs are wider: a smaller size keeps a grouped reference on one line.
    const valueStyle = row.monospace === true ? { font: fonts.mono, size: 9.5, color: ink.text } : { font: fonts.regular, size: 10.5, color: ink.text };
    const tr = doc.struct('TR');
    table.add(tr);
    const labelHeight = write(doc, tr, 'TH', labelStyle, row.label, { x: page.margin, y: y + 0.5, width: page.labelWidth, linesMax: 2 }, rowHeader);
    const valueHeight = write(doc, tr, 'TD', valueStyle, row.value, { x: valueX, y: y + (row.monospace === true ? 1 : 0), width: valueWidth, linesMax: 2 });
    tr.end();
    y += Math.max(labelHeight, valueHeight) + page.rowGap;
  }
  table.end();
  return y;
}

/** Pinned to the bottom of the page: what to keep, whether this is a reprint, when it was printed. */
function drawFooter(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, fonts: Fonts, text: ReceiptText, bodyBottom: number): void {
  const paragraphs: Array<{ value: string; style: Style }> = [
    { value: text.footer, style: { font: fonts.bold, size: 9.5, color: ink.text } },
    ...(text.reprint === undefined ? [] : [{ value: text.reprint, style: { font: fonts.bold, size: 8.5, color: ink.text } }]),
    { value: text.printed, style: { font: fonts.regular, size: 8, color: ink.muted } },
  ];
  const box = { x: page.margin, width: contentWidth, linesMax: 2, align: 'center' } as const;
  const heights = paragraphs.map((paragraph) => measure(doc, paragraph.style, paragraph.value, { ...box, y: 0 }) + 3);
  // pdfkit breaks the page when a line's bottom would pass the margin: keep a point of slack.
  let y = page.height - page.margin - 1 - heights.reduce((sum, height) => sum + height, 0);
  assert(y >= bodyBottom + 12, 'the receipt body leaves room for the footer');
  rule(doc, y - 8);
  paragraphs.forEach((paragraph, index) => {
    write(doc, root, 'P', paragraph.style, paragraph.value, { ...box, y });
    y += heights[index] ?? 0;
  });
}

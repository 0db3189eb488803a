/**
 * The FIN message as blocks: {1:} basic header, {2:} application header, {3:} user header,
 * {4:} text, {5:} trailer, and any other block kept as it came. Parsing then building gives back
 * the same bytes for every message the parser accepts: the order of the blocks, the line break the
 * text block used (CRLF on the network, LF in many files) and whatever followed the last block are
 * kept in `layout`; unknown blocks and tags are kept as they were.
 */
import type { Checked, Issue } from '../payment/model';

export interface BasicHeader {
  /** F (FIN), A (GPA) or L (logins). */
  readonly applicationId: string;
  /** 01 user-to-user, 21 ACK/NAK. */
  readonly serviceId: string;
  /** 12 characters: BIC8, the terminal code, the branch (BANKDEFFAXXX). */
  readonly logicalTerminal: string;
  readonly sessionNumber: string;
  readonly sequenceNumber: string;
}

export interface InputApplicationHeader {
  readonly direction: 'I';
  readonly messageType: string;
  /** 12 characters: the receiver's BIC8, a terminal code (X on input), the branch. */
  readonly destination: string;
  /** S system, U urgent, N normal. */
  readonly priority?: string;
  readonly deliveryMonitoring?: string;
  readonly obsolescencePeriod?: string;
}

export interface OutputApplicationHeader {
  readonly direction: 'O';
  readonly messageType: string;
  /** HHMM the sender input the message. */
  readonly inputTime: string;
  /** The message input reference: YYMMDD, the sender's logical terminal, session, sequence. */
  readonly inputDate: string;
  readonly senderLogicalTerminal: string;
  readonly sessionNumber: string;
  readonly sequenceNumber: string;
  readonly outputDate: string;
  readonly outputTime: string;
  readonly priority?: string;
}

export type ApplicationHeader = InputApplicationHeader | OutputApplicationHeader;

/** A `{tag:value}` of block 3, block 5 or another tagged block. */
export interface BlockTag {
  readonly tag: string;
  readonly value: string;
}

/** A `:tag:value` of block 4; the value's lines are separated by `\n` whatever the message used. */
export interface TextField {
  readonly tag: string;
  readonly value: string;
}

/** A block the parser does not interpret (S, a system block 4 of tags, …): kept as it was. */
export interface OtherBlock {
  readonly id: string;
  readonly content: string;
}

export type LineBreak = '\r\n' | '\n';

export interface FinLayout {
  /** Block ids in the order they came. */
  readonly blockOrder: readonly string[];
  readonly lineBreak: LineBreak;
  /** Line breaks after the last block (a file's final newline). */
  readonly trailing: string;
  /**
   * What came before block 1 and is no part of the message: a byte-order mark and blank lines, as
   * files written by editors and exports have them. The message is read without it; buildFin writes
   * it back, so a parsed text still comes back byte for byte (a built message has none).
   */
  readonly leading?: string;
}

export interface FinMessage {
  readonly basicHeader: BasicHeader;
  readonly applicationHeader?: ApplicationHeader;
  readonly userHeader?: readonly BlockTag[];
  readonly text?: readonly TextField[];
  readonly trailer?: readonly BlockTag[];
  readonly otherBlocks?: readonly OtherBlock[];
  /** How the parsed bytes were laid out; built messages without one use 1, 2, 3, 4, 5 and CRLF. */
  readonly layout?: FinLayout;
}

/** A parse issue says where: the block (and field tag), and the line of the message text. */
export interface FinIssue extends Issue {
  readonly line?: number;
}

/** Much more than the FIN maximum (10,000 characters of text): longer input is refused unread. */
export const finTextLengthMax = 100_000;
/** Nobody sends more blocks than the five and S; more is garbage, refused before it costs work. */
const blocksMax = 16;
/** Block 3 and 5 hold a dozen tags at most. */
const blockTagsMax = 64;
/** Each block 4 field is at least one line: no FIN text has this many. */
const textLinesMax = 5_000;

const standardOrder = ['1', '2', '3', '4', '5'];
/** A byte-order mark and blank lines before block 1 (spaces and tabs on them too). */
const leadingNoise = /^\uFEFF?[ \t\r\n]*/;
/** Line breaks after the last block (a file's final newline, blank lines). */
const trailingNoise = /^[\r\n]*$/;
const fieldStart = /^:(\d{2}[A-Z]?):/;

class ParseError extends Error {
  constructor(readonly issue: FinIssue) {
    super(issue.message);
  }
}

function fail(field: string, rule: string, message: string, line?: number): never {
  throw new ParseError({ field, rule, message: line === undefined ? message : `line ${line}: ${message}`, ...(line === undefined ? {} : { line }) });
}

/** Parses one FIN message. */
export function parseFin(text: string): Checked<FinMessage> {
  try {
    return { ok: true, value: new FinReader(text).read() };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, issues: [error.issue] };
    throw error;
  }
}

/** A file of FIN messages holds a few hundred at most; more is refused, not read. */
export const finFileMessagesMax = 1_000;
/** Whole-file limit: a message's limit for each of the messages a file may hold. */
export const finFileLengthMax = finTextLengthMax * 10;

export interface FinFileEntry {
  /** Where the message starts in the file (a character offset). */
  readonly offset: number;
  /** The message's own text, as parseFin read it (with the separators after it). */
  readonly text: string;
  readonly result: Checked<FinMessage>;
}

/**
 * Reads every message of a file: one after another (an ACK or NAK `{1:F21…}{4:{177:…}{451:0}}`
 * before the message it answers, a batch of exports), each starting at a new `{1:`, which no
 * block 4 text contains (the X set has no braces). A leading byte-order mark and blank lines, and
 * the separators files put between messages (line breaks, RJE `$`, the DOS-PCC SOH/ETX), are no
 * part of any message. Each message is parsed on its own: a bad one does not hide the others.
 */
export function parseFinFile(text: string): Checked<readonly FinFileEntry[]> {
  if (text.length > finFileLengthMax) return { ok: false, issues: [{ field: 'file', rule: 'length', message: `longer than ${finFileLengthMax} characters` }] };
  const starts: number[] = [];
  for (let at = text.indexOf('{1:'); at !== -1; at = text.indexOf('{1:', at + 3)) {
    if (starts.length >= finFileMessagesMax) return { ok: false, issues: [{ field: 'file', rule: 'length', message: `more than ${finFileMessagesMax} messages` }] };
    starts.push(at);
  }
  const before = text.slice(0, starts[0] ?? text.length);
  if (starts.length === 0 || !fileSeparator.test(before.replace(/^\uFEFF/, ''))) {
    return { ok: false, issues: [{ field: 'file', rule: 'format', message: starts.length === 0 ? 'no FIN message (starting {1:) in the file' : 'text before the first message {1:' }] };
  }
  const entries = starts.map((offset, index) => {
    const chunk = text.slice(offset, starts[index + 1] ?? text.length);
    const separators = /[$\u0001\u0003 \t\r\n]*$/.exec(chunk)?.[0] ?? '';
    const own = chunk.slice(0, chunk.length - separators.length) + (separators.match(/^[\r\n]*/)?.[0] ?? '');
    return { offset, text: own, result: parseFin(own) };
  });
  return { ok: true, value: entries };
}

const fileSeparator = /^[$\u0001\u0003 \t\r\n]*$/;

interface Blocks {
  basicHeader?: BasicHeader;
  applicationHeader?: ApplicationHeader;
  userHeader?: readonly BlockTag[];
  text?: readonly TextField[];
  trailer?: readonly BlockTag[];
  otherBlocks: OtherBlock[];
}

class FinReader {
  private at = 0;
  private lineBreak: LineBreak | undefined;
  private readonly blocks: Blocks = { otherBlocks: [] };
  private readonly order: string[] = [];

  constructor(private readonly source: string) {}

  read(): FinMessage {
    if (this.source.length > finTextLengthMax) fail('message', 'length', `longer than ${finTextLengthMax} characters`);
    const leading = leadingNoise.exec(this.source)?.[0] ?? '';
    this.at = leading.length;
    while (this.at < this.source.length && this.source[this.at] === '{') {
      if (this.order.length >= blocksMax) fail('message', 'blocks', `more than ${blocksMax} blocks`, this.lineAt(this.at));
      this.block();
    }
    const trailing = this.source.slice(this.at);
    if (!trailingNoise.test(trailing)) fail('message', 'format', `unexpected ${JSON.stringify(trailing.slice(0, 10))} outside a block`, this.lineAt(this.at));
    const { basicHeader, otherBlocks, ...rest } = this.blocks;
    if (basicHeader === undefined) fail('block1', 'mandatory', 'the basic header block {1:} is missing');
    const layout: FinLayout = { blockOrder: this.order, lineBreak: this.lineBreak ?? '\r\n', trailing, ...(leading === '' ? {} : { leading }) };
    return { basicHeader, ...rest, ...(otherBlocks.length > 0 ? { otherBlocks } : {}), layout };
  }

  private lineAt(position: number): number {
    let line = 1;
    for (let index = this.source.indexOf('\n'); index !== -1 && index < position; index = this.source.indexOf('\n', index + 1)) line += 1;
    return line;
  }

  private block(): void {
    const colon = this.source.indexOf(':', this.at);
    const id = colon === -1 ? '' : this.source.slice(this.at + 1, colon);
    if (!/^[0-9A-Z]{1,3}$/.test(id)) fail('message', 'format', 'a block starts {id: (1, 2, 3, 4, 5 or a letter)', this.lineAt(this.at));
    if (this.order.includes(id)) fail(`block${id}`, 'duplicate', `block ${id} appears twice`, this.lineAt(this.at));
    this.order.push(id);
    this.at = colon + 1;
    const start = this.at;
    if (id === '4' && this.source[this.at] !== '{') {
      this.blocks.text = this.textBlock();
      return;
    }
    if (id === '3' || id === '5') {
      const tags = this.tags(`block${id}`);
      if (id === '3') this.blocks.userHeader = tags;
      else this.blocks.trailer = tags;
      return;
    }
    const content = this.source[this.at] === '{' ? (this.tags(`block${id}`), this.source.slice(start, this.at - 1)) : this.plainContent(id);
    if (id === '1') this.blocks.basicHeader = parseBasicHeader(content, this.lineAt(start));
    else if (id === '2') this.blocks.applicationHeader = parseApplicationHeader(content, this.lineAt(start));
    else this.blocks.otherBlocks.push({ id, content });
  }

  private plainContent(id: string): string {
    const end = this.source.indexOf('}', this.at);
    const content = end === -1 ? '' : this.source.slice(this.at, end);
    if (end === -1 || content.includes('{')) fail(`block${id}`, 'format', 'the block is not closed by }', this.lineAt(this.at));
    this.at = end + 1;
    return content;
  }

  /** `{tag:value}…}`: the closing brace of the block is consumed. */
  private tags(where: string): readonly BlockTag[] {
    const tags: BlockTag[] = [];
    while (this.source[this.at] === '{') {
      if (tags.length >= blockTagsMax) fail(where, 'length', `more than ${blockTagsMax} tags`, this.lineAt(this.at));
      const end = this.source.indexOf('}', this.at);
      const body = end === -1 ? '' : this.source.slice(this.at + 1, end);
      const colon = body.indexOf(':');
      if (end === -1 || colon < 1 || body.includes('{')) fail(where, 'format', 'a tag is written {tag:value}', this.lineAt(this.at));
      tags.push({ tag: body.slice(0, colon), value: body.slice(colon + 1) });
      this.at = end + 1;
    }
    if (this.source[this.at] !== '}') fail(where, 'format', 'the block is not closed by }', this.lineAt(this.at));
    this.at += 1;
    return tags;
  }

  private textBlock(): readonly TextField[] {
    const lineBreak: LineBreak = this.source.startsWith('\r\n', this.at) ? '\r\n' : this.source[this.at] === '\n' ? '\n' : fail('block4', 'format', 'the text block starts with a line break after {4:', this.lineAt(this.at));
    this.lineBreak = lineBreak;
    const firstLine = this.lineAt(this.at) + 1;
    const end = this.source.indexOf(`${lineBreak}-}`, this.at);
    if (end === -1) fail('block4', 'format', `the text block does not end with a line break, - and }`, firstLine);
    const body = this.source.slice(this.at + lineBreak.length, end);
    this.at = end + lineBreak.length + 2;
    return body === '' ? [] : textFields(body, lineBreak, firstLine);
  }
}

function textFields(body: string, lineBreak: LineBreak, firstLine: number): readonly TextField[] {
  const lines = body.split(lineBreak);
  if (lines.length > textLinesMax) fail('block4', 'length', `more than ${textLinesMax} lines`, firstLine);
  const fields: { tag: string; lines: string[] }[] = [];
  lines.forEach((line, index) => {
    const lineNumber = firstLine + index;
    // A bare LF in a CRLF message (or the reverse) would not come back as it was.
    if (lineBreak === '\r\n' ? line.includes('\n') : line.endsWith('\r')) fail('block4', 'line_ending', 'CRLF and LF line breaks mixed in the text block', lineNumber);
    const start = fieldStart.exec(line);
    if (start !== null) {
      fields.push({ tag: start[1] ?? '', lines: [line.slice(start[0].length)] });
      return;
    }
    const current = fields[fields.length - 1];
    if (current === undefined) fail('block4', 'format', 'the text block does not start with a field :tag:', lineNumber);
    current.lines.push(line);
  });
  return fields.map((field) => ({ tag: field.tag, value: field.lines.join('\n') }));
}

function parseBasicHeader(content: string, line: number): BasicHeader {
  const match = /^([FAL])(\d{2})([A-Z0-9]{12})(\d{4})(\d{6})$/.exec(content);
  if (match === null) fail('block1', 'format', 'the basic header is F01, a 12-character logical terminal, a 4-digit session and a 6-digit sequence', line);
  const [, applicationId = '', serviceId = '', logicalTerminal = '', sessionNumber = '', sequenceNumber = ''] = match;
  return { applicationId, serviceId, logicalTerminal, sessionNumber, sequenceNumber };
}

function parseApplicationHeader(content: string, line: number): ApplicationHeader {
  const input = /^I(\d{3})([A-Z0-9]{12})([A-Z])?(\d)?(\d{3})?$/.exec(content);
  if (input !== null) {
    const [, messageType = '', destination = '', priority, deliveryMonitoring, obsolescencePeriod] = input;
    return {
      direction: 'I',
      messageType,
      destination,
      ...(priority === undefined ? {} : { priority }),
      ...(deliveryMonitoring === undefined ? {} : { deliveryMonitoring }),
      ...(obsolescencePeriod === undefined ? {} : { obsolescencePeriod }),
    };
  }
  const output = /^O(\d{3})(\d{4})(\d{6})([A-Z0-9]{12})(\d{4})(\d{6})(\d{6})(\d{4})([A-Z])?$/.exec(content);
  if (output === null) fail('block2', 'format', 'the application header is I + type + 12-character destination [+ priority], or the output form O + type + time + MIR + date + time', line);
  const [, messageType = '', inputTime = '', inputDate = '', senderLogicalTerminal = '', sessionNumber = '', sequenceNumber = '', outputDate = '', outputTime = '', priority] = output;
  return { direction: 'O', messageType, inputTime, inputDate, senderLogicalTerminal, sessionNumber, sequenceNumber, outputDate, outputTime, ...(priority === undefined ? {} : { priority }) };
}

/** Writes the message; a parsed message comes back byte for byte. */
export function buildFin(message: FinMessage): string {
  const layout = message.layout;
  const lineBreak = layout?.lineBreak ?? '\r\n';
  const present = presentBlockIds(message);
  const order = layout === undefined ? present : [...layout.blockOrder.filter((id) => present.includes(id)), ...present.filter((id) => !layout.blockOrder.includes(id))];
  return (layout?.leading ?? '') + order.map((id) => `{${id}:${blockContent(message, id, lineBreak)}}`).join('') + (layout?.trailing ?? '');
}

function presentBlockIds(message: FinMessage): string[] {
  const ids = ['1'];
  if (message.applicationHeader !== undefined) ids.push('2');
  if (message.userHeader !== undefined) ids.push('3');
  if (message.text !== undefined) ids.push('4');
  if (message.trailer !== undefined) ids.push('5');
  for (const block of message.otherBlocks ?? []) ids.push(block.id);
  return ids.sort((a, b) => rank(a) - rank(b));
}

function rank(id: string): number {
  const index = standardOrder.indexOf(id);
  return index === -1 ? standardOrder.length : index;
}

function blockContent(message: FinMessage, id: string, lineBreak: LineBreak): string {
  switch (id) {
    case '1':
      return basicHeaderText(message.basicHeader);
    case '2':
      return message.applicationHeader === undefined ? '' : applicationHeaderText(message.applicationHeader);
    case '3':
      return tagsText(message.userHeader ?? []);
    case '5':
      return tagsText(message.trailer ?? []);
    case '4':
      if (message.text !== undefined) return textBlockText(message.text, lineBreak);
  }
  return message.otherBlocks?.find((block) => block.id === id)?.content ?? '';
}

function basicHeaderText(header: BasicHeader): string {
  return `${header.applicationId}${header.serviceId}${header.logicalTerminal}${header.sessionNumber}${header.sequenceNumber}`;
}

function applicationHeaderText(header: ApplicationHeader): string {
  if (header.direction === 'I') return `I${header.messageType}${header.destination}${header.priority ?? ''}${header.deliveryMonitoring ?? ''}${header.obsolescencePeriod ?? ''}`;
  return `O${header.messageType}${header.inputTime}${header.inputDate}${header.senderLogicalTerminal}${header.sessionNumber}${header.sequenceNumber}${header.outputDate}${header.outputTime}${header.priority ?? ''}`;
}

function tagsText(tags: readonly BlockTag[]): string {
  return tags.map((tag) => `{${tag.tag}:${tag.value}}`).join('');
}

function textBlockText(fields: readonly TextField[], lineBreak: LineBreak): string {
  const lines = fields.map((field) => `:${field.tag}:${field.value.replaceAll('\n', lineBreak)}`);
  return `${lineBreak}${lines.map((line) => line + lineBreak).join('')}-`;
}

/** The message type from block 2 (`103`), or undefined without one. */
export function messageTypeOf(message: FinMessage): string | undefined {
  return message.applicationHeader?.messageType;
}

export function userHeaderValue(message: FinMessage, tag: string): string | undefined {
  return message.userHeader?.find((entry) => entry.tag === tag)?.value;
}

/** The sender's logical terminal: block 1 on input, the MIR of block 2 on output. */
export function senderLogicalTerminal(message: FinMessage): string {
  const header = message.applicationHeader;
  return header?.direction === 'O' ? header.senderLogicalTerminal : message.basicHeader.logicalTerminal;
}

/** The receiver's logical terminal: block 2's destination on input, block 1 on output. */
export function receiverLogicalTerminal(message: FinMessage): string | undefined {
  const header = message.applicationHeader;
  if (header === undefined) return undefined;
  return header.direction === 'I' ? header.destination : message.basicHeader.logicalTerminal;
}

/** The BIC of a logical terminal address: BIC8 + branch, the branch left out when it is XXX. */
export function bicOfLogicalTerminal(address: string): string {
  const branch = address.slice(9, 12);
  return branch === 'XXX' ? address.slice(0, 8) : address.slice(0, 8) + branch;
}

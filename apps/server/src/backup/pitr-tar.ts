/**
 * A look inside the tar stream `pg_basebackup --format=tar --pgdata=-` writes, as it passes on its
 * way into the encrypted file: the contents of a few named members (backup_label, backup_manifest)
 * are kept, everything else only counted. Pure over the bytes given; no I/O.
 *
 * Only what pg_basebackup writes is understood: ustar headers (name, prefix, octal or base-256
 * size), 512-byte blocks, an all-zero block at the end. The bytes were authenticated by the backup
 * format, so this reads; it does not defend.
 */
const blockBytes = 512;
const nameField = { start: 0, end: 100 } as const;
const sizeField = { start: 124, end: 136 } as const;
const typeFlagAt = 156;
const magicField = { start: 257, end: 263 } as const;
const prefixField = { start: 345, end: 500 } as const;

export interface TarCapture {
  /** Members whose contents are kept, by name (as in the archive, without a leading "./"), each with its size limit. */
  readonly wanted: ReadonlyMap<string, number>;
}

export class TarWatcher {
  /** The kept members' contents; a member larger than its limit is named in `oversized` instead. */
  readonly captured = new Map<string, Buffer>();
  readonly oversized = new Set<string>();
  members = 0;
  ended = false;
  private header = Buffer.alloc(0);
  private dataLeft = 0;
  private paddingLeft = 0;
  private capturing: { readonly name: string; readonly pieces: Buffer[] } | null = null;

  constructor(private readonly capture: TarCapture) {}

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    while (offset < bytes.length && !this.ended) {
      if (this.dataLeft > 0) {
        const taken = Math.min(this.dataLeft, bytes.length - offset);
        this.capturing?.pieces.push(Buffer.from(bytes.subarray(offset, offset + taken)));
        this.dataLeft -= taken;
        offset += taken;
        if (this.dataLeft === 0) this.finishMember();
      } else if (this.paddingLeft > 0) {
        const taken = Math.min(this.paddingLeft, bytes.length - offset);
        this.paddingLeft -= taken;
        offset += taken;
      } else {
        const taken = Math.min(blockBytes - this.header.length, bytes.length - offset);
        this.header = Buffer.concat([this.header, bytes.subarray(offset, offset + taken)]);
        offset += taken;
        if (this.header.length === blockBytes) this.readHeader();
      }
    }
  }

  private readHeader(): void {
    const header = this.header;
    this.header = Buffer.alloc(0);
    if (header.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    this.members += 1;
    const size = memberSize(header);
    const name = memberName(header);
    const regular = header[typeFlagAt] === 0x30 || header[typeFlagAt] === 0;
    const limit = this.capture.wanted.get(name);
    if (regular && limit !== undefined) {
      if (size > limit) this.oversized.add(name);
      else this.capturing = { name, pieces: [] };
    }
    this.dataLeft = size;
    this.paddingLeft = (blockBytes - (size % blockBytes)) % blockBytes;
    if (size === 0) this.finishMember();
  }

  private finishMember(): void {
    if (this.capturing !== null) this.captured.set(this.capturing.name, Buffer.concat(this.capturing.pieces));
    this.capturing = null;
  }
}

function field(header: Buffer, range: { readonly start: number; readonly end: number }): string {
  const raw = header.subarray(range.start, range.end);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? raw.length : nul).toString('utf8');
}

function memberName(header: Buffer): string {
  const name = field(header, nameField);
  const ustar = field(header, magicField).startsWith('ustar');
  const prefix = ustar ? field(header, prefixField) : '';
  const full = prefix === '' ? name : `${prefix}/${name}`;
  return full.replace(/^(\.\/)+/, '');
}

/** Octal ASCII, or base-256 (the high bit of the first byte set) for members of 8 GiB and more. */
function memberSize(header: Buffer): number {
  const raw = header.subarray(sizeField.start, sizeField.end);
  if ((raw[0]! & 0x80) !== 0) {
    let size = raw[0]! & 0x7f;
    for (const byte of raw.subarray(1)) size = size * 256 + byte;
    if (!Number.isSafeInteger(size)) throw new Error('a tar member is larger than this reader counts');
    return size;
  }
  const text = raw.toString('ascii').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`a tar header's size is not octal: ${JSON.stringify(text)}`);
  return text === '' ? 0 : Number.parseInt(text, 8);
}

export interface BackupLabel {
  /** The LSN recovery starts from, as PostgreSQL writes it ("0/2000028"). */
  readonly startLsn: string;
  /** The WAL file holding the start LSN: the oldest segment a restore of this backup needs. */
  readonly startWalFile: string;
  readonly checkpointLsn: string;
  readonly startTimeline: number;
  /** As in the label: "2026-12-01 17:30:43 UTC" (whole seconds). */
  readonly startTime: string;
  readonly label: string;
}

/** backup_label's fields; undefined when the text is not one. */
export function parseBackupLabel(text: string): BackupLabel | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 2).trim());
  }
  const start = /^([0-9A-F]+\/[0-9A-F]+) \(file ([0-9A-F]{24})\)$/.exec(fields.get('START WAL LOCATION') ?? '');
  const checkpointLsn = fields.get('CHECKPOINT LOCATION');
  const startTimeline = Number(fields.get('START TIMELINE'));
  const startTime = fields.get('START TIME');
  if (start === null || checkpointLsn === undefined || startTime === undefined || !Number.isSafeInteger(startTimeline) || startTimeline < 1) return undefined;
  return { startLsn: start[1]!, startWalFile: start[2]!, checkpointLsn, startTimeline, startTime, label: fields.get('LABEL') ?? '' };
}

/** The end of the WAL a backup needs, from its backup_manifest ("WAL-Ranges"); undefined when absent. */
export function manifestEndLsn(manifest: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(manifest.toString('utf8')) as { 'WAL-Ranges'?: Array<{ 'End-LSN'?: unknown }> };
    const end = parsed['WAL-Ranges']?.at(-1)?.['End-LSN'];
    return typeof end === 'string' ? end : undefined;
  } catch {
    return undefined;
  }
}

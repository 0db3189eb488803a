/**
 * The encrypted backup file (".qxbk"), for the server's PostgreSQL dump and a workstation's SQLite
 * file alike. Plain Node and @qenex/engine's sealed box only, so it can move to the engine's node
 * adapter unchanged when the desktop app needs it without a parameter.
 *
 *   "QXBACKUP" (8) ‖ format version (1) ‖ header length (u32 BE) ‖ header JSON
 *   ‖ wrapped data key: X-Wing ciphertext (1120) ‖ nonce (12) ‖ AES-GCM(data key) (48)
 *   ‖ records: length (u32 BE) ‖ AES-256-GCM ciphertext with its tag
 *
 * A random 32-byte data key per backup, sealed to the recipient's X-Wing key (ML-KEM-768 + X25519,
 * the sync's sealed box) with the header as associated data. Record i is encrypted under that key
 * with nonce (i as u64 ‖ final flag ‖ 0,0,0) and associated data SHA-256(header and wrapped key) ‖
 * i ‖ final flag: a moved, dropped, repeated or edited record fails its tag, and a file cut at a
 * record boundary lacks the final record. The final record is the trailer: the plaintext's length,
 * SHA-256 and record count. Why a trailer rather than the header: a backup is streamed from
 * pg_dump, so length and hash are known only at its end, and writing the plaintext to disk first to
 * learn them would leave an unencrypted copy of the books behind.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, type Hash } from 'node:crypto';
import { open as openFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { open as openSealed, sealTo, type SealedBoxKeyPair, xWingCiphertextBytes, xWingPublicKeyBytes, sealedNonceBytes, sealedTagBytes } from '../../core/crypto/sealed-box';

export const backupMagic = Buffer.from('QXBACKUP', 'ascii');
export const backupFormatVersion = 1;
/** The header is a few hundred bytes; more is not a backup of ours. */
export const backupHeaderBytesMax = 16 * 1024;
export const backupChunkBytesDefault = 1024 * 1024;
export const backupChunkBytesMax = 16 * 1024 * 1024;
/** Characters of the source description kept in the header. */
export const backupSourceCharsMax = 500;
const dataKeyBytes = 32;
const gcmTagBytes = 16;
const wrappedKeyBytes = xWingCiphertextBytes + sealedNonceBytes + dataKeyBytes + sealedTagBytes;
const fixedPrefixBytes = backupMagic.length + 1 + 4;
const recordLengthBytes = 4;

/** What a backup holds: a pg_dump of the server, a workstation's SQLite, a PostgreSQL base backup, or one archived WAL file. */
export type BackupKind = 'server' | 'workstation' | 'server_base' | 'server_wal';
const backupKinds: readonly BackupKind[] = ['server', 'workstation', 'server_base', 'server_wal'];
const isBackupKind = (value: unknown): value is BackupKind => backupKinds.includes(value as BackupKind);

export interface BackupHeader {
  readonly kind: BackupKind;
  /** When the snapshot was taken: the point of recovery this backup gives. */
  readonly createdAtMs: number;
  /** What was backed up (database and schema, or the workstation's file), for the operator. */
  readonly source: string;
  readonly chunkBytes: number;
  /** SHA-256 (hex) of the recipient's X-Wing public key: which key opens this backup. */
  readonly recipientKeyId: string;
}

export interface BackupTrailer {
  readonly plaintextBytes: number;
  readonly plaintextSha256: string;
  readonly chunks: number;
}

export type BackupRefusalCode =
  | 'backup_truncated'
  | 'backup_corrupted'
  | 'backup_wrong_key'
  | 'backup_unknown_format'
  | 'backup_length_mismatch'
  | 'backup_hash_mismatch';

export interface BackupRefusal {
  readonly ok: false;
  readonly code: BackupRefusalCode;
  readonly message: string;
}

export type BackupVerdict = { readonly ok: true; readonly header: BackupHeader; readonly trailer: BackupTrailer } | BackupRefusal;

export interface BackupProgress {
  readonly bytesDone: number;
  /** An estimate (the database's size on disk); null when unknown. */
  readonly bytesTotalEstimate: number | null;
}

export interface WriteBackupOptions {
  readonly recipientPublicKey: Uint8Array;
  readonly kind: BackupKind;
  readonly createdAtMs: number;
  readonly source: string;
  readonly chunkBytes?: number;
  readonly bytesTotalEstimate?: number | null;
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface WrittenBackup {
  readonly path: string;
  readonly header: BackupHeader;
  readonly trailer: BackupTrailer;
  readonly fileBytes: number;
}

export function recipientKeyId(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex');
}

/**
 * Encrypts `plaintext` into `path`: written to `path.partial` (mode 0600), fsync'd, then renamed,
 * so a crash or a failed source never leaves a file that looks like a finished backup.
 */
export async function writeBackup(plaintext: AsyncIterable<Uint8Array>, path: string, options: WriteBackupOptions): Promise<WrittenBackup> {
  const chunkBytes = options.chunkBytes ?? backupChunkBytesDefault;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > backupChunkBytesMax) throw new Error(`a backup chunk is 1 to ${backupChunkBytesMax} bytes`);
  if (options.recipientPublicKey.length !== xWingPublicKeyBytes) throw new Error('the backup recipient key is not an X-Wing public key');
  const header: BackupHeader = {
    kind: options.kind,
    createdAtMs: options.createdAtMs,
    source: options.source.slice(0, backupSourceCharsMax),
    chunkBytes,
    recipientKeyId: recipientKeyId(options.recipientPublicKey),
  };
  const prefix = encodePrefix(header);
  const dataKey = randomBytes(dataKeyBytes);
  const sealed = sealTo(options.recipientPublicKey, dataKey, prefix);
  const headerBytes = Buffer.concat([prefix, sealed.kemCiphertext, sealed.nonce, sealed.ciphertext]);
  const headerDigest = createHash('sha256').update(headerBytes).digest();
  const partial = `${path}.partial`;
  const file = await openFile(partial, 'wx', 0o600);
  try {
    const writer = new RecordWriter(file, dataKey, headerDigest);
    await file.write(headerBytes);
    const hash = createHash('sha256');
    let plaintextBytes = 0;
    let pending = Buffer.alloc(0);
    for await (const piece of plaintext) {
      pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, piece]);
      while (pending.length >= chunkBytes) {
        const chunk = pending.subarray(0, chunkBytes);
        pending = pending.subarray(chunkBytes);
        hash.update(chunk);
        plaintextBytes += chunk.length;
        await writer.write(chunk, false);
        options.onProgress?.({ bytesDone: plaintextBytes, bytesTotalEstimate: options.bytesTotalEstimate ?? null });
      }
    }
    if (pending.length > 0) {
      hash.update(pending);
      plaintextBytes += pending.length;
      await writer.write(pending, false);
      options.onProgress?.({ bytesDone: plaintextBytes, bytesTotalEstimate: options.bytesTotalEstimate ?? null });
    }
    const trailer: BackupTrailer = { plaintextBytes, plaintextSha256: hash.digest('hex'), chunks: writer.index };
    await writer.write(Buffer.from(JSON.stringify(trailer), 'utf8'), true);
    await file.sync();
    await file.close();
    await rename(partial, path);
    return { path, header, trailer, fileBytes: headerBytes.length + writer.bytesWritten };
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  } finally {
    dataKey.fill(0);
  }
}

/** Reads the whole file and checks every record, the length and the hash; writes nothing anywhere. */
export function verifyBackup(path: string, recipient: SealedBoxKeyPair): Promise<BackupVerdict> {
  return scanBackup(path, recipient, undefined);
}

/**
 * The plaintext of a backup, given to `sink` chunk by chunk, only after the whole file was verified
 * (so a refused backup produces no output at all). The second pass authenticates every record
 * again: a file changed between the passes stops at the changed record with its refusal.
 */
export async function readBackup(
  path: string,
  recipient: SealedBoxKeyPair,
  sink: (chunk: Buffer) => Promise<void>,
): Promise<BackupVerdict> {
  const verdict = await verifyBackup(path, recipient);
  if (!verdict.ok) return verdict;
  return scanBackup(path, recipient, sink);
}

/** The header of a backup without opening it (retention, listings): null when it is not one of ours. */
export async function readBackupHeader(path: string): Promise<BackupHeader | null> {
  const file = await openFile(path, 'r');
  try {
    const parsed = await readPrefix(new FileReader(file));
    return parsed.ok ? parsed.header : null;
  } finally {
    await file.close();
  }
}

class RecordWriter {
  index = 0;
  bytesWritten = 0;
  constructor(
    private readonly file: FileHandle,
    private readonly key: Buffer,
    private readonly headerDigest: Buffer,
  ) {}

  async write(plain: Buffer, final: boolean): Promise<void> {
    const cipher = createCipheriv('aes-256-gcm', this.key, recordNonce(this.index, final));
    cipher.setAAD(recordAad(this.headerDigest, this.index, final));
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const length = Buffer.alloc(recordLengthBytes);
    length.writeUInt32BE(body.length);
    await this.file.write(Buffer.concat([length, body]));
    this.index += 1;
    this.bytesWritten += recordLengthBytes + body.length;
  }
}

async function scanBackup(
  path: string,
  recipient: SealedBoxKeyPair,
  sink: ((chunk: Buffer) => Promise<void>) | undefined,
): Promise<BackupVerdict> {
  const { publicKey, secretKey } = recipient;
  let file: FileHandle;
  try {
    file = await openFile(path, 'r');
  } catch (error) {
    return refuse('backup_unknown_format', `${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const reader = new FileReader(file);
    const prefix = await readPrefix(reader);
    if (!prefix.ok) return prefix;
    const { header, prefixBytes } = prefix;
    if (header.recipientKeyId !== recipientKeyId(publicKey)) {
      return refuse('backup_wrong_key', `this backup was encrypted to key ${header.recipientKeyId.slice(0, 16)}…, not to the key given (${recipientKeyId(publicKey).slice(0, 16)}…)`);
    }
    const wrapped = await reader.read(wrappedKeyBytes);
    if (wrapped.length < wrappedKeyBytes) return refuse('backup_truncated', 'the backup ends inside its wrapped key');
    const opened = openSealed(
      secretKey,
      {
        kemCiphertext: wrapped.subarray(0, xWingCiphertextBytes),
        nonce: wrapped.subarray(xWingCiphertextBytes, xWingCiphertextBytes + sealedNonceBytes),
        ciphertext: wrapped.subarray(xWingCiphertextBytes + sealedNonceBytes),
      },
      prefixBytes,
    );
    if (!opened.ok) return refuse('backup_corrupted', 'the backup header or its wrapped data key was changed (or the secret key does not match its public key)');
    const key = Buffer.from(opened.plaintext);
    try {
      const headerDigest = createHash('sha256').update(prefixBytes).update(wrapped).digest();
      return await scanRecords(reader, key, headerDigest, header, sink);
    } finally {
      key.fill(0);
    }
  } finally {
    await file.close();
  }
}

async function scanRecords(
  reader: FileReader,
  key: Buffer,
  headerDigest: Buffer,
  header: BackupHeader,
  sink: ((chunk: Buffer) => Promise<void>) | undefined,
): Promise<BackupVerdict> {
  const hash: Hash = createHash('sha256');
  let plaintextBytes = 0;
  for (let index = 0; ; index += 1) {
    const lengthBytes = await reader.read(recordLengthBytes);
    if (lengthBytes.length === 0) return refuse('backup_truncated', `the backup ends after ${index} records, before its final record: it was cut short`);
    if (lengthBytes.length < recordLengthBytes) return refuse('backup_truncated', `the backup ends inside record ${index}`);
    const length = lengthBytes.readUInt32BE(0);
    if (length < gcmTagBytes || length > header.chunkBytes + gcmTagBytes + backupHeaderBytesMax) return refuse('backup_corrupted', `record ${index} has an impossible length (${length})`);
    const body = await reader.read(length);
    if (body.length < length) return refuse('backup_truncated', `the backup ends inside record ${index}`);
    const plain = decryptRecord(key, headerDigest, index, body, false);
    if (plain !== undefined) {
      hash.update(plain);
      plaintextBytes += plain.length;
      if (sink !== undefined) await sink(plain);
      continue;
    }
    const trailerBytes = decryptRecord(key, headerDigest, index, body, true);
    if (trailerBytes === undefined) return refuse('backup_corrupted', `record ${index} fails its authentication: the file was changed, or its records reordered`);
    if ((await reader.read(1)).length > 0) return refuse('backup_corrupted', 'bytes follow the final record');
    const trailer = parseTrailer(trailerBytes);
    if (trailer === undefined) return refuse('backup_corrupted', 'the final record is not a trailer');
    if (trailer.plaintextBytes !== plaintextBytes || trailer.chunks !== index) {
      return refuse('backup_length_mismatch', `the trailer says ${trailer.plaintextBytes} bytes in ${trailer.chunks} records; the file holds ${plaintextBytes} in ${index}`);
    }
    const digest = hash.digest('hex');
    if (digest !== trailer.plaintextSha256) return refuse('backup_hash_mismatch', `the plaintext's SHA-256 is ${digest}, the trailer says ${trailer.plaintextSha256}`);
    return { ok: true, header, trailer };
  }
}

function decryptRecord(key: Buffer, headerDigest: Buffer, index: number, body: Buffer, final: boolean): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, recordNonce(index, final));
  decipher.setAAD(recordAad(headerDigest, index, final));
  decipher.setAuthTag(body.subarray(body.length - gcmTagBytes));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - gcmTagBytes)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function recordNonce(index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 0);
  nonce.writeUInt8(final ? 1 : 0, 8);
  return nonce;
}

function recordAad(headerDigest: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail.writeUInt8(final ? 1 : 0, 8);
  return Buffer.concat([headerDigest, tail]);
}

function encodePrefix(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > backupHeaderBytesMax) throw new Error('the backup header is too long');
  const fixed = Buffer.alloc(fixedPrefixBytes);
  backupMagic.copy(fixed, 0);
  fixed.writeUInt8(backupFormatVersion, backupMagic.length);
  fixed.writeUInt32BE(json.length, backupMagic.length + 1);
  return Buffer.concat([fixed, json]);
}

type PrefixResult = { readonly ok: true; readonly header: BackupHeader; readonly prefixBytes: Buffer } | BackupRefusal;

async function readPrefix(reader: FileReader): Promise<PrefixResult> {
  const fixed = await reader.read(fixedPrefixBytes);
  if (fixed.length < backupMagic.length || !fixed.subarray(0, backupMagic.length).equals(backupMagic)) {
    return refuse('backup_unknown_format', 'this is not a QENEX backup (its first bytes are not QXBACKUP)');
  }
  if (fixed.length < fixedPrefixBytes) return refuse('backup_truncated', 'the backup ends inside its header');
  const version = fixed.readUInt8(backupMagic.length);
  if (version !== backupFormatVersion) return refuse('backup_unknown_format', `backup format version ${version}; this build reads version ${backupFormatVersion}`);
  const jsonBytes = fixed.readUInt32BE(backupMagic.length + 1);
  if (jsonBytes > backupHeaderBytesMax) return refuse('backup_corrupted', `the header claims ${jsonBytes} bytes (at most ${backupHeaderBytesMax})`);
  const json = await reader.read(jsonBytes);
  if (json.length < jsonBytes) return refuse('backup_truncated', 'the backup ends inside its header');
  const header = parseHeader(json);
  if (header === undefined) return refuse('backup_corrupted', 'the backup header is not valid');
  return { ok: true, header, prefixBytes: Buffer.concat([fixed, json]) };
}

function parseJson(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseHeader(bytes: Buffer): BackupHeader | undefined {
  const value = parseJson(bytes);
  if (value === undefined) return undefined;
  const { kind, createdAtMs, source, chunkBytes, recipientKeyId: keyId } = value;
  if (!isBackupKind(kind)) return undefined;
  if (!Number.isSafeInteger(createdAtMs) || typeof source !== 'string' || typeof keyId !== 'string' || !/^[0-9a-f]{64}$/.test(keyId)) return undefined;
  if (!Number.isSafeInteger(chunkBytes) || (chunkBytes as number) < 1 || (chunkBytes as number) > backupChunkBytesMax) return undefined;
  return { kind, createdAtMs: createdAtMs as number, source, chunkBytes: chunkBytes as number, recipientKeyId: keyId };
}

function parseTrailer(bytes: Buffer): BackupTrailer | undefined {
  const value = parseJson(bytes);
  if (value === undefined) return undefined;
  const { plaintextBytes, plaintextSha256, chunks } = value;
  if (!Number.isSafeInteger(plaintextBytes) || !Number.isSafeInteger(chunks) || typeof plaintextSha256 !== 'string') return undefined;
  return { plaintextBytes: plaintextBytes as number, plaintextSha256, chunks: chunks as number };
}

function refuse(code: BackupRefusalCode, message: string): BackupRefusal {
  return { ok: false, code, message };
}

/** Sequential reads with a buffer; `read(n)` returns fewer than n bytes only at the end of the file. */
class FileReader {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private static readonly readBytes = 1024 * 1024;
  constructor(private readonly file: FileHandle) {}

  async read(bytes: number): Promise<Buffer> {
    while (this.buffer.length < bytes && !this.ended) {
      const room = Buffer.allocUnsafe(Math.max(FileReader.readBytes, bytes - this.buffer.length));
      const { bytesRead } = await this.file.read(room, 0, room.length, null);
      if (bytesRead === 0) this.ended = true;
      else this.buffer = this.buffer.length === 0 ? room.subarray(0, bytesRead) : Buffer.concat([this.buffer, room.subarray(0, bytesRead)]);
    }
    const taken = this.buffer.subarray(0, Math.min(bytes, this.buffer.length));
    this.buffer = this.buffer.subarray(taken.length);
    return taken;
  }
}

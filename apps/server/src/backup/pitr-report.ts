/**
 * The WAL archive's names, and the report each restore_command run appends to: what the restore
 * reads afterwards to tell a segment the archive lacked (its end) from one it refused. Node's file
 * system only, no engine: restore_command loads this alone to answer "not in the archive" (asked
 * for every timeline history file that does not exist) without paying for the engine's import.
 */
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const walArchiveSuffix = '.qxwal';
/** The restore's report of what each restore_command did: read back whole, so bounded. */
export const walReportBytesMax = 8 * 1024 * 1024;
/** Characters of a message kept in one report line. */
const reportMessageCharsMax = 500;

/** A segment (24 hex digits, or a `.partial` one), a timeline history or a backup history file. */
const walFileNamePattern = /^(?:[0-9A-F]{24}(?:\.partial|\.[0-9A-F]{8}\.backup)?|[0-9A-F]{8}\.history)$/;
const walSegmentNamePattern = /^[0-9A-F]{24}$/;

export function isWalFileName(name: string): boolean {
  return walFileNamePattern.test(name);
}

export function isWalSegmentName(name: string): boolean {
  return walSegmentNamePattern.test(name);
}

export function archivedWalPath(archiveDir: string, fileName: string): string {
  return join(archiveDir, `${fileName}${walArchiveSuffix}`);
}

/** One line of the restore's report, appended by each restore_command run. */
export interface WalReportLine {
  readonly file: string;
  readonly event: 'restored' | 'missing' | 'refused';
  readonly code?: string;
  readonly message?: string;
  readonly atMs: number;
}

export async function appendWalReport(reportFile: string, line: WalReportLine): Promise<void> {
  const bounded = line.message === undefined ? line : { ...line, message: line.message.slice(0, reportMessageCharsMax) };
  // One write with O_APPEND per line: the runs are sequential, and a line is never interleaved.
  await appendFile(reportFile, `${JSON.stringify(bounded)}\n`, { mode: 0o600 });
}

/** The report's lines; a missing report is an empty one (no restore_command ran yet). */
export async function readWalReport(reportFile: string): Promise<WalReportLine[]> {
  const size = await stat(reportFile).then((entry) => entry.size, () => -1);
  if (size < 0) return [];
  if (size > walReportBytesMax) throw new Error(`the WAL restore report ${reportFile} is larger than ${walReportBytesMax} bytes`);
  const lines: WalReportLine[] = [];
  for (const text of (await readFile(reportFile, 'utf8')).split('\n')) {
    if (text.trim() === '') continue;
    const value = JSON.parse(text) as WalReportLine;
    if (typeof value.file === 'string' && (value.event === 'restored' || value.event === 'missing' || value.event === 'refused')) lines.push(value);
  }
  return lines;
}

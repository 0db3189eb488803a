import type { JsonValue } from '../canonical-json';

/** Commands a branch may execute while offline, provisionally, and queue for the server. */
export const offlineCommands = ['cash.deposit', 'cash.withdraw', 'transfer.internal'] as const;
export type OfflineCommand = (typeof offlineCommands)[number];

/** One queued command: gap-free per device, with the time and person it happened at the counter. */
export interface OutboxCommand {
  readonly seq: number;
  readonly name: OfflineCommand;
  readonly input: { readonly [key: string]: JsonValue };
  readonly actor: string;
  readonly roles: readonly string[];
  readonly atMs: number;
}

/** What a workstation pushes: signed once as a whole (its canonical JSON's SHA-256). */
export interface PushBatch {
  readonly deviceId: string;
  readonly batchSeq: number;
  /** The digest of the device's previous batch ('' for the first): the batches form a chain. */
  readonly prevDigest: string;
  readonly commands: readonly OutboxCommand[];
}

export type Verdict =
  | { readonly seq: number; readonly status: 'accepted' }
  | { readonly seq: number; readonly status: 'rejected'; readonly code: string; readonly message: string }
  | { readonly seq: number; readonly status: 'compensated'; readonly code: string; readonly message: string; readonly exceptionId: string };

export interface PushAnswer {
  readonly deviceId: string;
  readonly batchSeq: number;
  readonly batchDigest: string;
  readonly verdicts: readonly Verdict[];
}

export type DeviceStatus = 'pending' | 'active' | 'revoked';

/** A device as the server knows it: its keys, its standing, and where its batch chain stands. */
export interface DeviceStanding {
  readonly status: DeviceStatus;
  readonly lastBatchSeq: number;
  readonly lastBatchDigest: string;
}

/** Outbox and batch bounds. */
export const batchCommandsMax = 500;
export const outboxCommandsMax = 100_000;

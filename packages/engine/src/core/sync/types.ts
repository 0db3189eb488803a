import type { JsonValue } from '../canonical-json';
import { commandPolicies } from '../policy/table';

/**
 * Commands a branch may execute while offline, provisionally, and queue for the server: those the
 * policy table lets run offline. A batch may name any command; the server's admission refuses the rest.
 */
export const offlineCommands = Object.entries(commandPolicies)
  .filter(([, policy]) => policy.runs === 'offline')
  .map(([name]) => name);

/** Longest command name a batch may carry (the policy table's are far shorter). */
export const commandNameLengthMax = 64;

/** One queued command: gap-free per device, with the time and person it happened at the counter. */
export interface OutboxCommand {
  readonly seq: number;
  readonly name: string;
  readonly input: { readonly [key: string]: JsonValue };
  readonly actor: string;
  readonly roles: readonly string[];
  readonly atMs: number;
  /** The head teller who approved it at the counter, when it was held there; the server checks them again. */
  readonly approvedBy?: string;
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
  /** Refused; `exceptionId` when the device says cash moved and the server does not believe it (an exception to investigate, nothing booked). */
  | { readonly seq: number; readonly status: 'rejected'; readonly code: string; readonly message: string; readonly exceptionId?: string }
  | { readonly seq: number; readonly status: 'compensated'; readonly code: string; readonly message: string; readonly exceptionId: string }
  /** Over a limit with nobody's approval: waiting for a supervisor at the server. */
  | { readonly seq: number; readonly status: 'held'; readonly code: string; readonly message: string; readonly approvalId: string };

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

/**
 * What the update repository carries besides app builds: content the bank's admins sign and every
 * branch applies. Each kind lives under its own path prefix (so a delegation can cover one kind and
 * not another: compliance signs `content/sanctions/*`, never `app/*` or `content/stand-in/*`), and
 * each document is checked whole before anything of it takes effect.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { currencyByCode } from '../currencies';
import { parseMinor } from '../money';
import { canonicalJson } from '../canonical-json';
import type { StandInPolicy } from '../sync/stand-in';

export type ContentKind = 'stand_in_policy' | 'sanctions_list' | 'fraud_model' | 'app_build';

/** Where each kind lives: `content/stand-in/<branchId>.json`, `content/sanctions/<listId>.json`, `content/models/<slot>.json`, `app/<platform>/<file>`. */
export const contentPrefixes: Readonly<Record<ContentKind, string>> = {
  stand_in_policy: 'content/stand-in/',
  sanctions_list: 'content/sanctions/',
  fraud_model: 'content/models/',
  app_build: 'app/',
};

/** The paths the compliance officers' delegated role may sign: lists and monitoring rules, never builds or limits. */
export const compliancePathPatterns: readonly string[] = ['content/sanctions/*', 'content/rules/*'];

export function contentKindOf(path: string): ContentKind | null {
  if (/^content\/stand-in\/[A-Za-z0-9_-]{1,64}\.json$/.test(path)) return 'stand_in_policy';
  if (/^content\/sanctions\/[a-z0-9][a-z0-9-]{0,63}\.json$/.test(path)) return 'sanctions_list';
  if (/^content\/models\/(champion|challenger)\.json$/.test(path)) return 'fraud_model';
  if (/^app\/[a-z0-9-]{1,32}\/[A-Za-z0-9._-]{1,128}$/.test(path)) return 'app_build';
  return null;
}

export function standInPath(branchId: string): string {
  return `${contentPrefixes.stand_in_policy}${branchId}.json`;
}

export function modelPath(slot: 'champion' | 'challenger'): string {
  return `${contentPrefixes.fraud_model}${slot}.json`;
}

export function sanctionsPath(listId: string): string {
  return `${contentPrefixes.sanctions_list}${listId}.json`;
}

/** One currency's offline limits in a signed stand-in policy, minor units as strings. */
export interface StandInLimitsDocument {
  readonly currency: string;
  readonly perTransactionMinor: string;
  readonly perCustomerPerDayMinor: string;
  readonly perTellerPerDayMinor: string;
}

/** A branch's stand-in policy as the admins sign it (`content/stand-in/<branchId>.json`). */
export interface StandInDocument {
  readonly kind: 'qenex.stand-in-policy';
  readonly schema: 1;
  readonly branchId: string;
  /** Never goes back for a branch: the server keeps every version to re-decide old payouts. */
  readonly version: number;
  /** ISO 8601 instants: in force from, and until. */
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly limits: readonly StandInLimitsDocument[];
}

export type ContentResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: 'content_invalid'; readonly message: string };

/** Currencies one stand-in policy covers at most. */
export const standInCurrenciesMax = 64;
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

function invalid(message: string): { ok: false; code: 'content_invalid'; message: string } {
  return { ok: false, code: 'content_invalid', message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key)) && keys.every((key) => Object.prototype.hasOwnProperty.call(value, key));
}

function instantMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !instantPattern.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function positiveMinor(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseMinor(value);
  return parsed.ok && parsed.value > 0n && String(parsed.value) === value ? parsed.value : undefined;
}

/** A stand-in policy document, checked whole: every field, every currency known and listed once, the window sane. */
export function parseStandInDocument(value: unknown): ContentResult<StandInDocument> {
  if (!isRecord(value) || !onlyKeys(value, ['kind', 'schema', 'branchId', 'version', 'issuedAt', 'expiresAt', 'limits'])) return invalid('A stand-in policy has exactly kind, schema, branchId, version, issuedAt, expiresAt and limits.');
  if (value.kind !== 'qenex.stand-in-policy' || value.schema !== 1) return invalid('Not a stand-in policy of schema 1.');
  if (typeof value.branchId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value.branchId)) return invalid('The branch id is malformed.');
  if (typeof value.version !== 'number' || !Number.isSafeInteger(value.version) || value.version < 1) return invalid('The version is a whole number from 1.');
  const issuedMs = instantMs(value.issuedAt);
  const expiresMs = instantMs(value.expiresAt);
  if (issuedMs === undefined || expiresMs === undefined || expiresMs <= issuedMs) return invalid('issuedAt and expiresAt are UTC instants, and it expires after it is issued.');
  if (!Array.isArray(value.limits) || value.limits.length === 0 || value.limits.length > standInCurrenciesMax) return invalid(`Limits name 1 to ${standInCurrenciesMax} currencies.`);
  const seen = new Set<string>();
  for (const limits of value.limits as unknown[]) {
    if (!isRecord(limits) || !onlyKeys(limits, ['currency', 'perTransactionMinor', 'perCustomerPerDayMinor', 'perTellerPerDayMinor'])) return invalid('Each currency has exactly currency and its three limits.');
    if (typeof limits.currency !== 'string' || currencyByCode(limits.currency) === undefined || seen.has(limits.currency)) return invalid('Each currency is a known ISO 4217 code, listed once.');
    seen.add(limits.currency);
    for (const field of ['perTransactionMinor', 'perCustomerPerDayMinor', 'perTellerPerDayMinor'] as const) {
      if (positiveMinor(limits[field]) === undefined) return invalid(`${field} of ${limits.currency} is a positive whole number of minor units, as a string.`);
    }
  }
  return { ok: true, value: value as unknown as StandInDocument };
}

/** The bytes admins sign for a document: canonical JSON (RFC 8785), so the same policy is the same file. */
export function encodeContentDocument(document: StandInDocument | Readonly<Record<string, unknown>>): Uint8Array {
  return utf8ToBytes(canonicalJson(document as never));
}

/** The policy in force for one currency, in the form the stand-in check takes. */
export function standInPolicyOf(document: StandInDocument, currency: string): StandInPolicy | undefined {
  const limits = document.limits.find((entry) => entry.currency === currency);
  if (limits === undefined) return undefined;
  return {
    branchId: document.branchId,
    currency,
    perTransactionMinor: BigInt(limits.perTransactionMinor),
    perCustomerPerDayMinor: BigInt(limits.perCustomerPerDayMinor),
    perTellerPerDayMinor: BigInt(limits.perTellerPerDayMinor),
    issuedAtMs: Date.parse(document.issuedAt),
    expiresAtMs: Date.parse(document.expiresAt),
    version: document.version,
  };
}

/**
 * The tighter of two policies for the same branch and currency: each limit the lower, the window
 * the narrower. A workstation holds the server's copy (from its signed pull) and the admins' copy
 * (from the update repository); taking the tighter means a stolen server key can narrow what a
 * branch may pay out offline, never widen it.
 */
export function tighterStandIn(a: StandInPolicy | undefined, b: StandInPolicy | undefined): StandInPolicy | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const least = (x: bigint, y: bigint) => (x < y ? x : y);
  return {
    ...a,
    perTransactionMinor: least(a.perTransactionMinor, b.perTransactionMinor),
    perCustomerPerDayMinor: least(a.perCustomerPerDayMinor, b.perCustomerPerDayMinor),
    perTellerPerDayMinor: least(a.perTellerPerDayMinor, b.perTellerPerDayMinor),
    issuedAtMs: Math.max(a.issuedAtMs, b.issuedAtMs),
    expiresAtMs: Math.min(a.expiresAtMs, b.expiresAtMs),
    version: Math.max(a.version, b.version),
  };
}

/**
 * An app build's version from its file name (`app/<platform>/qenex-<semver>.<ext>`), or null.
 * Builds are ordered by it: a workstation stages only a newer one.
 */
export function appBuildVersion(path: string): string | null {
  const match = /^app\/[a-z0-9-]+\/qenex-(\d{1,6})\.(\d{1,6})\.(\d{1,6})\.[a-z0-9.]+$/.exec(path);
  return match === null ? null : `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}`;
}

/** Negative, zero or positive as version a is older than, equal to or newer than b (`major.minor.patch`). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map((part) => Number(part));
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

import type { Outcome, Refusal } from '@qenex/engine';

/**
 * RFC 9457 problem details. Each result code maps to one HTTP status; the body carries the code
 * (stable, for programs) and a sentence (for people) saying what to do next.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

const badInput = new Set([
  'invalid_input',
  'bad_request',
  'id_malformed',
  'id_must_not_be_zero',
  'id_must_not_be_int_max',
  'currency_unknown',
  'amount_malformed',
  'amount_overflows',
  'amount_must_not_be_zero',
  'amount_must_not_be_negative',
  'amount_too_precise',
  // Refused at the HTTP edge (body.ts), before any route runs.
  'body_too_deep',
  'body_too_complex',
  'control_character',
  'lone_surrogate',
  'forbidden_key',
  'string_too_long',
  'number_out_of_range',
  'url_malformed',
  'cursor_out_of_range',
  'rate_malformed',
]);

const conflicts = new Set([
  'idempotency_key_in_progress',
  'transaction_id_reused',
  'till_already_open',
  'approval_already_decided',
  'username_taken',
  'customer_already_registered',
  'branch_code_taken',
  'till_code_taken',
  // The bank's rate sheet changed, or is not valid now: quote again, or wait for treasury.
  'rate_changed',
  'rate_sheet_stale',
  'pair_published_other_way',
  // A signed request seen before.
  'nonce_reused',
]);

const statusByCode: Readonly<Record<string, number>> = {
  session_missing: 401,
  session_expired: 401,
  session_revoked: 401,
  invalid_credentials: 401,
  user_disabled: 403,
  permission_denied: 403,
  checker_must_differ: 403,
  checker_lacks_permission: 403,
  checker_disabled: 403,
  checker_out_of_scope: 403,
  checker_not_on_device: 403,
  // The admission policy (core/policy): who may do what, over what, where.
  session_device_mismatch: 401,
  out_of_scope: 403,
  no_branch_assigned: 403,
  session_belongs_to_another_teller: 403,
  user_not_on_device: 403,
  user_unknown: 403,
  server_only: 403,
  needs_server: 409,
  not_allowed_offline: 409,
  not_replayable: 409,
  ledger_account_protected: 403,
  account_code_reserved: 403,
  // Signed requests: out of the freshness window, or too many at once.
  request_stale: 401,
  nonce_malformed: 400,
  too_many_requests: 429,
  server_busy: 503,
  sign_in_delayed: 429,
  rate_limited: 429,
  idempotency_key_missing: 428,
  idempotency_key_reused: 422,
  unknown_command: 404,
  not_found: 404,
  method_not_allowed: 405,
  // The sync protocol: a device's signature is its authentication.
  unknown_key: 401,
  digest_mismatch: 401,
  malformed_signature: 401,
  ml_dsa_signature_invalid: 401,
  ed25519_signature_invalid: 401,
  malformed_envelope: 400,
  malformed_message: 400,
  decryption_failed: 400,
  header_mismatch: 400,
  wrong_kind: 400,
  device_revoked: 403,
  device_not_active: 403,
  sequence_gap: 409,
  chain_broken: 409,
  batch_replayed: 409,
  unsupported_media_type: 415,
  body_too_large: 413,
  headers_too_large: 431,
  request_timeout: 408,
  internal_error: 500,
  unavailable: 503,
};

export function statusOf(code: string): number {
  const known = statusByCode[code];
  if (known !== undefined) return known;
  if (badInput.has(code) || /_(malformed|must_not_be_zero|must_not_be_int_max|must_not_be_negative)$/.test(code)) return 400;
  if (conflicts.has(code) || code.endsWith('_reused') || code.startsWith('exists_with_different')) return 409;
  if (code.endsWith('_not_found')) return 404;
  return 422;
}

/** The most of anything a caller sent (a URL, a parser's message) that an answer repeats. */
export const echoLengthMax = 200;
/** A problem's `detail`: a sentence or two; an engine message quoting input is cut here. */
export const detailLengthMax = 1_000;
/** Items of a list in a problem (validation issues); the first ones say what to fix. */
export const listItemsMax = 20;
/** Levels of an extension object repeated as they are; deeper, a problem carries only a mark. */
const extensionDepthMax = 3;

/** `text`, or its first `lengthMax` characters and an ellipsis (not splitting a surrogate pair). */
export function bounded(text: string, lengthMax = echoLengthMax): string {
  if (text.length <= lengthMax) return text;
  const end = /[\ud800-\udbff]/.test(text[lengthMax - 1] ?? '') ? lengthMax - 1 : lengthMax;
  return `${text.slice(0, end)}…`;
}

/**
 * A copy of what a problem carries beside its detail (engine details, the instance), with every
 * string and list cut: an answer, and the idempotency record that replays it, never grows with
 * the input. The depth is fixed and small, so the copy recurses at most `extensionDepthMax` deep.
 */
export function boundedExtension(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return bounded(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= extensionDepthMax) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, listItemsMax).map((item) => boundedExtension(item, depth + 1));
    return value.length > listItemsMax ? [...items, `… and ${value.length - listItemsMax} more`] : items;
  }
  const entries = Object.entries(value).slice(0, listItemsMax);
  return Object.fromEntries(entries.map(([key, item]) => [bounded(key), boundedExtension(item, depth + 1)]));
}

export function problem(code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return {
    type: `https://qenex.dev/problems/${code.replaceAll('_', '-')}`,
    title: code.replaceAll('_', ' ').replace(/^./, (first) => first.toUpperCase()),
    status: statusOf(code),
    code,
    detail: bounded(detail, detailLengthMax),
    ...(boundedExtension(extensions) as Record<string, unknown>),
  };
}

/**
 * A refusal as it is answered and kept for replay: message and details cut like a problem's, so a
 * long input quoted by a schema message cannot push the idempotency record past its size limit.
 */
export function boundedOutcome<V>(outcome: Outcome<V, string>): Outcome<V, string> {
  if (outcome.ok) return outcome;
  const details = outcome.details === undefined ? {} : { details: boundedExtension(outcome.details) as NonNullable<Refusal['details']> };
  return { ...outcome, message: bounded(outcome.message, detailLengthMax), ...details };
}

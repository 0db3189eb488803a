import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson, kvLimits, type Context, type Engine, type JsonValue, type KvPorts, type Outcome, type ServerKeys, type Storage } from '@qenex/engine';
import type { TransferBatcher } from '../batcher';
import { boundedOutcome, problem } from './problem';
import type { SessionCache } from './session-cache';

export interface HttpDeps {
  readonly engine: Engine;
  readonly storage: Storage;
  readonly kv: KvPorts;
  readonly batcher: TransferBatcher;
  readonly serverKeys: ServerKeys;
  readonly sessions: SessionCache;
  /** The clock sessions expire by (the engine's). */
  readonly nowMs: () => number;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly signInsPerSourcePerMinute: number;
}

/** How long an Idempotency-Key is remembered. */
export const idempotencyTtlMs = 24 * 60 * 60 * 1000;
/** How long a key stays claimed by a request still running (or by a server that died running it). */
export const idempotencyLeaseMs = 60 * 1000;
/** Device-signed requests (push, pull, rotation) per source address per minute: a branch's workstations share well under it. */
export const deviceRequestsPerMinuteMax = 600;
/** Refused requests without a valid session that are audited per address per minute. */
export const auditedRefusalsPerMinuteMax = 120;

declare module 'fastify' {
  interface FastifyRequest {
    qenexContext?: Context;
  }
}

export function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function sendProblem(reply: FastifyReply, code: string, detail: string, extensions: Record<string, unknown> = {}): FastifyReply {
  const body = problem(code, detail, { instance: reply.request.url, ...extensions });
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** Maps an engine outcome to HTTP: the value on success, 202 for a held command, problem+json otherwise. */
export function sendOutcome(reply: FastifyReply, outcome: Outcome<unknown, string>, successStatus = 200): FastifyReply {
  if (outcome.ok) return reply.code(successStatus).send(outcome.value);
  if (outcome.code === 'approval_required') {
    return reply.code(202).send({ status: 'held', approvalId: outcome.details?.approvalId, detail: outcome.message });
  }
  return sendProblem(reply, outcome.code, outcome.message, outcome.details ?? {});
}

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
  return match?.[1] ?? '';
}

function deviceOf(request: FastifyRequest): string {
  const header = request.headers['x-device-id'];
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(header) ? header : 'api';
}

/** Resolves the caller; a public route runs as the anonymous caller. Refuses with 401 otherwise. */
export async function authenticate(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, isPublic: boolean, signedByDevice = false): Promise<Context | undefined> {
  // A device route carries its own hybrid signature, which the command verifies (ML-DSA and
  // X-Wing work before anything is known of the sender): bounded per source address.
  if (signedByDevice) {
    const allowed = await deps.kv.rateLimiter.hit(`device-route:${request.ip}`, deviceRequestsPerMinuteMax, 60_000);
    if (allowed.allowed) return { actor: 'device', roles: ['device'], deviceId: deviceOf(request) };
    reply.header('retry-after', Math.ceil(allowed.retryAfterMs / 1000));
    sendProblem(reply, 'rate_limited', `Too many signed requests from this address; wait ${Math.ceil(allowed.retryAfterMs / 1000)} s.`);
    return undefined;
  }
  // Nobody is signed in yet: a device named in a header is only a claim (sign-in records the one its body binds the session to).
  if (isPublic) return { actor: 'anonymous', roles: [], deviceId: 'unauthenticated' };
  const token = bearer(request);
  // A session is bound to the device it was made on: a request that names another is refused.
  const device = request.headers['x-device-id'] === undefined ? undefined : deviceOf(request);
  // A plain bearer session is cached; one that names its device is checked against it every time.
  const cacheable = token !== undefined && device === undefined ? token : undefined;
  const cached = cacheable === undefined ? undefined : deps.sessions.get(cacheable, deps.nowMs());
  if (cached !== undefined) return cached;
  const session =
    cacheable === undefined
      ? await deps.engine.authenticate(token, device)
      : await deps.sessions.loadOnce(cacheable, () => deps.engine.authenticate(cacheable, undefined));
  if (session.ok && cacheable !== undefined) deps.sessions.set(cacheable, session.value, deps.nowMs(), session.value.sessionExpiresAtMs);
  if (!session.ok) {
    // Invalid access attempts are audited, up to a rate per address so a flood cannot fill the log.
    const auditable = await deps.kv.rateLimiter.hit(`audit-refusal:${request.ip}`, auditedRefusalsPerMinuteMax, 60_000);
    if (auditable.allowed) {
      // The device a refused caller names is only a claim: kept in the detail, never as the record's device.
      const claimed = { ip: request.ip, ...(request.headers['x-device-id'] === undefined ? {} : { claimedDeviceId: deviceOf(request) }) };
      await deps.engine.recordRefusal({ actor: 'anonymous', roles: [], deviceId: 'unauthenticated' }, `${request.method} ${request.routeOptions.url ?? request.url}`, { ok: false, code: session.code, message: session.message }, claimed);
    }
    reply.header('www-authenticate', 'Bearer realm="qenex"');
    sendProblem(reply, session.code, session.message);
    return undefined;
  }
  return session.value;
}

/** The body in canonical form, so the same JSON with keys in another order is the same request. */
function bodyFingerprint(body: unknown): string {
  try {
    return canonicalJson((body ?? null) as JsonValue);
  } catch {
    return JSON.stringify(body ?? null);
  }
}

/** The longest message that the replay of an answer too large to keep (see `storedAnswer`) still carries. */
export const idempotentReplayMessageCharsMax = 1_000;

interface IdempotentAnswer {
  readonly status: number;
  readonly outcome: Outcome<unknown, string>;
}

/** What the idempotency store keeps of an answer; `truncated` when only its status and code could be kept. */
interface StoredAnswer extends IdempotentAnswer {
  readonly truncated?: true;
}

/**
 * The record of an answer to replay. One over the store's value limit (kvLimits.valueBytesMax: a
 * batch's results, a long list of validation issues) is kept as a bounded record: its status and,
 * for a refusal, its code and the start of its message, without details or value. The key is not
 * released instead: the client retries because it did not hear the answer, and a released key would
 * run the operation a second time (a second account, a second customer). The status and code still
 * tell it whether the first run succeeded or why it was refused; it reads the result back with a GET.
 */
function storedAnswer(answer: IdempotentAnswer): string {
  const whole = JSON.stringify(answer, bigintSafe);
  if (Buffer.byteLength(whole, 'utf8') <= kvLimits.valueBytesMax) return whole;
  const { status, outcome } = answer;
  const kept: Outcome<unknown, string> = outcome.ok
    ? { ok: true, value: { detail: 'The first answer to this request was too large to keep for a replay; it succeeded with this status. Read the result back with a GET.' } }
    : { ok: false, code: outcome.code, message: `${outcome.message.slice(0, idempotentReplayMessageCharsMax)} (The first answer's details were too large to keep for a replay.)` };
  const bounded: StoredAnswer = { status, outcome: kept, truncated: true };
  return JSON.stringify(bounded);
}

function replay(reply: FastifyReply, response: string): FastifyReply {
  const stored = JSON.parse(response) as StoredAnswer;
  reply.header('idempotent-replayed', 'true');
  if (stored.truncated === true) reply.header('idempotent-replay-truncated', 'true');
  return sendOutcome(reply, stored.outcome, stored.status);
}

/**
 * Idempotency-Key on POST: the first request with a key runs; a repeat with the same body gets the
 * first answer again; with another body, 422; while the first still runs, 409. The key is scoped to
 * the caller, so two users cannot collide or read each other's answers.
 */
export async function idempotent(
  deps: Pick<HttpDeps, 'kv'>,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: Context,
  exempt: boolean,
  run: () => Promise<IdempotentAnswer>,
): Promise<FastifyReply> {
  // Every answer is cut to the problem bounds before it is sent or kept: what is replayed is what was sent.
  const answer = async (): Promise<IdempotentAnswer> => {
    const { status, outcome } = await run();
    return { status, outcome: boundedOutcome(outcome) };
  };
  if (request.method !== 'POST' || exempt) {
    const { status, outcome } = await answer();
    return sendOutcome(reply, outcome, status);
  }
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.:-]{8,128}$/.test(key)) {
    return sendProblem(reply, 'idempotency_key_missing', 'Send an Idempotency-Key header (8-128 letters, digits, "_", ".", ":" or "-"), new for each operation and the same on a retry.');
  }
  const scoped = `idem:${ctx.actor}:${key}`;
  const fingerprint = createHash('sha256').update(`${request.method} ${request.url}\n${bodyFingerprint(request.body)}`).digest('hex');
  // A short lease while the request runs: a server killed mid-request frees the key within a minute.
  const claim = await deps.kv.idempotency.begin(scoped, fingerprint, idempotencyLeaseMs);
  switch (claim.outcome) {
    case 'in_progress':
      return sendProblem(reply, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still running; retry when it has finished.');
    case 'mismatch':
      return sendProblem(reply, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key for a new operation.');
    case 'replay':
      return replay(reply, claim.response);
    case 'started':
      break;
  }
  let result: IdempotentAnswer;
  try {
    result = await answer();
  } catch (error) {
    await deps.kv.idempotency.abandon(scoped, claim.owner);
    throw error;
  }
  // Stored only if this request still holds its claim: one slower than its lease leaves the key to the retry that claimed it since.
  await deps.kv.idempotency.complete(scoped, claim.owner, fingerprint, storedAnswer(result), idempotencyTtlMs);
  return sendOutcome(reply, result.outcome, result.status);
}

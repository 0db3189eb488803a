import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { encodeBase64url, hybridPublicKeysToJson, serverKeyId } from '@qenex/engine';
import type { TransferBatcher } from '../batcher';
import { EdgeRefusal, parameterLengthMax } from './body';
import { answerClientError, answerFrameworkError, registerJsonBodyParser, registerParameterCheck } from './edge';
import { openApiDocument } from './openapi';
import { bounded, boundedOutcome, statusOf } from './problem';
import { authenticate, bearer, bigintSafe, idempotent, sendProblem, signInAttemptsPerWindowMax, signInWindowMs, type HttpDeps } from './respond';
import { commandInput, routes, type RouteSpec } from './routes';
import { registerTransferRoutes } from './transfers';

export type { HttpDeps } from './respond';

export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'], censor: '[redacted]' },
    },
    bodyLimit: deps.bodyLimitBytes,
    // Ids are in the path; a proxy's rewriting of them is not something to guess at.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: parameterLengthMax },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  app.setReplySerializer((payload) => JSON.stringify(payload, bigintSafe));

  registerJsonBodyParser(app);
  registerParameterCheck(app);
  app.setErrorHandler(async (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    if (error instanceof EdgeRefusal) {
      await auditUnreadable(deps, request, error.reason.code, error.reason.detail);
      return sendProblem(reply, error.reason.code, error.reason.detail);
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return sendProblem(reply, 'body_too_large', `The body is larger than ${deps.bodyLimitBytes} bytes.`);
    if (status === 415) return sendProblem(reply, 'unsupported_media_type', 'Send the body as application/json.');
    if (status >= 400 && status < 500) {
      // Fastify's messages can quote the request; only so much of one is repeated.
      const detail = `The request could not be read: ${bounded(error.message)}`;
      await auditUnreadable(deps, request, 'bad_request', detail);
      return sendProblem(reply, 'bad_request', detail);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, 'internal_error', 'Something went wrong on the server; the request may be retried with the same Idempotency-Key.');
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 'not_found', `No route ${request.method} ${bounded(request.url.split('?')[0] ?? '')}.`));

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (request, reply) => {
    try {
      await deps.storage.read(async (tx) => tx.ledger.lastTimestamp());
      await deps.kv.cache.get('ready-probe');
      return { status: 'ready' };
    } catch (error) {
      // The cause (a host name, a driver's message) is for the operator's log, not for whoever asks.
      request.log.error({ err: error }, 'readiness check failed');
      return sendProblem(reply, 'unavailable', 'A dependency of the server is not reachable; try again shortly.');
    }
  });
  app.get('/api/v1/openapi.json', async () => openApiDocument(routes));
  app.get('/api/v1/server-keys', async () => ({
    keyId: serverKeyId(deps.serverKeys.keyVersion),
    publicKeys: hybridPublicKeysToJson(deps.serverKeys.signing.publicKeys),
    kemPublicKey: encodeBase64url(deps.serverKeys.kem.publicKey),
  }));

  for (const route of routes) registerCommandRoute(app, deps, route);
  registerTransferRoutes(app, { ...deps, batcher: withBoundedRefusals(deps.batcher) });
  return app;
}

function registerCommandRoute(app: FastifyInstance, deps: HttpDeps, route: RouteSpec): void {
  app.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      const ctx = await authenticate(deps, request, reply, route.public === true, route.device === true);
      if (ctx === undefined) return reply;
      const input = commandInput(route, request.body ?? {}, request.params as Record<string, string>, request.query as Record<string, string>);
      if (route.command === 'session.create' && !(await signInAllowed(deps, request, reply, input))) return reply;
      // Batches carry their own sequence numbers: a resent batch is answered, never applied twice.
      return idempotent(deps, request, reply, ctx, route.public === true || route.device === true, async () => {
        const outcome = await deps.engine.executeAny(route.command, input, ctx);
        if (outcome.ok && route.command === 'session.revoke') deps.sessions.delete(bearer(request) ?? '');
        return { status: outcome.ok ? (route.status ?? 200) : outcome.code === 'approval_required' ? 202 : statusOf(outcome.code), outcome: boundedOutcome(outcome) };
      });
    },
  });
}

/**
 * The transfer routes answer, and keep for replay, what the batcher returns; a batch of 8190 bad
 * events has a schema issue per field, megabytes of them, past the idempotency record's limit. The
 * batcher they are given cuts its refusals as every other route's are cut (boundedOutcome).
 */
function withBoundedRefusals(batcher: TransferBatcher): TransferBatcher {
  return new Proxy(batcher, {
    get(target, property, receiver) {
      if (property !== 'submit') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<TransferBatcher['submit']>) => boundedOutcome(await target.submit(...args));
    },
  });
}

async function signInAllowed(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, input: unknown): Promise<boolean> {
  const username = typeof (input as { username?: unknown })?.username === 'string' ? (input as { username: string }).username : '';
  const decision = await deps.kv.rateLimiter.hit(`sign-in:${request.ip}:${username.slice(0, 64)}`, signInAttemptsPerWindowMax, signInWindowMs);
  if (decision.allowed) return true;
  reply.header('retry-after', Math.ceil(decision.retryAfterMs / 1000));
  sendProblem(reply, 'rate_limited', `Too many sign-in attempts; wait ${Math.ceil(decision.retryAfterMs / 1000)} s.`);
  return false;
}


const commandByRoute = new Map(routes.map((route) => [`${route.method} ${route.url}`, route.command as string]));
commandByRoute.set('POST /api/v1/transfers', 'ledger.create_transfers');

/** A body that could not be read, from a signed-in caller, is a refused command: audit it as one. */
async function auditUnreadable(deps: HttpDeps, request: FastifyRequest, code: string, detail: string): Promise<void> {
  const header = request.headers.authorization;
  const token = header === undefined ? undefined : /^Bearer (\S+)$/.exec(header)?.[1];
  if (token === undefined) return;
  const session = await deps.engine.authenticate(token);
  if (!session.ok) return;
  const name = commandByRoute.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? `${request.method} ${request.routeOptions.url ?? bounded(request.url)}`;
  await deps.engine.recordRefusal(session.value, name, { ok: false, code, message: detail });
}

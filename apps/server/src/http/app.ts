import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { encodeBase64url, hybridPublicKeysToJson, serverKeyId } from '@qenex/engine';
import { EdgeRefusal, parameterLengthMax } from './body';
import { answerClientError, answerFrameworkError, registerJsonBodyParser, registerParameterCheck } from './edge';
import { openApiDocument } from './openapi';
import { bounded, statusOf } from './problem';
import { authenticate, bearer, bigintSafe, idempotent, sendProblem, type HttpDeps } from './respond';
import { recordSignIn, signInGate, SignInSlots } from './sign-in';
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

  const signIns = new SignInSlots(signInsInFlightMax);
  for (const route of routes) registerCommandRoute(app, deps, route, signIns);
  registerTransferRoutes(app, deps);
  return app;
}

/** Sign-ins doing their password work at once (the rest wait: see SignInSlots). */
export const signInsInFlightMax = 4;

function registerCommandRoute(app: FastifyInstance, deps: HttpDeps, route: RouteSpec, signIns: SignInSlots): void {
  app.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      const ctx = await authenticate(deps, request, reply, route.public === true, route.device === true);
      if (ctx === undefined) return reply;
      const input = commandInput(route, request.body ?? {}, request.params as Record<string, string>, request.query as Record<string, string>);
      const signingIn = route.command === 'session.create' ? typedUsername(input) : null;
      // Batches carry their own sequence numbers: a resent batch is answered, never applied twice.
      const run = () =>
        idempotent(deps, request, reply, ctx, route.public === true || route.device === true, async () => {
          const outcome = await deps.engine.executeAny(route.command, input, ctx);
          if (signingIn !== null && (outcome.ok || outcome.code === 'invalid_credentials')) await recordSignIn(deps.kv, signingIn, request.ip, outcome.ok, deps.nowMs());
          if (outcome.ok && route.command === 'session.revoke') deps.sessions.delete(bearer(request) ?? '');
          return { status: outcome.ok ? (route.status ?? 200) : outcome.code === 'approval_required' ? 202 : statusOf(outcome.code), outcome };
        });
      return signingIn === null ? run() : signIn(deps, request, reply, signingIn, signIns, run);
    },
  });
}

function typedUsername(input: unknown): string {
  const username = (input as { username?: unknown } | null)?.username;
  return typeof username === 'string' ? username.slice(0, 64) : '';
}

/** A sign-in through the gate, in a slot (see SignInSlots). */
async function signIn(
  deps: HttpDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  username: string,
  signIns: SignInSlots,
  run: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  // Not the reply itself through the slot's promise: a FastifyReply is thenable, and resolves to undefined once sent.
  const ran = await signIns.run(`${request.ip}\n${username}`, async () => {
    if (await signInAllowed(deps, request, reply, username)) await run();
    return true;
  });
  if (ran === true) return reply;
  reply.header('retry-after', 1);
  return sendProblem(reply, 'server_busy', 'The server is checking too many sign-ins at once; try again in a second.');
}

/** The sign-in gate (see sign-in.ts): a flood bound, and a delay after repeated failures from this source. */
async function signInAllowed(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, username: string): Promise<boolean> {
  const gate = await signInGate(deps.kv, username, request.ip, deps.nowMs(), deps.signInsPerSourcePerMinute);
  if (gate.allowed) return true;
  const seconds = Math.ceil(gate.retryAfterMs / 1000);
  reply.header('retry-after', seconds);
  sendProblem(reply, gate.code, gate.code === 'rate_limited' ? `Too many sign-in attempts; wait ${seconds} s.` : `Several sign-ins failed from here; wait ${seconds} s before trying again.`);
  return false;
}


const commandByRoute = new Map(routes.map((route) => [`${route.method} ${route.url}`, route.command as string]));
commandByRoute.set('POST /api/v1/transfers', 'ledger.create_transfers');

/** A body that could not be read, from a signed-in caller, is a refused command: audit it as one. */
async function auditUnreadable(deps: HttpDeps, request: FastifyRequest, code: string, detail: string): Promise<void> {
  const header = request.headers.authorization;
  const token = header === undefined ? undefined : /^Bearer (\S+)$/.exec(header)?.[1];
  if (token === undefined) return;
  // Attributed to the session only on the device it was made on, as any request of it would be.
  const device = request.headers['x-device-id'];
  const session = await deps.engine.authenticate(token, typeof device === 'string' ? device : undefined);
  if (!session.ok) return;
  const name = commandByRoute.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? `${request.method} ${request.routeOptions.url ?? bounded(request.url)}`;
  await deps.engine.recordRefusal(session.value, name, { ok: false, code, message: detail });
}

import type { FastifyInstance } from 'fastify';
import { authenticate, idempotent, type HttpDeps } from './respond';
import { statusOf } from './problem';

/** Ledger transfers arrive one at a time or as a batch; both go through the group-commit batcher. */
export function registerTransferRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/v1/transfers', async (request, reply) => {
    const ctx = await authenticate(deps, request, reply, false);
    if (ctx === undefined) return reply;
    const body = request.body as { transfers?: unknown } | null;
    const single = body !== null && typeof body === 'object' && !Array.isArray(body) && !('transfers' in body);
    const input = single ? { transfers: [body] } : body;
    return idempotent(deps, request, reply, ctx, false, async () => {
      const outcome = await deps.batcher.submit(ctx, input);
      if (!outcome.ok) return { status: statusOf(outcome.code), outcome };
      const results = outcome.value.results;
      if (single) {
        const result = results[0]!;
        if (result === 'ok') return { status: 201, outcome: { ok: true, value: { id: (body as { id?: unknown }).id, result } } };
        return { status: result === 'exists' ? 200 : statusOf(result), outcome: result === 'exists'
          ? { ok: true, value: { id: (body as { id?: unknown }).id, result } }
          : { ok: false, code: result, message: `The ledger refused the transfer: ${result.replaceAll('_', ' ')}.` } };
      }
      return { status: 200, outcome: { ok: true, value: { results: results.map((result, index) => ({ index, result })) } } };
    });
  });

  for (const action of ['post', 'void'] as const) {
    app.post(`/api/v1/transfers/:pendingId/${action}`, async (request, reply) => {
      const ctx = await authenticate(deps, request, reply, false);
      if (ctx === undefined) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const { pendingId } = request.params as { pendingId: string };
      const transfer = { amount: '0', ...body, pendingId, flags: action === 'post' ? 4 : 8 };
      return idempotent(deps, request, reply, ctx, false, async () => {
        const outcome = await deps.batcher.submit(ctx, { transfers: [transfer] });
        if (!outcome.ok) return { status: statusOf(outcome.code), outcome };
        const result = outcome.value.results[0]!;
        return result === 'ok' || result === 'exists'
          ? { status: result === 'ok' ? 201 : 200, outcome: { ok: true, value: { id: body.id, pendingId, result } } }
          : { status: statusOf(result), outcome: { ok: false, code: result, message: `The ledger refused to ${action} the pending transfer: ${result.replaceAll('_', ' ')}.` } };
      });
    });
  }
}

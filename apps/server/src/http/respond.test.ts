import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessKvStore, kvLimits, type Context, type Outcome } from '@qenex/engine';
import { detailLengthMax, listItemsMax } from './problem';
import { idempotent, idempotentReplayMessageCharsMax } from './respond';

const ctx: Context = { actor: 'olivia', roles: ['operations'], deviceId: 'api' };

interface Answer {
  readonly status: number;
  readonly outcome: Outcome<unknown, string>;
}

/**
 * A real Fastify app with one POST route behind `idempotent()` and a real in-process kv store,
 * answering `answer` and counting how often the operation ran.
 */
function appAnswering(answer: Answer): { app: FastifyInstance; runs: () => number } {
  const kv = new InProcessKvStore().connect({ keyPrefix: 'respond-test:' });
  let runs = 0;
  const app = Fastify();
  app.post('/api/v1/operation', (request, reply) =>
    idempotent({ kv }, request, reply, ctx, false, async () => {
      runs += 1;
      return answer;
    }),
  );
  app.addHook('onClose', () => kv.close());
  return { app, runs: () => runs };
}

/** An answer whose JSON is over the store's value limit (each line is about 50 bytes). */
const linesOverValueLimit = Array.from({ length: Math.ceil(kvLimits.valueBytesMax / 40) }, (_, index) => `transfers.${index}.amount: must be a decimal string`);

describe('idempotent(): an answer too large for the idempotency store', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  const send = (key: string) => app!.inject({ method: 'POST', url: '/api/v1/operation', headers: { 'idempotency-key': key }, payload: { transfers: [] } });

  it('cuts a refusal to the problem bounds as it goes out, and a retry replays exactly that problem without running the operation again', async () => {
    const message = `${linesOverValueLimit[0]!} ${'and more '.repeat(idempotentReplayMessageCharsMax)}`;
    const answering = appAnswering({ status: 400, outcome: { ok: false, code: 'invalid_input', message, details: { issues: linesOverValueLimit } } });
    app = answering.app;
    const key = `big-refusal-${randomBytes(8).toString('hex')}`;

    const first = await send(key);
    expect(first.statusCode).toBe(400);
    const problem = first.json();
    expect(problem).toMatchObject({ code: 'invalid_input' });
    expect(problem.detail.startsWith(linesOverValueLimit[0]!)).toBe(true);
    expect(problem.detail.length).toBeLessThanOrEqual(detailLengthMax + 1);
    expect(problem.issues.length).toBeLessThanOrEqual(listItemsMax + 1);
    expect(first.body.length).toBeLessThan(kvLimits.valueBytesMax);

    const retry = await send(key);
    expect(retry.statusCode).toBe(400);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(problem);
    expect(answering.runs()).toBe(1);
  });

  it('after a success, replays the success status and never runs the operation a second time', async () => {
    const answering = appAnswering({ status: 201, outcome: { ok: true, value: { results: linesOverValueLimit } } });
    app = answering.app;
    const key = `big-success-${randomBytes(8).toString('hex')}`;

    const first = await send(key);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ results: linesOverValueLimit });

    const retry = await send(key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['idempotent-replay-truncated']).toBe('true');
    expect(retry.json().results).toBeUndefined();
    expect(retry.json().detail).toMatch(/too large/);
    expect(answering.runs()).toBe(1);
  });

  it('keeps an answer within the limit whole: the retry gets it exactly, without the truncation header', async () => {
    const value = { results: linesOverValueLimit.slice(0, 100) };
    const answering = appAnswering({ status: 201, outcome: { ok: true, value } });
    app = answering.app;
    const key = `small-success-${randomBytes(8).toString('hex')}`;
    expect((await send(key)).json()).toEqual(value);
    const retry = await send(key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['idempotent-replay-truncated']).toBeUndefined();
    expect(retry.json()).toEqual(value);
    expect(answering.runs()).toBe(1);
  });
});

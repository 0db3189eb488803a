import { describe, expect, it } from 'vitest';
import type { Context } from '@qenex/engine';
import { TransferBatcher, type GroupWriter } from './batcher';

const ctx = { userId: 'u1' } as unknown as Context;

/** Records each group the batcher hands over and lets the test decide when its write ends. */
class Writer implements GroupWriter {
  readonly groups: Array<{ inputs: unknown[]; finish: (error?: Error) => void }> = [];
  running = 0;
  mostRunning = 0;

  createTransfersGrouped: GroupWriter['createTransfersGrouped'] = (requests) => {
    this.running += 1;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    return new Promise((resolve, reject) => {
      this.groups.push({
        inputs: requests.map((request) => request.input),
        finish: (error) => {
          this.running -= 1;
          if (error !== undefined) reject(error);
          else resolve(requests.map(() => ({ ok: true, value: { results: ['ok'] } })));
        },
      });
    });
  };
}

const one = (n: number) => ({ transfers: [{ n }] });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TransferBatcher (group commit)', () => {
  it('puts requests that arrive within the wait into one group, and closes a full group at once', async () => {
    const writer = new Writer();
    const batcher = new TransferBatcher(writer, { waitMs: 20, transfersMax: 3, inFlightMax: 1 });
    const answers = [1, 2].map((n) => batcher.submit(ctx, one(n)));
    await settle();
    expect(writer.groups).toHaveLength(0); // still waiting for company
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(writer.groups.map((group) => group.inputs)).toEqual([[one(1), one(2)]]);
    writer.groups[0]!.finish();
    expect(await Promise.all(answers)).toHaveLength(2);

    const full = [3, 4, 5].map((n) => batcher.submit(ctx, one(n)));
    await settle();
    expect(writer.groups[1]!.inputs).toEqual([one(3), one(4), one(5)]); // full: no wait
    writer.groups[1]!.finish();
    await Promise.all(full);
  });

  it('sends what queued during a write the moment it ends, and never more groups at once than allowed', async () => {
    const writer = new Writer();
    const batcher = new TransferBatcher(writer, { waitMs: 60_000, transfersMax: 100, inFlightMax: 2 });
    const first = batcher.submit(ctx, { transfers: Array.from({ length: 100 }, (_, n) => ({ n })) }); // full: goes at once
    await settle();
    const second = batcher.submit(ctx, { transfers: Array.from({ length: 100 }, (_, n) => ({ n })) });
    await settle();
    expect(writer.groups).toHaveLength(2);
    const queued = [1, 2, 3].map((n) => batcher.submit(ctx, one(n)));
    await settle();
    expect(writer.groups).toHaveLength(2); // both slots busy; a one-minute wait is not what releases them
    expect(batcher.inFlight).toBe(2);
    writer.groups[0]!.finish();
    await first;
    await settle();
    expect(writer.groups[2]!.inputs).toEqual([one(1), one(2), one(3)]);
    writer.groups[1]!.finish();
    writer.groups[2]!.finish();
    await Promise.all([second, ...queued]);
    expect(writer.mostRunning).toBe(2);
  });

  it('keeps a request over the bound whole, in a group of its own', async () => {
    const writer = new Writer();
    const batcher = new TransferBatcher(writer, { waitMs: 1, transfersMax: 2, inFlightMax: 1 });
    const big = { transfers: [{ n: 1 }, { n: 2 }, { n: 3 }] };
    const answers = [batcher.submit(ctx, one(0)), batcher.submit(ctx, big)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    writer.groups[0]!.finish();
    await settle();
    expect(writer.groups.map((group) => group.inputs)).toEqual([[one(0)], [big]]);
    writer.groups[1]!.finish();
    await Promise.all(answers);
  });

  it('fails only the requests of a group whose write failed', async () => {
    const writer = new Writer();
    const batcher = new TransferBatcher(writer, { waitMs: 1, transfersMax: 10, inFlightMax: 1 });
    const failed = [batcher.submit(ctx, one(1)), batcher.submit(ctx, one(2))];
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = batcher.submit(ctx, one(3));
    writer.groups[0]!.finish(new Error('connection lost'));
    for (const answer of failed) await expect(answer).rejects.toThrow('connection lost');
    await settle();
    writer.groups[1]!.finish();
    expect(await later).toEqual({ ok: true, value: { results: ['ok'] } });
  });

  it('drains: writes everything queued without waiting, then refuses new requests', async () => {
    const writer = new Writer();
    const batcher = new TransferBatcher(writer, { waitMs: 60_000, transfersMax: 10, inFlightMax: 1 });
    const queued = [1, 2].map((n) => batcher.submit(ctx, one(n)));
    const drained = batcher.drain();
    await settle();
    expect(writer.groups).toHaveLength(1);
    writer.groups[0]!.finish();
    await drained;
    expect(await Promise.all(queued)).toHaveLength(2);
    await expect(batcher.submit(ctx, one(3))).rejects.toThrow(/shutting down/);
  });
});

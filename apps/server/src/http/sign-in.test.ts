import { InProcessKvStore } from '@qenex/engine';
import { describe, expect, it } from 'vitest';
import { recordSignIn, signInGate, SignInSlots } from './sign-in';

describe('the sign-in gate', () => {
  const kv = () => new InProcessKvStore().connect({ keyPrefix: `sign-in-test-${Math.random()}:` });

  it('slows one name from one source after three failures, and never the same name from another source', async () => {
    const store = kv();
    const t0 = Date.UTC(2026, 11, 1, 9);
    for (let failure = 0; failure < 3; failure += 1) {
      expect(await signInGate(store, 'bob', '10.0.0.9', t0, 60)).toEqual({ allowed: true });
      await recordSignIn(store, 'bob', '10.0.0.9', false, t0);
    }
    expect(await signInGate(store, 'bob', '10.0.0.9', t0 + 999, 60)).toMatchObject({ allowed: false, code: 'sign_in_delayed', retryAfterMs: 1 });
    expect(await signInGate(store, 'bob', '10.0.0.1', t0 + 999, 60)).toEqual({ allowed: true });
    expect(await signInGate(store, 'bob', '10.0.0.9', t0 + 1000, 60)).toEqual({ allowed: true });
    await recordSignIn(store, 'bob', '10.0.0.9', true, t0 + 1000);
    expect(await signInGate(store, 'bob', '10.0.0.9', t0 + 1000, 60)).toEqual({ allowed: true });
    await store.close();
  });

  it('bounds the attempts of one source whatever names it types', async () => {
    const store = kv();
    const answers = [];
    for (let attempt = 0; attempt < 6; attempt += 1) answers.push(await signInGate(store, `name-${attempt}`, '10.0.0.7', Date.now(), 5));
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, true, true, false]);
    expect(answers[5]).toMatchObject({ code: 'rate_limited' });
    expect(await signInGate(store, 'name-0', '10.0.0.8', Date.now(), 5)).toEqual({ allowed: true });
    await store.close();
  });
});

describe('sign-in slots', () => {
  it('runs at most the limit at once, queues the rest in order, and runs one name from one source one try at a time', async () => {
    const slots = new SignInSlots(2);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const work = (label: string) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(label);
      running -= 1;
      return label;
    };
    const answers = await Promise.all([
      slots.run('a', work('a1')),
      slots.run('a', work('a2')),
      slots.run('b', work('b1')),
      slots.run('c', work('c1')),
      slots.run('a', work('a3')),
    ]);
    expect(answers).toEqual(['a1', 'a2', 'b1', 'c1', 'a3']);
    expect(most).toBe(2);
    expect(order.filter((label) => label.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
  });
});

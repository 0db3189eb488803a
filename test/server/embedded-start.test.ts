import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'qenex-embedded-'));

/** Starts `npm run server` as a newcomer would, with no DATABASE_URL or REDIS_URL, and waits for its banner. */
function start(): Promise<{ address: string; banner: string; stop: () => Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, QENEX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  // The command `npm run server` runs (checked below), started directly so the signal reaches the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(output);
      if (match === null || !/demo users|sign in with password/.test(output)) return;
      clearTimeout(timer);
      resolve({
        address: match[1]!,
        banner: output,
        stop: () =>
          new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

describe('the server alone on embedded defaults', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is what npm run server runs (npm start runs it with a branch workstation: test/e2e/npm-start.test.ts)', () => {
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.server).toBe('tsx apps/server/src/main.ts');
  });

  it('serves the API on PGlite and in-process adapters, stops gracefully, and keeps its books across a restart', async () => {
    const first = await start();
    expect(first.banner).toContain('embedded PGlite');
    expect(first.banner).toContain('demo users');
    expect(await (await fetch(`${first.address}/ready`)).json()).toEqual({ status: 'ready' });
    const signIn = await fetch(`${first.address}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'olivia', password: 'Qenex-Demo-2026!', deviceId: 'test' }),
    });
    expect(signIn.status).toBe(201);
    const { token } = (await signIn.json()) as { token: string };
    const totals = await fetch(`${first.address}/api/v1/ledger/totals`, { headers: { authorization: `Bearer ${token}` } });
    const before = await totals.json();
    expect(before).toEqual(expect.arrayContaining([expect.objectContaining({ ledger: 840, balanced: true })]));
    expect(await first.stop()).toBe(0);

    const second = await start();
    expect(second.banner).not.toContain('demo users, password');
    const again = await fetch(`${second.address}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'olivia', password: 'Qenex-Demo-2026!', deviceId: 'test' }),
    });
    const { token: token2 } = (await again.json()) as { token: string };
    const after = await (await fetch(`${second.address}/api/v1/ledger/totals`, { headers: { authorization: `Bearer ${token2}` } })).json();
    expect(after).toEqual(before);
    expect(await second.stop()).toBe(0);
  }, 300_000);
});

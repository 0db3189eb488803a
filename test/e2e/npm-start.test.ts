import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import { launchBrowser, shot } from './support';

const home = mkdtempSync(join(tmpdir(), 'qenex-start-'));

/**
 * The README's first command, as a newcomer runs it: `npm start` with nothing configured (PGlite,
 * in-process cache) brings up the server and the demo branch's workstation, and the address it
 * prints shows the teller screen, where alice signs in and sees her till.
 */
describe('npm start', () => {
  let child: ChildProcess | null = null;
  afterAll(async () => {
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((done) => child!.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('is the README’s first command', () => {
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.start).toBe('tsx scripts/start.ts');
    expect(readFileSync('README.md', 'utf8')).toContain('npm ci && npm start');
  });

  it('starts the server and a branch workstation on embedded defaults, and prints the teller screen’s address', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, QENEX_HOME: home, PORT: '0', QENEX_WORKSTATION_PORT: '0', LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.QENEX_DATA_DIR;
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no teller screen address within 150 s:\n${output}`)), 150_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Teller workstation:\s+(http:\/\/\S+)/.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    expect(output).toContain('enrolled and approved just now');
    expect(output).toContain(demoPassword);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(url);
      await page.getByRole('heading', { name: 'QENEX Branch Workstation' }).waitFor();
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(demoPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Cash in till (book)').waitFor({ timeout: 30_000 });
      expect(await page.locator('.facts').first().textContent()).toContain('T1 · USD');
      await shot(page, 'npm-start-teller-home');
    } finally {
      await browser.close();
    }
  }, 200_000);
});

import { fork } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vitePluginConfig } from '../../forge.config';

/**
 * The three Node-side bundles built as `electron-forge package` builds them, short of the renderer
 * (its config is the screens' own) and of downloading Electron (impossible here): plugin-vite's own
 * config generator merges each of our Vite configs over its defaults, and Vite builds them.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

interface ConfigGenerator {
  getBuildConfigs(): Promise<InlineConfig[]>;
}
const ViteConfigGenerator = (require('@electron-forge/plugin-vite/dist/ViteConfig.js') as { default: new (config: unknown, projectDir: string, isProd: boolean) => ConfigGenerator }).default;

let out: string;
const bundles = new Map<string, string>();

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'qenex-forge-build-'));
  const configs = await new ViteConfigGenerator(vitePluginConfig, root, true).getBuildConfigs();
  for (const config of configs) {
    await build({ ...config, configFile: false, logLevel: 'warn', build: { ...config.build, outDir: join(out, '.vite', 'build') } });
  }
  for (const file of await readdir(join(out, '.vite', 'build'))) bundles.set(file, await readFile(join(out, '.vite', 'build', file), 'utf8'));
}, 120_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** The modules a CommonJS bundle loads at run time. */
function requires(bundle: string): string[] {
  return [...new Set([...bundle.matchAll(/require\((["'`])([^"'`]+)\1\)/g)].map((match) => match[2] ?? ''))].sort();
}

describe('the packaged bundles', () => {
  it('are main.cjs, preload.cjs and engine-process.cjs in .vite/build, where package.json main and main.ts look for them', () => {
    expect([...bundles.keys()].filter((file) => file.endsWith('.cjs')).sort()).toEqual(['engine-process.cjs', 'main.cjs', 'preload.cjs']);
  });

  it('leave better-sqlite3 and pdfkit to be required at run time (never bundled), and Electron too', () => {
    const engine = bundles.get('engine-process.cjs') ?? '';
    expect(requires(engine)).toEqual(expect.arrayContaining(['better-sqlite3', 'pdfkit']));
    expect(engine.includes('better_sqlite3.node'), 'better_sqlite3.node').toBe(false);
    // Bundled, pdfkit would look for its fonts beside the bundle, through an import.meta emptied by the CommonJS output.
    expect(engine.includes('#standard-fonts/'), 'pdfkit bundled').toBe(false);
    expect(requires(bundles.get('main.cjs') ?? '')).toContain('electron');
  });

  it('give the sandboxed preload nothing to require but electron, and no Node switch turned on', () => {
    const preload = bundles.get('preload.cjs') ?? '';
    expect(requires(preload)).toEqual(['electron']);
    expect(preload.includes('exposeInMainWorld'), 'exposeInMainWorld').toBe(true);
    expect(/nodeIntegration\s*:\s*(true|!0)/.test(preload), 'nodeIntegration: true').toBe(false);
  });

  it('keep the window settings of security.ts in main, and fork the engine as a utility process', () => {
    const main = bundles.get('main.cjs') ?? '';
    // Booleans, not the whole bundle, so a failure names the check and does not print a megabyte.
    const has = (pattern: RegExp) => pattern.test(main);
    expect(has(/contextIsolation\s*:\s*(true|!0)/), 'contextIsolation: true').toBe(true);
    expect(has(/sandbox\s*:\s*(true|!0)/), 'sandbox: true').toBe(true);
    expect(has(/nodeIntegration\s*:\s*(false|!1)/), 'nodeIntegration: false').toBe(true);
    expect(has(/utilityProcess\.fork\(/), 'utilityProcess.fork').toBe(true);
    expect(has(/engine-process\.cjs/), 'engine-process.cjs').toBe(true);
    expect(has(/preload\.cjs/), 'preload.cjs').toBe(true);
    expect(has(/child_process/), 'child_process').toBe(false);
    // plugin-vite's defines: the renderer's folder name is filled in, and no dev server in a packaged build.
    expect(has(/MAIN_WINDOW_VITE_(NAME|DEV_SERVER_URL)/), 'undefined forge globals').toBe(false);
    expect(has(/[`"']main_window[`"']/), 'the renderer name').toBe(true);
  });
});

describe('the utility bundle, run', () => {
  it('loads with its runtime packages, asks main for the device keys, and reports why it cannot open without them', async () => {
    // Node stands in for Electron's utility process: the shim gives it the parentPort Electron would.
    const shim = join(out, 'parent-port-shim.cjs');
    await writeFile(shim, "process.parentPort = { on: (_e, listener) => process.on('message', (data) => listener({ data })), postMessage: (message) => process.send(message) };\n");
    const dataDir = join(out, 'data');
    const child = fork(join(out, '.vite', 'build', 'engine-process.cjs'), [], {
      execArgv: ['--require', shim],
      serialization: 'advanced',
      env: { ...process.env, NODE_PATH: join(root, 'node_modules'), QENEX_DATA_DIR: dataDir, QENEX_SERVER_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const messages: Array<Record<string, unknown>> = [];
    try {
      const fatal = await new Promise<Record<string, unknown>>((resolveFatal, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from the engine bundle; stderr: ${stderr}`)), 30_000);
        child.on('exit', (code) => reject(new Error(`the engine bundle exited with ${code}; stderr: ${stderr}`)));
        child.on('message', (message: Record<string, unknown>) => {
          messages.push(message);
          if (message.kind === 'secrets.load') child.send({ kind: 'secrets', id: message.id, ok: true, secret: null });
          if (message.kind === 'fatal') {
            clearTimeout(timer);
            resolveFatal(message);
          }
        });
      });
      expect(messages[0]).toMatchObject({ kind: 'secrets.load' });
      expect(fatal.message).toMatch(/enrol/i);
    } finally {
      child.kill();
    }
  }, 60_000);
});

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ResolvedForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { asarUnpack, fusesConfig, ignoreInPackage, packagedModules, runtimeModuleDirectories, vitePluginConfig } from '../../forge.config';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const plugins = config.plugins ?? [];

/** The forge config as `electron-forge package` resolves it (jiti loads forge.config.ts, plugins' resolveForgeConfig hooks run). */
async function loadAsForgeDoes(): Promise<ResolvedForgeConfig> {
  // Forge's own loader (a file of @electron-forge/core, which has no exports map): what the CLI calls.
  const { default: resolveForgeConfig } = await import('@electron-forge/core/dist/util/forge-config.js');
  return resolveForgeConfig(root);
}

const expectedFuses = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

describe('forge.config.ts', () => {
  it('has a fuses plugin with every fuse set as the app needs it', () => {
    const fuses = plugins.find((plugin): plugin is FusesPlugin => plugin instanceof FusesPlugin);
    expect(fuses?.fusesConfig).toEqual({ version: FuseVersion.V1, ...expectedFuses });
    expect(fusesConfig).toBe(fuses?.fusesConfig);
  });

  it('loads as electron-forge loads it, with the fuses, asar, the unpacked native module and the rebuild', async () => {
    const resolved = await loadAsForgeDoes();
    const fuses = resolved.plugins.find((plugin) => typeof plugin === 'object' && (plugin as { name?: string }).name === 'fuses') as { fusesConfig?: unknown } | undefined;
    expect(fuses?.fusesConfig).toEqual({ version: FuseVersion.V1, ...expectedFuses });
    expect(resolved.packagerConfig.asar).toEqual({ unpack: '**/node_modules/better-sqlite3/**' });
    // plugin-vite keeps a function filter as it is (it replaces only a missing one, with one that keeps .vite/ alone).
    const ignore = resolved.packagerConfig.ignore as (file: string) => boolean;
    expect(ignore.name).toBe('ignoreInPackage');
    expect(ignore('/node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(false);
    expect(ignore('/apps/desktop/src/main/main.ts')).toBe(true);
    expect(resolved.packagerConfig.prune).toBe(false);
    expect(resolved.rebuildConfig).toEqual({ onlyModules: ['better-sqlite3'], force: true });
  });

  it('builds main, preload and the utility process, and the main_window renderer, each with its Vite config', () => {
    const vite = plugins.find((plugin): plugin is VitePlugin => plugin instanceof VitePlugin);
    expect(vite?.config).toBe(vitePluginConfig);
    expect(vitePluginConfig.build).toEqual([
      { entry: 'apps/desktop/src/main/main.ts', config: 'apps/desktop/vite.main.config.ts', target: 'main' },
      { entry: 'apps/desktop/src/preload/preload.ts', config: 'apps/desktop/vite.preload.config.ts', target: 'preload' },
      { entry: 'apps/desktop/src/utility/engine-process.ts', config: 'apps/desktop/vite.utility.config.ts', target: 'main' },
    ]);
    expect(vitePluginConfig.renderer).toEqual([{ name: 'main_window', config: 'apps/desktop/vite.renderer.config.ts' }]);
  });

  it('packages the Vite output and the runtime packages with what they require, and nothing else of the repository', () => {
    expect(packagedModules).toEqual(expect.arrayContaining(['/node_modules/better-sqlite3', '/node_modules/bindings', '/node_modules/file-uri-to-path', '/node_modules/pdfkit', '/node_modules/fontkit']));
    expect(packagedModules).not.toContain('/node_modules/prebuild-install');
    for (const kept of [
      '/package.json',
      '/.vite',
      '/.vite/build/main.cjs',
      '/.vite/renderer/main_window/index.html',
      '/node_modules',
      '/node_modules/better-sqlite3',
      '/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      '/node_modules/bindings/bindings.js',
      '/node_modules/file-uri-to-path/index.js',
      '/node_modules/pdfkit/js/pdfkit.js',
      '/node_modules/@swc',
      '/node_modules/@swc/helpers/package.json',
    ]) {
      expect(ignoreInPackage(kept), kept).toBe(false);
    }
    for (const left of ['/forge.config.ts', '/apps/desktop/src/main/main.ts', '/.env', '/.git', '/node_modules/react', '/node_modules/electron', '/node_modules/@swc/core', '/node_modules/prebuild-install', '/node_modules/better-sqlite3-evil', '/.vitefake', '/.qenex/workstation.db', '/packages/engine/src/index.ts']) {
      expect(ignoreInPackage(left), left).toBe(true);
    }
  });

  it('finds the runtime dependencies as Node would, nested before hoisted, and stops on one that is missing', async () => {
    const project = await mkdtemp(join(tmpdir(), 'qenex-closure-'));
    try {
      const manifest = async (dir: string, dependencies: Record<string, string>, optionalDependencies: Record<string, string> = {}) => {
        await mkdir(join(project, dir), { recursive: true });
        await writeFile(join(project, dir, 'package.json'), JSON.stringify({ dependencies, optionalDependencies }));
      };
      await manifest('node_modules/native', { helper: '1', 'prebuild-install': '7' }, { 'not-installed': '1' });
      await manifest('node_modules/native/node_modules/helper', { '@scope/shared': '1' });
      await manifest('node_modules/helper', {});
      await manifest('node_modules/@scope/shared', {});
      await manifest('node_modules/prebuild-install', { tar: '1' });
      expect(runtimeModuleDirectories(project, ['native'])).toEqual(['/node_modules/@scope/shared', '/node_modules/native', '/node_modules/native/node_modules/helper']);
      await manifest('node_modules/broken', { missing: '1' });
      expect(() => runtimeModuleDirectories(project, ['broken'])).toThrow(/missing is needed at run time/);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

describe('the fuses as the forge plugin burns them into a binary', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'qenex-fuses-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('flips each fuse in the fuse wire of an Electron-format binary (sentinel, version 1, eight fuses)', async () => {
    // The wire as Electron's binary carries it, amid other bytes; every fuse starts at its default.
    const sentinel = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');
    const defaults = Buffer.from('11111001', 'ascii');
    const binary = Buffer.concat([randomBytes(4096), sentinel, Buffer.from([1, defaults.length]), defaults, randomBytes(4096)]);
    const out = join(base, 'qenex-linux-x64');
    const buildPath = join(out, 'resources', 'app');
    await mkdir(buildPath, { recursive: true });
    await writeFile(join(out, 'electron'), binary);

    const fuses = plugins.find((plugin): plugin is FusesPlugin => plugin instanceof FusesPlugin);
    const hook = fuses?.getHooks().packageAfterCopy as ((this: unknown, ...args: unknown[]) => Promise<void>) | undefined;
    await hook?.call(null, { packagerConfig: {} }, buildPath, '45.5.0', 'linux', 'x64');

    const wire = await getCurrentFuseWire(join(out, 'electron'));
    const disabled = 48;
    const enabled = 49;
    expect(wire[FuseV1Options.RunAsNode]).toBe(disabled);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(enabled);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(disabled);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(disabled);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(enabled);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(enabled);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(disabled);
    const flipped = await readFile(join(out, 'electron'));
    expect(flipped.length).toBe(binary.length);
  });
});

describe('the asar', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'qenex-asar-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('leaves better-sqlite3 (its .node binary above all) unpacked beside app.asar, and the bundles inside', async () => {
    const app = join(base, 'app');
    for (const [file, text] of [
      ['package.json', '{"main":".vite/build/main.cjs"}'],
      ['.vite/build/main.cjs', 'require("better-sqlite3")'],
      ['node_modules/better-sqlite3/package.json', '{"main":"lib/index.js"}'],
      ['node_modules/better-sqlite3/lib/index.js', 'module.exports = {}'],
      ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', '\u007fELF'],
      ['node_modules/bindings/bindings.js', 'module.exports = {}'],
    ] as const) {
      await mkdir(dirname(join(app, file)), { recursive: true });
      await writeFile(join(app, file), text);
    }
    // @electron/asar is what electron-packager packs app.asar with, given packagerConfig.asar.
    const asar = await import('@electron/asar');
    const archive = join(base, 'app.asar');
    await asar.createPackageWithOptions(app, archive, { unpack: asarUnpack });
    const unpacked = `${archive}.unpacked`;
    expect((await stat(join(unpacked, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).isFile()).toBe(true);
    expect((await stat(join(unpacked, 'node_modules/better-sqlite3/lib/index.js'))).isFile()).toBe(true);
    await expect(stat(join(unpacked, '.vite/build/main.cjs'))).rejects.toThrow();
    expect(asar.listPackage(archive, { isPack: false })).toContain(join('/', '.vite', 'build', 'main.cjs'));
  });
});

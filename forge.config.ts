import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion, type FuseConfig } from '@electron/fuses';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimePackages } from './apps/desktop/vite.main.config';

/**
 * How the workstation is built and packaged (`electron-forge start | package | make`). Vite builds
 * three Node-side bundles and the renderer; the fuses burnt into the Electron binary switch off
 * what an attacker with a foothold on the machine would use to run code as the app.
 */

export const vitePluginConfig = {
  build: [
    { entry: 'apps/desktop/src/main/main.ts', config: 'apps/desktop/vite.main.config.ts', target: 'main' },
    { entry: 'apps/desktop/src/preload/preload.ts', config: 'apps/desktop/vite.preload.config.ts', target: 'preload' },
    { entry: 'apps/desktop/src/utility/engine-process.ts', config: 'apps/desktop/vite.utility.config.ts', target: 'main' },
  ],
  renderer: [{ name: 'main_window', config: 'apps/desktop/vite.renderer.config.ts' }],
} satisfies ConstructorParameters<typeof VitePlugin>[0];

export const fusesConfig = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would turn the signed binary into a plain Node: off (the engine runs in a utilityProcess instead).
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS (--require a file) and --inspect would let anyone who can start the app inject code into it.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // The app is read only from app.asar, and only if its hash matches the one recorded in the binary.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer is served over app://, so file:// needs none of its legacy privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} satisfies FuseConfig;

/** Native code the app loads at run time stays outside the asar (a .node file cannot be loaded from inside it). */
export const asarUnpack = '**/node_modules/better-sqlite3/**';

/** Listed as dependencies but needed only to install: better-sqlite3 builds from source (or fetches a prebuilt binary) with it. */
const installTimeOnly: ReadonlySet<string> = new Set(['prebuild-install']);

/**
 * The directories (from the project root, starting with '/') of the runtime packages and everything
 * they depend on, found the way Node would find them: in node_modules beside the requiring package,
 * then in each parent's. An optional dependency that is not installed is skipped; a required one
 * that is missing stops the build.
 */
export function runtimeModuleDirectories(projectDir: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    if (installTimeOnly.has(name)) return;
    const dir = locatePackage(projectDir, name, fromDir);
    if (dir === null) {
      if (optional) return;
      throw new Error(`${name} is needed at run time but is not installed under ${projectDir}.`);
    }
    const key = `/${relative(projectDir, dir).split(sep).join('/')}`;
    if (found.has(key)) return;
    found.add(key);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, true);
  };
  for (const name of names) visit(name, projectDir, false);
  return [...found].sort();
}

function locatePackage(projectDir: string, name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectDir || dirname(dir) === dir) return null;
  }
}

/**
 * electron-packager's filter (true = leave out), in place of plugin-vite's (which keeps only .vite/
 * and would leave the runtime packages behind). Paths start with '/' at the project root; a
 * directory on the way to a kept one (node_modules, a @scope) is kept so the copy goes down into it.
 */
export function packageFilter(keptModules: readonly string[]): (file: string) => boolean {
  const kept = ['/.vite', '/package.json', ...keptModules];
  return function ignoreInPackage(file: string): boolean {
    if (file === '') return false;
    return !kept.some((path) => file === path || file.startsWith(`${path}/`) || path.startsWith(`${file}/`));
  };
}

const projectDir = dirname(fileURLToPath(import.meta.url));
export const packagedModules = runtimeModuleDirectories(projectDir, runtimePackages);
export const ignoreInPackage = packageFilter(packagedModules);

const config: ForgeConfig = {
  packagerConfig: {
    name: 'QENEX',
    executableName: 'qenex',
    asar: { unpack: asarUnpack },
    ignore: ignoreInPackage,
    // The filter above already chooses node_modules; pruning by the root package.json (whose packages
    // are all devDependencies, bundled by Vite) would drop the runtime packages.
    prune: false,
  },
  rebuildConfig: { onlyModules: ['better-sqlite3'], force: true },
  makers: [],
  plugins: [new VitePlugin(vitePluginConfig), new FusesPlugin(fusesConfig)],
};

export default config;

import { builtinModules } from 'node:module';
import { defineConfig, type ConfigEnv, type UserConfig } from 'vite';

/**
 * The Vite config of the main process bundle (apps/desktop/src/main/main.ts), loaded by
 * @electron-forge/plugin-vite, which merges it over its own defaults (CommonJS, output .vite/build,
 * Electron and Node built-ins external) and names the entry in `forgeConfigSelf`.
 */

/**
 * Packages the Node bundles load from node_modules at run time instead of carrying them inside:
 * better-sqlite3 is native code (its `.node` binary is rebuilt for Electron's ABI and shipped
 * unpacked beside app.asar); pdfkit reads its own files beside its code (`createRequire(import.meta.url)`
 * for its standard fonts, a colour profile under data/), which a bundle would leave behind.
 * forge.config.ts ships each of them with its dependencies.
 */
export const runtimePackages: readonly string[] = ['better-sqlite3', 'pdfkit'];

/** Never bundled: Electron itself, Node's built-ins, and the runtime packages (with their subpaths). */
export const nodeExternals: ReadonlyArray<string | RegExp> = [
  'electron',
  'electron/main',
  'electron/common',
  ...builtinModules.flatMap((name) => [name, `node:${name}`]),
  // The names are plain package names (letters, digits, '-'): nothing in them to escape.
  ...runtimePackages.map((name) => new RegExp(`^${name}(/|$)`)),
];

/** The environment plugin-vite passes to a config function: Vite's, plus the build entry it is for. */
export interface ForgeConfigEnv extends ConfigEnv {
  readonly forgeConfigSelf?: { readonly entry?: string | string[] | Record<string, string> };
}

/**
 * A Node-side bundle (main process or utility process). Files end in .cjs: the repository's
 * package.json says "type": "module", so Electron would read a .js file as ESM.
 */
export function nodeBundle(env: ForgeConfigEnv): UserConfig {
  const entry = env.forgeConfigSelf?.entry;
  if (entry === undefined) throw new Error('This config is for @electron-forge/plugin-vite (electron-forge start or package), which names the entry.');
  return {
    build: {
      lib: { entry, formats: ['cjs'], fileName: () => '[name].cjs' },
      rollupOptions: { external: [...nodeExternals] },
    },
    resolve: { conditions: ['node'] },
  };
}

export default defineConfig((env) => nodeBundle(env));

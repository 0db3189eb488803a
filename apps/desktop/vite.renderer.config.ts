import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The renderer bundle: the same for the Electron window (served over app://) and browser mode. */
export const rendererRoot = fileURLToPath(new URL('./src/renderer', import.meta.url));
export const rendererOutDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));
/** Where electron-forge's Vite plugin expects the window's renderer (and packages it from). */
export const forgeRendererOutDir = fileURLToPath(new URL('../../.vite/renderer/main_window', import.meta.url));

export default defineConfig((env) => ({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    // Under forge (its config generator marks the env), into forge's renderer folder; for browser mode, dist/renderer.
    outDir: 'forgeConfigSelf' in env ? forgeRendererOutDir : rendererOutDir,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
}));

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The renderer bundle: the same for the Electron window (served over app://) and browser mode. */
export const rendererRoot = fileURLToPath(new URL('./src/renderer', import.meta.url));
export const rendererOutDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: { outDir: rendererOutDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 4096 },
  logLevel: 'warn',
});

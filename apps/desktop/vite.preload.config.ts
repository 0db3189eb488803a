import { defineConfig } from 'vite';

/**
 * The preload bundle (apps/desktop/src/preload/preload.ts). The window is sandboxed, so the preload
 * can `require` only 'electron' (and a few timers and events modules): everything else it uses is
 * bundled into one CommonJS file. plugin-vite's defaults already make it one chunk, external
 * 'electron' and the built-ins; the name ends in .cjs because the package is "type": "module".
 */
export default defineConfig({
  build: {
    rollupOptions: {
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name].cjs' },
    },
  },
});

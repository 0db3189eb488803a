import { build } from 'vite';
import { rendererOutDir } from '../apps/desktop/vite.renderer.config';

/** Builds the renderer (the screens) into `outDir` (apps/desktop/dist/renderer unless told) and answers where. */
export async function buildRenderer(outDir: string = rendererOutDir): Promise<string> {
  await build({ configFile: new URL('../apps/desktop/vite.renderer.config.ts', import.meta.url).pathname, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildRenderer().then(
    (dir) => process.stdout.write(`screens built in ${dir}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

import { defineConfig } from 'vite';
import { nodeBundle } from './vite.main.config';

/**
 * The utility process bundle (apps/desktop/src/utility/engine-process.ts): the engine and its SQLite
 * books, a Node bundle like main's, with the same externals (better-sqlite3 above all).
 */
export default defineConfig((env) => nodeBundle(env));

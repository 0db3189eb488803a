export { SqliteStorage, type SqliteOptions } from './storage';
/** The schema, for tools that must measure or inspect the same tables without the engine (benchmarks' raw baselines). */
export { migrations } from './schema';

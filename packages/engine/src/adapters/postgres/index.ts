export { PostgresStorage, type PostgresOptions } from './storage';
/** The schema, for tools that must measure or inspect the same tables without the engine (benchmarks' raw baselines). */
export { migrations } from './schema';
export { PostgresTestDatabase, defaultAdminUrl, type PostgresTestDatabaseOptions } from './test-database';

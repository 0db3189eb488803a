export { SqliteStorage, type SqliteOptions } from './storage';

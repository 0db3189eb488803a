/** @qenex/server: the central server, for tests and tools that start it in-process. */
export { startServer, type RunningServer, type ServerOverrides } from './server';
export { readConfig, ConfigError, type ServerConfig } from './config';
export { demoPassword } from './demo';
export { idempotencyTtlMs } from './http/respond';
export { signInAttemptsPerWindowMax } from './http/sign-in';

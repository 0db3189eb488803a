/** @qenex/server: the central server, for tests and tools that start it in-process. */
export { startServer, type RunningServer, type ServerOverrides } from './server';
export { readConfig, ConfigError, type ServerConfig } from './config';
export { demoPassword } from './demo';
export { idempotencyTtlMs } from './http/respond';
export { signInAttemptsPerWindowMax } from './http/sign-in';
export { PaymentGateway, paymentFormats, type Applied } from './payments/gateway';
export { SimulatedCorrespondent, type Behaviour } from './payments/simulated-correspondent';
export { HttpCorrespondentLink, type CorrespondentLink } from './payments/link';
export { demoCorrespondent, type PaymentService } from './payments/service';

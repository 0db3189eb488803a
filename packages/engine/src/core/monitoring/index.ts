/** Transaction monitoring: rules over a customer's history, weighted in versioned scenarios, decisions with evidence. */
export * from './types';
export * from './limits';
export * from './value';
export * from './rules';
export * from './scenario';
export * from './pack';

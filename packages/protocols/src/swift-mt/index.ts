/**
 * SWIFT MT (FIN): parse and build the message byte for byte, validate MT103, MT202, MT202 COV,
 * MT940 and MT950, and map them to and from the payment model.
 */
export * from './fin';
export * from './format';
export * from './fields';
export * from './checks';
export * from './structure';
export * from './validate';
export * from './rules-mt103';
export * from './text';
export * from './parties';
export * from './headers';
export * from './model-checks';
export * from './mt103-checks';
export * from './mt103';
export * from './mt202';
export * from './statement';

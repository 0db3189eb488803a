export * from './bban-format';
export * from './bic';
export * from './iban';
export * from './mod97';
export * from './national';
export * from './registry';

export * from './types';
export * from './reasons';
export * from './lifecycle';
export * from './reconcile';

export * from './types';
export * from './batches';
export * from './stand-in';
export * from './protocol';

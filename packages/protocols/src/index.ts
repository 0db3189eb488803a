export * from './payment/model';

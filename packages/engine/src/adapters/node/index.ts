export { ScryptPasswordHasher } from './password';
export * from './backup-format';
export * from './backup-retention';
export * from './backup-schedule';
export * from './fincen-validate';
export { SealedCustodyKeys, addressOfPublicKey, addressOfSecretKey, custodyKekBytes } from './custody-keys';

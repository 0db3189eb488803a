/** CBDC tokens after OpenCBDC (the account-based wallets, wallet.ts and books.ts, are exported by name from the engine index). */
export * from './tokens';

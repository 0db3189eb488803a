/** Cryptography of the sync protocol: hybrid signatures, signed envelopes, sealed boxes, encodings. */
export * from './encoding';
export * from './hybrid-signature';
export * from './envelope';
export * from './sealed-box';

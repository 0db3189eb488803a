/** Node-only parts of the protocols package: schema validation with libxml2 (xmllint-wasm). */
export * from './iso20022-schema';

/** @qenex/protocols: payment messages (ISO 20022 MX, SWIFT MT), IBAN and BIC, and their translation. Pure; schema validation is in ./node. */
export * from './payment/model';
export * from './iban/index';
export * from './iso20022/index';
export * from './swift-mt/index';
export * from './translate/index';

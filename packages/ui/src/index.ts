export * from './bridge';
export { App, useNav, type Screen } from './App';
export { createStores, type Stores, type CustomerRow } from './stores';
export { browserBridge } from './browser-bridge';
export { CustomerGrid, gridTheme, setGridStyleNonce } from './screens/Customers';
export { formatMoney, parseAmount, exponentOf, setCurrencyExponents } from './money';

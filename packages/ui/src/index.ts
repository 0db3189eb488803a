export * from './bridge';
export { App } from './App';
export { useNav, type Screen } from './nav';
export { createStores, type Stores, type CustomerRow } from './stores';
export { browserBridge } from './browser-bridge';
export { CustomerGrid, gridTheme, setGridStyleNonce } from './screens/Customers';
export { formatMoney, parseAmount, exponentOf, setCurrencyExponents } from './money';

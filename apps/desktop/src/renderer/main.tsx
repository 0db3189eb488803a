import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, browserBridge, createStores, setGridStyleNonce, type QenexApi } from '@qenex/ui';
import '@qenex/ui/styles.css';

/**
 * The renderer: in the Electron window the preload has put `window.qenex` on the page (over IPC);
 * in browser mode there is none, and the same bridge is built over HTTP to the host that served it.
 */
declare global {
  interface Window {
    qenex?: QenexApi;
  }
}

// The page's CSP allows run-time <style> elements only with this page's nonce: AG Grid's theme is given it.
setGridStyleNonce(document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce);

const api = window.qenex ?? browserBridge();
const stores = createStores(api);
(window as unknown as { qenexStores: typeof stores }).qenexStores = stores;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App stores={stores} />
  </StrictMode>,
);

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openKeyStore } from '../main/key-store';
import { startBrowserMode, type BrowserMode } from './browser-mode';
import { openWorkstation, type HostConfig, type WorkstationHost } from './host';

export interface BrowserWorkstation {
  readonly host: WorkstationHost;
  readonly browser: BrowserMode;
  close(): Promise<void>;
}

/**
 * A workstation in browser mode: its secret store (Node has no safeStorage, so the sealed key
 * file under the operator's passphrase), the host on its SQLite books, and the renderer served with
 * the bridge over HTTP. The one wiring place of browser mode; `npm start` and the tests call it.
 */
export async function startBrowserWorkstation(options: {
  readonly dataDir: string;
  readonly serverUrl: string;
  readonly rendererDir: string;
  readonly passphrase: string;
  readonly port?: number;
  readonly host?: Partial<Pick<HostConfig, 'passwordCost' | 'syncIntervalMs' | 'fetcher' | 'bankName' | 'timeZone' | 'clock' | 'updates'>>;
}): Promise<BrowserWorkstation> {
  if (!existsSync(join(options.rendererDir, 'index.html'))) throw new Error(`The screens are not built in ${options.rendererDir}: run npm run build:ui.`);
  const secrets = await keyStoreFor(options.dataDir, options.passphrase);
  const host = await openWorkstation({ dataDir: options.dataDir, serverUrl: options.serverUrl, secrets, ...options.host });
  const browser = await startBrowserMode({ host, rendererDir: options.rendererDir, ...(options.port === undefined ? {} : { port: options.port }) });
  return {
    host,
    browser,
    async close() {
      await browser.close();
      await host.close();
    },
  };
}

export async function keyStoreFor(dataDir: string, passphrase: string) {
  const opened = await openKeyStore({ safeStorage: null, directory: dataDir, passphrase, platform: process.platform });
  if (!opened.ok) throw new Error(`${opened.code}: ${opened.message}`);
  return opened.store;
}

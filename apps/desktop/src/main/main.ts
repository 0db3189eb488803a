import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell, utilityProcess, type UtilityProcess } from 'electron';
import { join } from 'node:path';
import { takeStagedBuild } from '../node/update-agent';
import { connectEngine, eventChannel, registerBridge, type EngineConnection } from './ipc';
import { openKeyStore, passphraseEnvironmentVariable, type KeyStore } from './key-store';
import { appEntryUrl, appOrigin, appScheme, contentSecurityPolicy, developmentContentSecurityPolicy, hardenContents, hardenSession, originOf, serveAppRequest, windowOptions } from './security';

/**
 * The workstation's Electron main process, and the one place it is wired: the app:// scheme serving
 * the renderer bundle, the hardened session and window, the key store, the engine in a utility
 * process, and the bridge between the page and the engine. Every security rule lives in
 * ./security.ts, ./ipc.ts and ./key-store.ts, where tests check it; this file only applies them.
 */

// Defined by @electron-forge/plugin-vite: the dev server while `electron-forge start` runs, and the
// renderer's name (its folder under .vite/renderer).
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

/** How long the engine gets to close its books when the app quits, before it is killed. */
const engineShutdownTimeoutMs = 5_000;

// Must happen before `ready`: a standard, secure scheme gets a real origin (app://qenex), so the
// same-origin policy, CSP 'self' and the bridge's origin check all mean this app and nothing else.
protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
app.enableSandbox();

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // One engine per workstation database: a second copy only brings the first to the front.
    app.quit();
    return;
  }
  await app.whenReady();

  const devServerUrl = !app.isPackaged && typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : null;
  const rendererOrigin = devServerUrl === null ? appOrigin : (originOf(devServerUrl) ?? appOrigin);
  const rendererRoot = join(__dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME);

  const keys = await openKeyStore({ safeStorage, directory: app.getPath('userData'), passphrase: process.env[passphraseEnvironmentVariable], platform: process.platform });
  // The passphrase has done its work; no child process inherits it.
  delete process.env[passphraseEnvironmentVariable];
  if (!keys.ok) return fail('QENEX cannot keep its device keys', keys.message);
  const serverUrl = process.env.QENEX_SERVER_URL;
  if (serverUrl === undefined || serverUrl === '') return fail('QENEX has no server', 'Set QENEX_SERVER_URL to the address of the bank\'s QENEX server and start again.');

  hardenSession(session.defaultSession, {
    appOrigin,
    contentSecurityPolicy: devServerUrl === null ? contentSecurityPolicy() : developmentContentSecurityPolicy(rendererOrigin),
  });
  protocol.handle(appScheme, (request) => serveAppRequest(rendererRoot, request));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, shell, rendererOrigin));

  const dataDir = join(app.getPath('userData'), 'workstation');
  // A build staged by the last run, verified again now; installing it is the platform installer's step.
  const staged = await takeStagedBuild(join(process.env.QENEX_DATA_DIR ?? dataDir, 'updates'), app.getVersion());
  const child = startEngine(dataDir, serverUrl);
  const engine = connectEngine(child, keys.store);
  registerBridge(ipcMain, engine.forward, rendererOrigin);
  quitWithEngine(child, engine);

  const window = new BrowserWindow(windowOptions(join(__dirname, 'preload.cjs'), { devTools: !app.isPackaged }));
  engine.onEvent((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(eventChannel(event), payload);
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => app.quit());
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  try {
    await engine.ready;
  } catch (error) {
    return fail('The workstation could not start', error instanceof Error ? error.message : String(error));
  }
  await window.loadURL(devServerUrl ?? appEntryUrl);
  if (keys.warning !== null) warnAboutKeyStorage(window, keys.store, keys.warning);
  if (staged !== null) {
    void dialog.showMessageBox(window, { type: 'info', title: 'Update ready', message: `QENEX ${staged.version} is verified and ready`, detail: `The signed build is at ${staged.file}. Install it when the branch closes; this version keeps running meanwhile.`, buttons: ['OK'] });
  }
}

/** The engine runs in a utility process: never `child_process.fork` (the RunAsNode fuse is off). */
function startEngine(dataDir: string, serverUrl: string): UtilityProcess {
  return utilityProcess.fork(join(__dirname, 'engine-process.cjs'), [], {
    serviceName: 'QENEX workstation engine',
    stdio: 'inherit',
    env: {
      ...childEnvironment(),
      QENEX_DATA_DIR: process.env.QENEX_DATA_DIR ?? dataDir,
      QENEX_SERVER_URL: serverUrl,
      QENEX_APP_VERSION: app.getVersion(),
      QENEX_UPDATE_ROOT: process.env.QENEX_UPDATE_ROOT ?? join(process.resourcesPath, 'update-root.json'),
    },
  });
}

/** The parent's environment, minus anything secret (the passphrase is already gone; ELECTRON_RUN_AS_NODE never passes). */
function childEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== passphraseEnvironmentVariable && name !== 'ELECTRON_RUN_AS_NODE' && name !== 'NODE_OPTIONS') env[name] = value;
  }
  return env;
}

/** Quitting waits for the engine to close its books (bounded), and a dead engine ends the app. */
function quitWithEngine(child: UtilityProcess, engine: EngineConnection): void {
  let engineClosed = false;
  let quitting = false;
  child.on('exit', (code) => {
    engineClosed = true;
    if (!quitting) fail('The workstation engine stopped', `It exited with code ${code}. Work that was not yet sent is kept in the outbox; start QENEX again.`);
  });
  app.on('before-quit', (event) => {
    if (engineClosed) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    void engine.shutdown(engineShutdownTimeoutMs).then(() => {
      if (!engineClosed) child.kill();
      engineClosed = true;
      app.quit();
    });
  });
}

function warnAboutKeyStorage(window: BrowserWindow, store: KeyStore, warning: string): void {
  void dialog.showMessageBox(window, { type: 'warning', title: 'Device keys', message: `Device keys: ${store.kind}`, detail: warning, buttons: ['OK'] });
}

function fail(title: string, message: string): void {
  dialog.showErrorBox(title, message);
  app.exit(1);
}

start().catch((error: unknown) => fail('QENEX could not start', error instanceof Error ? (error.stack ?? error.message) : String(error)));

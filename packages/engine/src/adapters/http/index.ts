export { HttpSyncTransport, syncRequestTimeoutMs } from './sync-transport';

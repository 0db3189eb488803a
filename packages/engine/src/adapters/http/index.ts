export { HttpSyncTransport, syncRequestTimeoutMs } from './sync-transport';
export { HttpUpdateFetcher, updateFetchTimeoutMs } from './update-fetcher';

import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { UpdateStatus } from '@qenex/engine';
import type { BridgeOutcome, UiCommand } from '../bridge';

/** Which branch runs which version of everything, read from `update.status` (admins only). */
export interface UpdatesStore {
  status: UpdateStatus | null;
  loading: boolean;
  /** When the last answer arrived, on this workstation's clock: the screen's "now" for stale reports. */
  loadedAtMs: number | null;
  error: { code: string; message: string } | null;
  load(): Promise<void>;
}

/** The store over the same `run` every other store uses (the signed-in person's command through the bridge). */
export function createUpdatesStore(run: (command: UiCommand, input: unknown) => Promise<BridgeOutcome>, nowMs: () => number = Date.now): UseBoundStore<StoreApi<UpdatesStore>> {
  return create<UpdatesStore>((set, get) => ({
    status: null,
    loading: false,
    loadedAtMs: null,
    error: null,
    async load() {
      if (get().loading) return;
      set({ loading: true, error: null });
      const outcome = await run('update.status', {}).catch((error: unknown) => ({ ok: false as const, code: 'bridge_failed', message: error instanceof Error ? error.message : String(error) }));
      if (!outcome.ok) return set({ loading: false, error: { code: outcome.code, message: outcome.message } });
      set({ loading: false, status: outcome.value as UpdateStatus, loadedAtMs: nowMs() });
    },
  }));
}

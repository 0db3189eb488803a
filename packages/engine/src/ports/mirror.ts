import type { EntityKind, Entities } from '../core/banking/types';
import type { Account } from '../core/ledger';

/**
 * A workstation's copy of its branch, replaced whole by each pull: the server's account balances
 * and the branch's reference data. Only the workstation's SQLite storage implements it.
 */
export interface MirrorStore {
  replaceBranch(accounts: readonly Account[], entities: { readonly [K in EntityKind]?: ReadonlyArray<Entities[K]> }): Promise<void>;
}

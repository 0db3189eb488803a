import type { Engine } from '@qenex/engine';
import { systemRole } from '@qenex/engine';
import type { FastifyBaseLogger } from 'fastify';

/** Customers one page of the sweep screens: a page is one short write transaction. */
export const sweepPageCustomers = 200;
/** Pages one sweep runs at most before it yields (a bank of 10 million customers is 50,000 pages). */
export const sweepPagesMax = 100_000;

const sweepCtx = { actor: 'screening-sweep', roles: [systemRole], deviceId: 'server' };

/**
 * The server's re-screen of its customers after the sanctions lists in force changed: page after
 * page until every customer was screened against the new lists, each new hit opening a case,
 * with the progress logged and kept (GET /api/v1/screening/sweep). One sweep at a time; a list
 * arriving mid-sweep starts it over (the engine keys the sweep by the lists).
 */
export class ScreeningSweeper {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: { readonly engine: Engine; readonly log: FastifyBaseLogger }) {}

  /** Starts a sweep (or, if one is running, another right after it); resolves when the sweep it started is done. */
  kick(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = this.sweep().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  private async sweep(): Promise<void> {
    for (let page = 0; page < sweepPagesMax; page += 1) {
      const result = await this.deps.engine.execute('screening.sweep', { limit: sweepPageCustomers }, sweepCtx);
      if (!result.ok) {
        this.deps.log.warn({ code: result.code }, `screening sweep stopped: ${result.message}`);
        return;
      }
      const { screened, hits, casesOpened, done } = result.value;
      this.deps.log.info({ screened, hits, casesOpened }, done ? 'screening sweep finished' : 'screening sweep in progress');
      if (done) return;
    }
  }
}

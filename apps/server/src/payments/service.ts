import { join } from 'node:path';
import type { Engine } from '@qenex/engine';
import type { ServerConfig } from '../config';
import { GatewaySchedule, PaymentGateway, type GatewayLog } from './gateway';
import { HttpCorrespondentLink } from './link';
import { SimulatedCorrespondent } from './simulated-correspondent';
import { issueStatements, type StatementRun } from './statements';

/** The demo bank's correspondent for USD: a simulated bank (fictitious BICs), started beside a demo server. */
export const demoCorrespondent = { currency: 'USD', bic: 'CORRUS33XXX', name: 'Demo Correspondent Bank, New York', ownBic: 'QNXBUS33XXX', accountAtCorrespondent: '400012345' } as const;

export interface PaymentService {
  readonly gateway: PaymentGateway | null;
  /** The simulated correspondent a demo runs; null when a real one is configured or none. */
  readonly simulated: SimulatedCorrespondent | null;
  /** The camt.053 of every customer account for a day (UTC), written under the data directory's statements/. */
  issueStatements(date: string): Promise<StatementRun>;
  stop(): Promise<void>;
}

const dayMs = 86_400_000;
/** The end-of-day run starts this long after UTC midnight, for the day just ended (late postings of the day are in). */
export const statementRunDelayMs = 5 * 60_000;

/**
 * The payment gateway as configured: to the correspondent at QENEX_CORRESPONDENT_URL; in a demo
 * without one, to a simulated correspondent started here; otherwise none (payments wait, queued).
 */
export async function startPaymentService(config: ServerConfig, deps: { readonly engine: Engine; readonly nowMs: () => number; readonly log: GatewayLog }): Promise<PaymentService> {
  const statements = (date: string) => issueStatements(deps.engine, { date, directory: join(config.dataDir, 'statements'), bankBic: config.bankBic, nowMs: deps.nowMs() });
  const endOfDay = scheduleEndOfDay(statements, deps);
  let simulated: SimulatedCorrespondent | null = null;
  let url = config.correspondentUrl;
  if (url === null && config.demo) {
    simulated = new SimulatedCorrespondent({ bic: demoCorrespondent.bic, bankBic: demoCorrespondent.ownBic, account: demoCorrespondent.accountAtCorrespondent, currency: demoCorrespondent.currency, nowMs: deps.nowMs });
    url = await simulated.start();
  }
  if (url === null) return { gateway: null, simulated: null, issueStatements: statements, stop: async () => endOfDay.stop() };
  const gateway = new PaymentGateway({ engine: deps.engine, link: new HttpCorrespondentLink(url), nowMs: deps.nowMs, log: deps.log });
  const schedule = new GatewaySchedule(gateway, config.gatewayIntervalMs, deps.log);
  schedule.start();
  return {
    gateway,
    simulated,
    issueStatements: statements,
    async stop() {
      endOfDay.stop();
      await schedule.stop();
      await simulated?.stop();
    },
  };
}

/** Each day a little after UTC midnight, the statements of the day before; a failed run is logged (operations runs it again). */
function scheduleEndOfDay(run: (date: string) => Promise<StatementRun>, deps: { readonly nowMs: () => number; readonly log: GatewayLog }): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = () => {
    const now = deps.nowMs();
    const next = Math.floor(now / dayMs) * dayMs + dayMs + statementRunDelayMs;
    timer = setTimeout(() => {
      const date = new Date(next - dayMs).toISOString().slice(0, 10);
      run(date)
        .then((done) => deps.log.info({ ...done }, `end-of-day statements of ${date}: ${done.issued} issued`))
        .catch((error: unknown) => deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, `end-of-day statements of ${date} failed; run them again`))
        .finally(arm);
    }, next - now);
    timer.unref();
  };
  arm();
  return { stop: () => (timer === null ? undefined : clearTimeout(timer)) };
}

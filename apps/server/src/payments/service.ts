import type { Engine } from '@qenex/engine';
import type { ServerConfig } from '../config';
import { GatewaySchedule, PaymentGateway, type GatewayLog } from './gateway';
import { HttpCorrespondentLink } from './link';
import { SimulatedCorrespondent } from './simulated-correspondent';

/** The demo bank's correspondent for USD: a simulated bank (fictitious BICs), started beside a demo server. */
export const demoCorrespondent = { currency: 'USD', bic: 'CORRUS33XXX', name: 'Demo Correspondent Bank, New York', ownBic: 'QNXBUS33XXX', accountAtCorrespondent: '400012345' } as const;

export interface PaymentService {
  readonly gateway: PaymentGateway | null;
  /** The simulated correspondent a demo runs; null when a real one is configured or none. */
  readonly simulated: SimulatedCorrespondent | null;
  stop(): Promise<void>;
}

/**
 * The payment gateway as configured: to the correspondent at QENEX_CORRESPONDENT_URL; in a demo
 * without one, to a simulated correspondent started here; otherwise none (payments wait, queued).
 */
export async function startPaymentService(config: ServerConfig, deps: { readonly engine: Engine; readonly nowMs: () => number; readonly log: GatewayLog }): Promise<PaymentService> {
  let simulated: SimulatedCorrespondent | null = null;
  let url = config.correspondentUrl;
  if (url === null && config.demo) {
    simulated = new SimulatedCorrespondent({ bic: demoCorrespondent.bic, bankBic: demoCorrespondent.ownBic, account: demoCorrespondent.accountAtCorrespondent, currency: demoCorrespondent.currency, nowMs: deps.nowMs });
    url = await simulated.start();
  }
  if (url === null) return { gateway: null, simulated: null, stop: async () => undefined };
  const gateway = new PaymentGateway({ engine: deps.engine, link: new HttpCorrespondentLink(url), nowMs: deps.nowMs, log: deps.log });
  const schedule = new GatewaySchedule(gateway, config.gatewayIntervalMs, deps.log);
  schedule.start();
  return {
    gateway,
    simulated,
    async stop() {
      await schedule.stop();
      await simulated?.stop();
    },
  };
}

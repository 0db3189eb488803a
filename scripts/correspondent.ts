/**
 * `npm run correspondent -- [--port N] [--bic BIC] [--bank-bic BIC] [--account NUMBER] [--currency CCY]`:
 * the simulated correspondent bank as its own process, for a server started with
 * QENEX_CORRESPONDENT_URL=http://127.0.0.1:N. It prints its URL, then serves until stopped; tell it
 * what to do next through POST /control/plan, /control/release, /control/statement, /control/incoming.
 */
import { parseArgs } from 'node:util';
import { SimulatedCorrespondent, demoCorrespondent } from '@qenex/server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    bic: { type: 'string', default: demoCorrespondent.bic },
    'bank-bic': { type: 'string', default: demoCorrespondent.ownBic },
    account: { type: 'string', default: demoCorrespondent.accountAtCorrespondent },
    currency: { type: 'string', default: demoCorrespondent.currency },
  },
});
const correspondent = new SimulatedCorrespondent({ bic: values.bic, bankBic: values['bank-bic'], account: values.account, currency: values.currency, nowMs: () => Date.now() });
const url = await correspondent.start(Number(values.port));
process.stdout.write(`${url}\n`);
const stop = () => void correspondent.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

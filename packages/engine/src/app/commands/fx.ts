import { z } from 'zod';
import { convert } from '../../core/banking/fx';
import { TransferCodes } from '../../core/banking/types';
import { currencyByCode } from '../../core/currencies';
import { TransferFlags } from '../../core/ledger';
import { command, ok, refuse } from '../command';
import { idSchema, moneySchema } from '../schemas';
import { branchAccountId } from './branches';
import { post } from './posting';

/**
 * Currency exchange between two accounts of one customer, as two linked transfers through the
 * branch's position account in each currency: each currency's ledger still sums to zero, and
 * either both legs post or neither does.
 */
export const exchange = command({
  permission: 'fx.exchange',
  kind: 'write',
  input: z.object({
    sellTransferId: idSchema,
    buyTransferId: idSchema,
    fromAccountId: idSchema,
    toAccountId: idSchema,
    money: moneySchema,
    rate: z.string().max(32),
  }),
  async run(env, input) {
    if (input.sellTransferId === input.buyTransferId) return refuse('transfer_ids_must_differ', 'The two legs need two ids.');
    const from = await env.tx.banking.get('bankAccount', input.fromAccountId);
    const to = await env.tx.banking.get('bankAccount', input.toAccountId);
    if (from === undefined || to === undefined) return refuse('account_not_found', 'Both accounts must exist.');
    if (from.status !== 'open' || to.status !== 'open') return refuse('account_closed', 'Both accounts must be open.');
    if (from.customerId !== to.customerId) return refuse('accounts_of_different_customers', 'Exchange moves money between one customer\'s own accounts.');
    if (from.currency !== input.money.currency) return refuse('currency_mismatch', `The source account is in ${from.currency}.`);
    if (from.currency === to.currency) return refuse('same_currency', 'Both accounts are in the same currency; use a transfer.');
    const converted = convert(input.money.amount, from.currency, to.currency, input.rate);
    if (!converted.ok) return refuse(converted.error, `The exchange cannot be computed: ${converted.error.replaceAll('_', ' ')}.`);
    const sellPosition = await branchAccountId(env, from.branchId, 'fx_position', from.currency);
    const buyPosition = await branchAccountId(env, to.branchId, 'fx_position', to.currency);
    if (sellPosition === undefined || buyPosition === undefined) {
      return refuse('branch_has_no_position_in_currency', 'The branch does not trade one of these currencies.');
    }
    const posted = await post(env, [
      {
        id: input.sellTransferId,
        debitAccountId: from.id,
        creditAccountId: sellPosition,
        amount: input.money.amount,
        ledger: currencyByCode(from.currency)!.numeric,
        code: TransferCodes.fxExchange,
        flags: TransferFlags.linked,
      },
      {
        id: input.buyTransferId,
        debitAccountId: buyPosition,
        creditAccountId: to.id,
        amount: converted.value,
        ledger: currencyByCode(to.currency)!.numeric,
        code: TransferCodes.fxExchange,
      },
    ]);
    if (!posted.ok) return posted;
    return ok({
      sold: { amount: input.money.amount.toString(), currency: from.currency },
      bought: { amount: converted.value.toString(), currency: to.currency },
      rate: input.rate,
    });
  },
});

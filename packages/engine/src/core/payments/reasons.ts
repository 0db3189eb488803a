/**
 * The ISO 20022 external reason codes a correspondent gives for a reject (pacs.002), a return
 * (pacs.004) or a recall (camt.056), in words a teller can read to a customer with what to do next.
 * A code outside this list is shown as it came, with its code: never dropped, never guessed.
 */
const words: Readonly<Record<string, string>> = {
  AC01: 'the beneficiary account number is wrong or does not exist; check it with the customer',
  AC03: 'the beneficiary account number is not valid at the receiving bank; check it with the customer',
  AC04: 'the beneficiary account is closed; ask the customer for another account',
  AC06: 'the beneficiary account is blocked; the customer should contact the beneficiary',
  AC13: 'the beneficiary account type cannot receive this payment',
  AG01: 'the receiving bank does not accept this kind of payment to that account',
  AG02: 'the payment was sent with a wrong bank operation code',
  AM02: 'the amount is above what the receiving bank accepts',
  AM04: 'the correspondent lacked funds to settle it; operations should check the nostro',
  AM05: 'it duplicates a payment already made',
  AM09: 'the amount is not what was agreed',
  BE01: 'the beneficiary name does not match the account; check the name with the customer',
  BE04: 'the beneficiary address is missing or wrong',
  CURR: 'the currency is wrong for this payment',
  CUST: 'the customer asked for it to be stopped',
  DUPL: 'it was sent twice',
  FF01: 'the message was not in a format the receiving bank can read; operations should check it',
  FOCR: 'it was returned after the sender asked for it back',
  FRAD: 'it was stopped as suspected fraud; refer to compliance',
  MS02: 'the beneficiary refused it',
  MS03: 'the receiving bank refused it without giving a reason',
  NARR: 'the reason is in the note below',
  RC01: 'the beneficiary bank code (BIC) is wrong; check it with the customer',
  RR01: 'the debtor account or identification is missing for regulatory reasons',
  RR02: 'the debtor name or address is missing for regulatory reasons',
  RR03: 'the beneficiary name or address is missing for regulatory reasons',
  RR04: 'it was stopped for regulatory reasons; refer to compliance',
  TECH: 'a technical problem at a bank; it can be sent again',
  TM01: 'it arrived after the receiving bank’s cut-off; it can be sent again',
  UPAY: 'the payment was not justified',
};

/** Our own codes for an incoming payment the bank cannot apply (ISO codes where one fits). */
export const incomingRefusalCodes = { unknownAccount: 'AC01', closedAccount: 'AC04', wrongCurrency: 'CURR', followingRecall: 'FOCR' } as const;

export function reasonWords(code: string): string {
  return words[code] ?? `the correspondent gave reason ${code}, which this bank does not describe; operations can look it up`;
}

export function isKnownReason(code: string): boolean {
  return words[code] !== undefined;
}

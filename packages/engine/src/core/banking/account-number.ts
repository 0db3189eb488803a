/**
 * Account numbers: four-digit branch code, eight-digit sequence and two ISO 7064 MOD 97-10 check
 * digits (the scheme IBAN uses), so a mistyped digit or a swapped pair is caught at the counter.
 */
export function makeAccountNumber(branchCode: string, sequence: number): string {
  const body = branchCode.padStart(4, '0') + String(sequence).padStart(8, '0');
  const check = 98n - ((BigInt(body) * 100n) % 97n);
  return body + check.toString().padStart(2, '0');
}

export function isValidAccountNumber(candidate: string): boolean {
  return /^\d{14}$/.test(candidate) && BigInt(candidate) % 97n === 1n;
}

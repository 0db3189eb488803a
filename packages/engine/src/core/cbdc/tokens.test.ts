import { describe, expect, it } from 'vitest';
import { hybridKeyPair, type HybridKeyPair } from '../crypto/hybrid-signature';
import {
  cbdcInputsMax,
  cbdcOutputsMax,
  cbdcOwnerId,
  cbdcTransactionFromJson,
  cbdcTransactionToJson,
  cbdcTxid,
  cbdcValueMax,
  createdOutputHashes,
  inputHash,
  signCbdcTransaction,
  validateCbdcTransaction,
  type CbdcInput,
  type CbdcOutput,
  type CbdcTransaction,
  type UnsignedCbdcTransaction,
} from './tokens';

const keys = (fill: number): HybridKeyPair => hybridKeyPair(new Uint8Array(64).fill(fill));
const issuer = keys(1);
const alice = keys(2);
const bob = keys(3);
const issuerOf = (currency: string) => (currency === 'USD' ? issuer.publicKeys : undefined);
const out = (value: bigint, who: HybridKeyPair, currency = 'USD'): CbdcOutput => ({ value, currency, owner: cbdcOwnerId(who.publicKeys) });

const mintUnsigned: UnsignedCbdcTransaction = { kind: 'mint', inputs: [], outputs: [out(700n, alice), out(300n, alice)], redeemed: 0n, nonce: 'ab'.repeat(16) };
const mint = signCbdcTransaction(mintUnsigned, [issuer]);
const mintId = cbdcTxid(mint);
const coins: CbdcInput[] = mint.outputs.map((output, index) => ({ txid: mintId, index, output }));
const pay = signCbdcTransaction({ kind: 'transfer', inputs: coins, outputs: [out(900n, bob), out(100n, alice)], redeemed: 0n }, [alice, alice]);

const code = (tx: CbdcTransaction) => validateCbdcTransaction(tx, issuerOf).code;

describe('CBDC tokens', () => {
  it('verifies both halves of every owner: a witness borrowing another owner\'s signature through a shared Ed25519 key is checked on its own', () => {
    // The attacker knows the victim's Ed25519 secret only, and pairs it with an ML-DSA key of their own.
    const victim = keys(7);
    const attacker = keys(8);
    const mixed: HybridKeyPair = {
      publicKeys: { mlDsa65: attacker.publicKeys.mlDsa65, ed25519: victim.publicKeys.ed25519 },
      secretKeys: { mlDsa65: attacker.secretKeys.mlDsa65, ed25519: victim.secretKeys.ed25519 },
    };
    const inputs: CbdcInput[] = [
      { txid: 'aa'.repeat(32), index: 0, output: out(10n, mixed) },
      { txid: 'bb'.repeat(32), index: 0, output: out(500n, victim) },
    ];
    const signed = signCbdcTransaction({ kind: 'transfer', inputs, outputs: [out(510n, attacker)], redeemed: 0n }, [mixed, mixed]);
    // The second witness claims the victim's keys (its owner) with the first witness's signatures.
    const forged: CbdcTransaction = { ...signed, witnesses: [signed.witnesses[0]!, { publicKeys: victim.publicKeys, signature: signed.witnesses[0]!.signature }] };
    expect(code(forged)).toBe('signature_invalid');
  });

  it('accepts an issuer-signed mint and an owner-signed balanced transfer; the txid ignores the witnesses', () => {
    expect(code(mint)).toBe('ok');
    expect(code(pay)).toBe('ok');
    expect(validateCbdcTransaction(pay, issuerOf).txid).toBe(cbdcTxid({ ...pay, witnesses: [] } as never));
    // One owner of two inputs signs once: the same signature serves both.
    expect(pay.witnesses[0]!.signature).toBe(pay.witnesses[1]!.signature);
  });

  it('names each output by (txid, index, output): equal outputs of two transactions hash apart', () => {
    const hashes = createdOutputHashes(mintId, mint);
    expect(hashes).toEqual(coins.map(inputHash));
    const other = cbdcTxid({ ...mintUnsigned, nonce: 'cd'.repeat(16) });
    expect(createdOutputHashes(other, mint)[0]).not.toBe(hashes[0]);
    expect(new Set(hashes).size).toBe(2);
  });

  it('refuses a mint by anyone but the issuer, and a currency without one', () => {
    expect(code(signCbdcTransaction(mintUnsigned, [alice]))).toBe('signature_invalid');
    const eur = signCbdcTransaction({ ...mintUnsigned, outputs: [out(5n, alice, 'EUR')] }, [issuer]);
    expect(code(eur)).toBe('unknown_issuer');
  });

  it('refuses a spend signed by someone other than the owner, or a signature over another transaction', () => {
    expect(code(signCbdcTransaction({ ...pay, witnesses: undefined } as never, [bob, bob]))).toBe('signature_invalid');
    const other = signCbdcTransaction({ kind: 'transfer', inputs: coins, outputs: [out(1000n, bob)], redeemed: 0n }, [alice, alice]);
    expect(code({ ...pay, witnesses: other.witnesses })).toBe('signature_invalid');
  });

  it('balances: Σ inputs = Σ outputs + redeemed; a redemption says where the value went', () => {
    const lossy = signCbdcTransaction({ kind: 'transfer', inputs: coins, outputs: [out(999n, bob)], redeemed: 0n }, [alice, alice]);
    expect(code(lossy)).toBe('sums_do_not_balance');
    const redeem = signCbdcTransaction({ kind: 'transfer', inputs: coins, outputs: [], redeemed: 1000n }, [alice, alice]);
    expect(code(redeem)).toBe('ok');
    const partial = signCbdcTransaction({ kind: 'transfer', inputs: coins, outputs: [out(400n, alice)], redeemed: 600n }, [alice, alice]);
    expect(code(partial)).toBe('ok');
  });

  it('gives each structural fault its own code, before any signature is checked', () => {
    const unsigned = (tx: Partial<UnsignedCbdcTransaction>, witnesses = pay.witnesses): CbdcTransaction => ({ ...pay, ...tx, witnesses });
    expect(code(unsigned({ inputs: [] }, []))).toBe('no_inputs');
    expect(code({ ...mint, outputs: [] })).toBe('no_outputs');
    const many = Array.from({ length: cbdcInputsMax + 1 }, (_, index) => ({ ...coins[0]!, index: index % cbdcOutputsMax, txid: index.toString(16).padStart(64, '0') }));
    expect(code(unsigned({ inputs: many }, many.map(() => pay.witnesses[0]!)))).toBe('too_many_inputs');
    expect(code(unsigned({ outputs: Array.from({ length: cbdcOutputsMax + 1 }, () => out(1n, bob)) }))).toBe('too_many_outputs');
    expect(code(unsigned({ inputs: [coins[0]!, coins[0]!] }))).toBe('duplicate_input');
    expect(code(unsigned({ outputs: [out(0n, bob), out(1000n, bob)] }))).toBe('value_out_of_range');
    expect(code(unsigned({ outputs: [out(cbdcValueMax + 1n, bob)] }))).toBe('value_out_of_range');
    expect(code(unsigned({ outputs: [out(1000n, bob, 'EUR')] }))).toBe('currency_mismatch');
    expect(code(unsigned({}, [pay.witnesses[0]!]))).toBe('malformed');
    expect(code(unsigned({ nonce: 'ab'.repeat(16) }))).toBe('malformed');
    expect(code({ ...mint, nonce: 'not hex' })).toBe('malformed');
    expect(code(unsigned({ outputs: [{ ...out(1000n, bob), currency: 'XYZ' }] }))).toBe('malformed');
  });

  it('round-trips through JSON exactly and reads nothing but the exact shape', () => {
    for (const tx of [mint, pay]) {
      const json = JSON.parse(JSON.stringify(cbdcTransactionToJson(tx)));
      const back = cbdcTransactionFromJson(json);
      expect(back).toEqual(tx);
      expect(code(back!)).toBe('ok');
    }
    const json = cbdcTransactionToJson(pay);
    const broken: unknown[] = [
      null,
      [],
      { ...json, extra: 1 },
      { ...json, redeemed: 0 },
      { ...json, redeemed: '-1' },
      { ...json, outputs: [{ ...json.outputs[0]!, value: '0100' }] },
      { ...json, outputs: [{ ...json.outputs[0]!, value: '1e3' }] },
      { ...json, witnesses: [{ ...json.witnesses[0]!, signature: { ...json.witnesses[0]!.signature, ed25519: 'AA' } }] },
      { ...json, inputs: Array.from({ length: cbdcInputsMax + 2 }, () => json.inputs[0]) },
      { ...json, kind: 'burn' },
    ];
    for (const value of broken) expect(cbdcTransactionFromJson(value)).toBeUndefined();
  });
});

/**
 * Screening of a digital-currency (wallet) address against the published sanctions lists, before a
 * withdrawal to it is signed: the address is a hit when a list holds it for any entry.
 *
 * How addresses compare:
 * - An EVM-style address, `0x` and 40 hex digits, is compared without regard to case. Its letters
 *   are a checksum (EIP-55), not part of the key: `0x7Db4…` and `0x7db4…` are one account.
 * - Every EVM-style address is matched by its hex form whatever currency code the publisher filed
 *   it under. One key controls the same 0x account on every EVM chain (Ethereum, Ethereum
 *   Classic, Arbitrum, BNB Smart Chain, …) and every ERC-20 token on it (USDT, USDC, …): an
 *   address OFAC lists as ETH is sanctioned for a USDT withdrawal on Arbitrum too. OFAC itself
 *   files 0xd882cfc2… under both ETH and ETC for one entry.
 * - Any other address is compared exactly as written, only trimmed: Base58 and most other
 *   encodings are case-sensitive, and one letter of another case is another address.
 * - The network never narrows the screen, for non-EVM addresses either: Bitcoin's forks (BCH,
 *   BSV, BTG) share its address formats, so a string listed under one currency is refused under
 *   all of them. A hit on an address filed under another currency is still a hit for review.
 *
 * Known gaps, left to the compliance engine: Bech32 (`bc1…`) and CashAddr addresses may be written
 * in upper case and are then missed; the same key in another encoding (a legacy and a CashAddr form
 * of one BCH key) is not derived; an address OFAC mistyped (29702 lists one with 39 hex digits) can
 * only be matched as written, so no valid 0x destination ever matches it.
 */
import { assert } from '../assert';
import type { SanctionsList } from './list';
import { screeningListsMax } from './screen';

export interface DigitalAddressMatch {
  readonly listId: string;
  readonly entryId: string;
  /** The entry's primary name, as the list writes it. */
  readonly name: string;
  /** The currency code the list files the address under (OFAC's XBT, ETH, …), as written. */
  readonly currency: string;
  /** The address as the list writes it (the screened one may differ in case when it is EVM-style). */
  readonly address: string;
}

export type DigitalAddressScreening = { readonly hit: false } | { readonly hit: true; readonly matches: readonly DigitalAddressMatch[] };

export interface DigitalAddressIndex {
  /** From `digitalAddressKey` to the list entries holding an address with that key, in list order. */
  readonly byKey: ReadonlyMap<string, readonly DigitalAddressMatch[]>;
  readonly listIds: readonly string[];
}

/** Addresses one index holds over all its lists; OFAC's SDN list (2021 snapshot) has 97. */
export const digitalAddressesIndexMax = 1_000_000;
/** The longest address screened, in UTF-16 code units; the caller's schema bounds what a customer types. */
export const screenedAddressCharsMax = 256;
/** Matches one screening returns: past this many the address is a hit for review anyway. */
export const digitalAddressMatchesMax = 100;
/** The network a caller names (a currency or chain code: ETH, ARB, XBT). */
export const networkCharsMax = 16;

const evmAddressPattern = /^0[xX][0-9a-fA-F]{40}$/;

/** Whether `address` (trimmed) is EVM-style: `0x` and 40 hex digits, in any case. */
export function isEvmAddress(address: string): boolean {
  return evmAddressPattern.test(address.trim());
}

/** The form addresses are compared in: an EVM-style address in lower case, any other trimmed and as written. */
export function digitalAddressKey(address: string): string {
  const trimmed = address.trim();
  return evmAddressPattern.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/** An index of every address on `lists`, for screening many addresses (a batch of withdrawals). */
export function buildDigitalAddressIndex(lists: readonly SanctionsList[]): DigitalAddressIndex {
  assert(lists.length <= screeningListsMax, `buildDigitalAddressIndex: more than ${screeningListsMax} lists`);
  const listIds = lists.map((list) => list.listId);
  assert(new Set(listIds).size === listIds.length, 'buildDigitalAddressIndex: two lists with one listId');
  const byKey = new Map<string, DigitalAddressMatch[]>();
  let addressCount = 0;
  for (const list of lists) {
    for (const entry of list.entries) {
      const name = entry.names[0];
      assert(name !== undefined, `buildDigitalAddressIndex: entry ${entry.id} of ${list.listId} has no name`);
      for (const { currency, address } of entry.digitalCurrencyAddresses ?? []) {
        addressCount += 1;
        assert(addressCount <= digitalAddressesIndexMax, `buildDigitalAddressIndex: more than ${digitalAddressesIndexMax} addresses`);
        const key = digitalAddressKey(address);
        const match: DigitalAddressMatch = { listId: list.listId, entryId: entry.id, name, currency, address };
        const matches = byKey.get(key);
        if (matches === undefined) byKey.set(key, [match]);
        else matches.push(match);
      }
    }
  }
  return { byKey, listIds };
}

/**
 * Whether `address` is on a list the index holds, and for which entries. `network` is the chain
 * the caller means to send on; it is checked for form and never narrows the screen (see above).
 */
export function screenDigitalAddressIn(index: DigitalAddressIndex, address: string, network?: string): DigitalAddressScreening {
  assert(address.length <= screenedAddressCharsMax, `screenDigitalAddress: an address over ${screenedAddressCharsMax} characters`);
  assert(network === undefined || (network.length >= 1 && network.length <= networkCharsMax), `screenDigitalAddress: a network of 1 to ${networkCharsMax} characters`);
  const key = digitalAddressKey(address);
  const matches = key === '' ? undefined : index.byKey.get(key);
  if (matches === undefined || matches.length === 0) return { hit: false };
  return { hit: true, matches: matches.slice(0, digitalAddressMatchesMax) };
}

/** Whether `address` is on any of `lists`: one screening; for many, build the index once with `buildDigitalAddressIndex`. */
export function screenDigitalAddress(lists: readonly SanctionsList[], address: string, network?: string): DigitalAddressScreening {
  return screenDigitalAddressIn(buildDigitalAddressIndex(lists), address, network);
}

/**
 * Wallet-address screening on small lists written here, then on OFAC's real SDN list (sdn.csv with
 * its Remarks overflow sdn_comments.csv), read in place from ../shared/vectors/sanctions (never
 * copied into the repository; see the README there). The real files' addresses are counted with
 * regular expressions over the raw lines, not with the converter under test. A missing file fails
 * under CI; outside CI the real-file tests are skipped with the reason printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import { buildDigitalAddressIndex, digitalAddressKey, isEvmAddress, screenDigitalAddress, screenDigitalAddressIn, screenedAddressCharsMax, type DigitalAddressIndex } from './digital-address';
import { encodeSanctionsList, parseSanctionsList, type SanctionsList } from './list';
import { parseOfacSdnCsv } from './ofac';

const eth = '0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107';
const small: SanctionsList = {
  kind: 'qenex.sanctions-list',
  schema: 1,
  listId: 'ofac-sdn',
  source: 'US Treasury OFAC',
  publishedAt: '2021-07-07',
  entries: [
    { id: '306', type: 'entity', names: ['BANCO NACIONAL DE CUBA'], programs: ['CUBA'] },
    {
      id: '30518',
      type: 'individual',
      names: ['HOLDER, A', 'AKA A'],
      programs: ['CYBER2'],
      digitalCurrencyAddresses: [
        { currency: 'ETC', address: eth },
        { currency: 'XBT', address: '18Ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK' },
      ],
    },
  ],
};
const own: SanctionsList = { ...small, listId: 'bank-own', entries: [{ id: 'B1', type: 'entity', names: ['SHELL CO'], programs: [], digitalCurrencyAddresses: [{ currency: 'USDT', address: eth.toLowerCase() }] }] };

describe('digital address keys', () => {
  it('compares an EVM-style address (0x and 40 hex digits) without regard to case, any other exactly as written, trimmed', () => {
    expect(isEvmAddress(eth)).toBe(true);
    expect(isEvmAddress(` ${eth.toUpperCase()} `)).toBe(true);
    expect(isEvmAddress(eth.slice(0, -1))).toBe(false);
    expect(isEvmAddress(`${eth}0`)).toBe(false);
    expect(isEvmAddress('0xg' + eth.slice(3))).toBe(false);
    expect(digitalAddressKey(eth)).toBe(eth.toLowerCase());
    expect(digitalAddressKey(`\t${eth.toUpperCase()}\n`)).toBe(eth.toLowerCase());
    expect(digitalAddressKey(' 18Ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK ')).toBe('18Ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK');
    // OFAC's 39-digit typo (29702) is not EVM-style, so it keeps its case.
    expect(digitalAddressKey('0xA7e5d5a720f06526557c513402f2e6b5fa20b00')).toBe('0xA7e5d5a720f06526557c513402f2e6b5fa20b00');
  });
});

describe('screenDigitalAddress on small lists', () => {
  it('finds a listed EVM address in any case and under any EVM network, whatever currency it was filed under, with the primary name', () => {
    const hit = { hit: true, matches: [{ listId: 'ofac-sdn', entryId: '30518', name: 'HOLDER, A', currency: 'ETC', address: eth }] };
    for (const form of [eth, eth.toLowerCase(), `0x${eth.slice(2).toUpperCase()}`, ` ${eth} `]) {
      expect(screenDigitalAddress([small], form)).toEqual(hit);
      expect(screenDigitalAddress([small], form, 'ARB')).toEqual(hit);
    }
    expect(screenDigitalAddress([small], eth, 'XBT')).toEqual(hit);
  });

  it('finds nothing for an address one hex digit away, nor for a non-EVM address in another case', () => {
    const changed = `${eth.slice(0, 10)}${eth[10] === '0' ? '1' : '0'}${eth.slice(11)}`;
    expect(screenDigitalAddress([small], changed)).toEqual({ hit: false });
    expect(screenDigitalAddress([small], '18Ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK')).toMatchObject({ hit: true });
    expect(screenDigitalAddress([small], '18ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK')).toEqual({ hit: false });
    expect(screenDigitalAddress([small], '')).toEqual({ hit: false });
    expect(screenDigitalAddress([{ ...small, entries: [small.entries[0]!] }], eth)).toEqual({ hit: false });
  });

  it('returns every list and entry holding the address, in list order', () => {
    const result = screenDigitalAddressIn(buildDigitalAddressIndex([small, own]), eth.toUpperCase().replace('0X', '0x'), 'ETH');
    expect(result).toEqual({
      hit: true,
      matches: [
        { listId: 'ofac-sdn', entryId: '30518', name: 'HOLDER, A', currency: 'ETC', address: eth },
        { listId: 'bank-own', entryId: 'B1', name: 'SHELL CO', currency: 'USDT', address: eth.toLowerCase() },
      ],
    });
  });

  it('treats an address over the limit, a bad network or two lists with one listId as programmer errors', () => {
    const index = buildDigitalAddressIndex([small]);
    expect(() => screenDigitalAddressIn(index, 'a'.repeat(screenedAddressCharsMax + 1))).toThrow(AssertionError);
    expect(() => screenDigitalAddressIn(index, eth, '')).toThrow(AssertionError);
    expect(() => buildDigitalAddressIndex([small, small])).toThrow(AssertionError);
  });

  it('matches a random EVM address only when it is a listed one, whatever its case (property)', () => {
    const index = buildDigitalAddressIndex([small]);
    const hex = fc.stringMatching(/^[0-9a-fA-F]{40}$/);
    fc.assert(fc.property(hex, (digits) => screenDigitalAddressIn(index, `0x${digits}`).hit === (digits.toLowerCase() === eth.slice(2).toLowerCase())), { numRuns: 300 });
    const recased = fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }).map((upper) => `0x${[...eth.slice(2)].map((digit, at) => (upper[at] ? digit.toUpperCase() : digit.toLowerCase())).join('')}`);
    fc.assert(fc.property(recased, (form) => screenDigitalAddressIn(index, form).hit), { numRuns: 100 });
  });
});

// ---------------------------------------------------------------------------------------------
// The real files

const vectorsRoot = fileURLToPath(new URL('../../../../../../shared/vectors/sanctions/', import.meta.url));
const files = ['sdn.csv.gz', 'sdn_comments.csv.gz'] as const;
const ci = Boolean(process.env.CI);
const missing = files.filter((file) => !existsSync(vectorsRoot + file));
if (missing.length > 0 && !ci) console.warn(`[vectors] NOT RUN: OFAC SDN files missing: ${missing.map((file) => vectorsRoot + file).join(', ')}`);

interface RealFiles {
  readonly sdn: string;
  readonly comments: string;
  readonly list: SanctionsList;
  readonly index: DigitalAddressIndex;
}

let real: RealFiles | undefined;

function realFiles(): RealFiles {
  if (missing.length > 0) throw new Error(`vector file(s) missing under CI: ${missing.map((file) => vectorsRoot + file).join(', ')} (shared/ must sit beside the repository)`);
  if (real !== undefined) return real;
  const [sdn, comments] = files.map((file) => new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(readFileSync(vectorsRoot + file)))) as [string, string];
  const result = parseOfacSdnCsv(sdn, undefined, { listId: 'ofac-sdn', publishedAt: '2021-07-07' }, comments);
  if (!result.ok) throw new Error(result.message);
  real = { sdn, comments, list: result.value, index: buildDigitalAddressIndex([result.value]) };
  return real;
}

/** Remarks by ent_num, read off the raw lines (the last quoted field), with the overflow joined on when given. */
function rawRemarks(sdn: string, comments: string | undefined): Map<string, string> {
  const remarks = new Map<string, string>();
  for (const line of sdn.replace(/\u001a$/, '').split('\r\n')) {
    const found = /^(\d+),.*,"((?:[^"]|"")*)"$/.exec(line);
    if (found !== null) remarks.set(found[1]!, found[2]!);
  }
  for (const line of (comments ?? '').split('\r\n')) {
    const found = /^(\d+),"((?:[^"]|"")*)"$/.exec(line);
    if (found !== null) remarks.set(found[1]!, (remarks.get(found[1]!) ?? '') + found[2]!);
  }
  return remarks;
}

function countByCurrency(pairs: readonly { readonly currency: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { currency } of pairs) counts[currency] = (counts[currency] ?? 0) + 1;
  return counts;
}

/** The ETH addresses of the snapshot, by entry, as OFAC writes them. */
const ethAddresses: readonly [string, string][] = [
  ['29584', '0x7F367cC41522cE07553e823bf3be79A889DEbe1B'],
  ['29585', '0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b'],
  ['29702', '0x901bb9583b24d97e995513c6778dc6888ab6870e'],
  // 39 hex digits, as OFAC published it: not a valid account, matched only exactly as written.
  ['29702', '0xa7e5d5a720f06526557c513402f2e6b5fa20b00'],
  ['29703', '0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c'],
  ['30518', '0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a'],
  ['30518', '0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107'],
  ['30518', '0x72a5843cc08275C8171E582972Aa4fDa8C397B2A'],
  ['30518', '0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102'],
  ['31212', '0x9f4cda013e354b8fc285bf4b9a60460cee7f7ea9'],
];

describe.skipIf(missing.length > 0 && !ci)('screenDigitalAddress on the real SDN list', () => {
  it('reads the 97 wallet addresses of 15 entries, by currency as OFAC files them, as the raw lines count them', () => {
    const { sdn, comments, list } = realFiles();
    const pairs = list.entries.flatMap((entry) => entry.digitalCurrencyAddresses ?? []);
    expect(countByCurrency(pairs)).toEqual({ XBT: 65, ETH: 10, LTC: 9, DASH: 3, ZEC: 3, BCH: 2, BSV: 1, BTG: 1, ETC: 1, XMR: 1, XVG: 1 });
    expect(pairs).toHaveLength(97);
    expect(list.entries.filter((entry) => entry.digitalCurrencyAddresses !== undefined)).toHaveLength(15);
    const raw = [...rawRemarks(sdn, comments).values()].flatMap((text) => [...text.matchAll(/Digital Currency Address - (\w+) /g)].map((match) => ({ currency: match[1]! })));
    expect(countByCurrency(raw)).toEqual(countByCurrency(pairs));
    // 17 of the 97 need sdn_comments.csv: 16 are wholly in it (29703's ETH among them), one begun in sdn.csv.
    expect(list.entries.find((entry) => entry.id === '30518')?.digitalCurrencyAddresses).toHaveLength(19);
  });

  it('without sdn_comments.csv has 80: those wholly in sdn.csv, and not the one it cuts in half (30518, XBT 1Gq…)', () => {
    const { sdn } = realFiles();
    const result = parseOfacSdnCsv(sdn, undefined, { listId: 'ofac-sdn', publishedAt: '2021-07-07' });
    if (!result.ok) throw new Error(result.message);
    const pairs = result.value.entries.flatMap((entry) => entry.digitalCurrencyAddresses ?? []);
    expect(countByCurrency(pairs)).toEqual({ XBT: 61, ETH: 5, LTC: 4, DASH: 3, ZEC: 2, BCH: 1, BTG: 1, ETC: 1, XMR: 1, XVG: 1 });
    expect(pairs.some((pair) => pair.address.startsWith('1Gq'))).toBe(false);
  });

  it('finds each ETH address for its entry, as written and in other case, and nothing one hex digit away', () => {
    const { list, index } = realFiles();
    const listed = list.entries.flatMap((entry) => (entry.digitalCurrencyAddresses ?? []).filter((pair) => pair.currency === 'ETH').map((pair) => [entry.id, pair.address] as [string, string]));
    expect(listed).toEqual(ethAddresses);
    for (const [entryId, address] of ethAddresses) {
      const name = list.entries.find((entry) => entry.id === entryId)!.names[0];
      const forms = isEvmAddress(address) ? [address, address.toLowerCase(), `0x${address.slice(2).toUpperCase()}`] : [address];
      for (const form of forms) {
        const result = screenDigitalAddressIn(index, form, 'ETH');
        expect(result.hit, form).toBe(true);
        expect(result.hit && result.matches.some((match) => match.entryId === entryId && match.name === name && match.currency === 'ETH' && match.address === address)).toBe(true);
      }
      for (let at = 2; at < address.length; at += 1) {
        const digit = address[at]!.toLowerCase();
        const nearMiss = `${address.slice(0, at)}${digit === 'f' ? 'e' : 'f'}${address.slice(at + 1)}`;
        expect(screenDigitalAddressIn(index, nearMiss).hit, nearMiss).toBe(false);
      }
    }
  });

  it('finds the address OFAC files under ETC for both its ETH and its ETC listing, and for an ERC-20 on another chain', () => {
    const { index } = realFiles();
    const result = screenDigitalAddressIn(index, '0xD882CFC20F52F2599D84B8E8D58C7FB62CFE344B', 'USDT');
    expect(result.hit && result.matches.map((match) => [match.entryId, match.currency])).toEqual([
      ['29585', 'ETH'],
      ['29585', 'ETC'],
    ]);
  });

  it('finds a Bitcoin address only as written: another case is another address', () => {
    const { list, index } = realFiles();
    const first = list.entries.flatMap((entry) => (entry.digitalCurrencyAddresses ?? []).filter((pair) => pair.currency === 'XBT'))[0]!;
    expect(screenDigitalAddressIn(index, ` ${first.address} `).hit).toBe(true);
    expect(screenDigitalAddressIn(index, first.address.toLowerCase()).hit).toBe(first.address === first.address.toLowerCase());
  });

  it('round-trips the list with its addresses through encode and parse, byte for byte', () => {
    const { list } = realFiles();
    const bytes = encodeSanctionsList(list);
    expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: list });
    expect(encodeSanctionsList(list)).toBe(bytes);
  });
});

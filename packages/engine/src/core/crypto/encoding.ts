/**
 * Byte encodings for the wire, in pure code (no Buffer, no atob): base64url (RFC 4648 §5, no padding)
 * and hex. Encoders take bytes and cannot fail; decoders read attacker input, so they return
 * `undefined` instead of throwing, and accept only the canonical form: one string per byte sequence,
 * so a signature or key cannot be re-encoded into a second accepted spelling.
 */
import { bytesToHex } from '@noble/hashes/utils.js';

const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code → 6-bit value, or -1 for a character outside the alphabet. */
const base64urlValues: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let index = 0; index < base64urlAlphabet.length; index += 1) table[base64urlAlphabet.charCodeAt(index)] = index;
  return table;
})();

export function encodeBase64url(bytes: Uint8Array): string {
  let text = '';
  let index = 0;
  for (; index + 3 <= bytes.length; index += 3) {
    const triple = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!;
    text += base64urlAlphabet[(triple >> 18) & 63]! + base64urlAlphabet[(triple >> 12) & 63]! + base64urlAlphabet[(triple >> 6) & 63]! + base64urlAlphabet[triple & 63]!;
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const single = bytes[index]!;
    text += base64urlAlphabet[single >> 2]! + base64urlAlphabet[(single & 3) << 4]!;
  } else if (rest === 2) {
    const pair = (bytes[index]! << 8) | bytes[index + 1]!;
    text += base64urlAlphabet[pair >> 10]! + base64urlAlphabet[(pair >> 4) & 63]! + base64urlAlphabet[(pair & 15) << 2]!;
  }
  return text;
}

/**
 * Strict base64url: the URL-safe alphabet only, no padding, no whitespace, and the unused low bits of
 * the last character zero (otherwise "AB" and "AC" would both decode to the same byte).
 */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const value = code < 128 ? base64urlValues[code]! : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out] = (buffer >> bits) & 0xff;
      out += 1;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}

/** Lowercase hex, the form every digest in this system is written in. */
export function encodeHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Hex of either case (RFC 4648 §8 is case-insensitive); `undefined` for an odd length or a non-hex character. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 2 !== 0) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    const high = hexValue(text.charCodeAt(index * 2));
    const low = hexValue(text.charCodeAt(index * 2 + 1));
    if (high < 0 || low < 0) return undefined;
    bytes[index] = (high << 4) | low;
  }
  return bytes;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

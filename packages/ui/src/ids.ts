/** A time-ordered 128-bit id as the engine expects it (32 lowercase hex digits: 48 bits of milliseconds, 80 random). */
export function newId(nowMs: number = Date.now()): string {
  const random = new Uint8Array(10);
  globalThis.crypto.getRandomValues(random);
  const hex = Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return nowMs.toString(16).padStart(12, '0').slice(-12) + hex;
}

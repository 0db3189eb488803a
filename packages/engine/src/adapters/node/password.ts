import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../../ports/password';

/** scrypt (RFC 7914), memory-hard: N=2^15, r=8 uses 32 MiB per hash. Stored as scrypt$N$r$p$salt$hash. */
const defaults = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
/** A fixed salt for verifications against no user: what it derives is compared with nothing real. */
const absentSalt = Buffer.alloc(16, 0x51);

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

export class ScryptPasswordHasher implements PasswordHasher {
  constructor(private readonly options: { N: number; r: number; p: number } = defaults) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.options);
    const { N, r, p } = this.options;
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verifyNone(password: string): Promise<false> {
    const key = await derive(password, absentSalt, this.options);
    // Compared like a real verification, so the work is the same to the last step.
    timingSafeEqual(key, Buffer.alloc(key.length));
    return false;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, N, r, p, salt, expected] = stored.split('$');
    if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
    const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
    const wanted = Buffer.from(expected, 'base64url');
    return wanted.length === key.length && timingSafeEqual(wanted, key);
  }
}

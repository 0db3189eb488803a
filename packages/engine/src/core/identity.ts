/**
 * Sign-in policy: named limits, each checked. Passwords are hashed by a memory-hard function
 * (see the password port); sessions are opaque bearer tokens stored only as their SHA-256.
 */
export const passwordLengthMin = 12;
export const passwordLengthMax = 256;
export const usernamePattern = /^[a-z][a-z0-9._-]{1,31}$/;
/** Names of the callers that are no user (a device's signature, nobody signed in, the server itself, the bootstrap): never a user's. */
export const reservedUsernames: readonly string[] = ['anonymous', 'device', 'system', 'unauthenticated', 'network'];
export function isReservedUsername(name: string): boolean {
  return reservedUsernames.includes(name) || name.startsWith('bootstrap');
}
export const sessionTtlMs = 8 * 60 * 60 * 1000;
export const sessionTokenBytes = 32;

export type PasswordProblem = 'password_too_short' | 'password_too_long' | 'password_too_simple';

export function passwordProblem(password: string, username: string): PasswordProblem | undefined {
  if (password.length < passwordLengthMin) return 'password_too_short';
  if (password.length > passwordLengthMax) return 'password_too_long';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (classes < 3 || password.toLowerCase().includes(username.toLowerCase())) return 'password_too_simple';
  return undefined;
}

/**
 * Failed sign-ins a caller may make for one username from one source before each further try waits:
 * a delay per user and source, doubling with each failure, so a guesser slows to a crawl while the
 * user, signing in from their own desk, is never locked out by someone else's tries.
 */
export const failedSignInsFree = 3;
export const signInDelayMsMax = 5 * 60 * 1000;
/** How long failures are remembered for a user and source after the last one. */
export const signInFailureMemoryMs = 15 * 60 * 1000;

/** How long to wait after the last of `failures` failed sign-ins before the next try counts. */
export function signInDelayMs(failures: number): number {
  if (failures < failedSignInsFree) return 0;
  return Math.min(signInDelayMsMax, 1000 * 2 ** (failures - failedSignInsFree));
}

/**
 * Sign-in policy: named limits, each checked. Passwords are hashed by a memory-hard function
 * (see the password port); sessions are opaque bearer tokens stored only as their SHA-256.
 */
export const passwordLengthMin = 12;
export const passwordLengthMax = 256;
export const usernamePattern = /^[a-z][a-z0-9._-]{1,31}$/;
/** Consecutive failed sign-ins before the user is locked out. */
export const failedSignInsMax = 5;
export const lockoutMs = 15 * 60 * 1000;
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

export interface SignInState {
  readonly failedSignIns: number;
  readonly lockedUntilMs: number;
}

/** After a failed attempt: the count grows, and at the limit the user is locked for `lockoutMs`. */
export function afterFailedSignIn(state: SignInState, nowMs: number): SignInState {
  const failedSignIns = state.failedSignIns + 1;
  return { failedSignIns, lockedUntilMs: failedSignIns >= failedSignInsMax ? nowMs + lockoutMs : state.lockedUntilMs };
}

export function isLocked(state: SignInState, nowMs: number): boolean {
  return state.lockedUntilMs > nowMs;
}

/** Hashes passwords with a memory-hard function; the stored form names its own parameters. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /**
   * Spends what a verification against a real hash spends, and answers false: signing in as a user
   * who does not exist takes as long as a wrong password, so the time tells nobody who exists.
   */
  verifyNone(password: string): Promise<false>;
}

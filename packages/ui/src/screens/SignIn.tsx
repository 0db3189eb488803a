import { useState, type FormEvent } from 'react';
import type { Stores } from '../stores';
import { useAutoFocus } from '../components/common';

export function SignIn({ stores }: { stores: Stores }) {
  const error = stores.session((state) => state.error);
  const link = stores.sync((state) => state.status.link);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [working, setWorking] = useState(false);
  const first = useAutoFocus<HTMLInputElement>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setWorking(true);
    const ok = await stores.session.getState().signIn(username, password);
    setWorking(false);
    if (!ok) setPassword('');
  };
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <form className="sign-in-card" onSubmit={submit} aria-describedby="sign-in-help">
        <div className="brand-mark" aria-hidden="true">Q</div>
        <h1 id="sign-in-title">QENEX Branch Workstation</h1>
        <p id="sign-in-help" className="muted">
          Sign in with your bank username. {link === 'offline' ? 'The bank cannot be reached: you can sign in if you have signed in here before.' : ''}
        </p>
        <label htmlFor="username">Username</label>
        <input id="username" ref={first} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        {error !== null && (
          <p className="notice error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={working}>
          {working ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

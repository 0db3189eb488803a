import { useEffect, type ReactNode } from 'react';
import type { UiCommand } from './bridge';
import type { Stores } from './stores';
import { SignIn } from './screens/SignIn';
import { Home } from './screens/Home';
import { Customers } from './screens/Customers';
import { MoneyForm } from './screens/MoneyForm';
import { useNav, type Screen } from './nav';
import { Approvals } from './screens/Approvals';
import { Till } from './screens/Till';
import { Updates } from './screens/Updates';
import { Compliance } from './screens/Compliance';
import { Payments } from './screens/Payments';
import { SyncBanner, LinkPill } from './screens/SyncBanner';

const menu: ReadonlyArray<{ screen: Screen; label: string; key: string; needs: UiCommand }> = [
  { screen: 'home', label: 'Home', key: '1', needs: 'till.current_session' },
  { screen: 'customers', label: 'Customers', key: '2', needs: 'customer.search' },
  { screen: 'deposit', label: 'Deposit', key: '3', needs: 'cash.deposit' },
  { screen: 'withdraw', label: 'Withdraw', key: '4', needs: 'cash.withdraw' },
  { screen: 'transfer', label: 'Transfer', key: '5', needs: 'transfer.internal' },
  { screen: 'exchange', label: 'Exchange', key: '6', needs: 'fx.exchange' },
  { screen: 'approvals', label: 'Approvals', key: '7', needs: 'approval.list' },
  { screen: 'till', label: 'Till', key: '8', needs: 'till.open_session' },
  { screen: 'updates', label: 'Updates', key: '9', needs: 'update.status' },
  { screen: 'compliance', label: 'Compliance', key: '0', needs: 'case.list' },
  { screen: 'payments', label: 'Payments', key: 'p', needs: 'payment.list' },
];

export function App({ stores }: { stores: Stores }) {
  const session = stores.session((state) => state.session);
  const checking = stores.session((state) => state.checking);
  useEffect(() => {
    void stores.session.getState().restore();
    void stores.sync.getState().refresh();
  }, [stores]);
  if (checking) return <p className="busy">Starting…</p>;
  if (session === null) return <SignIn stores={stores} />;
  return <Workspace stores={stores} />;
}

function Workspace({ stores }: { stores: Stores }) {
  const session = stores.session((state) => state.session)!;
  const { screen, go } = useNav();
  const items = menu.filter((item) => session.allowed.includes(item.needs));
  // Someone whose work is not at a till (a compliance officer) starts on the first screen they may use.
  useEffect(() => {
    if (!items.some((item) => item.screen === screen) && items[0] !== undefined) go(items[0].screen);
  }, [items, screen, go]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const item = items.find((candidate) => candidate.key === event.key);
      if (item !== undefined) {
        event.preventDefault();
        go(item.screen);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, go]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark small" aria-hidden="true">
            Q
          </span>
          <span>
            <strong>QENEX</strong> <span className="muted">{session.branchName}</span>
          </span>
        </div>
        <LinkPill stores={stores} />
        <div className="who">
          <span>
            {session.displayName} <span className="muted">· {session.roles.join(', ').replaceAll('_', ' ')}</span>
          </span>
          <button type="button" onClick={() => void stores.session.getState().signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <SyncBanner stores={stores} />
      <nav className="menu" aria-label="Main">
        <ul>
          {items.map((item) => (
            <li key={item.screen}>
              <button type="button" aria-current={screen === item.screen ? 'page' : undefined} onClick={() => go(item.screen)} title={`Alt+${item.key}`}>
                {item.label} <kbd aria-hidden="true">Alt {item.key}</kbd>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <ScreenView stores={stores} screen={screen} />
      </main>
    </div>
  );
}

function ScreenView({ stores, screen }: { stores: Stores; screen: Screen }): ReactNode {
  switch (screen) {
    case 'home':
      return <Home stores={stores} />;
    case 'customers':
      return <Customers stores={stores} />;
    case 'deposit':
    case 'withdraw':
    case 'transfer':
    case 'exchange':
      return <MoneyForm key={screen} stores={stores} kind={screen} />;
    case 'approvals':
      return <Approvals stores={stores} />;
    case 'till':
      return <Till stores={stores} />;
    case 'updates':
      return <Updates stores={stores} />;
    case 'compliance':
      return <Compliance stores={stores} />;
    case 'payments':
      return <Payments stores={stores} />;
  }
}

import { create } from 'zustand';

/** The screens a signed-in person moves between. */
export type Screen = 'home' | 'customers' | 'deposit' | 'withdraw' | 'transfer' | 'exchange' | 'approvals' | 'till' | 'updates' | 'compliance' | 'payments';

interface Nav {
  screen: Screen;
  customerId: string | null;
  go(screen: Screen, customerId?: string | null): void;
}

/** Where the person is: the screen, and the customer open on it. */
export const useNav = create<Nav>((set) => ({
  screen: 'home',
  customerId: null,
  go: (screen, customerId = null) => set({ screen, customerId }),
}));

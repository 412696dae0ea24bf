import { createContext, useContext } from 'react';
import type { Session } from './session.js';

export interface SessionState {
  session: Session | null;
  signIn(token: string): void;
  signOut(): void;
}

export const SessionContext = createContext<SessionState>({
  session: null,
  signIn: () => {},
  signOut: () => {},
});

export const useSession = () => useContext(SessionContext);

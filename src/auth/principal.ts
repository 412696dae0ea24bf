export type Role = 'student' | 'instructor' | 'admin';

/** Who is making a request. */
export type Principal =
  | { kind: 'apiKey' }
  | { kind: 'user'; userId: string; role: Role; name?: string | undefined };

/** API keys and admin tokens see everything and may act for any learner. */
export function isPlatform(p: Principal): boolean {
  return p.kind === 'apiKey' || p.role === 'admin';
}

/** The learner a request acts as, when it may act only as itself. */
export function actingUserId(p: Principal): string | undefined {
  return isPlatform(p) || p.kind !== 'user' ? undefined : p.userId;
}

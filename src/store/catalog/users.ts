import type { UserInput } from '../../domain/catalog/schemas.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';

export interface User {
  id: string;
  displayName: string;
  email: string | null;
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

interface UserRow extends Row {
  id: string;
  display_name: string;
  email: string | null;
  timezone: string;
  created_at: Date;
  updated_at: Date;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  displayName: r.display_name,
  email: r.email,
  timezone: r.timezone,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Upserts users in one statement (sorted, so concurrent bulk upserts lock rows in one order). */
export async function upsertUsers(
  tx: Queryable,
  users: readonly (UserInput & { id: string })[],
): Promise<User[]> {
  const sorted = [...users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = await tx.query<UserRow>(
    `INSERT INTO users (id, display_name, email, timezone)
     SELECT id, "displayName", email, coalesce(timezone, 'UTC')
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, "displayName" text, email text, timezone text)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, email = excluded.email,
       timezone = excluded.timezone, updated_at = now()
     RETURNING *`,
    [JSON.stringify(sorted)],
  );
  return rows.map(toUser);
}

export async function setUserTimeZone(tx: Queryable, id: string, timezone: string): Promise<User> {
  const rows = await tx.query<UserRow>(
    'UPDATE users SET timezone = $2, updated_at = now() WHERE id = $1 RETURNING *',
    [id, timezone],
  );
  return toUser(rows[0]!);
}

export async function getUser(db: Queryable, id: string): Promise<User | undefined> {
  const rows = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(db: Queryable, limit: number, cursor?: string): Promise<Page<User>> {
  const after = decodeCursor(cursor, ['text']);
  const rows = await db.query<UserRow>(
    'SELECT * FROM users WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2',
    [after?.[0] ?? null, limit + 1],
  );
  return toPage(rows, limit, (r) => [r.id], toUser);
}

/** Names and emails of some users (those not in the catalog are absent). */
export async function getUserNames(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, { displayName: string; email: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; display_name: string; email: string | null }>(
    'SELECT id, display_name, email FROM users WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { displayName: r.display_name, email: r.email }]));
}

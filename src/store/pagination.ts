import { isStorableText } from '../domain/text.js';
import { AppError } from '../errors/app-error.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Keyset cursors: the sort key of the last row, opaque to clients. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The type of each key of a cursor: text, a PostgreSQL integer, or a UTC ISO timestamp. */
export type CursorKey = 'text' | 'int' | 'timestamp';

const keyOk: Record<CursorKey, (k: unknown) => boolean> = {
  text: (k) => typeof k === 'string' && isStorableText(k),
  int: (k) => Number.isInteger(k) && (k as number) >= -2147483648 && (k as number) <= 2147483647,
  timestamp: (k) =>
    typeof k === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(k) &&
    !k.startsWith('0000-') &&
    Number.isFinite(Date.parse(k)) &&
    new Date(k).toISOString() === k,
};

/**
 * Decodes a cursor made by `encodeCursor`, given the type of each key (the SQL casts them): a
 * forged key of the wrong type is `invalid_cursor`, not a database error.
 */
export function decodeCursor(
  cursor: string | undefined,
  shape: readonly CursorKey[],
): (string | number)[] | undefined {
  const ok = (k: unknown, i: number) => keyOk[shape[i]!](k);
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every(ok)) {
      return key as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_cursor');
}

/** Turns `limit + 1` fetched rows into a page and the cursor of its last row. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => (string | number)[],
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

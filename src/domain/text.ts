/** Whether PostgreSQL can store the string: no NUL character and no unpaired surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

/**
 * The path of the first string or key in a JSON value that PostgreSQL cannot store, if any.
 * @example findUnstorableText({ a: ['x\u0000'] }, 'body') // 'body/a/0'
 */
export function findUnstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (!isStorableText(key)) return `${path}/${key}`;
    const at = findUnstorableText(child, `${path}/${key}`);
    if (at) return at;
  }
  return undefined;
}

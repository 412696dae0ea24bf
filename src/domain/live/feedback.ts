import { eng } from 'stopword';

/** The most frequent themes reported, and how often a word must recur to be one. */
export const MAX_THEMES = 10;
export const MIN_THEME_COMMENTS = 2;

const STOP = new Set(eng);
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const LETTERS = /\p{L}/u;
const LATIN_ONLY = /^[\p{Script=Latin}\p{M}'’-]+$/u;

/**
 * The words of a comment that can carry a theme: word segments (Unicode word boundaries, so
 * Chinese or Japanese text is split into words too), lower-cased, without English stop words,
 * numbers and Latin words under 3 letters. Other languages' stop words are not known here and stay.
 */
export function themeWords(comment: string): string[] {
  const out = new Set<string>();
  for (const s of segmenter.segment(comment)) {
    if (!s.isWordLike) continue;
    const w = s.segment.toLocaleLowerCase().replace(/[’']s$/u, '');
    if (!LETTERS.test(w) || STOP.has(w)) continue;
    if (LATIN_ONLY.test(w) && w.length < 3) continue;
    out.add(w);
  }
  return [...out];
}

/**
 * Feedback themes: the words mentioned by the most comments (each comment counts a word once),
 * at least MIN_THEME_COMMENTS of them, most first, then alphabetically.
 * @example feedbackThemes(['Great pacing', 'pacing too fast', 'great examples']) // [{ term: 'great', comments: 2 }, { term: 'pacing', comments: 2 }]
 */
export function feedbackThemes(comments: readonly string[]): { term: string; comments: number }[] {
  const counts = new Map<string, number>();
  for (const c of comments) for (const w of themeWords(c)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, n]) => n >= MIN_THEME_COMMENTS)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_THEMES)
    .map(([term, n]) => ({ term, comments: n }));
}

/** A chat message is a question when the client says so, else when its text ends in a question mark. */
export function isQuestion(data: { text?: string; isQuestion?: boolean } | undefined): boolean {
  if (data?.isQuestion !== undefined) return data.isQuestion;
  return /[?？¿]\s*$/u.test(data?.text ?? '');
}

import { stringify } from 'csv-stringify/sync';
import type { LearnerEngagement } from './roster.js';
import { studentRow } from './students.js';

/**
 * Excel runs a cell that starts with = + - @ (or a tab or carriage return) as a formula: text
 * cells like that get a leading apostrophe, which Excel shows as plain text.
 */
const safeText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

const COLUMNS = [
  'userId',
  'displayName',
  'engagementScore',
  'riskLevel',
  'riskReasons',
  'progressPercent',
  'itemsCompleted',
  'visits7d',
  'timeOnTaskSec',
  'sessions',
  'avgSessionSec',
  'videoWatchedPercent',
  'scrollDepthPercent',
  'startedAt',
  'lastActivityAt',
] as const;

/** The engagement table as CSV that opens cleanly in Excel: UTF-8 BOM, RFC 4180 quoting, CRLF. */
export function studentsCsv(learners: readonly LearnerEngagement[]): string {
  const records = learners.map((l) => {
    const row = studentRow(l);
    return COLUMNS.map((c) => {
      if (c === 'riskReasons') return safeText(row.riskReasons.map((r) => r.message).join('; '));
      const v = row[c];
      if (v === null) return '';
      return typeof v === 'string' ? safeText(v) : String(v);
    });
  });
  return stringify(records, { header: true, columns: [...COLUMNS], bom: true, record_delimiter: 'windows' });
}

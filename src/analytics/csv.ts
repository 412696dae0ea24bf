import { stringify } from 'csv-stringify/sync';
import type { LiveAttendance } from './live.js';
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

type AttendeeRow = LiveAttendance['attendees'][number];

const ATTENDANCE_COLUMNS: [header: string, cell: (a: AttendeeRow) => string | number | boolean | null][] = [
  ['Name', (a) => a.name],
  ['Email', (a) => a.email],
  ['User ID', (a) => a.userId],
  ['Registered', (a) => a.registered],
  ['Attended', (a) => a.attended],
  ['First join', (a) => a.firstJoinAt],
  ['Last leave', (a) => a.lastLeaveAt],
  ['Minutes', (a) => Math.round(a.minutes * 100) / 100],
  ['On time', (a) => a.onTime],
  ['Messages', (a) => a.messages],
  ['Questions', (a) => a.questions],
  ['Reactions', (a) => a.reactions],
  ['Watched recording', (a) => a.watchedRecording],
  ['Recording minutes', (a) => Math.round(a.recordingMinutes * 100) / 100],
  ['Recording %', (a) => Math.round(a.recordingPercent * 100) / 100],
  ['Rating', (a) => a.rating],
  ['Feedback', (a) => a.feedback],
];

/** A live session's attendance as CSV (one row per registered or attending learner), as `studentsCsv`. */
export function attendanceCsv(attendees: readonly AttendeeRow[]): string {
  const cell = (v: string | number | boolean | null) =>
    v === null
      ? ''
      : typeof v === 'boolean'
        ? v
          ? 'yes'
          : 'no'
        : typeof v === 'string'
          ? safeText(v)
          : String(v);
  return stringify(
    attendees.map((a) => ATTENDANCE_COLUMNS.map(([, get]) => cell(get(a)))),
    { header: true, columns: ATTENDANCE_COLUMNS.map(([h]) => h), bom: true, record_delimiter: 'windows' },
  );
}

/** Event types learnpulse projects; other types must be namespaced `x-…` and are only stored. */
export const NATIVE_EVENT_TYPES = [
  'course_visit',
  'heartbeat',
  'scroll_depth',
  'lesson_start',
  'lesson_progress',
  'lesson_complete',
  'video_heartbeat',
  'quiz_submit',
  'assignment_submit',
  'certification_issued',
  'live_join',
  'live_leave',
  'live_chat',
  'live_reaction',
  'live_feedback',
] as const;

export type NativeEventType = (typeof NATIVE_EVENT_TYPES)[number];

export interface Device {
  type?: 'desktop' | 'mobile' | 'tablet';
  os?: string;
  browser?: string;
}

/** An event as accepted from a client: validated, `userId` resolved, `occurredAt` normalised. */
export interface LearningEvent {
  id: string;
  type: string;
  /** ISO 8601 in UTC, millisecond precision. */
  occurredAt: string;
  userId: string;
  courseId?: string | undefined;
  itemId?: string | undefined;
  liveSessionId?: string | undefined;
  clientSessionId?: string | undefined;
  device?: Device | undefined;
  value?: number | undefined;
  data?: Record<string, unknown> | undefined;
}

/** An event as stored in the log. */
export interface StoredEvent extends LearningEvent {
  seq: number;
  receivedAt: string;
}

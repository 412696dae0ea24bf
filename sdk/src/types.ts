/** The device an event came from (SPEC §2); the tracker fills it from the browser. */
export interface Device {
  type?: 'desktop' | 'mobile' | 'tablet';
  os?: string;
  browser?: string;
}

/** An event as `POST /api/v1/events` takes it (SPEC §2). */
export interface LearnpulseEvent {
  /** UUID v7, made when the event is: a resent event is a duplicate, never counted twice. */
  id: string;
  type: string;
  occurredAt: string;
  userId?: string;
  courseId?: string;
  itemId?: string;
  liveSessionId?: string;
  clientSessionId?: string;
  device?: Device;
  value?: number;
  data?: Record<string, unknown>;
}

/** What `track` takes besides the type; `courseId` defaults to the one given to `init`. */
export interface EventFields {
  courseId?: string;
  itemId?: string;
  liveSessionId?: string;
  value?: number;
  data?: Record<string, unknown>;
}

/** An event the tracker gave up on, with why: the server's rejection code, or `buffer_full`. */
export interface DroppedEvent {
  event: LearnpulseEvent;
  code: string;
  message: string;
}

/** Returns a bearer token for the learner; called at start and again after a 401. */
export type TokenSource = () => string | Promise<string>;

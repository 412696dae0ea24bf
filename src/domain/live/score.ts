/** The session engagement score's weights (SPEC §5). */
export const LIVE_SCORE_WEIGHTS = { attendance: 30, engagement: 40, chat: 15, retention: 15 } as const;

export interface LiveScoreInputs {
  registered: number;
  registeredAttended: number;
  attendees: number;
  engagedAttendees: number;
  chatMessages: number;
  averageAttendedMs: number;
  scheduledMs: number;
}

/**
 * The session engagement score, 0–100, with its parts (each its weight × a 0–1 share):
 * attendance = registered learners who attended / registered (full when nobody registered and
 * someone came), engagement = attendees who chatted or reacted / attendees, chat = chat messages
 * per attendee (one each is full), retention = average attended time / scheduled length (full at
 * the whole session).
 */
export function liveScore(i: LiveScoreInputs) {
  const share = (n: number, d: number) => (d > 0 ? Math.min(1, n / d) : 0);
  const shares = {
    attendance: i.registered > 0 ? share(i.registeredAttended, i.registered) : i.attendees > 0 ? 1 : 0,
    engagement: share(i.engagedAttendees, i.attendees),
    chat: share(i.chatMessages, i.attendees),
    retention: share(i.averageAttendedMs, i.scheduledMs),
  };
  const parts = {
    attendance: shares.attendance * LIVE_SCORE_WEIGHTS.attendance,
    engagement: shares.engagement * LIVE_SCORE_WEIGHTS.engagement,
    chat: shares.chat * LIVE_SCORE_WEIGHTS.chat,
    retention: shares.retention * LIVE_SCORE_WEIGHTS.retention,
  };
  return { score: parts.attendance + parts.engagement + parts.chat + parts.retention, parts };
}

-- Projection: one learner in one live session. marks are their joins and leaves as
-- [[epoch ms, "join" | "leave", connectionId], …] sorted (domain/live/attendance.ts pairs them
-- into intervals at read time, against the clock); reactions count per kind.
CREATE TABLE live_attendance (
  session_id        text COLLATE "C" NOT NULL,
  user_id           text COLLATE "C" NOT NULL,
  marks             jsonb NOT NULL DEFAULT '[]',
  first_join_at     timestamptz,
  last_activity_at  timestamptz,
  chat_messages     integer NOT NULL DEFAULT 0,
  questions         integer NOT NULL DEFAULT 0,
  reactions         jsonb NOT NULL DEFAULT '{}',
  rating            smallint,
  comment           text,
  feedback_at       timestamptz,
  feedback_event    uuid,
  PRIMARY KEY (session_id, user_id)
) WITH (fillfactor = 80);
CREATE INDEX live_attendance_user_idx ON live_attendance (user_id);

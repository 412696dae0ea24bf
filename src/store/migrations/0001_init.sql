-- Catalog pushed by the host platform. Ids are the host's opaque strings, compared byte by
-- byte (COLLATE "C"): the same order on every server and engine, and the fastest comparison.
CREATE TABLE users (
  id            text COLLATE "C" PRIMARY KEY,
  display_name  text NOT NULL,
  email         text,
  timezone      text NOT NULL DEFAULT 'UTC',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE courses (
  id              text COLLATE "C" PRIMARY KEY,
  code            text,
  title           text NOT NULL,
  instructor_ids  text[] COLLATE "C" NOT NULL DEFAULT '{}',
  settings        jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Item ids are unique across courses: item-level endpoints (/items/{itemId}/...) name no course.
CREATE TABLE items (
  id                    text COLLATE "C" PRIMARY KEY,
  course_id             text COLLATE "C" NOT NULL,
  type                  text NOT NULL CHECK (type IN ('lesson', 'video', 'quiz', 'assignment', 'page')),
  title                 text NOT NULL,
  position              integer NOT NULL DEFAULT 0,
  duration_sec          double precision,
  completion_threshold  double precision,
  required_quiz_id      text COLLATE "C",
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_course_idx ON items (course_id, position, id);

CREATE TABLE enrollments (
  course_id   text COLLATE "C" NOT NULL,
  user_id     text COLLATE "C" NOT NULL,
  role        text NOT NULL CHECK (role IN ('student', 'instructor', 'ta')),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, user_id)
);
CREATE INDEX enrollments_user_idx ON enrollments (user_id);

CREATE TABLE live_sessions (
  id                 text COLLATE "C" PRIMARY KEY,
  course_id          text COLLATE "C",
  title              text NOT NULL,
  instructor_id      text COLLATE "C" NOT NULL,
  scheduled_start    timestamptz NOT NULL,
  scheduled_end      timestamptz NOT NULL,
  recording_item_id  text COLLATE "C",
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX live_sessions_instructor_idx ON live_sessions (instructor_id, scheduled_start);
CREATE INDEX live_sessions_course_idx ON live_sessions (course_id, scheduled_start);

CREATE TABLE live_session_registrations (
  session_id     text COLLATE "C" NOT NULL,
  user_id        text COLLATE "C" NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, user_id)
);
CREATE INDEX live_session_registrations_user_idx ON live_session_registrations (user_id);

-- The event log. A partitioned table cannot enforce uniqueness of id alone (the partition key
-- must be part of every unique index), so idempotency lives in event_ids, which spans the log.
CREATE TABLE event_ids (
  id           uuid PRIMARY KEY,
  received_at  timestamptz NOT NULL
);

CREATE SEQUENCE event_seq;

CREATE TABLE events (
  id                 uuid NOT NULL,
  seq                bigint NOT NULL DEFAULT nextval('event_seq'),
  type               text NOT NULL,
  occurred_at        timestamptz NOT NULL,
  received_at        timestamptz NOT NULL,
  user_id            text COLLATE "C" NOT NULL,
  course_id          text COLLATE "C",
  item_id            text COLLATE "C",
  live_session_id    text COLLATE "C",
  client_session_id  text COLLATE "C",
  device             jsonb,
  value              double precision,
  data               jsonb
) PARTITION BY RANGE (occurred_at);

-- Months without a partition of their own (far past, far future) land here.
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_user_idx ON events (user_id, occurred_at);

-- Which version of each projection the stored rows were built by; a bump triggers a rebuild.
CREATE TABLE projection_state (
  name        text PRIMARY KEY,
  version     integer NOT NULL,
  rebuilt_at  timestamptz NOT NULL DEFAULT now()
);

-- Projection: daily activity per (learner, course, learner's local day).
-- Milliseconds as integers so that sums are exact whatever the order of arrival.
CREATE TABLE daily_activity (
  user_id    text COLLATE "C" NOT NULL,
  course_id  text COLLATE "C" NOT NULL,
  day        date NOT NULL,
  active_ms  bigint NOT NULL DEFAULT 0,
  visits     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, course_id, day)
);
CREATE INDEX daily_activity_course_idx ON daily_activity (course_id, day);

-- Item progress keeps its two sources apart: what the learner's player or platform reported
-- (lesson_progress) and what the video engine measured (unique seconds watched). The engine's
-- part is replaced, not maximised: a late heartbeat can lower what a forged one claimed.
-- progress_pct and reached_at stay the combined figures every reader uses.
ALTER TABLE item_progress
  ADD COLUMN reported_pct        double precision NOT NULL DEFAULT 0,
  ADD COLUMN reported_reached_at timestamptz,
  ADD COLUMN video_pct           double precision,
  ADD COLUMN video_reached_at    timestamptz;

-- Projection: a learner's viewing of a video. Seconds are whole seconds of the video as
-- flattened [start, end) ranges. sessions = 0 marks a row created to be locked, not yet written.
CREATE TABLE video_viewers (
  item_id            text COLLATE "C" NOT NULL,
  user_id            text COLLATE "C" NOT NULL,
  course_id          text COLLATE "C",
  duration_sec       double precision NOT NULL DEFAULT 0,
  threshold          double precision NOT NULL DEFAULT 0,
  seconds            integer[] NOT NULL DEFAULT '{}',
  unique_sec         integer NOT NULL DEFAULT 0,
  played_sec         bigint NOT NULL DEFAULT 0,
  watched_pct        double precision NOT NULL DEFAULT 0,
  max_position_sec   double precision NOT NULL DEFAULT 0,
  last_position_sec  double precision NOT NULL DEFAULT 0,
  sessions           integer NOT NULL DEFAULT 0,
  first_at           timestamptz,
  last_at            timestamptz,
  completed_at       timestamptz,
  clipped_sec        double precision NOT NULL DEFAULT 0,
  device             jsonb,
  PRIMARY KEY (item_id, user_id)
) WITH (fillfactor = 80);
CREATE INDEX video_viewers_user_idx ON video_viewers (user_id);

-- One row per watch session; day is the UTC date the session started (date ranges select on it).
-- plays holds runs [start, end, count] of seconds played count times in the session.
CREATE TABLE video_sessions (
  item_id            text COLLATE "C" NOT NULL,
  user_id            text COLLATE "C" NOT NULL,
  number             integer NOT NULL,
  id                 uuid NOT NULL,
  day                date NOT NULL,
  started_at         timestamptz NOT NULL,
  last_at            timestamptz NOT NULL,
  last_event         uuid NOT NULL,
  last_position_sec  double precision NOT NULL,
  last_end_sec       double precision,
  seconds            integer[] NOT NULL,
  plays              integer[] NOT NULL,
  max_position_sec   double precision NOT NULL,
  ended              boolean NOT NULL,
  clipped_sec        double precision NOT NULL,
  PRIMARY KEY (item_id, user_id, number)
) WITH (fillfactor = 80);
CREATE INDEX video_sessions_day_idx ON video_sessions (item_id, day, user_id);

-- Per video, the sum of its viewers' contributions (domain/video/aggregate.ts), for all time
-- (day = 'infinity') and per UTC day of the watch sessions. Per-second arrays carry no
-- trailing zeros.
CREATE TABLE video_aggregates (
  item_id          text COLLATE "C" NOT NULL,
  day              date NOT NULL,
  viewers          integer NOT NULL DEFAULT 0,
  played_viewers   integer NOT NULL DEFAULT 0,
  views            integer NOT NULL DEFAULT 0,
  played_sec       bigint NOT NULL DEFAULT 0,
  unique_sec       bigint NOT NULL DEFAULT 0,
  pct_sum          bigint NOT NULL DEFAULT 0,
  completions      integer NOT NULL DEFAULT 0,
  replays          integer NOT NULL DEFAULT 0,
  unique_counts    integer[] NOT NULL DEFAULT '{}',
  play_counts      integer[] NOT NULL DEFAULT '{}',
  exits            integer[] NOT NULL DEFAULT '{}',
  completer_exits  integer[] NOT NULL DEFAULT '{}',
  stop_watched     integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (item_id, day)
);

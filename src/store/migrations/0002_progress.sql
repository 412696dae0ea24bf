-- Daily activity also counts every native learning event of the day (the basis of streaks) and
-- assessment submissions. Existing rows are rebuilt from the log (projection version bump).
ALTER TABLE daily_activity
  ADD COLUMN events integer NOT NULL DEFAULT 0,
  ADD COLUMN quiz_attempts integer NOT NULL DEFAULT 0;

-- Projection: progress per (learner, item). Rows exist once the learner did anything with the
-- item. course_id is the catalog item's course, else the event's; NULL until either is known.
-- completed_at is the earliest of: the threshold reached (at the threshold in force; a threshold
-- change in the catalog rebuilds the learners concerned), a passing attempt, a manual completion.
CREATE TABLE item_progress (
  user_id          text COLLATE "C" NOT NULL,
  item_id          text COLLATE "C" NOT NULL,
  course_id        text COLLATE "C",
  progress_pct     double precision NOT NULL DEFAULT 0,
  started_at       timestamptz NOT NULL,
  last_at          timestamptz NOT NULL,
  reached_at       timestamptz,
  passed_at        timestamptz,
  failed_attempts  integer NOT NULL DEFAULT 0,
  manual_at        timestamptz,
  completed_at     timestamptz,
  completed_how    text CHECK (completed_how IN ('threshold', 'passed', 'manual')),
  resume_sec       double precision,
  resume_at        timestamptz,
  resume_event     uuid,
  time_spent_ms    bigint NOT NULL DEFAULT 0,
  max_scroll       double precision,
  PRIMARY KEY (user_id, item_id)
) WITH (fillfactor = 80);
CREATE INDEX item_progress_item_idx ON item_progress (item_id);
CREATE INDEX item_progress_course_idx ON item_progress (course_id, item_id);
-- Assessments failed and not passed (yet): the at-risk rule reads only these.
CREATE INDEX item_progress_failing_idx ON item_progress (course_id) WHERE failed_attempts > 0 AND passed_at IS NULL;

-- Progress rows are rewritten on every batch that touches them: free space on each page lets
-- PostgreSQL update them in place (HOT) instead of adding index entries each time.
-- Projection: progress per (learner, course), kept in step with item_progress by the same
-- transaction. Percent sums are in hundredths of a point (integers) so they add up exactly.
CREATE TABLE course_progress (
  user_id            text COLLATE "C" NOT NULL,
  course_id          text COLLATE "C" NOT NULL,
  items_completed    integer NOT NULL DEFAULT 0,
  time_spent_ms      bigint NOT NULL DEFAULT 0,
  first_at           timestamptz NOT NULL,
  last_at            timestamptz NOT NULL,
  sessions           integer NOT NULL DEFAULT 0,
  videos_started     integer NOT NULL DEFAULT 0,
  video_pct_sum      bigint NOT NULL DEFAULT 0,
  scroll_items       integer NOT NULL DEFAULT 0,
  scroll_pct_sum     bigint NOT NULL DEFAULT 0,
  -- Visits and time on task of the latest 14 local days ({ anchor, visits[], activeMs[] }).
  recent             jsonb,
  PRIMARY KEY (user_id, course_id)
) WITH (fillfactor = 80);
CREATE INDEX course_progress_course_idx ON course_progress (course_id, user_id);

-- Learning sessions: a learner's activity in a course with no gap of 30 minutes or more.
CREATE TABLE learning_sessions (
  user_id    text COLLATE "C" NOT NULL,
  course_id  text COLLATE "C" NOT NULL,
  start_at   timestamptz NOT NULL,
  end_at     timestamptz NOT NULL,
  PRIMARY KEY (user_id, course_id, start_at)
);

-- Per item: learners who started it and who completed it, kept at ingest (the funnel). Course
-- views subtract the few rows of users who are not the course's learners.
CREATE TABLE item_stats (
  item_id    text COLLATE "C" PRIMARY KEY,
  started    integer NOT NULL DEFAULT 0,
  completed  integer NOT NULL DEFAULT 0
);

-- Per (course, local day): items completed, summed over everyone with progress in the course.
CREATE TABLE course_daily_completions (
  course_id        text COLLATE "C" NOT NULL,
  day              date NOT NULL,
  items_completed  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (course_id, day)
);

-- Items completed per (learner, course, local day of completion).
CREATE TABLE daily_completions (
  user_id          text COLLATE "C" NOT NULL,
  course_id        text COLLATE "C" NOT NULL,
  day              date NOT NULL,
  items_completed  integer NOT NULL DEFAULT 0,
  videos_completed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, course_id, day)
);

-- Per (course, local day): learners active, time on task, visits, summed over everyone with
-- activity in the course (kept by the daily-activity projection).
CREATE TABLE course_daily (
  course_id  text COLLATE "C" NOT NULL,
  day        date NOT NULL,
  learners   integer NOT NULL DEFAULT 0,
  active_ms  bigint NOT NULL DEFAULT 0,
  visits     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (course_id, day)
);

-- Projection: assessment attempts, one row per (learner, assessment, attemptId); a resent
-- attempt under another event id keeps the earliest submission.
CREATE TABLE assessment_attempts (
  user_id        text COLLATE "C" NOT NULL,
  item_id        text COLLATE "C" NOT NULL,
  attempt_id     text COLLATE "C" NOT NULL,
  course_id      text COLLATE "C",
  kind           text NOT NULL CHECK (kind IN ('quiz', 'assignment')),
  event_id       uuid NOT NULL,
  submitted_at   timestamptz NOT NULL,
  score          double precision NOT NULL,
  max_score      double precision NOT NULL,
  passed         boolean,
  time_spent_sec double precision,
  PRIMARY KEY (user_id, item_id, attempt_id)
);
CREATE INDEX assessment_attempts_course_idx ON assessment_attempts (course_id, user_id);
CREATE INDEX assessment_attempts_item_idx ON assessment_attempts (item_id);

-- Projection: certificates issued, one row per (learner, certificate id).
CREATE TABLE certificates (
  user_id         text COLLATE "C" NOT NULL,
  certificate_id  text COLLATE "C" NOT NULL,
  course_id       text COLLATE "C",
  event_id        uuid NOT NULL,
  issued_at       timestamptz NOT NULL,
  PRIMARY KEY (user_id, certificate_id)
);
CREATE INDEX certificates_course_idx ON certificates (course_id);

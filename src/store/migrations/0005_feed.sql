-- When a learner first reached half of an item: the feed's progress_update milestone. Like
-- completion, from either source: the reported percent or the video engine's seconds watched.
ALTER TABLE video_viewers ADD COLUMN half_at timestamptz;
ALTER TABLE item_progress
  ADD COLUMN reported_half_at timestamptz,
  ADD COLUMN video_half_at timestamptz;

-- The activity feed (SPEC §3): what the projections' states say happened, one row per milestone.
-- id is a hash of the milestone's identity (type, learner, item or session, attempt…), so a
-- rebuild finds the same rows; source groups the rows one state produces (a learner's item, a
-- learner's attempts on an assessment, a certificate, an attendance) so they are reconciled
-- together. seq is the order rows were committed (taken under the feed_sequence row lock, held
-- to commit): the stream's event ids, resumable without gaps. A row whose content changes (a
-- late event moves a completion earlier) gets a new seq, so subscribers see the revision.
CREATE TABLE feed_items (
  id           text COLLATE "C" PRIMARY KEY,
  source       text COLLATE "C" NOT NULL,
  producer     text NOT NULL,
  seq          bigint NOT NULL UNIQUE,
  type         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  user_id      text COLLATE "C" NOT NULL,
  course_id    text COLLATE "C",
  item_id      text COLLATE "C",
  session_id   text COLLATE "C",
  data         jsonb NOT NULL
);
CREATE INDEX feed_items_source_idx ON feed_items (source);
CREATE INDEX feed_items_time_idx ON feed_items (occurred_at DESC, id DESC);
CREATE INDEX feed_items_course_idx ON feed_items (course_id, occurred_at DESC, id DESC);
CREATE INDEX feed_items_user_idx ON feed_items (user_id, occurred_at DESC, id DESC);
CREATE INDEX feed_items_session_idx ON feed_items (session_id) WHERE session_id IS NOT NULL;

CREATE TABLE feed_sequence (
  id    smallint PRIMARY KEY CHECK (id = 1),
  last  bigint NOT NULL
);
INSERT INTO feed_sequence VALUES (1, 0);

-- The webhook's delivery position: the feed seq up to which milestone items were handled, and
-- the lease of the one server process delivering (any process takes over when it lapses).
CREATE TABLE webhook_cursor (
  id           smallint PRIMARY KEY CHECK (id = 1),
  last_seq     bigint NOT NULL,
  owner        text,
  lease_until  timestamptz NOT NULL DEFAULT '-infinity',
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The at-risk level last announced per learner and course: a check that finds another level
-- writes an `at_risk_changed` feed item. No row: not at risk.
CREATE TABLE at_risk_state (
  course_id   text COLLATE "C" NOT NULL,
  user_id     text COLLATE "C" NOT NULL,
  level       text NOT NULL,
  codes       text[] NOT NULL,
  changed_at  timestamptz NOT NULL,
  PRIMARY KEY (course_id, user_id)
);

-- A feed item that its state no longer implies (a completion undone by a raised threshold, a
-- lesson_completed that became a video_completed when the item was declared a video) is kept as
-- a removal: marked, with a new seq, so that a subscriber following the stream, or resuming
-- after an earlier seq, learns that it is gone. GET /feed lists only rows not removed.
ALTER TABLE feed_items ADD COLUMN removed boolean NOT NULL DEFAULT false;

/** A `heartbeat` without `activeSec` stands for this many seconds on task (SPEC §2). */
export const DEFAULT_HEARTBEAT_SEC = 30;

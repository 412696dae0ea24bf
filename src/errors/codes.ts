/**
 * Every error a caller can hit, with its HTTP status and default message. Codes are part of the
 * API contract: never rename one; `docs/errors.md` lists them and a test keeps the two in step.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  forbidden_json_key: {
    status: 400,
    message: 'The request body contains a forbidden key (__proto__ or constructor)',
  },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json' },
  body_too_large: { status: 413, message: 'The request body is larger than the limit' },
  too_many_events: { status: 413, message: 'Too many events in one request' },
  empty_batch: { status: 400, message: 'The request contains no events' },
  invalid_body: { status: 400, message: 'The request body does not have the expected shape' },
  validation_failed: { status: 400, message: 'The request is not valid' },
  unauthorized: { status: 401, message: 'Authentication is required' },
  invalid_token: { status: 401, message: 'The token is not valid' },
  token_expired: { status: 401, message: 'The token has expired' },
  forbidden: { status: 403, message: 'You may not access this resource' },
  event_user_mismatch: { status: 403, message: 'A learner token may only send events for its own user' },
  not_found: { status: 404, message: 'No such resource' },
  route_not_found: { status: 404, message: 'No such route' },
  item_course_mismatch: { status: 409, message: 'The item already belongs to another course' },
  quiz_required: { status: 422, message: 'Pass the required quiz before completing this item' },
  engagement_disabled: { status: 404, message: 'Engagement tracking is turned off for this course' },
  not_a_video: { status: 422, message: 'The item is not a video' },
  not_a_learner: { status: 403, message: 'This view is about the caller as a learner: use a user token' },
  invalid_cursor: { status: 400, message: 'The pagination cursor is not valid' },
  shutting_down: { status: 503, message: 'The server is shutting down; retry on another instance' },
  not_ready: { status: 503, message: 'The server is not ready' },
  internal_error: { status: 500, message: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes for single events refused inside an otherwise accepted batch
 * (`rejected: [{ index, code, message }]`). The batch itself still answers 200.
 */
export const EVENT_REJECTION_CODES = {
  invalid_event: 'The event is not a JSON object',
  missing_field: 'A required field is missing',
  invalid_field: 'A field has the wrong type or value',
  unknown_field: 'The event has a field that is not part of the schema',
  invalid_uuid: 'The id is not a UUID',
  invalid_timestamp: 'occurredAt is not a valid ISO 8601 date-time with a time zone',
  unknown_event_type: 'Unknown event type; custom types must start with "x-"',
  value_too_long: 'A string is longer than allowed',
  invalid_characters: 'A string contains a NUL character or an unpaired surrogate',
  invalid_data: 'The data object does not match the schema of this event type',
  invalid_segment: 'A video segment starts before 0 or ends before it starts',
  data_too_deep: 'data is nested too deeply',
  data_too_large: 'data is larger than allowed',
  missing_user: 'userId is required when the request is not made with a learner token',
  engagement_disabled: 'Engagement tracking is turned off for this course',
  quiz_required: 'Pass the required quiz before completing this item',
} as const;

export type EventRejectionCode = keyof typeof EVENT_REJECTION_CODES;

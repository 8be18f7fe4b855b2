-- The propagation fields (traceparent, tracestate, ...) of the trace that enqueued the message, as
-- name=value lines, so that its sends join that trace; copied to a fallback from its parent. NULL
-- when the enqueue was not traced: no default, no index, nothing written for untraced messages.
ALTER TABLE outbound_message ADD COLUMN trace_context text;

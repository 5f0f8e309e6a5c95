-- An operator's request to cancel an operation that is stuck: the next execution fails it for good and compensates.
alter table operations add column cancel_requested_at timestamp with time zone;

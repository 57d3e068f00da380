-- Every platform event, once. `seq` is the recording order: Query pages by it and Tail
-- subscribers are told of each new row by it (pg_notify 'audit_events').
create table audit_events (
  seq bigserial primary key,
  source text not null,
  id text not null,
  type text not null,
  subject text not null default '',
  -- The event's `time`; the recording time when the producer gave none.
  time timestamptz not null,
  actor text not null default '',
  trace_id text not null default '',
  data jsonb not null,
  record_time timestamptz not null default now(),
  -- CloudEvents identity; the runtime's inbox already deduplicates, this is the second guard.
  constraint audit_events_source_id_key unique (source, id)
);

-- `type like 'prefix%'` whatever the database collation.
create index audit_events_type_idx on audit_events (type text_pattern_ops);
create index audit_events_subject_idx on audit_events (subject);
create index audit_events_time_idx on audit_events (time);

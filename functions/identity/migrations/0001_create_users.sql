-- Users of the platform. Ids are UUIDv7 (time-ordered), so ordering by id is creation order.
create table users (
  id uuid primary key,
  email text not null,
  display_name text not null,
  password_hash text not null,
  create_time timestamptz not null default now(),
  update_time timestamptz not null default now(),
  constraint users_email_key unique (email),
  constraint users_email_normalised check (email = lower(btrim(email)))
);

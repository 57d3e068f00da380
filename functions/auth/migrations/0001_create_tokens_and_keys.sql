-- Refresh tokens: only their sha256 is stored. Each login starts a family; every Refresh marks the
-- presented token used and adds its successor to the family; presenting a used token revokes it.
create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  family_id uuid not null default gen_random_uuid(),
  user_id text not null,
  token_hash bytea not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  constraint refresh_tokens_token_hash_key unique (token_hash),
  constraint refresh_tokens_token_hash_length check (octet_length(token_hash) = 32)
);

create index refresh_tokens_family_id_idx on refresh_tokens (family_id);

-- Ed25519 keys generated in dev and tests, when no AUTH_SIGNING_KEYS(_FILE) is configured. The
-- key without retired_at signs; retired keys keep verifying until their tokens have expired.
create table signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

-- At most one signing key: instances starting together insert "on conflict do nothing" and agree.
create unique index signing_keys_one_active_idx on signing_keys ((true)) where retired_at is null;

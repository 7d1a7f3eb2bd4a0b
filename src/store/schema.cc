// The store's schema as an ordered list of migrations; PRAGMA user_version counts the applied
// ones. Append new steps, never edit a released one. Constant data: thread-safe.
#include <array>

#include "store/sqlite_util.h"

namespace sbx::sql {

namespace {

// v1: apps, sandboxes (with their tags), processes exec'd into them, secrets.
constexpr const char kV1[] = R"sql(
CREATE TABLE apps (
  id         TEXT PRIMARY KEY,
  name       TEXT UNIQUE NOT NULL,
  created_at REAL
);

CREATE TABLE sandboxes (
  id             TEXT PRIMARY KEY,
  app_id         TEXT NOT NULL REFERENCES apps(id),
  name           TEXT,
  state          TEXT NOT NULL CHECK (state IN ('creating', 'running', 'ended')),
  spec_json      TEXT NOT NULL,
  created_at     REAL,
  ended_at       REAL,
  returncode     INTEGER,
  end_reason     TEXT,
  supervisor_pid INTEGER
);
-- At most one creating/running sandbox per name and app, even under races.
CREATE UNIQUE INDEX sandboxes_live_name ON sandboxes(app_id, name)
  WHERE name IS NOT NULL AND state != 'ended';
CREATE INDEX sandboxes_by_state ON sandboxes(state, created_at);
CREATE INDEX sandboxes_by_app ON sandboxes(app_id, created_at);
CREATE INDEX sandboxes_by_name ON sandboxes(app_id, name, created_at) WHERE name IS NOT NULL;

CREATE TABLE sandbox_tags (
  sandbox_id TEXT NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (sandbox_id, key)
);
CREATE INDEX sandbox_tags_by_pair ON sandbox_tags(key, value);

CREATE TABLE processes (
  id         TEXT PRIMARY KEY,
  sandbox_id TEXT NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  argv_json  TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('running', 'ended')),
  started_at REAL,
  ended_at   REAL,
  returncode INTEGER,
  end_reason TEXT,
  detached   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX processes_by_sandbox ON processes(sandbox_id, started_at);

CREATE TABLE secrets (
  name       TEXT PRIMARY KEY,
  created_at REAL
);
-- A secret's pairs, in the order they were given.
CREATE TABLE secret_entries (
  secret_name TEXT NOT NULL REFERENCES secrets(name) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (secret_name, position)
);
)sql";

// v2: facts a running sandbox's supervisor records (tunnels, limits backend, usage), as one JSON
// object whose keys each writer owns.
constexpr const char kV2[] = R"sql(
ALTER TABLE sandboxes ADD COLUMN runtime_json TEXT NOT NULL DEFAULT '{}';
)sql";

// v3: images. An image is a base plus a stack of layers kept on disk (images/layers/ID); a row
// names the top layer and the image's defaults (config_json: {"env": [[k, v]...], "workdir"}).
constexpr const char kV3[] = R"sql(
CREATE TABLE images (
  id          TEXT PRIMARY KEY,
  name        TEXT UNIQUE,
  base        TEXT NOT NULL,
  base_id     TEXT NOT NULL,
  base_dir    TEXT NOT NULL,
  top_layer   TEXT NOT NULL,
  config_json TEXT NOT NULL,
  spec_json   TEXT NOT NULL,
  created_at  REAL
);
)sql";

constexpr std::array<const char*, 3> kMigrations = {kV1, kV2, kV3};

}  // namespace

std::span<const char* const> store_migrations() { return kMigrations; }

}  // namespace sbx::sql

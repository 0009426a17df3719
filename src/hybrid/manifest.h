/* The application manifest (app.toml, docs/app-manifest.md): services with their
 * WebAssembly and container variants, the interactions between them, their profiles and
 * constraints, and optional nodes. Read with src/util/toml; every mistake is one error
 * "FILE:LINE:COL: message", contradictory constraints included. The manifest also gives
 * the planner its input (manifest.app, a plan_app). */
#ifndef WELD_HYBRID_MANIFEST_H
#define WELD_HYBRID_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"
#include "util/toml.h"
#include "util/util.h"

typedef struct manifest_env {
  const char *name, *value;
} manifest_env;

typedef struct manifest_wasm {
  bool present;
  const char *module;    /* a core module file, */
  const char *component; /* or a component file, */
  const char *package;   /* or a package reference; exactly one */
  const char *policy;    /* policy file (docs/policy.md), or NULL */
  uint64_t max_memory;   /* bytes, 0 = the policy's */
  uint64_t fuel;         /* 0 = unlimited */
  uint64_t timeout_ns;   /* 0 = none */
  uint32_t listen;       /* a loopback TCP port the executor opens and hands in, 0 = none */
  uint32_t instances;    /* instances sharing the compiled module (default 1) */
  const char **args;     /* the guest's arguments after argv[0] */
  size_t nargs;
  struct manifest_env *env;
  size_t nenv;
  plan_src src;
} manifest_wasm;


typedef struct manifest_port {
  uint32_t host, container; /* "8080:80", or 80 (host = container) */
} manifest_port;

typedef struct manifest_mount {
  const char *source, *target;
  bool readonly;
} manifest_mount;

typedef struct manifest_container {
  bool present;
  const char *image;  /* an image reference in a registry, */
  const char *layout; /* or an OCI layout directory ("DIR" or "DIR:TAG"); exactly one */
  const char **command;
  size_t ncommand;
  manifest_env *env;
  size_t nenv;
  manifest_port *ports;
  size_t nports;
  manifest_mount *mounts;
  size_t nmounts;
  double cpus;     /* 0 = no limit */
  uint64_t memory; /* bytes, 0 = no limit */
  bool read_only;  /* read-only root file system */
  plan_src src;
} manifest_container;

typedef enum { MANIFEST_RESTART_NO, MANIFEST_RESTART_ON_FAILURE, MANIFEST_RESTART_ALWAYS } manifest_restart;

typedef struct manifest_service {
  const char *name;
  manifest_restart restart; /* what the executor does when the service stops */
  int tech;          /* -1 ("auto": the planner decides) or a plan_tech */
  int must;          /* -1 or a plan_tech */
  manifest_wasm wasm;
  manifest_container container;
  plan_profile prof;
  plan_src src, tech_src, must_src;
} manifest_service;

typedef struct manifest {
  toml_doc doc; /* the strings point into it */
  util_arena arena;
  const char *filename;
  const char *name; /* the application's, or NULL */
  int tier;         /* -1 (the engine's default) or the weld_tier of the WebAssembly services */
  plan_src tier_src;
  manifest_service *services;
  size_t nservices;
  plan_app app; /* the planner's view: services, interactions, relations, nodes */
} manifest;

/* Reads a manifest (filename for messages). On failure err says where and why, kind
 * UTIL_ERR_INVALID for constraints that cannot all hold ("infeasible constraints: " and
 * the chain), UTIL_ERR_USAGE for every other mistake, UTIL_ERR_IO or UTIL_ERR_OOM; m then
 * holds nothing to free. */
bool manifest_parse(manifest *m, const char *text, size_t len, const char *filename, util_error *err);
bool manifest_load(manifest *m, const char *path, util_error *err);
void manifest_free(manifest *m);

/* A chain of constraints (plan_step, from the planner or the load-time check) in words:
 * "'a' must be wasm (5:8), 'a' same_as 'b' (9:11), ..." */
const char *manifest_chain_format(const plan_app *app, const plan_step *chain, size_t n, char *buf, size_t cap);
/* Why service i is forced, in words ("constraints.must = \"wasm\" at 5:8"), or NULL. */
const char *manifest_force_format(const plan_app *app, uint32_t i, char *buf, size_t cap);

#endif

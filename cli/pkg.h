/* `weld pkg`: what cli/pkg.c and cli/pkg_publish.c share. */
#ifndef WELD_CLI_PKG_H
#define WELD_CLI_PKG_H

#include "cli.h"
#include "pkg/install.h"
#include "pkg/registry.h"

typedef struct pkg_cli {
  const char *sub;      /* "install", ... */
  const char *registry; /* --registry */
  const char *project;  /* --project, default "." */
  bool json, locked, undo, optional, no_default_features;
  const char *features; /* comma-separated */
  const char *lang, *dir;
  const char *sign;             /* publish --sign KEYFILE */
  const char **trusted_keys;    /* install --trusted-key FILE (repeatable) */
  int ntrusted_keys;
  bool require_signatures;      /* install --require-signatures */
  const char *policy;           /* install --policy FILE: every package audited against it */
  const char **operands;
  int noperands;
} pkg_cli;

/* The configuration file's [pkg] table (docs/packages.md). */
typedef struct pkg_config {
  char path[4096]; /* the file read ("" when there is none) */
  char registry[4096];
  size_t chunk;
  char **trusted_keys; /* resolved against the file's directory */
  size_t ntrusted;
  bool require_signatures;
} pkg_config;
bool pkg_read_config(pkg_config *cfg, util_error *err);
void pkg_config_free(pkg_config *cfg);

/* Prints "weld: pkg SUB: message" and returns 1. */
int pkg_fail(const pkg_cli *c, const util_error *err);
/* Opens the registry the options, the environment or the configuration name. */
bool pkg_open_registry(const pkg_cli *c, pkg_registry *reg, util_error *err);
/* Splits "a,b" into a malloc'd array of pointers into a malloc'd copy. */
const char **pkg_split_features(const char *s, size_t *n, char **copy);

int pkg_cmd_install(const pkg_cli *c);
int pkg_cmd_publish(const pkg_cli *c);
int pkg_cmd_yank(const pkg_cli *c);
int pkg_cmd_search(const pkg_cli *c);
int pkg_cmd_verify(const pkg_cli *c);
int pkg_cmd_keygen(const pkg_cli *c);
int pkg_cmd_build(const pkg_cli *c);
int pkg_cmd_run(const pkg_cli *c);
/* The release ref (NAME@VERSION) and its dependencies, from the configured registry (the
 * configuration, then WELD_REGISTRY) under the configuration's trust settings, composed into
 * one component written to out_path: what `weld up` runs for a `package` service. */
bool pkg_fetch_release(const char *ref, const char *out_path, util_error *err);
/* The trusted keys (configuration and --trusted-key) and whether signatures are required. */
bool pkg_cli_trust(const pkg_cli *c, pkg_pubkey **trusted, size_t *ntrusted, bool *require, util_error *err);

#endif

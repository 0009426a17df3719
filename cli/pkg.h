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
  const char **operands;
  int noperands;
} pkg_cli;

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

#endif

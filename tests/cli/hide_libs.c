/* An rtld-audit module (LD_AUDIT, see rtld-audit(7)) that makes the dynamic loader find
 * none of the libraries weld opens on first use: la_objsearch refuses their names, so
 * dlopen fails exactly as on a system without them ("cannot open shared object file").
 * tests/cli/cli_test.sh checks with it that each feature then fails with a one-line error
 * naming its library and that everything else still works. */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <string.h>

static const char *const hidden[] = {"libcurl.so.4", "libmicrohttpd.so.12", "libarchive.so.13", "libsqlite3.so.0",
                                     "libsodium.so.23"};

unsigned int la_version(unsigned int version) { return version; }

char *la_objsearch(const char *name, uintptr_t *cookie, unsigned int flag) {
  (void)cookie, (void)flag;
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  for (size_t i = 0; i < sizeof hidden / sizeof *hidden; i++)
    if (strcmp(base, hidden[i]) == 0) return NULL;
  return (char *)name;
}

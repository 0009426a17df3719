/* util_build_id against binutils' readelf: the GNU build ID of the running test binary
 * (the notes readelf -n lists for /proc/self/exe). Skipped where readelf is missing or the
 * binary has no build ID. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util/util.h"

UNIT_GROUP(build_id) {
  const char *id = util_build_id();
  CHECK(id && *id);
  CHECK(util_build_id() == id); /* computed once */
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = 0;
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "readelf -n '%s' 2>/dev/null", self);
  FILE *p = popen(cmd, "r");
  if (!p) return;
  char line[512], want[160] = "";
  while (fgets(line, sizeof line, p))
    if (sscanf(line, " Build ID: %159s", want) == 1) break;
  pclose(p);
  if (!want[0]) return; /* no readelf, or no note: nothing to compare with */
  CHECK_STR(id, want);
}

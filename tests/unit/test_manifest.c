/* src/hybrid/manifest.c: a full manifest read back field by field, and every kind of
 * mistake reported once at its FILE:LINE:COL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybrid/manifest.h"
#include "unit.h"

#define SVC(name) "[[service]]\nname = \"" name "\"\nwasm = { module = \"" name ".wasm\" }\n"

UNIT_GROUP(manifest_good) {
  const char *t = "name = \"app\"\n"
                  "tier = \"baseline\"\n"
                  "[[service]]\n"
                  "name = \"a\"\n"
                  "tech = \"auto\"\n"
                  "[service.wasm]\n"
                  "component = \"a.wasm\"\n"
                  "policy = \"a.toml\"\n"
                  "max_memory = \"64MiB\"\n"
                  "fuel = 1_000\n"
                  "timeout = \"2s\"\n"
                  "[service.container]\n"
                  "image = \"localhost:5000/a:1\"\n"
                  "command = [\"/a\", \"-v\"]\n"
                  "env = { K = \"v\", L = \"w\" }\n"
                  "ports = [8080, \"9000:90\"]\n"
                  "mounts = [{ source = \"./d\", target = \"/d\", readonly = true }]\n"
                  "cpus = 1.5\n"
                  "memory = 268435456\n"
                  "read_only = true\n"
                  "[service.profile]\n"
                  "cpu = 0.25\n"
                  "memory = \"1GiB\"\n"
                  "io = 1\n"
                  "starts_per_hour = 120\n"
                  "security = 0.75\n"
                  "[service.constraints]\n"
                  "same_as = [\"b\"]\n"
                  "different_from = [\"c\"]\n"
                  "[[service]]\n"
                  "name = \"b\"\n"
                  "tech = \"container\"\n"
                  "restart = \"on-failure\"\n"
                  "container = { layout = \"oci:tag\" }\n"
                  "[[service]]\n"
                  "name = \"c\"\n"
                  "[service.wasm]\n"
                  "module = \"c.wasm\"\n"
                  "listen = 8081\n"
                  "instances = 4\n"
                  "args = [\"x\", \"y\"]\n"
                  "env = { E = \"1\" }\n"
                  "[[interaction]]\n"
                  "from = \"a\"\n"
                  "to = \"c\"\n"
                  "kind = \"pipe\"\n"
                  "calls_per_second = 10\n"
                  "bytes_per_call = 100\n"
                  "bytes_per_second = 5e3\n"
                  "[[node]]\n"
                  "name = \"n1\"\n"
                  "cpus = 4\n"
                  "memory = \"8GiB\"\n";
  manifest m;
  util_error err;
  bool ok = manifest_parse(&m, t, strlen(t), "app.toml", &err);
  if (!unit_check(ok, __FILE__, __LINE__, "%s", err.msg)) return;
  CHECK_STR(m.name, "app");
  CHECK(m.tier == 1 && m.tier_src.line == 2 && m.tier_src.col == 8); /* WELD_TIER_BASELINE */
  CHECK_EQ_U64(m.nservices, 3);
  const manifest_service *a = &m.services[0];
  CHECK(a->tech == -1 && a->wasm.present && a->container.present);
  CHECK_STR(a->wasm.component, "a.wasm");
  CHECK_STR(a->wasm.policy, "a.toml");
  CHECK_EQ_U64(a->wasm.max_memory, 64u << 20);
  CHECK_EQ_U64(a->wasm.fuel, 1000);
  CHECK_EQ_U64(a->wasm.timeout_ns, 2000000000u);
  CHECK_STR(a->container.image, "localhost:5000/a:1");
  CHECK(a->container.ncommand == 2 && strcmp(a->container.command[1], "-v") == 0);
  CHECK(a->container.nenv == 2 && strcmp(a->container.env[1].name, "L") == 0 && strcmp(a->container.env[1].value, "w") == 0);
  CHECK(a->container.nports == 2 && a->container.ports[0].host == 8080 && a->container.ports[1].host == 9000 &&
        a->container.ports[1].container == 90);
  CHECK(a->container.nmounts == 1 && a->container.mounts[0].readonly && strcmp(a->container.mounts[0].target, "/d") == 0);
  CHECK(a->container.cpus == 1.5 && a->container.memory == 268435456u && a->container.read_only);
  CHECK(a->prof.cpu == 0.25 && a->prof.memory_mib == 1024 && a->prof.io == 1 && a->prof.starts_per_hour == 120 &&
        a->prof.security == 0.75);
  CHECK(m.app.nrelations == 2 && m.app.relations[0].same && m.app.relations[0].b == 1 && !m.app.relations[1].same &&
        m.app.relations[1].b == 2);
  CHECK(m.app.services[0].forced_tech == -1 && m.app.services[0].cpus == 1.5);
  CHECK(m.app.services[1].forced_tech == PLAN_CONTAINER && m.app.services[1].force == PLAN_FORCE_FIXED);
  CHECK(m.app.services[2].forced_tech == PLAN_WASM && m.app.services[2].force == PLAN_FORCE_VARIANT);
  CHECK(m.app.ninteractions == 1 && m.app.interactions[0].kind == PLAN_PIPE &&
        m.app.interactions[0].calls_per_s == 10 && m.app.interactions[0].bytes_per_s == 6000);
  CHECK(m.app.nnodes == 1 && m.app.nodes[0].cpus == 4 && m.app.nodes[0].memory_mib == 8192);
  const manifest_service *b = &m.services[1], *c = &m.services[2];
  CHECK(m.services[0].restart == MANIFEST_RESTART_NO && b->restart == MANIFEST_RESTART_ON_FAILURE);
  CHECK(m.services[0].wasm.instances == 1 && m.services[0].wasm.listen == 0);
  CHECK(c->wasm.listen == 8081 && c->wasm.instances == 4 && c->wasm.nargs == 2 && strcmp(c->wasm.args[1], "y") == 0);
  CHECK(c->wasm.nenv == 1 && strcmp(c->wasm.env[0].name, "E") == 0 && strcmp(c->wasm.env[0].value, "1") == 0);
  manifest_free(&m);
}

static void bad(const char *text, int line, int col, const char *msg, util_err_kind kind, int srcline) {
  manifest m;
  util_error err;
  char want[64];
  snprintf(want, sizeof want, "m.toml:%d:%d: ", line, col);
  bool ok = manifest_parse(&m, text, strlen(text), "m.toml", &err);
  if (ok) manifest_free(&m);
  unit_check(!ok && strncmp(err.msg, want, strlen(want)) == 0 && strstr(err.msg, msg) && err.kind == kind &&
                 !strchr(err.msg, '\n'),
             "tests/unit/test_manifest.c", srcline, "want '%s...%s', got '%s'", want, msg, ok ? "(accepted)" : err.msg);
}
#define BAD(text, line, col, msg) bad(text, line, col, msg, UTIL_ERR_USAGE, __LINE__)
#define INFEASIBLE(text, line, col, msg) bad(text, line, col, msg, UTIL_ERR_INVALID, __LINE__)

UNIT_GROUP(manifest_errors) {
  /* the TOML layer, and where floats are fine */
  BAD("name = \"x\"\nname = \"y\"\n", 2, 1, "duplicate key 'name'");
  BAD("name = 1979-05-27\n", 1, 8, "dates and times are not supported in manifests");
  BAD("", 1, 1, "no [[service]]");
  /* unknown keys at every level */
  BAD("nmae = 1\n", 1, 1, "unknown key 'nmae' in the manifest");
  BAD("tier = \"fast\"\n" SVC("a"), 1, 8, "tier must be \"interp\", \"baseline\", \"auto\" or \"optimized\"");
  BAD("tier = 1\n" SVC("a"), 1, 8, "tier");
  BAD(SVC("a") "teck = \"wasm\"\n", 4, 1, "unknown key 'teck' in [[service]]");
  BAD("[[service]]\nname = \"a\"\n[service.wasm]\nmodul = \"a.wasm\"\n", 4, 1, "unknown key 'modul' in a wasm variant");
  BAD("[[service]]\nname = \"a\"\n[service.container]\nimage = \"i\"\ncpu = 1\n", 5, 1, "unknown key 'cpu' in a container variant");
  BAD(SVC("a") "[service.profile]\ncpus = 1\n", 5, 1, "unknown key 'cpus' in [service.profile]");
  BAD(SVC("a") "[service.constraints]\nmust_be = \"wasm\"\n", 5, 1, "unknown key 'must_be'");
  BAD(SVC("a") SVC("b") "[[interaction]]\nfrom = \"a\"\nto = \"b\"\ncalls = 1\n", 10, 1, "unknown key 'calls' in [[interaction]]");
  BAD(SVC("a") "[[node]]\nname = \"n\"\ncpus = 1\nmemory = 1\ndisk = 1\n", 8, 1, "unknown key 'disk' in [[node]]");
  BAD("[[service]]\nname = \"a\"\n[service.container]\nimage = \"i\"\nmounts = [{ source = \"s\", target = \"/t\", ro = true }]\n",
      5, 42, "unknown key 'ro' in a mount");
  /* names */
  BAD("[[service]]\nwasm = { module = \"m\" }\n", 1, 1, "a service needs a name");
  BAD(SVC("a") SVC("a"), 5, 8, "a service named 'a' is already declared");
  BAD(SVC("a") SVC("b") "[[interaction]]\nfrom = \"a\"\nto = \"c\"\ncalls_per_second = 1\n", 9, 6, "to: no service named 'c'");
  BAD(SVC("a") "[service.constraints]\nsame_as = [\"b\"]\n", 5, 12, "same_as: no service named 'b'");
  BAD(SVC("a") SVC("b") "[service.constraints]\ndifferent_from = [\"a\", \"zz\"]\n", 8, 24, "different_from: no service named 'zz'");
  BAD(SVC("a") "[service.constraints]\nsame_as = [\"a\"]\n", 5, 12, "same_as names the service itself");
  BAD(SVC("a") "[[interaction]]\nfrom = \"a\"\nto = \"a\"\ncalls_per_second = 1\n", 5, 8, "from a service to itself");
  /* variants */
  BAD("[[service]]\nname = \"a\"\n", 1, 1, "service 'a' has no variant");
  BAD("[[service]]\nname = \"a\"\nwasm = { module = \"m\", package = \"p\" }\n", 3, 24, "one of module, component or package");
  BAD("[[service]]\nname = \"a\"\nwasm = { policy = \"p\" }\n", 3, 8, "needs module, component or package");
  BAD("[[service]]\nname = \"a\"\ncontainer = { image = \"i\", layout = \"l\" }\n", 3, 28, "an image or a layout, not both");
  BAD("[[service]]\nname = \"a\"\ncontainer = { image = \"i\", ports = [70000] }\n", 3, 37, "a port must be from 1 to 65535");
  BAD("[[service]]\nname = \"a\"\ncontainer = { image = \"i\", ports = [\"80:\"] }\n", 3, 37, "HOST:CONTAINER");
  BAD("[[service]]\nname = \"a\"\ncontainer = { image = \"i\", mounts = [{ source = \"s\", target = \"t\" }] }\n", 3, 63, "absolute path");
  BAD("[[service]]\nname = \"a\"\ncontainer = { image = \"i\", command = [] }\n", 3, 38, "command must not be empty");
  BAD("[[service]]\nname = \"a\"\ntech = \"container\"\nwasm = { module = \"m\" }\n", 3, 8, "has no container variant");
  BAD(SVC("a") "tech = \"vm\"\n", 4, 8, "tech is \"wasm\", \"container\" or \"auto\"");
  BAD(SVC("a") "wasm.timeout = \"soon\"\n", 4, 1, "key 'wasm' is already defined");
  BAD("[[service]]\nname = \"a\"\nwasm = { module = \"m\", timeout = \"soon\" }\n", 3, 34, "timeout:");
  BAD("[[service]]\nname = \"a\"\nwasm = { module = \"m\", listen = 0 }\n", 3, 33, "listen must be a port from 1 to 65535");
  BAD("[[service]]\nname = \"a\"\nwasm = { module = \"m\", instances = 999 }\n", 3, 36, "instances must be from 1 to 256");
  BAD("[[service]]\nname = \"a\"\nwasm = { module = \"m\", args = [1] }\n", 3, 32, "an argument must be");
  BAD(SVC("a") "restart = \"sometimes\"\n", 4, 11, "restart is \"no\", \"on-failure\" or \"always\"");
  /* numbers */
  BAD(SVC("a") "[service.profile]\ncpu = 1.5\n", 5, 7, "cpu must be a number from 0 to 1");
  BAD(SVC("a") "[service.profile]\nio = -0.1\n", 5, 6, "io must be a number from 0 to 1");
  BAD(SVC("a") "[service.profile]\nsecurity = \"high\"\n", 5, 12, "security must be a number, not a string");
  BAD(SVC("a") "[service.profile]\nstarts_per_hour = nan\n", 5, 19, "starts_per_hour must be a number");
  BAD(SVC("a") "[service.profile]\nmemory = \"12 parsecs\"\n", 5, 10, "memory:");
  BAD(SVC("a") "[service.profile]\ncpu = 0.\n", 5, 7, "digits after '.'");
  BAD(SVC("a") SVC("b") "[[interaction]]\nfrom = \"a\"\nto = \"b\"\ncalls_per_second = -1\n", 10, 20, "from 0 to");
  BAD(SVC("a") SVC("b") "[[interaction]]\nfrom = \"a\"\nto = \"b\"\n", 7, 1, "needs calls_per_second or bytes_per_second");
  BAD(SVC("a") SVC("b") "[[interaction]]\nfrom = \"a\"\nto = \"b\"\nkind = \"udp\"\ncalls_per_second = 1\n", 10, 8, "kind is");
  BAD(SVC("a") "[[node]]\nname = \"n\"\ncpus = 1\n", 4, 1, "a node needs name, cpus and memory");
  BAD(SVC("a") "[[node]]\nname = \"n\"\ncpus = 1\nmemory = 1\n[[node]]\nname = \"n\"\ncpus = 1\nmemory = 1\n", 9, 8,
      "a node named 'n' is already declared");
  /* constraints that cannot all hold, found at load time, with their chain */
  INFEASIBLE(SVC("a") "tech = \"wasm\"\nconstraints = { must = \"container\" }\n", 5, 24,
             "service 'a' must be container but its tech is fixed to wasm (4:8)");
  INFEASIBLE(SVC("a") "constraints = { must = \"container\" }\n", 4, 24, "must be container but has no container variant");
  INFEASIBLE("[[service]]\nname = \"a\"\ncontainer = { image = \"i\" }\n" SVC("b") "constraints = { same_as = [\"a\"] }\n",
             7, 28,
             "infeasible constraints: 'a' is container: only a container variant is declared (3:13), 'b' same_as 'a' "
             "(7:28), 'b' is wasm: only a wasm variant is declared (6:8)");
  /* an odd cycle: a same_as b, b different_from c, c same_as a */
  INFEASIBLE("[[service]]\nname = \"a\"\nwasm = { module = \"m\" }\ncontainer = { image = \"i\" }\n"
             "constraints = { same_as = [\"b\"] }\n"
             "[[service]]\nname = \"b\"\nwasm = { module = \"m\" }\ncontainer = { image = \"i\" }\n"
             "constraints = { different_from = [\"c\"] }\n"
             "[[service]]\nname = \"c\"\nwasm = { module = \"m\" }\ncontainer = { image = \"i\" }\n"
             "constraints = { same_as = [\"a\"] }\n",
             10, 35, "'c' same_as 'a' (15:28), 'a' same_as 'b' (5:28), 'b' different_from 'c' (10:35)");
}

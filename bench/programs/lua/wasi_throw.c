/* The WASI build's LUAI_THROW (see wasi_shim.h): report the error and stop, since the
 * stack cannot be unwound to the protected call that would have caught it. */
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"

_Noreturn void bench_lua_throw(lua_State *L, int status) {
  const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  if (status == LUA_YIELD) msg = "coroutine yield (needs stack unwinding)";
  fprintf(stderr, "lua: unrecoverable error in the WASI build (status %d): %s\n", status,
          msg ? msg : "(error object is not a string)");
  fflush(stderr);
  exit(70);
}

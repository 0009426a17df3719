/* Force-included (-include) into every Lua source file for the wasm32-wasi build.
 *
 * Error unwinding: Lua raises errors with longjmp (LUAI_THROW) back to the nearest
 * protected call (LUAI_TRY). WASI preview1 without the exception-handling proposal has
 * no way to unwind the WebAssembly stack, so this build cannot recover from a Lua error:
 * LUAI_TRY just runs its body and LUAI_THROW ends the program with the error message
 * and exit status 70. Programs that raise no error (and do not yield from coroutines,
 * which Lua 5.4 also implements with a throw) run exactly as they do natively; the
 * benchmark scripts are written that way and their output is checked against the native
 * build, so a script that did hit an error would fail the benchmark, not pass silently. */
#include <stdio.h>
#include <stdlib.h>

struct lua_State;
_Noreturn void bench_lua_throw(struct lua_State *L, int status);
#define LUAI_THROW(L, c) bench_lua_throw(L, (c)->status)
#define LUAI_TRY(L, c, a) \
  { a }
#define luai_jmpbuf int

/* No temporary files and no subprocesses under WASI: io.tmpfile, os.tmpname and
 * os.execute report failure the way Lua reports any failed call. */
#define tmpfile() ((FILE *)0)
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) \
  {                      \
    (b)[0] = 0;          \
    e = 1;               \
  }
#define system(cmd) ((cmd) ? -1 : 0)

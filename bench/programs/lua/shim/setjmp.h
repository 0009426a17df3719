/* Stand-in for <setjmp.h> in the WASI build of Lua. wasi-libc (Debian 12) has no
 * setjmp/longjmp: WebAssembly cannot save and restore the call stack without the
 * exception-handling proposal. Lua only needs them to unwind on errors, and
 * wasi_shim.h replaces that unwinding (see there), so nothing from here is used. */

/* For wasm-interp, which can call exports but cannot pass them arguments: an export
 * with no parameters that calls run(BENCH_N), N fixed at build time. */
#include "kernel.h"

__attribute__((export_name("bench_main"))) int bench_main(void) { return run(BENCH_N); }

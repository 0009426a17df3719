/* Recursive Fibonacci: call and return cost, nothing else. */
#include "kernel.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int run(int n) { return KERNEL_RESULT(fib(kernel_opaque((uint32_t)n))); }

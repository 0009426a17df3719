/* The workload of bench/efficiency.sh: one small service, the same source for every way
 * of running it. work(n) mixes a constant table (a data segment in WebAssembly, so
 * pooled instances share it through the module's memory image) into a state array it
 * writes (its own pages), n rounds.
 *
 *   native, runc:     cc -O2 -static service.c           ./service N [wait]
 *   weld run, Node:   clang --target=wasm32-wasi          (the same main, through WASI)
 *   pooled instances: clang --target=wasm32 -DBARE        (only `work`, no imports)
 *
 * main prints work(N) and, with "wait", then reads its standard input to the end, so the
 * benchmark can measure a live instance's memory before letting it go. */
#include <stdint.h>

static const uint32_t table[1024] = {
#define R4(x) (x) * 2654435761u, ((x) + 1) * 2654435761u, ((x) + 2) * 2654435761u, ((x) + 3) * 2654435761u
#define R16(x) R4(x), R4((x) + 4), R4((x) + 8), R4((x) + 12)
#define R64(x) R16(x), R16((x) + 16), R16((x) + 32), R16((x) + 48)
#define R256(x) R64(x), R64((x) + 64), R64((x) + 128), R64((x) + 192)
    R256(0), R256(256), R256(512), R256(768)};
static uint32_t state[256];

__attribute__((visibility("default"))) uint32_t work(uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t r = 0; r < n; r++) {
    for (uint32_t i = 0; i < 256; i++) {
      h = (h ^ table[(h + i) & 1023]) * 16777619u;
      state[i] += h;
    }
    h ^= state[r & 255];
  }
  return h;
}

#ifndef BARE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1;
  printf("%u\n", work(n));
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "wait") == 0) {
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {
    }
  }
  return 0;
}
#endif

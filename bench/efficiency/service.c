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
 * benchmark can measure a live instance's memory before letting it go. Two more modes
 * measure the model's other coefficients:
 *
 *   service io N DIR     N rounds of: write 256 bytes to a new file DIR/f<r%16> (open,
 *                        write, close), read it back (open, read, close); prints a checksum
 *                        of what was read, then the loop's wall time in microseconds
 *   service mem MIB      allocates MIB MiB, writes every page, prints a checksum, then
 *                        waits on standard input as "wait" does */
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
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static void wait_stdin(void) {
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {
  }
}

static int io(uint32_t n, const char *dir) {
  char path[512], data[256], back[256];
  uint32_t sum = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (uint32_t r = 0; r < n; r++) {
    snprintf(path, sizeof path, "%s/f%u", dir, r % 16);
    for (int i = 0; i < 256; i++) data[i] = (char)(r * 31 + (uint32_t)i);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, sizeof data) != (ssize_t)sizeof data || close(fd) != 0) return perror(path), 1;
    fd = open(path, O_RDONLY);
    if (fd < 0 || read(fd, back, sizeof back) != (ssize_t)sizeof back || close(fd) != 0) return perror(path), 1;
    for (int i = 0; i < 256; i++) sum = (sum ^ (uint8_t)back[i]) * 16777619u;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%u\n%.1f\n", sum, (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3);
  return 0;
}

static int mem(uint32_t mib) {
  size_t n = (size_t)mib << 20;
  volatile unsigned char *p = malloc(n ? n : 1);
  if (!p) return perror("malloc"), 1;
  uint32_t sum = 0;
  for (size_t i = 0; i < n; i += 4096) p[i] = (unsigned char)(i >> 12), sum += p[i];
  printf("%u\n", sum);
  fflush(stdout);
  wait_stdin();
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 3 && strcmp(argv[1], "io") == 0) return io((uint32_t)strtoul(argv[2], NULL, 10), argv[3]);
  if (argc > 2 && strcmp(argv[1], "mem") == 0) return mem((uint32_t)strtoul(argv[2], NULL, 10));
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1;
  printf("%u\n", work(n));
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "wait") == 0) wait_stdin();
  return 0;
}
#endif

/* Compute kernels for the fuel-metering overhead benchmark. One is selected per build
 * with -DKERNEL_<name>; each exports `int run(int n)` and needs no imports. */
typedef unsigned int u32;

#if defined(KERNEL_fib)
/* call-heavy: every call is a function entry (a fuel point) */
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int run(int n) { return fib(n); }

#elif defined(KERNEL_sieve)
/* tight loops over memory */
static unsigned char flags[1 << 20];
int run(int n) {
  int count = 0;
  for (int rep = 0; rep < n; rep++) {
    count = 0;
    for (u32 i = 0; i < sizeof flags; i++) flags[i] = 1;
    for (u32 i = 2; i < sizeof flags; i++) {
      if (!flags[i]) continue;
      count++;
      for (u32 j = i + i; j < sizeof flags; j += i) flags[j] = 0;
    }
  }
  return count;
}

#elif defined(KERNEL_matmul)
/* nested loops, arithmetic */
#define N 96
static double a[N][N], b[N][N], c[N][N];
int run(int n) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (double)(i + j) / N;
      b[i][j] = (double)(i - j) / N;
    }
  for (int rep = 0; rep < n; rep++)
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        double s = 0;
        for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
        c[i][j] = s + c[i][j] * 0.5;
      }
  return (int)(c[N / 2][N / 3] * 1000);
}

#elif defined(KERNEL_crc32)
/* a byte loop with a bit loop inside */
static unsigned char buf[1 << 16];
int run(int n) {
  for (u32 i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + 3);
  u32 crc = 0xffffffffu;
  for (int rep = 0; rep < n; rep++)
    for (u32 i = 0; i < sizeof buf; i++) {
      crc ^= buf[i];
      for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
  return (int)~crc;
}
#else
#error "define KERNEL_fib, KERNEL_sieve, KERNEL_matmul or KERNEL_crc32"
#endif

/* Integer matrix multiply, 160x160, n times, feeding each product back into the next. */
#include "kernel.h"

#define N 160
static uint32_t a[N][N], b[N][N], c[N][N];

int run(int n) {
  uint32_t s = 12345;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = kernel_rand(&s) & 0xff;
      b[i][j] = kernel_rand(&s) & 0xff;
    }
  uint32_t sum = 0;
  for (int rep = 0; rep < n; rep++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        uint32_t acc = 0;
        for (int k = 0; k < N; k++) acc += a[i][k] * b[k][j];
        c[i][j] = acc;
      }
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        sum = sum * 33u + c[i][j];
        a[i][j] = (c[i][j] >> 7) & 0xff;
      }
  }
  return KERNEL_RESULT(sum);
}

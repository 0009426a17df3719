/* Counting occurrences of several patterns in 1 MiB of generated text, n passes:
 * Horspool's algorithm (skip table) and a naive scan for a short pattern. */
#include "kernel.h"

#define SIZE (1u << 20)
static unsigned char text[SIZE];

static uint32_t horspool(const unsigned char *pat, uint32_t m) {
  uint32_t skip[256];
  for (int i = 0; i < 256; i++) skip[i] = m;
  for (uint32_t i = 0; i + 1 < m; i++) skip[pat[i]] = m - 1 - i;
  uint32_t count = 0, pos = 0;
  while (pos + m <= SIZE) {
    uint32_t k = m;
    while (k > 0 && text[pos + k - 1] == pat[k - 1]) k--;
    if (k == 0) count++;
    pos += skip[text[pos + m - 1]];
  }
  return count;
}

static uint32_t naive(const unsigned char *pat, uint32_t m) {
  uint32_t count = 0;
  for (uint32_t pos = 0; pos + m <= SIZE; pos++) {
    uint32_t k = 0;
    while (k < m && text[pos + k] == pat[k]) k++;
    count += k == m;
  }
  return count;
}

int run(int n) {
  /* text over a 4-letter alphabet so partial matches are frequent */
  uint32_t s = 4242;
  for (uint32_t i = 0; i < SIZE; i++) text[i] = (unsigned char)("acgt"[kernel_rand(&s) & 3]);
  static const unsigned char p1[] = "gattacagattaca", p2[] = "acgtacgtacgtac", p3[] = "ttag",
                             p4[] = "cagtcagtttgacca";
  uint32_t sum = 0;
  for (int rep = 0; rep < n; rep++) {
    text[(rep * 7919u) & (SIZE - 1)] = 'a';
    sum = sum * 31u + horspool(p1, sizeof p1 - 1);
    sum = sum * 31u + horspool(p2, sizeof p2 - 1);
    sum = sum * 31u + horspool(p4, sizeof p4 - 1);
    sum = sum * 31u + naive(p3, sizeof p3 - 1);
  }
  return KERNEL_RESULT(sum);
}

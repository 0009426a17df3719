/* Quicksort (median of three, insertion sort for short runs) and heapsort of 256 Ki
 * PRNG-filled words, n rounds; the checksum proves both sorted the same data. */
#include "kernel.h"

#define COUNT (256u << 10)
static uint32_t data[COUNT], copy[COUNT];

static void swap(uint32_t *x, uint32_t *y) {
  uint32_t t = *x;
  *x = *y;
  *y = t;
}

static void quicksort(uint32_t *v, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
    if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
    if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
    uint32_t pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) swap(&v[i++], &v[j--]);
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  for (int i = lo + 1; i <= hi; i++) {
    uint32_t x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void sift(uint32_t *v, uint32_t root, uint32_t end) {
  for (;;) {
    uint32_t child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && v[child] < v[child + 1]) child++;
    if (v[root] >= v[child]) return;
    swap(&v[root], &v[child]);
    root = child;
  }
}

static void heapsort(uint32_t *v, uint32_t count) {
  for (uint32_t i = count / 2; i-- > 0;) sift(v, i, count);
  for (uint32_t end = count - 1; end > 0; end--) {
    swap(&v[0], &v[end]);
    sift(v, 0, end);
  }
}

int run(int n) {
  uint32_t s = 2463534242u, sum = 0;
  for (int rep = 0; rep < n; rep++) {
    for (uint32_t i = 0; i < COUNT; i++) data[i] = copy[i] = kernel_rand(&s);
    quicksort(data, 0, COUNT - 1);
    heapsort(copy, COUNT);
    for (uint32_t i = 0; i < COUNT; i++) {
      if (data[i] != copy[i] || (i && data[i - 1] > data[i])) return -1;
      sum = sum * 31u + (data[i] >> (i & 15));
    }
  }
  return KERNEL_RESULT(sum);
}

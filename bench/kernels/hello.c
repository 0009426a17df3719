/* Start-up cost end to end: a WASI command that prints one line (wasm32-wasi only). */
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}

/* gen_text: writes BYTES of deterministic, English-like text to standard output, the
 * input of the compression benchmark (compressible, but not trivially). */
#include <stdio.h>
#include <stdlib.h>

static const char *words[] = {
    "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was", "for",
    "on", "are", "as", "with", "his", "they", "at", "be", "this", "have", "from", "or",
    "one", "had", "by", "word", "but", "not", "what", "all", "were", "we", "when", "your",
    "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their",
    "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so",
    "some", "her", "would", "make", "like", "him", "into", "time", "has", "look", "two",
    "more", "write", "go", "see", "number", "no", "way", "could", "people", "my", "than",
    "first", "water", "been", "call", "who", "oil", "its", "now", "find", "long", "down",
    "day", "did", "get", "come", "made", "may", "part", "module", "memory", "table"};

int main(int argc, char **argv) {
  long bytes = argc > 1 ? atol(argv[1]) : 0;
  if (bytes <= 0) {
    fprintf(stderr, "usage: gen_text BYTES\n");
    return 2;
  }
  unsigned s = 1;
  long written = 0, line = 0;
  while (written < bytes) {
    s = s * 1103515245u + 12345u;
    const char *w = words[(s >> 16) % (sizeof words / sizeof *words)];
    int n = printf("%s", w);
    written += n;
    line += n;
    if (((s >> 8) & 15) == 0) written += printf("%u", (s >> 4) % 1000);
    if (line > 70) {
      written += printf(".\n");
      line = 0;
    } else {
      written += printf(" ");
      line++;
    }
  }
  return 0;
}

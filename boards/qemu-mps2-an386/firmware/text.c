// Appending to a bounded, NUL-terminated buffer; what does not fit is cut.
#include "text.h"

static void put(text_t *t, char c) {
  if (t->len + 1 >= t->cap) return;
  t->buf[t->len++] = c;
  t->buf[t->len] = 0;
}

void text_str(text_t *t, const char *s) {
  while (*s) put(t, *s++);
}

void text_u32(text_t *t, uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) put(t, digits[--n]);
}

void text_hex32(text_t *t, uint32_t v) {
  text_str(t, "0x");
  for (int shift = 28; shift >= 0; shift -= 4) put(t, "0123456789abcdef"[(v >> shift) & 0xF]);
}

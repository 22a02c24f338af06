// Building short log lines without printf (newlib's costs several KiB of
// flash): append a string or a number to a bounded buffer.
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *buf;
  size_t cap, len; // len < cap always; buf is NUL-terminated
} text_t;

#define TEXT(name, size) \
  char name##_buf[size]; \
  text_t name = {name##_buf, size, 0}; \
  name##_buf[0] = 0

void text_str(text_t *t, const char *s);
void text_u32(text_t *t, uint32_t v);
void text_hex32(text_t *t, uint32_t v);

#endif

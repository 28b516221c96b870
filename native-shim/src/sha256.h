#ifndef JSHIM_SHA256_H
#define JSHIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
/* Lower-case hex of the digest, NUL-terminated. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif

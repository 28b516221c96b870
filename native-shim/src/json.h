#ifndef JSHIM_JSON_H
#define JSHIM_JSON_H

#include <stddef.h>

/* The value of the string member "key" of the top-level "annotations" object
 * of an OCI config.json, decoded (escapes, \uXXXX as UTF-8) and malloc'ed; NULL
 * when absent, not a string, or the text is not a JSON object. A small
 * validating scanner: the front end needs one annotation, not a JSON library. */
char *json_annotation(const char *text, size_t len, const char *key);

#endif

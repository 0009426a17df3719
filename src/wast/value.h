/* Script constants to API values, and results against expected values and patterns. */
#ifndef WELD_WAST_VALUE_H
#define WELD_WAST_VALUE_H

#include "text/wast.h"
#include "weld.h"

/* An argument as a weld_val. Returns NULL, or the name of the feature the value needs
 * (e.g. GC references) when weld cannot represent it. */
const char *wast_value_arg(weld_store *s, const wast_value *v, weld_val *out);

typedef enum { WAST_MATCH_NO, WAST_MATCH_YES, WAST_MATCH_FEATURE } wast_match;

/* Whether `got` matches the expected value or pattern. WAST_MATCH_FEATURE (with *feature
 * set) when the expectation is about values weld does not have (GC references). */
wast_match wast_value_match(const weld_store *s, const wast_value *exp, const weld_val *got, const char **feature);

/* Short texts for failure messages. */
void wast_value_format_got(const weld_store *s, const weld_val *v, char *buf, size_t n);
void wast_value_format_expected(const wast_value *v, char *buf, size_t n);

#endif

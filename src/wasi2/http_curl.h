/* wasi2: the libcurl client of wasi:http's outgoing requests (http_curl.c, in the weld
 * command's weld_http library; libweld links no libcurl). */
#ifndef WELD_WASI2_HTTP_CURL_H
#define WELD_WASI2_HTTP_CURL_H

#include "wasi2.h"

typedef struct w2_curl w2_curl;
/* NULL when libcurl cannot be opened (util/dynlib.h) or started, or weld was built without
 * it; err (may be NULL) then says why. */
w2_curl *w2_curl_new(util_error *err);
/* The client to give wasi2_http_set_client; NULL for a NULL k. */
const wasi2_http_client *w2_curl_client(w2_curl *k);
void w2_curl_free(w2_curl *k);

#endif

/* libcurl: registries over HTTP (src/oci/dist.c) and wasi:http's outgoing requests (src/wasi2/http_curl.c), opened on first use (util/dynlib.h).
 * Calls are written as usual; the names below are redirected to dl_curl's table, which
 * is filled when dl_curl_lib is loaded: call util_dynlib_load(&dl_curl_lib, ...) or
 * util_dynlib_need(&dl_curl_lib, ...) first. A function the code starts calling is added
 * to DL_CURL_FUNCS (else weld does not link: the library is not on the link line). */
#ifndef WELD_UTIL_DL_CURL_H
#define WELD_UTIL_DL_CURL_H

#define CURL_DISABLE_TYPECHECK /* its checks are macros named like the functions, which are redirected below */
#include <curl/curl.h>

#include "util/dynlib.h"

#define DL_CURL_SONAME "libcurl.so.4"

#define DL_CURL_FUNCS(X, T) \
  X(T, curl_easy_cleanup) \
  X(T, curl_easy_escape) \
  X(T, curl_easy_getinfo) \
  X(T, curl_easy_init) \
  X(T, curl_easy_perform) \
  X(T, curl_easy_reset) \
  X(T, curl_easy_setopt) \
  X(T, curl_easy_strerror) \
  X(T, curl_free) \
  X(T, curl_global_init) \
  X(T, curl_slist_append) \
  X(T, curl_slist_free_all) \
  X(T, curl_multi_add_handle) \
  X(T, curl_multi_cleanup) \
  X(T, curl_multi_info_read) \
  X(T, curl_multi_init) \
  X(T, curl_multi_perform) \
  X(T, curl_multi_remove_handle)

typedef struct dl_curl_api {
  DL_CURL_FUNCS(UTIL_DYNLIB_FIELD, _)
} dl_curl_api;
extern dl_curl_api dl_curl;
extern util_dynlib dl_curl_lib;

#ifndef DL_NO_REDIRECT
#define curl_easy_cleanup (dl_curl.curl_easy_cleanup)
#define curl_easy_escape (dl_curl.curl_easy_escape)
#undef curl_easy_getinfo
#define curl_easy_getinfo (dl_curl.curl_easy_getinfo)
#define curl_easy_init (dl_curl.curl_easy_init)
#define curl_easy_perform (dl_curl.curl_easy_perform)
#define curl_easy_reset (dl_curl.curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (dl_curl.curl_easy_setopt)
#define curl_easy_strerror (dl_curl.curl_easy_strerror)
#define curl_free (dl_curl.curl_free)
#define curl_global_init (dl_curl.curl_global_init)
#define curl_slist_append (dl_curl.curl_slist_append)
#define curl_slist_free_all (dl_curl.curl_slist_free_all)
#define curl_multi_add_handle (dl_curl.curl_multi_add_handle)
#define curl_multi_cleanup (dl_curl.curl_multi_cleanup)
#define curl_multi_info_read (dl_curl.curl_multi_info_read)
#define curl_multi_init (dl_curl.curl_multi_init)
#define curl_multi_perform (dl_curl.curl_multi_perform)
#define curl_multi_remove_handle (dl_curl.curl_multi_remove_handle)
#endif

#endif

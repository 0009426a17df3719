/* libmicrohttpd: weld serve and wasm services' HTTP listeners (src/wasi2/http_serve.c), opened on first use (util/dynlib.h).
 * Calls are written as usual; the names below are redirected to dl_mhd's table, which
 * is filled when dl_mhd_lib is loaded: call util_dynlib_load(&dl_mhd_lib, ...) or
 * util_dynlib_need(&dl_mhd_lib, ...) first. A function the code starts calling is added
 * to DL_MHD_FUNCS (else weld does not link: the library is not on the link line). */
#ifndef WELD_UTIL_DL_MHD_H
#define WELD_UTIL_DL_MHD_H

#include <microhttpd.h>

#include "util/dynlib.h"

#define DL_MHD_SONAME "libmicrohttpd.so.12"

#define DL_MHD_FUNCS(X, T) \
  X(T, MHD_add_response_header) \
  X(T, MHD_create_response_from_buffer) \
  X(T, MHD_destroy_response) \
  X(T, MHD_get_connection_values) \
  X(T, MHD_get_daemon_info) \
  X(T, MHD_queue_response) \
  X(T, MHD_start_daemon) \
  X(T, MHD_stop_daemon)

typedef struct dl_mhd_api {
  DL_MHD_FUNCS(UTIL_DYNLIB_FIELD, _)
} dl_mhd_api;
extern dl_mhd_api dl_mhd;
extern util_dynlib dl_mhd_lib;

#ifndef DL_NO_REDIRECT
#define MHD_add_response_header (dl_mhd.MHD_add_response_header)
#define MHD_create_response_from_buffer (dl_mhd.MHD_create_response_from_buffer)
#define MHD_destroy_response (dl_mhd.MHD_destroy_response)
#define MHD_get_connection_values (dl_mhd.MHD_get_connection_values)
#define MHD_get_daemon_info (dl_mhd.MHD_get_daemon_info)
#define MHD_queue_response (dl_mhd.MHD_queue_response)
#define MHD_start_daemon (dl_mhd.MHD_start_daemon)
#define MHD_stop_daemon (dl_mhd.MHD_stop_daemon)
#endif

#endif

/* SQLite: the placement history (src/hybrid/history.c), opened on first use (util/dynlib.h).
 * Calls are written as usual; the names below are redirected to dl_sqlite's table, which
 * is filled when dl_sqlite_lib is loaded: call util_dynlib_load(&dl_sqlite_lib, ...) or
 * util_dynlib_need(&dl_sqlite_lib, ...) first. A function the code starts calling is added
 * to DL_SQLITE_FUNCS (else weld does not link: the library is not on the link line). */
#ifndef WELD_UTIL_DL_SQLITE_H
#define WELD_UTIL_DL_SQLITE_H

#include <sqlite3.h>

#include "util/dynlib.h"

#define DL_SQLITE_SONAME "libsqlite3.so.0"

#define DL_SQLITE_FUNCS(X, T) \
  X(T, sqlite3_bind_double) \
  X(T, sqlite3_bind_int64) \
  X(T, sqlite3_bind_null) \
  X(T, sqlite3_bind_text) \
  X(T, sqlite3_busy_timeout) \
  X(T, sqlite3_close) \
  X(T, sqlite3_column_double) \
  X(T, sqlite3_column_int) \
  X(T, sqlite3_column_int64) \
  X(T, sqlite3_column_name) \
  X(T, sqlite3_column_text) \
  X(T, sqlite3_column_type) \
  X(T, sqlite3_errcode) \
  X(T, sqlite3_errmsg) \
  X(T, sqlite3_errstr) \
  X(T, sqlite3_exec) \
  X(T, sqlite3_finalize) \
  X(T, sqlite3_free) \
  X(T, sqlite3_last_insert_rowid) \
  X(T, sqlite3_open_v2) \
  X(T, sqlite3_prepare_v2) \
  X(T, sqlite3_reset) \
  X(T, sqlite3_step)

typedef struct dl_sqlite_api {
  DL_SQLITE_FUNCS(UTIL_DYNLIB_FIELD, _)
} dl_sqlite_api;
extern dl_sqlite_api dl_sqlite;
extern util_dynlib dl_sqlite_lib;

#ifndef DL_NO_REDIRECT
#define sqlite3_bind_double (dl_sqlite.sqlite3_bind_double)
#define sqlite3_bind_int64 (dl_sqlite.sqlite3_bind_int64)
#define sqlite3_bind_null (dl_sqlite.sqlite3_bind_null)
#define sqlite3_bind_text (dl_sqlite.sqlite3_bind_text)
#define sqlite3_busy_timeout (dl_sqlite.sqlite3_busy_timeout)
#define sqlite3_close (dl_sqlite.sqlite3_close)
#define sqlite3_column_double (dl_sqlite.sqlite3_column_double)
#define sqlite3_column_int (dl_sqlite.sqlite3_column_int)
#define sqlite3_column_int64 (dl_sqlite.sqlite3_column_int64)
#define sqlite3_column_name (dl_sqlite.sqlite3_column_name)
#define sqlite3_column_text (dl_sqlite.sqlite3_column_text)
#define sqlite3_column_type (dl_sqlite.sqlite3_column_type)
#define sqlite3_errcode (dl_sqlite.sqlite3_errcode)
#define sqlite3_errmsg (dl_sqlite.sqlite3_errmsg)
#define sqlite3_errstr (dl_sqlite.sqlite3_errstr)
#define sqlite3_exec (dl_sqlite.sqlite3_exec)
#define sqlite3_finalize (dl_sqlite.sqlite3_finalize)
#define sqlite3_free (dl_sqlite.sqlite3_free)
#define sqlite3_last_insert_rowid (dl_sqlite.sqlite3_last_insert_rowid)
#define sqlite3_open_v2 (dl_sqlite.sqlite3_open_v2)
#define sqlite3_prepare_v2 (dl_sqlite.sqlite3_prepare_v2)
#define sqlite3_reset (dl_sqlite.sqlite3_reset)
#define sqlite3_step (dl_sqlite.sqlite3_step)
#endif

#endif

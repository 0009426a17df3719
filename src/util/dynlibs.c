/* The tables of the libraries the weld command opens on first use (util/dynlib.h), one per
 * library it was built with. Not part of libweld: embedders' builds need none of these
 * libraries' headers. */
#define DL_NO_REDIRECT

#ifdef WELD_HAVE_CURL
#include "util/dl_curl.h"
UTIL_DYNLIB_DEFINE(dl_curl_api, dl_curl, dl_curl_lib, DL_CURL_SONAME, DL_CURL_FUNCS)
#endif

#ifdef WELD_HAVE_MHD
#include "util/dl_mhd.h"
UTIL_DYNLIB_DEFINE(dl_mhd_api, dl_mhd, dl_mhd_lib, DL_MHD_SONAME, DL_MHD_FUNCS)
#endif

#ifdef WELD_HAVE_ARCHIVE
#include "util/dl_archive.h"
UTIL_DYNLIB_DEFINE(dl_archive_api, dl_archive, dl_archive_lib, DL_ARCHIVE_SONAME, DL_ARCHIVE_FUNCS)
#endif

#ifdef WELD_HAVE_SQLITE
#include "util/dl_sqlite.h"
UTIL_DYNLIB_DEFINE(dl_sqlite_api, dl_sqlite, dl_sqlite_lib, DL_SQLITE_SONAME, DL_SQLITE_FUNCS)
#endif

#ifdef WELD_HAVE_SODIUM
#include "util/dl_sodium.h"
UTIL_DYNLIB_DEFINE(dl_sodium_api, dl_sodium, dl_sodium_lib, DL_SODIUM_SONAME, DL_SODIUM_FUNCS)
#endif

/* ISO C wants something in a translation unit even when weld was built with none */
typedef int util_dynlibs_unused;

/* libarchive: unpacking container image layers (src/hybrid/image.c), opened on first use (util/dynlib.h).
 * Calls are written as usual; the names below are redirected to dl_archive's table, which
 * is filled when dl_archive_lib is loaded: call util_dynlib_load(&dl_archive_lib, ...) or
 * util_dynlib_need(&dl_archive_lib, ...) first. A function the code starts calling is added
 * to DL_ARCHIVE_FUNCS (else weld does not link: the library is not on the link line). */
#ifndef WELD_UTIL_DL_ARCHIVE_H
#define WELD_UTIL_DL_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "util/dynlib.h"

#define DL_ARCHIVE_SONAME "libarchive.so.13"

#define DL_ARCHIVE_FUNCS(X, T) \
  X(T, archive_entry_hardlink) \
  X(T, archive_entry_pathname) \
  X(T, archive_entry_set_hardlink) \
  X(T, archive_entry_set_pathname) \
  X(T, archive_error_string) \
  X(T, archive_read_data_block) \
  X(T, archive_read_free) \
  X(T, archive_read_new) \
  X(T, archive_read_next_header) \
  X(T, archive_read_open_memory) \
  X(T, archive_read_support_filter_all) \
  X(T, archive_read_support_format_gnutar) \
  X(T, archive_read_support_format_tar) \
  X(T, archive_write_data_block) \
  X(T, archive_write_disk_new) \
  X(T, archive_write_disk_set_options) \
  X(T, archive_write_finish_entry) \
  X(T, archive_write_free) \
  X(T, archive_write_header)

typedef struct dl_archive_api {
  DL_ARCHIVE_FUNCS(UTIL_DYNLIB_FIELD, _)
} dl_archive_api;
extern dl_archive_api dl_archive;
extern util_dynlib dl_archive_lib;

#ifndef DL_NO_REDIRECT
#define archive_entry_hardlink (dl_archive.archive_entry_hardlink)
#define archive_entry_pathname (dl_archive.archive_entry_pathname)
#define archive_entry_set_hardlink (dl_archive.archive_entry_set_hardlink)
#define archive_entry_set_pathname (dl_archive.archive_entry_set_pathname)
#define archive_error_string (dl_archive.archive_error_string)
#define archive_read_data_block (dl_archive.archive_read_data_block)
#define archive_read_free (dl_archive.archive_read_free)
#define archive_read_new (dl_archive.archive_read_new)
#define archive_read_next_header (dl_archive.archive_read_next_header)
#define archive_read_open_memory (dl_archive.archive_read_open_memory)
#define archive_read_support_filter_all (dl_archive.archive_read_support_filter_all)
#define archive_read_support_format_gnutar (dl_archive.archive_read_support_format_gnutar)
#define archive_read_support_format_tar (dl_archive.archive_read_support_format_tar)
#define archive_write_data_block (dl_archive.archive_write_data_block)
#define archive_write_disk_new (dl_archive.archive_write_disk_new)
#define archive_write_disk_set_options (dl_archive.archive_write_disk_set_options)
#define archive_write_finish_entry (dl_archive.archive_write_finish_entry)
#define archive_write_free (dl_archive.archive_write_free)
#define archive_write_header (dl_archive.archive_write_header)
#endif

#endif

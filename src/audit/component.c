/* A component's audit: its imports mapped to capabilities, checked against a policy with
 * the rules modules are checked with (audit.h, audit_component). */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "component/component.h"

bool audit_component(const struct comp_info *info, const policy *p, audit_report *out, util_error *err) {
  memset(out, 0, sizeof *out);
  out->imports = info->nimports ? calloc(info->nimports, sizeof *out->imports) : NULL;
  if (info->nimports && !out->imports) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (uint32_t i = 0; i < info->nimports; i++) {
    const comp_extern *im = &info->imports[i];
    if (!im->name) continue;
    audit_import *a = &out->imports[out->nimports++];
    a->module = strndup(im->name->name.str, im->name->name.len);
    a->name = strndup(im->name->name.str, im->name->name.len); /* what the violations name */
    a->kind = im->kind;
    if (!a->module || !a->name) {
      audit_report_free(out);
      return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
    const audit_wasi2_iface *w = audit_wasi2_lookup(a->module);
    if (w) {
      a->wasi = true;
      a->caps = w->caps;
      a->file_ops = w->file_ops;
      a->ops = w->ops;
      a->implies = w->implies;
    } else {
      /* satisfied by another component (composition) or by the embedder, not by weld's
       * host: no capability of the host, and nothing a policy grants */
      a->implies = "an interface another component or the embedder provides";
    }
    out->boundary.caps |= a->caps;
    out->boundary.file_ops |= a->file_ops;
    out->boundary.ops |= a->ops;
  }
  if (p) audit_verify(out, p);
  if (out->oom) {
    audit_report_free(out);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  return true;
}

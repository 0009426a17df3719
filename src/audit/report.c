/* Renderings of an audit report: Markdown for people, JSON for pipelines. The JSON
 * layout is documented in docs/audit.md; keep the two in step. */
#include <stdio.h>
#include <string.h>

#include "audit.h"

/* ---------- JSON -------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    switch (*c) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (*c < 0x20 || *c == 0x7f) fprintf(f, "\\u%04x", *c);
      else fputc(*c, f); /* names are valid UTF-8 (the decoder checks) */
    }
  }
  fputc('"', f);
}

static void json_bits(FILE *f, uint32_t bits, const char *(*fmt)(uint32_t, char *, size_t), unsigned nbits) {
  char buf[64];
  bool first = true;
  fputc('[', f);
  for (unsigned i = 0; i < nbits; i++) {
    if (!(bits & (1u << i))) continue;
    fprintf(f, "%s", first ? "" : ", ");
    json_str(f, fmt(1u << i, buf, sizeof buf));
    first = false;
  }
  fputc(']', f);
}

static void json_caps(FILE *f, uint32_t caps) {
  bool first = true;
  fputc('[', f);
  for (int i = 0; i < AUDIT_CAP_COUNT; i++) {
    if (!(caps & (1u << i))) continue;
    fprintf(f, "%s", first ? "" : ", ");
    json_str(f, audit_cap_name((audit_cap)i));
    first = false;
  }
  fputc(']', f);
}

static void json_limits(FILE *f, const audit_limits_info *l, uint32_t n, bool table) {
  fputc('[', f);
  for (uint32_t i = 0; i < n; i++) {
    fprintf(f, "%s\n    {\"index\": %u, \"min\": %llu, \"max\": ", i ? "," : "", i, (unsigned long long)l[i].min);
    if (l[i].has_max) fprintf(f, "%llu", (unsigned long long)l[i].max);
    else fputs("null", f);
    fprintf(f, ", \"imported\": %s", l[i].imported ? "true" : "false");
    if (table) {
      fputs(", \"element_type\": ", f);
      json_str(f, wasm_valtype_name(l[i].elem));
    } else {
      fprintf(f, ", \"shared\": %s, \"memory64\": %s", l[i].shared ? "true" : "false", l[i].is64 ? "true" : "false");
    }
    fputc('}', f);
  }
  fputs(n ? "\n  ]" : "]", f);
}

void audit_print_json(FILE *f, const char *file, const audit_report *r) {
  const audit_boundary *b = &r->boundary;
  /* schema_version: docs/json.md (the CLI's JSON outputs share it) */
  fputs("{\n  \"schema_version\": 1,\n  \"command\": \"audit\",\n  \"file\": ", f);
  json_str(f, file);
  fputs(",\n  \"risk\": ", f);
  json_str(f, policy_risk_name(r->risk));
  fputs(",\n  \"reasons\": [", f);
  for (size_t i = 0; i < r->nreasons; i++) {
    fprintf(f, "%s\n    {\"level\": ", i ? "," : "");
    json_str(f, policy_risk_name(r->reasons[i].level));
    fputs(", \"text\": ", f);
    json_str(f, r->reasons[i].text);
    fputc('}', f);
  }
  fputs(r->nreasons ? "\n  ],\n" : "],\n", f);
  fputs("  \"boundary\": {\"capabilities\": ", f);
  json_caps(f, b->caps);
  fputs(", \"file_operations\": ", f);
  json_bits(f, b->file_ops, policy_ops_format, 5);
  fputs(", \"operations\": ", f);
  json_bits(f, b->ops, audit_ops_format, 13);
  fprintf(f, ", \"opaque_modules\": %u},\n", b->nopaque_modules);

  fputs("  \"imports\": [", f);
  for (uint32_t i = 0; i < r->nimports; i++) {
    const audit_import *a = &r->imports[i];
    fprintf(f, "%s\n    {\"module\": ", i ? "," : "");
    json_str(f, a->module);
    fputs(", \"name\": ", f);
    json_str(f, a->name);
    fputs(", \"kind\": ", f);
    json_str(f, wasm_externkind_name(a->kind));
    fprintf(f, ", \"wasi\": %s, \"opaque\": %s, \"capabilities\": ", a->wasi ? "true" : "false",
            a->opaque ? "true" : "false");
    json_caps(f, a->caps);
    fputs(", \"file_operations\": ", f);
    json_bits(f, a->file_ops, policy_ops_format, 5);
    fputs(", \"operations\": ", f);
    json_bits(f, a->ops, audit_ops_format, 13);
    fputs(", \"implies\": ", f);
    json_str(f, a->implies ? a->implies : "");
    fputc('}', f);
  }
  fputs(r->nimports ? "\n  ],\n" : "],\n", f);

  fputs("  \"policy\": ", f);
  if (!r->has_policy) {
    fputs("null,\n", f);
  } else {
    fputs("{\"name\": ", f);
    json_str(f, r->policy_name);
    fprintf(f, ", \"passed\": %s, \"violations\": [", audit_passed(r) ? "true" : "false");
    for (size_t i = 0; i < r->nviolations; i++) {
      fprintf(f, "%s\n    {\"severity\": ", i ? "," : "");
      json_str(f, audit_severity_name(r->violations[i].severity));
      fputs(", \"kind\": ", f);
      json_str(f, r->violations[i].kind);
      fputs(", \"message\": ", f);
      json_str(f, r->violations[i].message);
      fputc('}', f);
    }
    fputs(r->nviolations ? "\n  ]},\n" : "]},\n", f);
  }

  fputs("  \"exports\": [", f);
  for (uint32_t i = 0; i < r->nexports; i++) {
    fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
    json_str(f, r->exports[i].name);
    fputs(", \"kind\": ", f);
    json_str(f, wasm_externkind_name(r->exports[i].kind));
    fprintf(f, ", \"index\": %u}", r->exports[i].index);
  }
  fputs(r->nexports ? "\n  ],\n" : "],\n", f);
  fputs("  \"start\": ", f);
  if (r->has_start) {
    fprintf(f, "{\"index\": %u, \"name\": ", r->start);
    if (r->start_name) json_str(f, r->start_name);
    else fputs("null", f);
    fputs("},\n", f);
  } else {
    fputs("null,\n", f);
  }
  fputs("  \"memories\": ", f);
  json_limits(f, r->memories, r->nmemories, false);
  fputs(",\n  \"tables\": ", f);
  json_limits(f, r->tables, r->ntables, true);
  fprintf(f,
          ",\n  \"code\": {\"defined_functions\": %u, \"memory_grow\": %u, \"table_grow\": %u, "
          "\"indirect_calls\": %u, \"atomic_wait\": %u},\n",
          r->nfuncs_defined, r->memory_grow_sites, r->table_grow_sites, r->indirect_call_sites, r->atomic_wait_sites);
  fprintf(f, "  \"data\": {\"segments\": %u, \"bytes\": %llu, \"embedded\": [", r->ndatas,
          (unsigned long long)r->data_bytes);
  for (size_t i = 0; i < r->nembedded; i++) {
    fprintf(f, "%s\n    {\"segment\": %u, \"offset\": %u, \"kind\": ", i ? "," : "", r->embedded[i].data_index,
            r->embedded[i].offset);
    json_str(f, r->embedded[i].kind);
    fputc('}', f);
  }
  fprintf(f, "%s, \"embedded_truncated\": %s},\n", r->nembedded ? "\n  ]" : "]", r->embedded_truncated ? "true" : "false");
  fputs("  \"producers\": [", f);
  for (size_t i = 0; i < r->nproducers; i++) {
    fprintf(f, "%s\n    {\"field\": ", i ? "," : "");
    json_str(f, r->producers[i].field);
    fputs(", \"name\": ", f);
    json_str(f, r->producers[i].name);
    fputs(", \"version\": ", f);
    json_str(f, r->producers[i].version);
    fputc('}', f);
  }
  fputs(r->nproducers ? "\n  ],\n" : "],\n", f);
  fputs("  \"producers_error\": ", f);
  if (r->producers_error) json_str(f, r->producers_error);
  else fputs("null", f);
  fputs("\n}\n", f);
}

/* ---------- Markdown ---------------------------------------------------------------- */

/* Table cells: '|' and newlines would break the row; backquotes the code spans. */
static void md_cell(FILE *f, const char *s) {
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '|') fputs("\\|", f);
    else if (*c == '`') fputc('\'', f);
    else if (*c < 0x20 || *c == 0x7f) fprintf(f, "\\x%02x", *c);
    else fputc(*c, f);
  }
}

static void md_limits(FILE *f, const char *what, const audit_limits_info *l, uint32_t n, const char *unit) {
  for (uint32_t i = 0; i < n; i++) {
    fprintf(f, "- %s %u: min %llu %s, ", what, i, (unsigned long long)l[i].min, unit);
    if (l[i].has_max) fprintf(f, "max %llu %s", (unsigned long long)l[i].max, unit);
    else fputs("**no maximum (unbounded)**", f);
    if (l[i].imported) fputs(", imported", f);
    if (l[i].shared) fputs(", shared", f);
    if (l[i].is64) fputs(", 64-bit", f);
    fputc('\n', f);
  }
}

void audit_print_markdown(FILE *f, const char *file, const audit_report *r) {
  const audit_boundary *b = &r->boundary;
  char buf[160];
  fputs("# Audit of ", f);
  md_cell(f, file);
  fprintf(f, "\n\n**Risk: %s**\n\n", policy_risk_name(r->risk));
  for (size_t i = 0; i < r->nreasons; i++) {
    fprintf(f, "- %s: ", policy_risk_name(r->reasons[i].level));
    md_cell(f, r->reasons[i].text);
    fputc('\n', f);
  }
  if (r->has_policy) {
    fputs("\n## Policy ", f);
    md_cell(f, r->policy_name);
    if (audit_passed(r)) {
      fputs("\n\nPassed: the policy allows this module.\n", f);
    } else {
      fprintf(f, "\n\n**Failed: %zu violation%s.**\n\n| severity | kind | violation |\n| --- | --- | --- |\n",
              r->nviolations, r->nviolations == 1 ? "" : "s");
      for (size_t i = 0; i < r->nviolations; i++) {
        fprintf(f, "| %s | %s | ", audit_severity_name(r->violations[i].severity), r->violations[i].kind);
        md_cell(f, r->violations[i].message);
        fputs(" |\n", f);
      }
    }
  }
  fputs("\n## Permission boundary\n\n", f);
  if (!b->caps && !b->ops) fputs("The module reaches nothing on the host.\n", f);
  for (int c = 0; c < AUDIT_CAP_COUNT; c++) {
    if (!(b->caps & (1u << c))) continue;
    fprintf(f, "- **%s**", audit_cap_name((audit_cap)c));
    if (c == AUDIT_CAP_FILE) fprintf(f, ": %s", policy_ops_format(b->file_ops, buf, sizeof buf));
    if (c == AUDIT_CAP_OPAQUE) fprintf(f, ": %u host module%s", b->nopaque_modules, b->nopaque_modules == 1 ? "" : "s");
    fputc('\n', f);
  }
  if (b->ops) fprintf(f, "- operations: %s\n", audit_ops_format(b->ops, buf, sizeof buf));

  fputs("\n## Imports\n\n", f);
  if (r->nimports == 0) {
    fputs("None.\n", f);
  } else {
    fputs("| module | name | kind | reaches | implies |\n| --- | --- | --- | --- | --- |\n", f);
    for (uint32_t i = 0; i < r->nimports; i++) {
      const audit_import *a = &r->imports[i];
      fputs("| ", f);
      md_cell(f, a->module);
      fputs(" | ", f);
      md_cell(f, a->name);
      fprintf(f, " | %s | ", wasm_externkind_name(a->kind));
      bool first = true;
      for (int c = 0; c < AUDIT_CAP_COUNT; c++) {
        if (!(a->caps & (1u << c))) continue;
        fprintf(f, "%s%s", first ? "" : ", ", audit_cap_name((audit_cap)c));
        if (c == AUDIT_CAP_FILE) fprintf(f, " (%s)", policy_ops_format(a->file_ops, buf, sizeof buf));
        first = false;
      }
      if (first) fputs("-", f);
      fputs(" | ", f);
      md_cell(f, a->implies ? a->implies : "");
      fputs(" |\n", f);
    }
  }

  fputs("\n## Exports\n\n", f);
  if (r->nexports == 0) fputs("None.\n", f);
  for (uint32_t i = 0; i < r->nexports; i++) {
    fputs("- `", f);
    md_cell(f, r->exports[i].name);
    fprintf(f, "`: %s %u\n", wasm_externkind_name(r->exports[i].kind), r->exports[i].index);
  }
  fputs("\n## Module\n\n", f);
  if (r->has_start) {
    fprintf(f, "- start function: %u", r->start);
    if (r->start_name) {
      fputs(" (", f);
      md_cell(f, r->start_name);
      fputc(')', f);
    }
    fputs(" runs when the module is instantiated\n", f);
  } else {
    fputs("- no start function\n", f);
  }
  fprintf(f, "- %u defined function%s\n", r->nfuncs_defined, r->nfuncs_defined == 1 ? "" : "s");
  md_limits(f, "memory", r->memories, r->nmemories, "pages");
  md_limits(f, "table", r->tables, r->ntables, "elements");
  fprintf(f, "- memory.grow: %s (%u site%s)\n", r->memory_grow_sites ? "yes, the module can grow its memory" : "no",
          r->memory_grow_sites, r->memory_grow_sites == 1 ? "" : "s");
  if (r->table_grow_sites) fprintf(f, "- table.grow: %u site%s\n", r->table_grow_sites, r->table_grow_sites == 1 ? "" : "s");
  if (r->atomic_wait_sites)
    fprintf(f, "- memory.atomic.wait: %u site%s (each may sleep up to its timeout; a deadline or a cancel ends it)\n",
            r->atomic_wait_sites, r->atomic_wait_sites == 1 ? "" : "s");
  fprintf(f, "- indirect calls: %s (%u site%s)\n", r->indirect_call_sites ? "yes" : "no", r->indirect_call_sites,
          r->indirect_call_sites == 1 ? "" : "s");
  fprintf(f, "- data: %u segment%s, %llu bytes\n", r->ndatas, r->ndatas == 1 ? "" : "s", (unsigned long long)r->data_bytes);
  for (size_t i = 0; i < r->nembedded; i++)
    fprintf(f, "  - embedded %s in segment %u at byte %u\n", r->embedded[i].kind, r->embedded[i].data_index,
            r->embedded[i].offset);
  if (r->embedded_truncated) fputs("  - (more embedded files not listed)\n", f);
  if (r->nproducers) {
    fputs("- producers:", f);
    for (size_t i = 0; i < r->nproducers; i++) {
      fprintf(f, "%s ", i ? "," : "");
      md_cell(f, r->producers[i].field);
      fputs(": ", f);
      md_cell(f, r->producers[i].name);
      if (r->producers[i].version[0]) {
        fputc(' ', f);
        md_cell(f, r->producers[i].version);
      }
    }
    fputc('\n', f);
  } else if (!r->producers_error) {
    fputs("- producers: not recorded\n", f);
  }
  if (r->producers_error) {
    fputs("- producers section malformed: ", f);
    md_cell(f, r->producers_error);
    fputc('\n', f);
  }
}

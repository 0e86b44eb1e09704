#ifndef FG_TOOLS_IMPORT_CELLS_H
#define FG_TOOLS_IMPORT_CELLS_H

/* Internal to the tool import (tools_import_*.c; the files are listed in tools_import_internal.h). */

enum { F_ASSET, F_KIND, F_NAME, F_STORE, F_LOCATION, F_DATE, F_RESULT, NFIELDS };
/* the field names POST /api/v1/tools takes, by F_* */
extern const char *const timp_fields[NFIELDS];

/* A copy without ASCII white space, NBSP, the ideographic space or a stray BOM around it (malloc'ed). */
char *timp_trim(const char *s);
/* F_* of a field name, or -1. */
int timp_field_index(const char *name);
/* "pass" / "fail" for 合格/不合格 … as keepers write them, or NULL. */
const char *timp_result_code(const char *v);
/* A tool kind's code by its code, Chinese name or English name, or NULL. */
const char *timp_kind_code(const char *v);

#endif

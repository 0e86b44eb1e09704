#ifndef FG_XLSX_OUT_H
#define FG_XLSX_OUT_H
#include <stddef.h>
#include <xlsxwriter.h>
#include "core/base/err.h"

/* Writing workbooks for export routes (the charger KPIs, the evaluation of applications), with libxlsxwriter.
 * (core/base/xlsx.c is the other direction: reading uploaded workbooks.) */

/* Builds a workbook in memory: fill(wb, ctx) adds its sheets. libxlsxwriter 1.1.4 writes to a file only, so the
 * workbook goes to an unlinked temporary file under $TMPDIR and is read back (at most 64 MiB). tag names the
 * caller in the log. 0 and *buf (malloc'd) / *len, or -1 with err internal. */
int xlsx_out_build(const char *tag, void (*fill)(lxw_workbook *wb, void *ctx), void *ctx, unsigned char **buf, size_t *len,
    fg_err_t *err);

/* A sheet of definitions: a head row 指标 / 公式 / 说明, then one row per defs[i] (its first cell bold), then a
 * footnote two rows below. widths: the three columns'. */
void xlsx_out_definitions(lxw_worksheet *ws, const char *const (*defs)[3], size_t n, const double widths[3],
    const char *footnote, lxw_format *head, lxw_format *bold);

#endif

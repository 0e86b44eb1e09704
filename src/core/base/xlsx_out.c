/* Writing workbooks for export routes (xlsx_out.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/base/xlsx_out.h"

int
xlsx_out_build(const char *tag, void (*fill)(lxw_workbook *wb, void *ctx), void *ctx, unsigned char **buf, size_t *len,
    fg_err_t *err)
{
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[4096];
	fg_fmt(path, sizeof path, "%s/fg-%s-XXXXXX.xlsx", tmp, tag);
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		log_error("%s: temporary file in %s: cannot create", tag, tmp);
		return fg_err(err, "internal");
	}
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		unlink(path);
		return fg_err(err, "internal");
	}
	fill(wb, ctx);
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		log_error("%s: xlsx: %s", tag, lxw_strerror(e));
		unlink(path);
		return fg_err(err, "internal");
	}
	FILE *fp = fopen(path, "rb");
	unlink(path);
	if (!fp)
		return fg_err(err, "internal");
	fg_buf_t b;
	fg_buf_init(&b, 64 * 1024 * 1024);
	char chunk[65536];
	size_t k;
	bool ok = true;
	while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
		ok = ok && fg_buf_append(&b, chunk, k) == 0;
	fclose(fp);
	if (!ok) {
		fg_buf_free(&b);
		return fg_err(err, "internal");
	}
	*buf = (unsigned char *)b.data;
	*len = b.len;
	return 0;
}

void
xlsx_out_definitions(lxw_worksheet *ws, const char *const (*defs)[3], size_t n, const double widths[3],
    const char *footnote, lxw_format *head, lxw_format *bold)
{
	static const char *const heads[3] = {"指标", "公式", "说明"};
	for (int c = 0; c < 3; c++) {
		worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
	}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < 3; c++)
			worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, defs[i][c], c == 0 ? bold : NULL);
	worksheet_write_string(ws, (lxw_row_t)(n + 2), 0, footnote, NULL);
}

/* The meter ledger's bulk loader (imports.h): stream, check, load in batches (a staged second pass names the
 * duplicates) — one transaction. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "core/audit/audit.h"
#include "core/base/csv.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "metering/imports/imports.h"
#include "metering/imports/imports_pipe.h"

#define CHUNK (1024 * 1024)
#define MAX_CELL 200 /* a ledger cell longer than this is a mistake (a pasted paragraph) */

/* The file's columns: field name, Chinese header, whether required. Order = the staging table's columns. */
enum { F_ASSET_NO, F_KIND, F_SUBTYPE, F_MODEL, F_MANUFACTURER, F_BATCH, F_CLASS, F_RATED, F_RATIO, F_CONSTANT,
	F_PRODUCED, F_VERIFIED, F_SAMPLING, F_STATUS, F_POINT, F_AREA, F_INSTALLED, F_ORG, F_NOTE, NF };
static const struct {
	const char *name, *zh;
} fields[NF] = {
	{"asset_no", "资产编号"}, {"kind", "类别"}, {"subtype", "子类"}, {"model", "型号"}, {"manufacturer", "厂家"},
	{"batch", "批次"}, {"accuracy_class", "准确度等级"}, {"rated", "规格"}, {"ratio", "变比"}, {"constant", "常数"},
	{"produced_on", "出厂日期"}, {"verified_on", "检定日期"}, {"sampling", "抽检结论"}, {"status", "状态"},
	{"point_no", "计量点编号"}, {"transformer_area", "台区"}, {"installed_on", "安装日期"}, {"org_unit", "单位"},
	{"note", "备注"},
};
/* The staging table of the second pass (run()): the row number, the new id, then the fields (org_unit resolved to
 * its id). On PostgreSQL a duplicate then fails a statement that can be rolled back to its savepoint and diagnosed,
 * not a COPY. */
static const char *const stage_cols[] = {"row_no", "id", "asset_no", "kind", "subtype", "model", "manufacturer",
	"batch", "accuracy_class", "rated", "ratio", "constant", "produced_on", "verified_on", "sampling", "status",
	"point_no", "transformer_area", "installed_on", "org_unit_id", "note"};
#define NSTAGE ((int)(sizeof stage_cols / sizeof *stage_cols))
/* The direct load's columns: the ledger's own. */
static const char *const direct_cols[] = {"id", "asset_no", "kind", "subtype", "model", "manufacturer", "batch",
	"accuracy_class", "rated", "ratio", "constant", "produced_on", "verified_on", "sampling", "status", "point_no",
	"transformer_area", "installed_on", "org_unit_id", "note", "import_id", "created_at", "updated_at", "version"};
#define NDIRECT ((int)(sizeof direct_cols / sizeof *direct_cols))
static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
mimp_date(const char *s, char out[11])
{
	int y = 0, m = 0, d = 0, n = 0;
	char sep = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, n++)
		y = y * 10 + (*p - '0');
	if (n != 4 || (*p != '-' && *p != '/'))
		return false;
	sep = *p++;
	for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
		m = m * 10 + (*p - '0');
	if (n < 1 || n > 2 || *p != sep)
		return false;
	p++;
	for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
		d = d * 10 + (*p - '0');
	if (n < 1 || n > 2 || *p)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	return true;
}

int
mimp_open(db_t *db, const char *actor_id, const char *filename, int64_t bytes, char out_id[37], fg_err_t *err)
{
	fg_uuid7(out_id);
	if (db_run(db_q(db, "INSERT INTO metering_imports (id, state, filename, bytes_total, created_by, created_at) "
			    "VALUES ($1, 'running', $2, $3, $4, $5)", "ttiti", out_id, filename, bytes, actor_id, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	return 0;
}

/* ---- one run ---- */

typedef struct {
	db_t *db;
	mimp_progress_t *pg;
	json_t *report;
	int64_t nerr, rows;
	json_t *orgs; /* org unit id and name → id */
	char d;       /* delimiter */
	int col_of[NF];
	int ncols;
	enum { PASS_DIRECT, PASS_STAGED } pass;
	char id[37], now[24];
	/* the reader's: the batches it fills for the database thread, the one being filled, and whether the database
	 * thread abandoned the load (a taken asset number, a failure: the reader stops there) */
	mimp_pipe_t *pipe;
	mimp_batch_t *cur;
	bool stopped;
	/* PostgreSQL: no reader thread; each checked row goes to the COPY at once (run()), its failure kept here */
	db_bulk_t *inline_b;
	int inline_rc;
} run_t;

static void
bad(run_t *r, int64_t row, int field, const char *code, const char *value)
{
	r->nerr++;
	if (json_array_size(r->report) >= MIMP_MAX_REPORT)
		return;
	json_t *e = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "column", field >= 0 ? fields[field].name : "",
	    "code", code);
	if (value) {
		char v[64];
		fg_fmt(v, sizeof v, "%s", value); /* enough to find it; never the whole pasted paragraph */
		json_object_set_new(e, "value", json_stringn(v, strnlen(v, sizeof v)));
	}
	json_array_append_new(r->report, e);
}

static int
field_of(const char *h)
{
	while (*h == ' ' || *h == '*')
		h++;
	char t[96];
	fg_fmt(t, sizeof t, "%s", h);
	size_t n = strlen(t);
	while (n && (t[n - 1] == ' ' || t[n - 1] == '*'))
		t[--n] = 0;
	for (int f = 0; f < NF; f++)
		if (strcasecmp(t, fields[f].name) == 0 || strcmp(t, fields[f].zh) == 0)
			return f;
	/* "资产编号(asset_no)" as the template writes it */
	char *paren = strchr(t, '(');
	if (paren) {
		*paren = 0;
		for (int f = 0; f < NF; f++)
			if (strcmp(t, fields[f].zh) == 0)
				return f;
	}
	return -1;
}

static int
header(run_t *r, const char **cells, int nc, fg_err_t *err)
{
	for (int f = 0; f < NF; f++)
		r->col_of[f] = -1;
	for (int c = 0; c < nc; c++) {
		int f = field_of(cells[c]);
		if (f < 0)
			continue; /* a column the ledger has no field for is ignored */
		if (r->col_of[f] >= 0) {
			fg_err(err, "import_duplicate_column");
			fg_err_detail_str(err, "field", fields[f].name);
			return -1;
		}
		r->col_of[f] = c;
	}
	if (r->col_of[F_ASSET_NO] < 0) {
		fg_err(err, "meter_import_missing_column");
		fg_err_detail(err, "columns", json_pack("[s]", "asset_no"));
		return -1;
	}
	r->ncols = nc;
	return 0;
}

static const char *
cell(const char **cells, int nc, int col)
{
	if (col < 0 || col >= nc)
		return NULL;
	const char *s = cells[col];
	return *s ? s : NULL;
}

/* Checks a data row (the reader's thread); a good one goes into the batch being filled, while the file has no bad
 * cell. */
static void
row(run_t *r, int64_t rowno, const char **cells, int nc)
{
	const char *v[NF];
	for (int f = 0; f < NF; f++) {
		v[f] = cell(cells, nc, r->col_of[f]);
		/* trimmed: a cell typed with a space is still the value */
		if (v[f] && (v[f][0] == ' ' || v[f][strlen(v[f]) - 1] == ' ')) {
			char *s = (char *)v[f];
			while (*s == ' ')
				s++;
			size_t n = strlen(s);
			while (n && s[n - 1] == ' ')
				s[--n] = 0;
			v[f] = *s ? s : NULL;
		}
		if (v[f] && strlen(v[f]) > MAX_CELL) {
			bad(r, rowno, f, "too_long", v[f]);
			v[f] = NULL;
		}
	}
	if (!v[F_ASSET_NO])
		bad(r, rowno, F_ASSET_NO, "missing", NULL);
	static const char *const kinds[] = {"meter", "ct", "pt", "terminal", "seal", NULL};
	static const char *const statuses[] = {"in_stock", "installed", NULL};
	static const char *const samplings[] = {"passed", "failed", NULL};
	if (!v[F_KIND])
		v[F_KIND] = "meter";
	else if (!fg_one_of(v[F_KIND], kinds))
		bad(r, rowno, F_KIND, "invalid_value", v[F_KIND]);
	if (!v[F_STATUS])
		v[F_STATUS] = "in_stock";
	else if (!fg_one_of(v[F_STATUS], statuses))
		bad(r, rowno, F_STATUS, "invalid_value", v[F_STATUS]);
	if (v[F_SAMPLING] && !fg_one_of(v[F_SAMPLING], samplings))
		bad(r, rowno, F_SAMPLING, "invalid_value", v[F_SAMPLING]);
	char dates[3][11];
	static const int df[3] = {F_PRODUCED, F_VERIFIED, F_INSTALLED};
	for (int k = 0; k < 3; k++) {
		if (!v[df[k]])
			continue;
		if (!mimp_date(v[df[k]], dates[k]))
			bad(r, rowno, df[k], "invalid_date", v[df[k]]);
		else
			v[df[k]] = dates[k];
	}
	if (strcmp(v[F_STATUS], "installed") == 0) {
		static const int need[] = {F_POINT, F_AREA, F_INSTALLED};
		for (int k = 0; k < 3; k++)
			if (!v[need[k]])
				bad(r, rowno, need[k], "required_when_installed", NULL);
	}
	const char *org = NULL;
	if (v[F_ORG]) {
		org = json_string_value(json_object_get(r->orgs, v[F_ORG]));
		if (!org)
			bad(r, rowno, F_ORG, "unknown_org_unit", v[F_ORG]);
	}
	if (r->nerr || r->stopped)
		return; /* a bad file writes nothing: the rest is only checked */
	char rn[24] = "", id[37];
	fg_uuid7(id);
	const char *direct[NDIRECT] = {id, v[F_ASSET_NO], v[F_KIND], v[F_SUBTYPE], v[F_MODEL], v[F_MANUFACTURER], v[F_BATCH],
		v[F_CLASS], v[F_RATED], v[F_RATIO], v[F_CONSTANT], v[F_PRODUCED], v[F_VERIFIED], v[F_SAMPLING], v[F_STATUS],
		v[F_POINT], v[F_AREA], v[F_INSTALLED], org, v[F_NOTE], r->id, r->now, r->now, "1"};
	if (r->pass == PASS_STAGED) /* a formatted number per row costs: only the staged pass keeps it */
		snprintf(rn, sizeof rn, "%lld", (long long)rowno);
	const char *staged[NSTAGE] = {rn, id, v[F_ASSET_NO], v[F_KIND], v[F_SUBTYPE], v[F_MODEL], v[F_MANUFACTURER],
		v[F_BATCH], v[F_CLASS], v[F_RATED], v[F_RATIO], v[F_CONSTANT], v[F_PRODUCED], v[F_VERIFIED], v[F_SAMPLING],
		v[F_STATUS], v[F_POINT], v[F_AREA], v[F_INSTALLED], org, v[F_NOTE]};
	const char **vals = r->pass == PASS_DIRECT ? direct : staged;
	int n = r->pass == PASS_DIRECT ? NDIRECT : NSTAGE;
	if (r->inline_b) {
		if ((r->inline_rc = db_bulk_row(r->inline_b, vals)) != 0)
			r->stopped = true;
		return;
	}
	size_t bytes = 0;
	for (int i = 0; i < n; i++)
		bytes += vals[i] ? strlen(vals[i]) + 1 : 0;
	if (r->cur && !mimp_batch_room(r->cur, bytes)) {
		mimp_pipe_put(r->pipe, r->cur);
		r->cur = NULL;
	}
	if (!r->cur && !(r->cur = mimp_pipe_empty(r->pipe))) {
		r->stopped = true; /* the database thread wants no more */
		return;
	}
	mimp_batch_t *b = r->cur;
	const char **out = b->vals + b->rows * (size_t)b->ncols;
	for (int i = 0; i < n; i++)
		out[i] = mimp_batch_add(b, vals[i]);
	b->rows++;
}

static json_t *
org_map(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, name FROM org_units", ""), &rc), *m = json_object(), *o;
	size_t i;
	json_array_foreach(rows, i, o) {
		json_object_set(m, json_string_value(json_object_get(o, "id")), json_object_get(o, "id"));
		json_object_set(m, json_string_value(json_object_get(o, "name")), json_object_get(o, "id"));
	}
	json_decref(rows);
	return m;
}

/* Asset numbers twice in the file, or already in the ledger: each such row into the report. Run only when the
 * move failed on the unique asset_no, so a good file pays nothing for it. */
static int
duplicates(run_t *r)
{
	int rc;
	json_t *rows = db_all(db_q(r->db,
	    "SELECT s.row_no, s.asset_no, f.first_row FROM mimp_stage s JOIN (SELECT asset_no, MIN(row_no) AS first_row "
	    "FROM mimp_stage GROUP BY asset_no HAVING COUNT(*) > 1) f ON f.asset_no = s.asset_no WHERE s.row_no <> f.first_row "
	    "ORDER BY s.row_no LIMIT 1000", ""), &rc), *o;
	if (!rows)
		return -1;
	size_t i;
	json_array_foreach(rows, i, o) {
		bad(r, json_integer_value(json_object_get(o, "row_no")), F_ASSET_NO, "duplicate_in_file",
		    json_string_value(json_object_get(o, "asset_no")));
		json_object_set(json_array_get(r->report, json_array_size(r->report) - 1), "first_row", json_object_get(o, "first_row"));
	}
	json_decref(rows);
	rows = db_all(db_q(r->db, "SELECT s.row_no, s.asset_no FROM mimp_stage s JOIN metering_assets a ON a.asset_no = s.asset_no "
				  "ORDER BY s.row_no LIMIT 1000", ""), &rc);
	if (!rows)
		return -1;
	json_array_foreach(rows, i, o) bad(r, json_integer_value(json_object_get(o, "row_no")), F_ASSET_NO, "already_exists",
	    json_string_value(json_object_get(o, "asset_no")));
	json_decref(rows);
	return 0;
}

static int
finish(db_t *db, const char *actor_id, const char *id, const char *state, const char *code, const char *sha, int64_t total,
    int64_t written, run_t *r, bool tx_open)
{
	char *rep = r->report && json_array_size(r->report) ? json_dumps(r->report, JSON_COMPACT) : NULL;
	if (!tx_open && db_begin(db) != 0) {
		free(rep);
		return -1;
	}
	int64_t now = fg_now_ms();
	int rc = db_run(db_q(db,
	    "UPDATE metering_imports SET state = $1, error_code = $2, sha256 = $3, rows_total = $4, rows_written = $5, "
	    "error_count = $6, report = $7, finished_at = $8 WHERE id = $9", "tttiiitit", state, code, sha, total, written,
	    r->nerr, rep, now, id));
	free(rep);
	json_t *after = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:I, s:I}", "id", id, "state", state, "error_code", code,
	    "sha256", sha, "rows_total", (json_int_t)total, "rows_written", (json_int_t)written, "error_count", (json_int_t)r->nerr);
	if (rc != DB_DONE || audit_write(db, actor_id, "import", "metering_import", id, NULL, after) != 0) {
		json_decref(after);
		db_rollback(db);
		return -1;
	}
	json_decref(after);
	return db_commit(db) == 0 ? 0 : -1;
}

static const char STAGE_DDL[] =
    "CREATE TEMP TABLE mimp_stage (row_no BIGINT NOT NULL, id TEXT NOT NULL, asset_no TEXT, kind TEXT, subtype TEXT, "
    "model TEXT, manufacturer TEXT, batch TEXT, accuracy_class TEXT, rated TEXT, ratio TEXT, constant TEXT, "
    "produced_on TEXT, verified_on TEXT, sampling TEXT, status TEXT, point_no TEXT, transformer_area TEXT, "
    "installed_on TEXT, org_unit_id TEXT, note TEXT)";

/* The reader's side of a pass: the file from its start, hashed, parsed and checked row by row into batches for the
 * database thread (row()). Its outcome: code NULL (read to the end, or stopped when the database thread abandoned the
 * load), or the file's refusal (err set). */
typedef struct {
	run_t *r;
	int fd;
	fg_err_t *err;
	const char *code;
	int64_t total;
	char sha[65];
} reader_t;

static void *
reader(void *arg)
{
	reader_t *rd = arg;
	run_t *r = rd->r;
	mimp_progress_t *pg = r->pg;
	fg_err_t *err = rd->err;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	char *buf = fg_malloc(CHUNK * 2), *out = fg_malloc(CHUNK);
	const char *cells[128];
	size_t have = 0, pos = 0;
	bool eof = false, first = true, got_header = false;
	int64_t rec = 0, total = 0;
	const char *code = NULL;
	for (;;) {
		if (!eof && have - pos < CHUNK) {
			memmove(buf, buf + pos, have - pos); /* keep the unread tail, read more after it */
			have -= pos;
			pos = 0;
			ssize_t n = read(rd->fd, buf + have, CHUNK * 2 - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				code = "import_unreadable";
				break;
			}
			crypto_hash_sha256_update(&hs, (unsigned char *)buf + have, (size_t)n);
			if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 BOM */
				pos = 3;
			}
			if (first && n >= 2 && ((unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE)) {
				code = "import_unreadable"; /* UTF-16: save the sheet as CSV UTF-8 */
				break;
			}
			if (first)
				r->d = csv_delimiter(buf + pos, have + (size_t)n - pos);
			first = false;
			have += (size_t)n;
			eof = n == 0;
			atomic_fetch_add(&pg->bytes_read, n);
		}
		if (atomic_load(&pg->stop)) {
			code = "import_interrupted";
			break;
		}
		int nf = 0;
		const char *why;
		size_t at = pos;
		int k = csv_record(buf, have, eof, r->d, &pos, out, CHUNK, cells, 128, &nf, &why);
		if (k == CSV_MORE) {
			if (eof || have - pos >= CHUNK) { /* one record longer than the window */
				why = "record_too_long";
				k = CSV_BAD;
			} else
				continue;
		}
		if (k == CSV_END)
			break;
		rec++;
		if (k == CSV_BAD) {
			code = "import_unreadable";
			fg_err(err, code);
			fg_err_detail_str(err, "reason", why);
			fg_err_detail_int(err, "row", rec);
			break;
		}
		if (!csv_utf8_valid(buf + at, pos - at)) {
			if (!got_header) {
				code = "import_unreadable";
				fg_err(err, code);
				fg_err_detail_str(err, "reason", "not UTF-8: save the sheet as CSV UTF-8");
				break;
			}
			bad(r, rec, -1, "not_utf8", NULL);
			continue;
		}
		if (nf == 1 && !*cells[0])
			continue; /* a blank line */
		if (!got_header) {
			if (header(r, cells, nf, err) != 0) {
				code = err->code;
				break;
			}
			got_header = true;
			continue;
		}
		total++;
		atomic_store(&pg->rows, total);
		row(r, rec, cells, nf);
		if (r->stopped)
			break;
	}
	if (r->cur)
		mimp_pipe_put(r->pipe, r->cur); /* the last rows (a batch of none is loaded as nothing) */
	r->cur = NULL;
	if (r->pipe)
		mimp_pipe_close(r->pipe);
	crypto_hash_sha256_final(&hs, (unsigned char *)out);
	sodium_bin2hex(rd->sha, sizeof rd->sha, (unsigned char *)out, 32);
	rd->code = code;
	rd->total = total;
	free(buf);
	free(out);
	return NULL;
}

/* One pass over the file. SQLite: on two threads, a reader parsing and checking the file into batches (reader(),
 * row()) while this thread, the connection's, loads each batch into its table as the next one is read
 * (db_bulk_rows: one INSERT … SELECT per batch, which keeps the ledger's b-tree cursors open and positioned across
 * rows). Checking and loading overlap on two cores (measured, 1,000,000 rows: parse and checks 1.2 s of CPU; the
 * staging table this replaced cost another 1.2 s of CPU on this thread). PostgreSQL: the reader runs on this thread
 * and each checked row goes to the COPY (the server's process does the loading meanwhile).
 *
 * A good file takes the fast pass (PASS_DIRECT): the rows straight into the ledger. When the ledger refuses a row
 * there (an asset number twice in the file or already in the ledger), this thread abandons the load (the reader stops
 * at its next batch), the pass rolls back and answers *retry: the caller runs again staging the whole file
 * (PASS_STAGED), which names every such row (duplicates()). A file with bad cells fails the same in either pass: at
 * its first bad cell the reader stops filling batches but checks the rest, so the report names every one. */
static int
run(db_t *db, const char *actor_id, const char *id, int fd, mimp_progress_t *pg, fg_err_t *err, int pass, bool *retry)
{
	struct stat stt;
	if (fstat(fd, &stt) == 0)
		atomic_store(&pg->bytes_total, (int64_t)stt.st_size);
	atomic_store(&pg->bytes_read, 0);
	atomic_store(&pg->phase, pass == PASS_STAGED ? MIMP_CHECKING : MIMP_READING);
	run_t r = {.db = db, .pg = pg, .report = json_array(), .pass = pass};
	fg_fmt(r.id, sizeof r.id, "%s", id);
	int64_t now = fg_now_ms(), written = 0, total = 0;
	snprintf(r.now, sizeof r.now, "%lld", (long long)now);
	const char *code = NULL;
	char sha[65] = "";
	db_bulk_t *b = NULL;
	r.orgs = org_map(db);
	/* SQLite: the load fills eight indexes at once, two of them (rotation's area, the batch) at hundreds of places;
	 * with the default 2 MiB page cache their leaf pages were spilled and read back all through the load. 64 MiB
	 * for the import's duration, given back after (pages are taken as touched: the bound, not the use). */
	bool big_cache = db_kind(db) == DB_SQLITE && db_exec(db, "PRAGMA cache_size = -65536") == 0;
	/* SQLite: each batch's INSERT … SELECT keeps a statement journal (the pages it changed, to undo it alone if a row
	 * fails): in memory, bounded by one batch, rather than a temporary file written through the load (measured: a
	 * third more writes). The staged pass keeps its staging table, the whole file, on disk. */
	bool mem_temp = db_kind(db) == DB_SQLITE && pass == PASS_DIRECT && db_exec(db, "PRAGMA temp_store = MEMORY") == 0;
	if (lseek(fd, 0, SEEK_SET) < 0 || db_begin(db) != 0 ||
	    (pass != PASS_DIRECT && (db_exec(db, "DROP TABLE IF EXISTS mimp_stage") != 0 || db_exec(db, STAGE_DDL) != 0))) {
		code = "internal";
		goto out;
	}
	b = pass == PASS_DIRECT ? db_bulk_begin(db, "metering_assets", direct_cols, NDIRECT)
				: db_bulk_begin(db, "mimp_stage", stage_cols, NSTAGE);
	reader_t rd = {.r = &r, .fd = fd, .err = err};
	int loadrc = b ? 0 : DB_ERR;
	if (db_kind(db) == DB_PG) {
		/* PostgreSQL: the server's process fills the table while this one reads the file — two processes at work
		 * already, and a reader thread would only add a third on two cores: each row goes to the COPY as it is
		 * checked, on this thread */
		r.inline_b = b;
		r.stopped = loadrc != 0;
		reader(&rd);
		if (!loadrc)
			loadrc = r.inline_rc;
	} else {
		r.pipe = mimp_pipe_new(pass == PASS_DIRECT ? NDIRECT : NSTAGE);
		pthread_t th;
		if (pthread_create(&th, NULL, reader, &rd) != 0) {
			mimp_pipe_free(r.pipe);
			r.pipe = NULL;
			if (b && db_bulk_end(b, NULL) != 0)
				log_error("meter import %s: the load could not be ended", id);
			code = "internal";
			goto out;
		}
		/* this thread: each batch into the table as it comes; after a failure only taken back, until the reader
		 * ends */
		if (loadrc)
			mimp_pipe_abandon(r.pipe);
		mimp_batch_t *bt;
		while ((bt = mimp_pipe_full(r.pipe))) {
			if (!loadrc && (loadrc = db_bulk_rows(b, bt->vals, bt->rows)) != 0)
				mimp_pipe_abandon(r.pipe);
			mimp_pipe_done(r.pipe, bt);
		}
		pthread_join(th, NULL);
		mimp_pipe_free(r.pipe);
		r.pipe = NULL;
	}
	code = rd.code;
	total = rd.total;
	fg_fmt(sha, sizeof sha, "%s", rd.sha);
	int endrc = b ? db_bulk_end(b, NULL) : DB_ERR;
	if (!loadrc)
		loadrc = endrc; /* PostgreSQL: a COPY's refusal shows at its end */
	if (pass != PASS_STAGED && !code && !r.nerr && loadrc == DB_CONFLICT) {
		/* a taken asset number: this pass cannot say which rows; the staging pass will */
		db_rollback(db);
		*retry = true;
		goto done;
	}
	if (!code && !r.nerr && loadrc != 0)
		code = "internal";
	if (!code && total == 0)
		code = "import_empty";
	if (!code && r.nerr)
		code = "import_invalid_rows";
	if (!code && pass != PASS_STAGED)
		written = total;
	/* PostgreSQL: statistics for what was just loaded, in the same transaction (ANALYZE counts its own rows). A
	 * ledger analysed empty and then filled by a bulk load is planned as if it still held one row until autovacuum
	 * comes by: a rotation campaign generated right after the import then took a nested loop over every meter. */
	if (!code && db_kind(db) == DB_PG && db_exec(db, "ANALYZE metering_assets") != 0)
		code = "internal";
	if (!code && pass == PASS_STAGED) {
		atomic_store(&pg->phase, MIMP_WRITING);
		int sp = db_savepoint(db);
		int rc = sp < 0 ? DB_ERR : db_run(db_q(db,
		    "INSERT INTO metering_assets (id, asset_no, kind, subtype, model, manufacturer, batch, accuracy_class, rated, "
		    "ratio, constant, produced_on, verified_on, sampling, status, point_no, transformer_area, installed_on, "
		    "org_unit_id, note, import_id, created_at, updated_at, version) SELECT id, asset_no, kind, subtype, model, "
		    "manufacturer, batch, accuracy_class, rated, ratio, constant, produced_on, verified_on, sampling, status, "
		    "point_no, transformer_area, installed_on, org_unit_id, note, $1, $2, $2, 1 FROM mimp_stage", "ti", id, now));
		if (rc == DB_CONFLICT) {
			db_rollback_to(db, sp);
			code = duplicates(&r) == 0 && r.nerr ? "import_invalid_rows" : "internal";
		} else if (rc != DB_DONE || db_release(db, sp) != 0)
			code = "internal";
		else
			written = total; /* the taken numbers were freed meanwhile: the file loads after all */
	}
	if (!code && ((pass != PASS_DIRECT && db_exec(db, "DROP TABLE mimp_stage") != 0) ||
			 finish(db, actor_id, id, "done", NULL, sha, total, written, &r, true) != 0))
		code = "internal";
out:
	if (code) {
		if (db_in_tx(db))
			db_rollback(db);
		if (strcmp(code, "internal") == 0)
			log_error("meter import %s: %s", id, db_errmsg(db));
		/* SQLite: the staging table's creation went with the rollback as well (its DDL is transactional) */
		if (finish(db, actor_id, id, "failed", code, *sha ? sha : NULL, total, 0, &r, false) != 0)
			log_error("meter import %s: its outcome could not be recorded: %s", id, db_errmsg(db));
		if (!err->code || strcmp(err->code, code) != 0) {
			fg_err_clear(err);
			fg_err(err, code);
		}
		if (strcmp(code, "import_invalid_rows") == 0)
			fg_err_detail_int(err, "error_count", r.nerr);
	}
done:
	if (mem_temp && db_exec(db, "PRAGMA temp_store = DEFAULT") != 0)
		log_error("meter import %s: temp_store could not be set back: %s", id, db_errmsg(db));
	if (big_cache && db_exec(db, "PRAGMA cache_size = -2000") != 0)
		log_error("meter import %s: the page cache could not be set back: %s", id, db_errmsg(db));
	json_decref(r.report);
	json_decref(r.orgs);
	return code ? -1 : 0;
}

int
mimp_run(db_t *db, const char *actor_id, const char *id, int fd, mimp_progress_t *pg, fg_err_t *err)
{
	mimp_progress_t own = {0};
	if (!pg)
		pg = &own;
	bool retry = false;
	int rc = run(db, actor_id, id, fd, pg, err, PASS_DIRECT, &retry);
	return retry ? run(db, actor_id, id, fd, pg, err, PASS_STAGED, &retry) : rc;
}

json_t *
mimp_get(db_t *db, const char *id)
{
	int rc;
	json_t *o = db_one(db_q(db, "SELECT id, state, filename, sha256, bytes_total, rows_total, rows_written, error_count, "
				    "error_code, report, created_by, created_at, finished_at FROM metering_imports WHERE id = $1", "t", id), &rc);
	if (!o)
		return NULL;
	const char *rep = json_string_value(json_object_get(o, "report"));
	json_t *rj = rep ? json_loads(rep, 0, NULL) : NULL;
	json_object_set_new(o, "report", rj ? rj : json_array());
	json_t *pg = NULL;
	if (strcmp(json_string_value(json_object_get(o, "state")), "running") != 0 || !mimp_live(id, &pg)) {
		bool ok = strcmp(json_string_value(json_object_get(o, "state")), "done") == 0;
		json_int_t bt = json_integer_value(json_object_get(o, "bytes_total"));
		pg = json_pack("{s:s, s:I, s:I, s:O, s:i}", "phase", json_string_value(json_object_get(o, "state")), "bytes_read",
		    ok ? bt : (json_int_t)0, "bytes_total", bt, "rows", json_object_get(o, "rows_total"), "percent", ok ? 100 : 0);
	}
	json_object_set_new(o, "progress", pg);
	return o;
}

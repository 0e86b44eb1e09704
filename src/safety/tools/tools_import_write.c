/* What a tool-ledger import writes (the tool import, tools_import_internal.h): the tools of a checked file, all in
 * one transaction so the ledger gets all of the file or none of it, each audited by tools_insert; and the job's
 * own row in tool_imports (its state while it runs, its outcome and report at the end), audited with the outcome.
 * Kept apart from the check so that every write of an import is in this one file. */
#include <stdlib.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/tools/tools.h"
#include "safety/tools/tools_import_internal.h"

int
timp_set_state(db_t *db, const char *id, const char *state, const char *phase)
{
	return db_run(db_q(db, "UPDATE tool_imports SET state = $1, phase = $2 WHERE id = $3", "ttt", state, phase, id));
}

int
timp_finish(db_t *db, timp_job_t *j, bool tx_open, const char *error_code, json_t *rep, int nerr, int checked, int written)
{
	const char *state = error_code ? "failed" : "done";
	char *errs = rep && json_array_size(rep) ? json_dumps(rep, JSON_COMPACT) : NULL;
	int rc = tx_open ? 0 : db_begin(db);
	if (rc == 0)
		rc = db_run(db_q(db,
		    "UPDATE tool_imports SET state = $1, phase = $2, rows_checked = $3, rows_written = $4, error_code = $5, "
		    "error_count = $6, errors = $7, finished_at = $8 WHERE id = $9",
		    "ttiititit", state, state, (int64_t)checked, (int64_t)written, error_code, (int64_t)nerr, errs, fg_now_ms(),
		    j->id));
	free(errs);
	json_t *after = json_pack("{s:s, s:b, s:i, s:i, s:i, s:s?}", "state", state, "dry_run", j->dry_run, "rows",
	    timp_data_rows(j), "created", written, "errors", nerr, "error_code", error_code);
	if (rc == 0)
		rc = audit_write(db, j->actor, "import", "tool_import", j->id, NULL, after);
	json_decref(after);
	if (rc == 0)
		rc = db_commit(db);
	if (rc != 0) {
		log_error("tool import %s: cannot record its outcome: %s", j->id, db_errmsg(db));
		db_rollback(db);
	}
	return rc;
}

int
timp_write_rows(db_t *db, timp_job_t *j, json_t *rows, json_t *rep, int *nerr, int checked)
{
	int written = 0;
	timp_progress("writing", -1, 0);
	if (timp_set_state(db, j->id, "running", "writing") != 0)
		log_warn("tool import %s: cannot mark it writing: %s", j->id, db_errmsg(db));
	/* one transaction for every row: the ledger gets all of the file or none of it */
	if (db_begin(db) != 0)
		return TIMP_INTERNAL;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (timp_should_stop()) {
			db_rollback(db);
			return TIMP_STOPPED;
		}
		json_t *after = NULL;
		int rc = tools_insert(db, j->actor, json_object_get(row, "in"), &after);
		json_decref(after);
		if (rc == DB_CONFLICT) { /* another import or a keeper took the number since the check */
			db_rollback(db);
			timp_report(rep, nerr, j, (int)json_integer_value(json_object_get(row, "r")), F_ASSET, "asset_no_taken", NULL);
			timp_finish(db, j, false, "import_invalid_rows", rep, *nerr, checked, 0);
			return TIMP_DONE;
		}
		if (rc != DB_DONE) {
			log_error("tool import %s: row %zu: %s", j->id, i + 1, db_errmsg(db));
			db_rollback(db);
			return TIMP_INTERNAL;
		}
		written++;
		if (written % 50 == 0)
			timp_progress(NULL, -1, written);
	}
	timp_progress(NULL, -1, written);
	if (timp_finish(db, j, true, NULL, rep, 0, checked, written) != 0)
		return TIMP_INTERNAL;
	log_info("tool import %s: %d tools written", j->id, written);
	return TIMP_DONE;
}

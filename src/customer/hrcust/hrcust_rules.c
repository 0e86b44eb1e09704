/* The rules of the ledger and its checks (hrcust.h): the shipped data/hrcust/check_rules.json, with an admin's
 * whole-document edit kept in settings 'hrcust.rules' (the file is never rewritten: a later binary's defaults do
 * not overwrite an edit, and deleting nothing restores them). */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "customer/hrcust/hrcust.h"

#define RULES_FILE "data/hrcust/check_rules.json"

static json_t *builtin; /* read-only after start */

static const char *const grades[] = {"special", "first", "second", "temporary", "hv35", "hv10", NULL};
static const char *const lists[] = {"base", "hv", "suspected", "temporary", NULL};
static const char *const areas[] = {"supply", "receiving", "secondary", "metering", "operation", "self_power", NULL};

static bool
int_in(json_t *o, const char *k, long lo, long hi)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

/* The document's shape; the field named in err is the first one wrong. */
static int
check_rules(json_t *r, fg_err_t *err)
{
	static const struct {
		const char *k;
		long lo, hi;
	} ints[] = {{"lead_days", 0, 366}, {"emergency_share_min_percent", 1, 1000}, {"dual_power_months", 1, 60},
		    {"self_power_months", 1, 60}, {"suspected_months", 1, 60}, {"temporary_before_working_days", 0, 60}};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (!int_in(r, ints[i].k, ints[i].lo, ints[i].hi)) {
			char why[64];
			fg_fmt(why, sizeof why, "a whole number %ld to %ld", ints[i].lo, ints[i].hi);
			return fg_err_field(err, "invalid_field", ints[i].k, why);
		}
	json_t *g = json_object_get(r, "grades");
	for (int i = 0; grades[i]; i++) {
		json_t *d = json_object_get(g, grades[i]);
		char f[64];
		fg_fmt(f, sizeof f, "grades.%s", grades[i]);
		if (!json_is_object(d) || !fg_jstr(d, "name_zh") || !int_in(d, "months", 0, 60) || !int_in(d, "min_sources", 0, 10) ||
		    !int_in(d, "min_substations", 0, 10))
			return fg_err_field(err, "invalid_field", f, "{name_zh, name_en, months 0–60 (0: no periodic check), min_sources 0–10, "
			    "min_substations 0–10, needs_emergency_power}");
	}
	if (json_object_size(g) != 6)
		return fg_err_field(err, "invalid_field", "grades", "exactly special, first, second, temporary, hv35 and hv10");
	json_t *ind = json_object_get(r, "suspected_industries"), *it;
	size_t i, j;
	if (!json_is_array(ind) || json_array_size(ind) > 100)
		return fg_err_field(err, "invalid_field", "suspected_industries", "up to 100 {code, name_zh, name_en}");
	json_array_foreach(ind, i, it) if (!fg_jstr(it, "code") || !*fg_jstr(it, "code") || !fg_jstr(it, "name_zh"))
		return fg_err_field(err, "invalid_field", "suspected_industries", "up to 100 {code, name_zh, name_en}");
	json_t *cl = json_object_get(r, "checklists");
	for (int l = 0; lists[l]; l++) {
		json_t *a = json_object_get(cl, lists[l]);
		char f[64];
		fg_fmt(f, sizeof f, "checklists.%s", lists[l]);
		if (!json_is_array(a) || json_array_size(a) > 100 || (strcmp(lists[l], "base") == 0 && json_array_size(a) == 0))
			return fg_err_field(err, "invalid_field", f, "a list of up to 100 items (base: at least one)");
		json_array_foreach(a, i, it) {
			const char *code = fg_jstr(it, "code"), *t = fg_jstr(it, "text_zh");
			bool bad = !code || !*code || strlen(code) > 40 || !t || !*t || strlen(t) > 500 || !fg_one_of(fg_jstr(it, "area"), areas);
			for (j = 0; !bad && j < i; j++)
				bad = strcmp(fg_jstr(json_array_get(a, j), "code"), code) == 0;
			if (bad) {
				fg_err_field(err, "invalid_field", f, "each item {code (unique, ≤40), area (supply, receiving, secondary, metering, "
				    "operation or self_power), text_zh, text_en}");
				fg_err_detail_int(err, "item", (long long)i);
				return -1;
			}
		}
	}
	return 0;
}

int
hrcust_start(void)
{
	const embed_file_t *f = embed_find(RULES_FILE);
	json_error_t je;
	fg_err_t e = FG_ERR_INIT;
	builtin = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!builtin || check_rules(builtin, &e) != 0) {
		log_error(RULES_FILE ": %s", builtin ? e.code : f ? je.text : "missing");
		fg_err_clear(&e);
		return -1;
	}
	return 0;
}

static json_t *
stored(db_t *db)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = 'hrcust.rules'", ""), &rc);
	json_t *v = row && fg_jstr(row, "value") && *fg_jstr(row, "value") ? json_loads(fg_jstr(row, "value"), 0, NULL) : NULL;
	json_decref(row);
	return v;
}

json_t *
hrcust_rules(db_t *db)
{
	json_t *edit = stored(db), *r = json_deep_copy(edit ? edit : builtin);
	if (edit) { /* the shipped file's words on where the defaults come from stay with the edited document */
		json_object_set(r, "about", json_object_get(builtin, "about"));
		json_object_set(r, "source", json_object_get(builtin, "source"));
	}
	json_object_set_new(r, "edited", json_boolean(edit != NULL));
	json_decref(edit);
	return r;
}

json_t *
hrcust_grade(json_t *rules, const char *grade)
{
	return grade ? json_object_get(json_object_get(rules, "grades"), grade) : NULL;
}

bool
hrcust_is_hv35(const char *v)
{
	if (!v)
		return false;
	double n = strtod(v, NULL);
	const char *p = v;
	while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == ' '))
		p++;
	return (*p == 'k' || *p == 'K') && n >= 35.0;
}

int
hrcust_rules_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *doc = json_deep_copy(in);
	json_object_del(doc, "about");
	json_object_del(doc, "source");
	json_object_del(doc, "edited");
	json_t *before = NULL, *after = NULL;
	if (check_rules(doc, err) != 0)
		goto fail_nodb;
	if (db_begin(db) != 0 || db_lock_where(db, "settings", "key", "hrcust.rules", NULL) != 0)
		goto fail;
	before = hrcust_rules(db);
	if (db_check_version(before, in, err))
		goto fail;
	json_object_set_new(doc, "version", json_integer(json_integer_value(json_object_get(before, "version")) + 1));
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = db_run(db_q(db, "UPDATE settings SET value = $1 WHERE key = 'hrcust.rules'", "t", text));
	free(text);
	if (rc != DB_DONE || !(after = hrcust_rules(db)) ||
	    audit_write(db, actor_id, "update", "hrcust_rules", "hrcust.rules", before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	json_decref(doc);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	json_decref(doc);
	return db_fail(db, err);
fail_nodb:
	json_decref(doc);
	return -1;
}

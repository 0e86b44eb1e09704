/* The desk's side of customers' applications: the shared space (comments, documents), the responsibility list,
 * the board and the timeline (appspace.h). */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "core/flow/flow.h"
#include "shared/org/scope.h"
#include "customer/appspace/appspace.h"
#include "customer/appjobs/appjobs.h"

#define FILE_COLS "f.id, f.application_id, f.attachment_id, f.title, a.filename, a.content_type, a.size, f.added_by, " \
		  "u.display_name AS added_by_name, f.created_at"

/* The tracks in the order the desk lists them (the 十项承诺's order: residential, LV, HV single, HV dual). */
static const char *const tracks[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual", NULL};

/* ---- the shared space ---- */

static json_t *
comment_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT c.id, c.application_id, c.author_id, u.display_name AS author_name, c.text, c.created_at "
			       "FROM application_comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1", "t", id), &rc);
}

int
appspace_comments(db_t *db, const char *app_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *items = db_all(db_q(db, "SELECT c.id, c.application_id, c.author_id, u.display_name AS author_name, c.text, "
					"c.created_at FROM application_comments c JOIN users u ON u.id = c.author_id "
					"WHERE c.application_id = $1 ORDER BY c.created_at, c.id", "t", app_id), &rc);
	if (!items)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int
appspace_comment_add(db_t *db, const auth_user_t *actor, const char *app_id, const char *text, json_t **out,
    fg_err_t *err)
{
	if (fg_blank(text))
		return fg_err_field(err, "invalid_field", "text", "what you want the other departments to know, not empty");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	char id[37];
	fg_uuid7(id);
	if (db_run(db_q(db, "INSERT INTO application_comments (id, application_id, author_id, text, created_at) "
			    "VALUES ($1, $2, $3, $4, $5)", "tttti", id, app_id, actor->id, text, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "create", "application_comment", id, NULL, comment_get(db, id), out, err);
}

static json_t *
file_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " FILE_COLS " FROM application_files f JOIN attachments a ON a.id = f.attachment_id "
			       "JOIN users u ON u.id = f.added_by WHERE f.id = $1", "t", id), &rc);
}

int
appspace_files(db_t *db, const char *app_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *items = db_all(db_q(db, "SELECT " FILE_COLS " FROM application_files f JOIN attachments a ON a.id = f.attachment_id "
					"JOIN users u ON u.id = f.added_by WHERE f.application_id = $1 ORDER BY f.created_at, f.id",
				   "t", app_id), &rc);
	if (!items)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int
appspace_file_add(db_t *db, const auth_user_t *actor, const char *app_id, const char *attachment_id,
    const char *title, json_t **out, fg_err_t *err)
{
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "attachments", attachment_id) != 0)
		return db_fail(db, err);
	json_t *att = db_one(db_q(db, "SELECT entity, entity_id FROM attachments WHERE id = $1", "t", attachment_id), &rc);
	/* a file that already belongs to something else (a plan's photo, another application) would be shown here
	 * under this application's scope: only a file not yet attached, or already this application's, may come in */
	bool ok = att && (!fg_jstr(att, "entity") ||
			     (strcmp(fg_jstr(att, "entity"), "application") == 0 && fg_jstr(att, "entity_id") &&
				 strcmp(fg_jstr(att, "entity_id"), app_id) == 0));
	json_decref(att);
	if (!ok) {
		db_rollback(db);
		if (rc != DB_ROW && rc != DB_DONE)
			return fg_err(err, "internal");
		return fg_err_field(err, "invalid_field", "attachment_id",
		    "an uploaded file (POST /api/v1/attachments) that belongs to nothing else");
	}
	json_t *have = db_one(db_q(db, "SELECT id FROM application_files WHERE application_id = $1 AND attachment_id = $2", "tt",
				  app_id, attachment_id), &rc);
	if (have) {
		fg_err(err, "application_file_exists");
		fg_err_detail_str(err, "id", fg_jstr(have, "id"));
		json_decref(have);
		db_rollback(db);
		return -1;
	}
	char id[37];
	fg_uuid7(id);
	if (db_run(db_q(db, "INSERT INTO application_files (id, application_id, attachment_id, title, added_by, created_at) "
			    "VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6)", "ttttti", id, app_id, attachment_id, title ? title : "",
		       actor->id, fg_now_ms())) != DB_DONE ||
	    db_run(db_q(db, "UPDATE attachments SET entity = 'application', entity_id = $1 WHERE id = $2 AND entity IS NULL", "tt",
		       app_id, attachment_id)) != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "create", "application_file", id, NULL, file_get(db, id), out, err);
}

/* ---- the responsibility list ---- */

static json_t *
duties_doc(void)
{
	static json_t *doc; /* parsed once; read-only afterwards */
	if (!doc) {
		const embed_file_t *f = embed_find("data/applications/responsibilities.json");
		doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	}
	return doc;
}

static json_t *
find_by(json_t *list, const char *key, const char *value)
{
	json_t *x;
	size_t i;
	json_array_foreach(list, i, x) if (value && fg_jstr(x, key) && strcmp(fg_jstr(x, key), value) == 0) return x;
	return NULL;
}

static json_t *
department_of_role(const char *role)
{
	json_t *d, *r;
	size_t i, j;
	json_array_foreach(json_object_get(duties_doc(), "departments"), i, d)
		json_array_foreach(json_object_get(d, "roles"), j, r) if (role && strcmp(json_string_value(r), role) == 0) return d;
	return NULL;
}

/* Does a transition exist for the track ("when" absent, or its track list names it)? */
static bool
for_track(json_t *t, const char *track)
{
	json_t *when = json_object_get(t, "when");
	if (!when)
		return true;
	json_t *list = json_object_get(when, "track"), *v;
	size_t i;
	if (!list)
		return true;
	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), track) == 0) return true;
	return false;
}

/* The stages a track runs through: every state reached from the first one by the track's forward transitions
 * (holds and resumes stay, a cancellation ends it), in the flow's order of states; closed states left out. */
static json_t *
stages_of(json_t *flow, const char *track)
{
	json_t *states = json_object_get(flow, "states"), *reached = json_object(), *t, *f;
	json_object_set_new(reached, fg_jstr(json_array_get(states, 0), "code"), json_true());
	for (bool grew = true; grew;) {
		grew = false;
		size_t i, j;
		json_array_foreach(json_object_get(flow, "transitions"), i, t) {
			const char *to = fg_jstr(t, "to");
			if (!to || json_is_true(json_object_get(t, "stay")) || strcmp(to, "cancelled") == 0 || !for_track(t, track) ||
			    json_object_get(reached, to))
				continue;
			json_array_foreach(json_object_get(t, "from"), j, f) {
				if (json_object_get(reached, json_string_value(f))) {
					json_object_set_new(reached, to, json_true());
					grew = true;
					break;
				}
			}
		}
	}
	json_t *out = json_array(), *s;
	size_t i;
	json_array_foreach(states, i, s) {
		const char *code = fg_jstr(s, "code");
		if (json_object_get(reached, code) && fg_jstr(s, "owner"))
			json_array_append(out, s);
	}
	json_decref(reached);
	return out;
}

/* A working-day count for the track: N, or {"by": "track", "values": {track: N}}; null when it has none. */
static json_t *
working_days(json_t *after, const char *track)
{
	json_t *wd = json_object_get(after, "working_days");
	if (json_is_integer(wd))
		return json_incref(wd);
	json_t *v = json_object_get(json_object_get(wd, "values"), track);
	return json_is_integer(v) ? json_incref(v) : json_null();
}

int
appspace_check(void)
{
	json_t *doc = duties_doc(), *flow = flow_def("application");
	if (!doc || !json_is_array(json_object_get(doc, "departments")) || !json_is_array(json_object_get(doc, "duties"))) {
		log_error("data/applications/responsibilities.json: missing or not {departments, duties}");
		return -1;
	}
	if (!flow) {
		log_error("appspace: the application flow is not loaded");
		return -1;
	}
	int bad = 0;
	for (int k = 0; tracks[k]; k++) {
		json_t *stages = stages_of(flow, tracks[k]), *s, *sup;
		size_t i, j;
		json_array_foreach(stages, i, s) {
			json_t *duty = find_by(json_object_get(doc, "duties"), "stage", fg_jstr(s, "code"));
			if (!duty) {
				log_error("data/applications/responsibilities.json: stage %s has no duty", fg_jstr(s, "code"));
				bad = -1;
			}
			if (!department_of_role(fg_jstr(s, "owner"))) {
				log_error("data/applications/responsibilities.json: role %s (owner of %s) has no department", fg_jstr(s, "owner"),
				    fg_jstr(s, "code"));
				bad = -1;
			}
			json_array_foreach(json_object_get(duty, "supports"), j, sup) {
				if (!find_by(json_object_get(doc, "departments"), "key", fg_jstr(sup, "department"))) {
					log_error("data/applications/responsibilities.json: stage %s names department %s, not listed",
					    fg_jstr(s, "code"), fg_jstr(sup, "department"));
					bad = -1;
				}
			}
		}
		json_decref(stages);
	}
	return bad;
}

int
appspace_responsibilities(db_t *db, const char *org_unit_id, json_t **out, fg_err_t *err)
{
	json_t *doc = duties_doc(), *flow = flow_def("application"), *teams = json_object();
	int rc;
	if (org_unit_id) {
		json_t *rows = db_all(db_q(db, "SELECT r.stage, r.team_id, o.name AS team_name FROM application_routing r "
					       "JOIN org_units o ON o.id = r.team_id WHERE r.org_unit_id = $1", "t", org_unit_id), &rc), *r;
		if (!rows) {
			json_decref(teams);
			return fg_err(err, "internal");
		}
		size_t i;
		json_array_foreach(rows, i, r) json_object_set(teams, fg_jstr(r, "stage"), r);
		json_decref(rows);
	}
	json_t *depts = json_array(), *d, *track_list = json_array();
	size_t i, j, k;
	json_array_foreach(json_object_get(doc, "departments"), i, d) {
		json_t *c = json_deep_copy(d);
		json_object_set_new(c, "owns", json_array());
		json_object_set_new(c, "supports", json_array());
		json_array_append_new(depts, c);
	}
	json_t *process = json_object_get(json_object_get(flow, "process_deadline"), "after");
	for (int t = 0; tracks[t]; t++) {
		json_t *stages = stages_of(flow, tracks[t]), *list = json_array(), *s, *sup;
		json_array_foreach(stages, j, s) {
			const char *code = fg_jstr(s, "code"), *owner = fg_jstr(s, "owner");
			json_t *duty = find_by(json_object_get(doc, "duties"), "stage", code);
			json_t *dept = department_of_role(owner), *team = json_object_get(teams, code);
			json_t *limit = working_days(json_object_get(json_object_get(s, "deadline"), "after"), tracks[t]);
			bool turn = strcmp(owner, "customer") == 0;
			json_t *row = json_pack("{s:s, s:O, s:O, s:s?, s:b, s:s?, s:O, s:O?, s:O?, s:o, s:O?, s:O?}", "code", code,
			    "name_zh", json_object_get(s, "name_zh"), "name_en", json_object_get(s, "name_en"), "owner_role",
			    turn ? NULL : owner, "customer_turn", turn, "department", fg_jstr(dept, "key"), "limit_working_days", limit,
			    "duty_zh", json_object_get(duty, "duty_zh"), "duty_en", json_object_get(duty, "duty_en"), "supports",
			    json_deep_copy(json_object_get(duty, "supports")), "team_id", json_object_get(team, "team_id"),
			    "team_name", json_object_get(team, "team_name"));
			const char *opt[] = {"owner_role", "department", "duty_zh", "duty_en", "team_id", "team_name"};
			for (size_t o = 0; o < sizeof opt / sizeof opt[0]; o++)
				if (!json_object_get(row, opt[o]))
					json_object_set_new(row, opt[o], json_null());
			json_array_append_new(list, row);
			json_decref(limit);
			/* the department's own list: what it owns, what it helps with */
			json_array_foreach(depts, k, d) {
				if (dept && strcmp(fg_jstr(d, "key"), fg_jstr(dept, "key")) == 0)
					json_array_append_new(json_object_get(d, "owns"), json_pack("{s:s, s:s, s:O}", "track", tracks[t],
												"stage", code, "limit_working_days",
												json_object_get(row, "limit_working_days")));
				size_t m;
				json_array_foreach(json_object_get(duty, "supports"), m, sup) {
					if (strcmp(fg_jstr(sup, "department"), fg_jstr(d, "key")) == 0)
						json_array_append_new(json_object_get(d, "supports"),
						    json_pack("{s:s, s:s, s:O, s:O}", "track", tracks[t], "stage", code, "duty_zh",
							json_object_get(sup, "duty_zh"), "duty_en", json_object_get(sup, "duty_en")));
				}
			}
		}
		json_decref(stages);
		json_t *limit = working_days(process, tracks[t]);
		json_array_append_new(track_list, json_pack("{s:s, s:o, s:o}", "track", tracks[t], "limit_working_days", limit,
						      "stages", list));
	}
	json_decref(teams);
	*out = json_pack("{s:o, s:o}", "departments", depts, "tracks", track_list);
	return 0;
}

/* ---- the board ---- */

static void
board_where(qb_t *q, const appspace_board_filter_t *f)
{
	struct {
		const char *col, *val;
	} eq[] = {{"kind", f->kind}, {"track", f->track}, {"customer_manager_id", f->customer_manager_id}};
	for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
		if (!eq[i].val)
			continue;
		qb_sql(q, " AND ");
		qb_sql(q, eq[i].col);
		qb_sql(q, " = ");
		qb_text(q, eq[i].val);
	}
	if (f->fast_path >= 0) {
		qb_sql(q, " AND fast_path = ");
		qb_int(q, f->fast_path);
	}
	/* the same scope as GET /applications: the viewer's org unit and below, and applications without a unit */
	if (f->viewer && !scope_company_wide(f->viewer)) {
		qb_sql(q, " AND (org_unit_id IS NULL");
		if (f->viewer->org_unit_id[0]) {
			qb_sql(q, " OR org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
			qb_text(q, f->viewer->org_unit_id);
			qb_sql(q, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
		}
		qb_sql(q, ")");
	}
}

static void
bump(json_t *o, const char *k)
{
	json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + 1));
}

int
appspace_board(db_t *db, const appspace_board_filter_t *f, json_t **out, fg_err_t *err)
{
	static const char *const open_only = " AND status NOT IN ('archived', 'cancelled')";
	qb_t q;
	qb_init(&q, "SELECT id, number, kind, track, status, applicant_name, id_type, fast_path, customer_manager_id, "
		    "hold_reason, waiting_reason, created_at FROM applications WHERE 1 = 1");
	qb_sql(&q, open_only);
	board_where(&q, f);
	qb_sql(&q, " ORDER BY fast_path DESC, created_at, id");
	int rc;
	json_t *apps = db_all(qb_prepare(db, &q), &rc);
	qb_free(&q);
	/* the open clocks of the same applications, in one statement */
	qb_init(&q, "SELECT entity_id, kind, due_at, warn_at, warned_at, paused_at, fired_at FROM flow_timers "
		    "WHERE flow = 'application' AND ended_at IS NULL AND entity_id IN (SELECT id FROM applications WHERE 1 = 1");
	qb_sql(&q, open_only);
	board_where(&q, f);
	qb_sql(&q, ")");
	json_t *timers = apps ? db_all(qb_prepare(db, &q), &rc) : NULL;
	qb_free(&q);
	if (!apps || !timers) {
		json_decref(apps);
		return fg_err(err, "internal");
	}
	int64_t now = fg_now_ms();
	json_t *clocks = json_object(), *t, *a, *s;
	size_t i;
	json_array_foreach(timers, i, t) {
		const char *id = fg_jstr(t, "entity_id");
		json_t *c = json_object_get(clocks, id);
		if (!c) {
			c = json_pack("{s:n, s:n, s:b, s:b, s:b}", "stage_due_at", "process_due_at", "late", 0, "nearly_late", 0, "paused", 0);
			json_object_set_new(clocks, id, c);
		}
		json_t *due = json_object_get(t, "due_at"), *warn = json_object_get(t, "warn_at");
		json_object_set(c, strcmp(fg_jstr(t, "kind"), "process") == 0 ? "process_due_at" : "stage_due_at", due);
		if (!json_is_null(json_object_get(t, "paused_at")))
			json_object_set_new(c, "paused", json_true());
		else if (!json_is_null(json_object_get(t, "fired_at")) || (json_is_integer(due) && json_integer_value(due) < now))
			json_object_set_new(c, "late", json_true());
		else if (!json_is_null(json_object_get(t, "warned_at")) || (json_is_integer(warn) && json_integer_value(warn) <= now))
			json_object_set_new(c, "nearly_late", json_true());
	}
	json_decref(timers);
	/* a late clock is late even when the other one is only near its limit */
	const char *k;
	json_t *c;
	json_object_foreach(clocks, k, c) if (json_is_true(json_object_get(c, "late"))) json_object_set_new(c, "nearly_late", json_false());
	json_t *stages = json_array(), *by = json_object();
	json_array_foreach(json_object_get(flow_def("application"), "states"), i, s) {
		const char *code = fg_jstr(s, "code"), *owner = fg_jstr(s, "owner");
		if (!owner || strcmp(code, "archived") == 0 || strcmp(code, "cancelled") == 0)
			continue;
		bool turn = strcmp(owner, "customer") == 0;
		json_t *col = json_pack("{s:s, s:O, s:O, s:s?, s:b, s:i, s:i, s:i, s:i, s:[]}", "code", code, "name_zh",
		    json_object_get(s, "name_zh"), "name_en", json_object_get(s, "name_en"), "owner_role", turn ? NULL : owner,
		    "customer_turn", turn, "count", 0, "late", 0, "nearly_late", 0, "paused", 0, "items");
		if (turn)
			json_object_set_new(col, "owner_role", json_null());
		json_array_append_new(stages, col);
		json_object_set(by, code, col);
	}
	json_t *total = json_pack("{s:i, s:i, s:i, s:i}", "total", 0, "late", 0, "nearly_late", 0, "paused", 0);
	json_array_foreach(apps, i, a) {
		json_t *clock = json_object_get(clocks, fg_jstr(a, "id"));
		clock = clock ? json_incref(clock)
			      : json_pack("{s:n, s:n, s:b, s:b, s:b}", "stage_due_at", "process_due_at", "late", 0, "nearly_late", 0,
				    "paused", 0);
		bool late = json_is_true(json_object_get(clock, "late"));
		json_t *col = json_object_get(by, fg_jstr(a, "status"));
		if ((f->late == 1 && !late) || (f->late == 0 && late) || !col) {
			json_decref(clock);
			continue;
		}
		json_object_set_new(a, "fast_path", json_boolean(json_integer_value(json_object_get(a, "fast_path")) != 0));
		json_object_del(a, "status");
		json_object_set_new(a, "clock", clock);
		const char *flags[] = {"late", "nearly_late", "paused"};
		for (int n = 0; n < 3; n++)
			if (json_is_true(json_object_get(clock, flags[n]))) {
				bump(col, flags[n]);
				bump(total, flags[n]);
			}
		bump(col, "count");
		bump(total, "total");
		if ((int)json_array_size(json_object_get(col, "items")) < f->per_stage)
			json_array_append(json_object_get(col, "items"), a);
	}
	json_decref(by);
	json_decref(clocks);
	json_decref(apps);
	json_object_set_new(total, "at", json_integer(now));
	json_object_set_new(total, "stages", stages);
	*out = total;
	return 0;
}

/* ---- the timeline ---- */

static void
add(json_t *items, json_t *ev)
{
	const char *k;
	json_t *v;
	/* null members are left out, so each event carries only what it has */
	void *tmp;
	json_object_foreach_safe(ev, tmp, k, v) if (json_is_null(v)) json_object_del(ev, k);
	json_array_append_new(items, ev);
}

static int
by_time(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int64_t ta = json_integer_value(json_object_get(a, "at")), tb = json_integer_value(json_object_get(b, "at"));
	if (ta == tb) {
		ta = json_integer_value(json_object_get(a, "seq"));
		tb = json_integer_value(json_object_get(b, "seq"));
	}
	return ta < tb ? -1 : ta > tb ? 1 : 0;
}

int
appspace_timeline(db_t *db, json_t *app, json_t **out, fg_err_t *err)
{
	const char *id = fg_jstr(app, "id");
	int rc;
	json_t *items = json_array(), *x;
	size_t i;
	json_t *hist = flow_history(db, "application", id);
	if (!hist) {
		json_decref(items);
		return fg_err(err, "internal");
	}
	add(items, json_pack("{s:O, s:s, s:s, s:O}", "at", json_object_get(app, "created_at"), "type", "created", "to_state",
			   "accepted", "channel", json_object_get(app, "channel")));
	json_array_foreach(hist, i, x) {
		const char *action = fg_jstr(x, "action");
		/* a hold and a resume stop and restart the clock; a deadline's warning and expiry are the system's */
		const char *type = !action ? "stage" : strcmp(action, "hold") == 0 ? "hold" : strcmp(action, "resume") == 0 ? "resume"
		    : strncmp(action, "deadline", 8) == 0 ? "deadline" : "stage";
		add(items, json_pack("{s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "at", json_object_get(x, "at"), "type", type,
				   "action", json_object_get(x, "action"), "from_state", json_object_get(x, "from_state"),
				   "to_state", json_object_get(x, "to_state"), "actor_id", json_object_get(x, "actor_id"),
				   "actor_name", json_object_get(x, "actor_name"), "reason", json_object_get(x, "reason")));
	}
	json_decref(hist);
	/* the checklist: when each document came in and when it was checked */
	json_array_foreach(json_object_get(app, "documents"), i, x) {
		if (json_is_integer(json_object_get(x, "received_at")))
			add(items, json_pack("{s:O, s:s, s:s, s:O, s:O, s:O, s:O}", "at", json_object_get(x, "received_at"), "type",
					   "document", "event", "received", "doc_type", json_object_get(x, "type"), "name_zh",
					   json_object_get(x, "name_zh"), "name_en", json_object_get(x, "name_en"), "by_customer",
					   json_object_get(x, "by_customer")));
		if (json_is_integer(json_object_get(x, "checked_at")))
			add(items, json_pack("{s:O, s:s, s:s, s:O, s:O, s:O, s:O, s:O}", "at", json_object_get(x, "checked_at"), "type",
					   "document", "event", "checked", "doc_type", json_object_get(x, "type"), "name_zh",
					   json_object_get(x, "name_zh"), "name_en", json_object_get(x, "name_en"), "result",
					   json_object_get(x, "status"), "note", json_object_get(x, "note")));
	}
	/* the field work: each stage's work order, when it was made and when it finished (issue 11 item 4) */
	json_t *jobs = appjobs_list(db, id), *j;
	if (!jobs) {
		json_decref(items);
		return fg_err(err, "internal");
	}
	json_array_foreach(json_object_get(jobs, "items"), i, j) {
		json_t *w = json_object_get(j, "work_order");
		add(items, json_pack("{s:O, s:s, s:s, s:O, s:O, s:O, s:O}", "at", json_object_get(j, "created_at"), "type", "job",
				   "event", "created", "stage", json_object_get(j, "stage"), "work_order_id",
				   json_object_get(j, "work_order_id"), "work_order_number", w ? json_object_get(w, "number") : json_null(),
				   "work_order_status", w ? json_object_get(w, "status") : json_null()));
		if (json_is_integer(json_object_get(j, "finished_at")))
			add(items, json_pack("{s:O, s:s, s:s, s:O, s:O, s:O, s:O}", "at", json_object_get(j, "finished_at"), "type",
					   "job", "event", "finished", "stage", json_object_get(j, "stage"), "work_order_id",
					   json_object_get(j, "work_order_id"), "work_order_number",
					   w ? json_object_get(w, "number") : json_null(), "outcome", json_object_get(j, "outcome")));
	}
	json_decref(jobs);
	json_t *comments = db_all(db_q(db, "SELECT c.id, c.author_id, u.display_name AS author_name, c.text, c.created_at AS at "
					   "FROM application_comments c JOIN users u ON u.id = c.author_id WHERE c.application_id = $1",
				      "t", id), &rc);
	json_t *files = comments ? db_all(db_q(db, "SELECT f.id, f.attachment_id, f.title, a.filename, u.display_name AS "
						   "added_by_name, f.created_at AS at FROM application_files f JOIN attachments a ON "
						   "a.id = f.attachment_id JOIN users u ON u.id = f.added_by WHERE f.application_id = $1",
					      "t", id), &rc)
				 : NULL;
	/* who was told what about it: in-app notices (the clocks' warnings and escalations) and messages to the
	 * customer (the outbox: channel and kind, never the phone number or the text) */
	json_t *notes = files ? db_all(db_q(db, "SELECT n.kind, n.title, u.display_name AS user_name, n.created_at AS at FROM "
						"notifications n JOIN users u ON u.id = n.user_id WHERE n.entity = 'application' AND "
						"n.entity_id = $1", "t", id), &rc)
			      : NULL;
	json_t *msgs = notes ? db_all(db_q(db, "SELECT channel, kind, state, receipt_status, created_at AS at FROM outbox "
					       "WHERE entity = 'application' AND entity_id = $1", "t", id), &rc)
			     : NULL;
	if (!msgs) {
		json_decref(comments);
		json_decref(files);
		json_decref(notes);
		json_decref(items);
		return fg_err(err, "internal");
	}
	struct {
		json_t *rows;
		const char *type;
	} parts[] = {{comments, "comment"}, {files, "file"}, {notes, "notification"}, {msgs, "message"}};
	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		json_array_foreach(parts[p].rows, i, x) {
			json_object_set_new(x, "type", json_string(parts[p].type));
			add(items, json_incref(x));
		}
		json_decref(parts[p].rows);
	}
	/* oldest first; events of one instant keep the order they were gathered in (a stable sort by index) */
	size_t n = json_array_size(items);
	json_t **v = calloc(n ? n : 1, sizeof *v);
	for (i = 0; i < n; i++) {
		v[i] = json_incref(json_array_get(items, i));
		json_object_set_new(v[i], "seq", json_integer((json_int_t)i));
	}
	qsort(v, n, sizeof *v, by_time);
	json_t *sorted = json_array();
	for (i = 0; i < n; i++) {
		json_object_del(v[i], "seq");
		json_array_append_new(sorted, v[i]);
	}
	free(v);
	json_decref(items);
	*out = json_pack("{s:o}", "items", sorted);
	return 0;
}

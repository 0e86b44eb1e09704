/* Id tags (RFID cards, app users) that Authorize and StartTransaction check (the chargers module,
 * chargers_internal.h): their rules, create, update and the list. */
#include <string.h>
#include "core/base/util.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

#define IDTAG_COLS "id, id_tag, status, expiry_at, parent_id_tag, holder, note, created_at, updated_at, version"

static const char *const tag_statuses[] = {"Accepted", "Blocked", "Expired", "Invalid", NULL};

static json_t *
idtag_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " IDTAG_COLS " FROM id_tags WHERE id = $1", "t", id), &rc);
}

static int
idtag_check(json_t *in, fg_err_t *err)
{
	const char *t = chg_str(in, "id_tag");
	if (json_object_get(in, "id_tag") && (!t || !*t || strlen(t) > 20))
		return fg_err_field(err, "invalid_field", "id_tag", "1 to 20 characters (OCPP IdToken)");
	if (json_object_get(in, "status") && !chg_one_of(chg_str(in, "status"), tag_statuses))
		return fg_err_field(err, "invalid_field", "status", "Accepted, Blocked, Expired or Invalid");
	if (chg_str(in, "parent_id_tag") && strlen(chg_str(in, "parent_id_tag")) > 20)
		return fg_err_field(err, "invalid_field", "parent_id_tag", "at most 20 characters");
	return 0;
}

int
chargers_idtag_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37];
	int64_t now = fg_now_ms();
	if (idtag_check(in, err))
		return -1;
	json_t *exp = json_object_get(in, "expiry_at");
	char ebuf[24] = "";
	if (json_is_integer(exp))
		fg_fmt(ebuf, sizeof ebuf, "%lld", (long long)json_integer_value(exp));
	fg_uuid7(id);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO id_tags (id, id_tag, status, expiry_at, parent_id_tag, holder, note, created_at, updated_at) "
	    "VALUES ($1, $2, $3, CAST($4 AS BIGINT), $5, $6, $7, $8, $9)",
	    "tttttttii", id, chg_str(in, "id_tag"), chg_str(in, "status") ? chg_str(in, "status") : "Accepted", ebuf[0] ? ebuf : NULL,
	    chg_str(in, "parent_id_tag"), chg_str(in, "holder"), chg_str(in, "note"), now, now));
	return chg_create_commit(db, actor_id, rc, "id_tag", id, idtag_get, "id_tag_taken", "id_tag", out, err);
}

int
chargers_idtag_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"status", "parent_id_tag", "holder", "note", NULL};
	static const char *const ints[] = {"expiry_at", NULL};
	if (idtag_check(in, err))
		return -1;
	return chg_versioned_update(db, actor_id, "id_tags", "id_tag", idtag_get, id, in, text, ints, NULL, NULL, out, err);
}

static void
no_where(qb_t *q, const void *filter)
{
}

int
chargers_idtag_list(db_t *db, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " IDTAG_COLS " FROM id_tags WHERE 1 = 1", "SELECT COUNT(*) AS n FROM id_tags WHERE 1 = 1", no_where,
		NULL, "id", false, cursor, limit, out) != 0)
		return fg_err(err, "internal");
	return 0;
}

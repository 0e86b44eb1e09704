#ifndef FG_TOOLS_H
#define FG_TOOLS_H
#include "safety/interface/readiness.h"
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Safety tools and instruments (安全工器具, R3.6): the ledger with test cycles (data/kb/tool_kinds.json), tests
 * appended per tool, check-out against a plan and return, QR labels. A tool past its test date or with a failed
 * last test cannot be checked out; one due within TOOLS_DUE_SOON_DAYS warns. */

#define TOOLS_DUE_SOON_DAYS 30

/* The tool with kind_name, status (in_store, checked_out, test_due_soon, overdue, under_test, scrapped, lost),
 * days_to_due. */
json_t *tools_get(db_t *db, const char *id);
json_t *tools_by_asset(db_t *db, const char *asset_no);
int tools_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* A rule of POST /api/v1/tools that a new tool breaks: the field, a stable code (required_missing,
 * asset_no_invalid, kind_unknown, value_too_long, date_invalid, date_in_future, result_invalid, test_incomplete)
 * and why. */
typedef struct {
	const char *field, *code, *reason;
} tools_issue_t;
/* Every broken rule of a new tool (asset_no, kind, name, store, location, last_test_date, last_test_result), up to
 * max in out; returns how many there are. Shared by tools_create and the bulk import, so both apply one rule set.
 * The asset number's uniqueness is the database's to say. */
int tools_check_new(json_t *in, tools_issue_t *out, int max);
/* Inserts a checked new tool, its first test and its audit record inside the caller's transaction. DB_DONE,
 * DB_CONFLICT (asset number taken) or DB_ERR; out: the tool. */
int tools_insert(db_t *db, const char *actor_id, json_t *in, json_t **out);
/* Appends a test record; the latest test sets last_test_*, next_test_due; a failed test takes the tool out of
 * service (under_test) until a passed one. */
int tools_record_test(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* out: {"tool", "warnings":[…]}. Refusals: tool_test_overdue, tool_test_failed, tool_not_available. */
int tools_checkout(db_t *db, const auth_user_t *actor, const char *id, const char *plan_id, json_t **out, fg_err_t *err);
/* The same with the phone's time of the check-out (X-Device-Time; 0 = none): kept as checkout_device_at. */
int tools_checkout_at(db_t *db, const auth_user_t *actor, const char *id, const char *plan_id, int64_t device_at,
    json_t **out, fg_err_t *err);
/* in: condition good|damaged|lost, note. Damaged tools go to test, lost ones leave the ledger's service. */
int tools_return(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);

typedef struct {
	const char *kind, *custody, *status, *store, *plan_id, *q, *cursor;
	int limit;
} tools_filter_t;
int tools_list(db_t *db, const tools_filter_t *f, json_t **out, fg_err_t *err);
/* Overdue tools and those due within `days`: the tool keeper's reminder list. */
json_t *tools_due(db_t *db, int days);
/* An SVG QR code for the tool's label, encoding "FGTOOL:<asset_no>" (malloc'ed). */
char *tools_qr_svg(const char *asset_no);

/* A printable A4 sheet of QR labels (3 × 8, 70 × 37 mm) for up to 240 tools (malloc'ed PDF). */
int tools_labels_pdf(db_t *db, json_t *ids, unsigned char **out, size_t *outlen, fg_err_t *err);

/* The tools' reminders (the tools module's job "tools.reminders", hourly; notifications deduplicated per tool, due
 * date and stage): tools overdue or due within 30 and 7 days → every tool keeper. How many added, or -1. */
int tools_reminders(db_t *db);

/* This module's part of the person's queue (GET /api/v1/me/queue; tools_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void tools_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif

/* The demo's work entered after an outage and its sensitive complaint (issue 13 item 7, R1.4), through the modules'
 * own functions as the routes call them:
 *   - three paper jobs of yesterday morning, when the system was down, entered by the command centre's dispatcher
 *     叶倩 with a photo of each paper ticket: one approved by 装表接电二班's leader 孙志明 (a finished job on the board
 *     of its day, marked backfilled), one still waiting for 装表接电一班's leader 张伟, one rejected by 孙志明 (the
 *     photo does not show the ticket's number);
 *   - one 95598 complaint that names a meter reader, flagged sensitive by the supervisor 彭海涛, handled by the
 *     counter's 朱文静: everyone else sees its complainant masked.
 * Once per database: when no backfill carries the demo's outage note. */
#include <stdio.h>
#include <string.h>
#include "core/auth/users.h"
#include "core/base/util.h"
#include "shared/attach/attach.h"
#include "fieldwork/backfill/backfill.h"
#include "customer/feedback/feedback.h"
#include "cli/cli.h"

#define OUTAGE_NOTE "演示：营销业务应用系统昨日 08:00–12:00 停机，现场按纸质工作票作业"
#define HOUR 3600000LL
#define MINUTE 60000LL

/* a 1×1 JPEG: the photo of the paper ticket */
static const unsigned char paper_photo[] = {
	0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07, 0x09, 0x09, 0x08,
	0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12, 0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A,
	0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20, 0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34,
	0x34, 0x34, 0x1F, 0x27, 0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xD9,
};

static int
person(db_t *db, const char *username, auth_user_t *a)
{
	json_t *u = users_get_by_name(db, username);
	if (!u) {
		fprintf(stderr, "fieldgrid: demo backfill: no demo person %s\n", username);
		return -1;
	}
	memset(a, 0, sizeof *a);
	fg_fmt(a->id, sizeof a->id, "%s", fg_jstr(u, "id"));
	fg_fmt(a->username, sizeof a->username, "%s", username);
	fg_fmt(a->display_name, sizeof a->display_name, "%s", fg_jstr(u, "display_name"));
	fg_fmt(a->org_unit_id, sizeof a->org_unit_id, "%s", fg_jstr(u, "org_unit_id") ? fg_jstr(u, "org_unit_id") : "");
	a->roles = session_user_roles(db, a->id);
	json_decref(u);
	return 0;
}

static int
failed(const char *what, fg_err_t *e)
{
	const char *field = e->details ? json_string_value(json_object_get(e->details, "field")) : NULL;
	fprintf(stderr, "fieldgrid: demo backfill: %s: %s%s%s\n", what, e->code ? e->code : "error", field ? " " : "",
	    field ? field : "");
	fg_err_clear(e);
	return -1;
}

/* One paper job: yesterday from `start` (ms), entered by `clerk`; review: 1 approve, 0 reject, -1 leave pending. */
static int
paper_job(db_t *db, const auth_user_t *clerk, const auth_user_t *leader, const auth_user_t *crew1,
    const auth_user_t *crew2, const char *paper_no, const char *title, const char *place, int64_t start,
    const auth_user_t *reviewer, int review, const char *reason)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *a = NULL, *out = NULL;
	if (attach_store_bytes(db, clerk->id, "image/jpeg", paper_photo, sizeof paper_photo, "paper-ticket.jpg", NULL, NULL, &a,
		&e) != 0)
		return failed("the paper's photo", &e);
	json_t *in = json_pack("{s:s, s:s, s:[s, s], s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:[O]}",
	    "team_id", leader->org_unit_id, "leader_id", leader->id, "crew_ids", crew1->id, crew2->id, "kind",
	    "lv_meter_install", "title", title, "place", place, "content", "按纸质工作票装表，停机恢复后补录", "outage_note",
	    OUTAGE_NOTE, "paper_ticket_no", paper_no, "ticket_issued_at", (json_int_t)start, "ticket_permitted_at",
	    (json_int_t)(start + 20 * MINUTE), "briefing_held_at", (json_int_t)(start + 30 * MINUTE), "work_started_at",
	    (json_int_t)(start + 40 * MINUTE), "work_finished_at", (json_int_t)(start + 2 * HOUR), "ticket_ended_at",
	    (json_int_t)(start + 2 * HOUR + 10 * MINUTE), "photo_ids", json_object_get(a, "id"));
	json_decref(a);
	int rc = backfill_create(db, clerk, in, &out, &e);
	json_decref(in);
	if (rc != 0)
		return failed(paper_no, &e);
	char id[37];
	fg_fmt(id, sizeof id, "%s", fg_jstr(out, "id"));
	json_decref(out);
	out = NULL;
	if (review >= 0 && backfill_review(db, reviewer, id, review, reason, &out, &e) != 0)
		return failed("the review", &e);
	json_decref(out);
	return 0;
}

int
demo_backfill(db_t *db, int *made)
{
	*made = 0;
	int rc;
	json_t *have = db_one(db_q(db, "SELECT id FROM backfills WHERE outage_note = $1 LIMIT 1", "t", OUTAGE_NOTE), &rc);
	if (have || rc < 0) {
		json_decref(have);
		return rc < 0 ? -1 : 0;
	}
	auth_user_t clerk, sun, wu, zheng, zhang, wang, liu, sup, handler, desk;
	if (person(db, "yeqian", &clerk) || person(db, "sunzhiming", &sun) || person(db, "wujunjie", &wu) ||
	    person(db, "zhengtao", &zheng) || person(db, "zhangwei", &zhang) || person(db, "wanglei", &wang) ||
	    person(db, "liuhaibo", &liu) || person(db, "penghaitao", &sup) || person(db, "zhuwenjing", &handler) ||
	    person(db, "fangxiaoli", &desk))
		return -1;
	/* yesterday 08:30 in Shanghai: today's midnight there, a day back */
	int64_t now = fg_now_ms(), sh = 8 * HOUR, day = 24 * HOUR;
	int64_t midnight = (now + sh) / day * day - sh, y830 = midnight - day + 8 * HOUR + 30 * MINUTE;
	char no[3][32];
	for (int i = 0; i < 3; i++) /* paper numbers of the outage's own series, distinct per database */
		fg_fmt(no[i], sizeof no[i], "ZP-%lld-%d", (long long)(now / 1000 % 100000000), i + 1);
	if (paper_job(db, &clerk, &sun, &wu, &zheng, no[0], "城东花园 12 栋低压表计装表（纸质票补录）", "城东花园 12 栋表箱", y830, &sun, 1,
		NULL) ||
	    paper_job(db, &clerk, &zhang, &wang, &liu, no[1], "和平街商铺低压装表（纸质票补录）", "和平街 21 号", y830 + 30 * MINUTE, &zhang,
		-1, NULL) ||
	    paper_job(db, &clerk, &sun, &wu, &zheng, no[2], "解放路居民表更换（纸质票补录）", "解放路 8 号", y830 + HOUR, &sun, 0,
		"照片中看不清工作票编号，请重新拍照后再录入"))
		return -1;
	/* the sensitive complaint: taken by the counter, isolated by the supervisor, handled by one person */
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "complaint", "channel", "phone_95598", "subject",
	    "反映抄表人员违规收费（演示）", "text", "来电人反映抄表员上门时收取所谓“换表费”，请求对其身份保密", "contact_name", "赵淑芬",
	    "contact_phone", "13705550199", "contact_address", "临澜市城东花园 7 栋 2 单元 301");
	rc = feedback_create(db, desk.id, in, &out, &e);
	json_decref(in);
	if (rc != 0)
		return failed("the complaint", &e);
	char fid[37];
	fg_fmt(fid, sizeof fid, "%s", fg_jstr(out, "id"));
	json_decref(out);
	out = NULL;
	in = json_pack("{s:s, s:[s]}", "reason", "举报内部人员，保护来电人身份", "handler_ids", handler.id);
	rc = feedback_flag_sensitive(db, &sup, fid, in, &out, &e);
	json_decref(in);
	json_decref(out);
	if (rc != 0)
		return failed("the sensitive flag", &e);
	*made = 3;
	return 0;
}

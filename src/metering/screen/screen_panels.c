/* The large screen's panels: one provider per panel, in one table. A provider takes the database and answers its
 * panel's JSON (NULL on a database error); screen_data() puts them under "panels" by key. Adding a panel is one
 * line here (and its chart in web/js/screen.js). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/util.h"
#include "core/base/day.h"
#include "fieldwork/interface/work_screen.h"
#include "customer/interface/application_screen.h"
#include "metering/collection/collection.h"
#include "metering/rotation/rotation.h"
#include "metering/screen/screen.h"

#define CN_OFFSET_MS (8LL * 3600 * 1000) /* Asia/Shanghai has no summer time */

/* Midnight in Shanghai of day (YYYY-MM-DD) as epoch ms. */
static int64_t
day_start_ms(const char *day)
{
	struct tm tm = {0};
	tm.tm_year = atoi(day) - 1900;
	tm.tm_mon = atoi(day + 5) - 1;
	tm.tm_mday = atoi(day + 8);
	return (int64_t)timegm(&tm) * 1000 - CN_OFFSET_MS;
}

/* (a) today's field jobs and their safety state */
static json_t *
p_jobs(db_t *db)
{
	char today[11];
	day_today(today);
	return fieldwork_screen_jobs(db, today);
}

/* (b) on-time rates this month: the applications' stages and the field work orders */
static json_t *
p_on_time(db_t *db)
{
	char today[11], first[11], next[11];
	day_today(today);
	fg_fmt(first, sizeof first, "%.8s01", today);
	day_add_months(first, 1, next);
	int64_t from = day_start_ms(first), to = day_start_ms(next);
	json_t *apps = applications_screen_on_time(db, from, to);
	json_t *wo = apps ? fieldwork_screen_on_time(db, from, to) : NULL;
	if (!wo) {
		json_decref(apps);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "month", (char[8]){today[0], today[1], today[2], today[3], '-', today[5], today[6], 0},
	    "applications", apps, "work_orders", wo);
}

/* (c) new-connection clocks */
static json_t *
p_clocks(db_t *db)
{
	return applications_screen_clocks(db, fg_now_ms());
}


static const struct {
	const char *key;
	json_t *(*fn)(db_t *db);
} panels[] = {
	{"jobs", p_jobs},
	{"on_time", p_on_time},
	{"clocks", p_clocks},
	{"rotation", rotation_screen_summary},
	{"collection", collection_screen_summary},
};

json_t *
screen_data(db_t *db)
{
	int rc;
	char today[11];
	day_today(today);
	/* the company: the root unit of the organisation */
	json_t *co = db_one(db_q(db, "SELECT name FROM org_units WHERE kind = 'company' AND parent_id IS NULL "
				     "ORDER BY created_at, id LIMIT 1", ""), &rc);
	if (!co && rc != DB_DONE)
		return NULL;
	/* no build time in it: an unchanged answer keeps its ETag, so a polling screen gets 304 */
	json_t *out = json_pack("{s:s, s:O, s:{}}", "date", today, "company",
	    co ? json_object_get(co, "name") : json_null(), "panels");
	json_decref(co);
	json_t *p = json_object_get(out, "panels");
	for (size_t i = 0; i < sizeof panels / sizeof panels[0]; i++) {
		json_t *v = panels[i].fn(db);
		if (!v) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(p, panels[i].key, v);
	}
	return out;
}

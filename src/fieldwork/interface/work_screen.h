#ifndef FG_WORK_SCREEN_H
#define FG_WORK_SCREEN_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* What field work shows on a wall display (the metering centre's large screen, issue 12 item 7): company-wide
 * counts, no names of people, read-only. Implemented by the supervision module (it owns the day's board).
 * NULL on a database error. */

/* The jobs (plans) of date (YYYY-MM-DD, Asia/Shanghai), cancelled ones left out:
 * {"date", "total", "by_status": {draft, published, working, paused, finished: n},
 *  "gates": {"passed": started jobs (working, paused, finished: every gate was open at their start),
 *            "ready": published jobs whose ticket is permitted and in time (the ticket gate open),
 *            "blocked": published jobs without such a ticket (the ticket gate closed)},
 *  "high_risk": n, "violations": findings of kind violation on the day's jobs,
 *  "high_risk_jobs": [{number, title, place, team, status, risk_level}] (at most 8, highest risk first),
 *  "backfilled": of the total, jobs entered from paper after an outage (src/fieldwork/backfill)}. */
json_t *fieldwork_screen_jobs(db_t *db, const char *date);

/* Work orders finished (moved to done) in [from_ms, to_ms): {"done", "with_due", "on_time", "rate"}: with_due
 * those that had a due time, on_time those finished by it; rate = on_time / with_due (null when none); "backfilled": of done, orders entered from paper. */
json_t *fieldwork_screen_on_time(db_t *db, int64_t from_ms, int64_t to_ms);

#endif

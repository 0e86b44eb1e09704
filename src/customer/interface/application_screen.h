#ifndef FG_APPLICATION_SCREEN_H
#define FG_APPLICATION_SCREEN_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* What the customer context shows on a wall display (the metering centre's large screen, issue 12 item 7):
 * company-wide counts of customers' applications (业扩报装), no names. Implemented by the applications module.
 * NULL on a database error. */

/* The open applications (not powered, archived or cancelled) by track, each counted once by its worst clock, as
 * the applications board colours them: red past a stage or the process limit, amber near one (warned), grey while
 * a clock stands (the customer's turn, on hold), the rest normal:
 * {"tracks": [{"track", "open", "red", "amber", "grey"}] (the four tracks, always), "open", "red", "amber", "grey"}. */
json_t *applications_screen_clocks(db_t *db, int64_t now_ms);

/* The stage deadlines that ended (the stage was left) in [from_ms, to_ms): on time when the deadline never fired
 * and the stage was left by it. {"ended", "on_time", "rate" (null when none),
 * "by_stage": [{"stage", "ended", "on_time"}]}. */
json_t *applications_screen_on_time(db_t *db, int64_t from_ms, int64_t to_ms);

#endif

#ifndef FG_FLOW_TIMERS_INTERNAL_H
#define FG_FLOW_TIMERS_INTERNAL_H
/* Private to the flow engine's timers: what flow_timers.c (arming, moving, pausing, counting) and
 * flow_timers_fire.c (firing and warning as the system actor) share. */
#include <jansson.h>

/* The declaration a timer row was armed from: its state's deadline ("state"), or the flow's process deadline
 * ("process"). */
json_t *flow_timer_decl(json_t *def, const char *kind, const char *state);

#endif

/* The loops over the module table that are not the router's, the flow engine's or the scheduler's own. */
#include <string.h>
#include "core/base/log.h"
#include "core/module/module.h"

/* The bus's subscriber tables, in the table's order (events_set_subscribers). */
static const fg_subscription_t *subscriptions[128];

int
module_start_all(void)
{
	int k = 0;
	FG_EACH_MODULE(m) if (m->subscriptions && k < (int)(sizeof subscriptions / sizeof *subscriptions) - 1) subscriptions[k++] = m->subscriptions;
	subscriptions[k] = NULL;
	events_set_subscribers(subscriptions); /* before any start hook: a module's start may already emit */
	int n = 0;
	for (; fg_modules[n]; n++) {
		if (fg_modules[n]->start && fg_modules[n]->start() != 0) {
			log_error("module %s: start-up failed", fg_modules[n]->name);
			while (n-- > 0)
				if (fg_modules[n]->stop)
					fg_modules[n]->stop();
			return -1;
		}
	}
	return 0;
}

void
module_stop_all(void)
{
	int n = 0;
	while (fg_modules[n])
		n++;
	while (n-- > 0) /* the reverse of start-up */
		if (fg_modules[n]->stop)
			fg_modules[n]->stop();
}

void
module_request_start(db_t *db)
{
	FG_EACH_MODULE(m) if (m->request_start) m->request_start(db);
}

void
module_me(db_t *db, const auth_user_t *u, json_t *me)
{
	FG_EACH_MODULE(m) if (m->me) m->me(db, u, me);
}

const errcat_t *
module_errcat_find(const char *code)
{
	FG_EACH_MODULE(m)
		for (const errcat_t *c = m->errors; c && c->code; c++)
			if (strcmp(c->code, code) == 0)
				return c;
	return NULL;
}

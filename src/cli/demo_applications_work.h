#ifndef FG_CLI_DEMO_APPLICATIONS_WORK_H
#define FG_CLI_DEMO_APPLICATIONS_WORK_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* The work the demo does inside an application's stage before firing `action` (demo_applications_work.c); people:
 * customer service, customer manager, dispatcher, manager. body: the step's body, which it may complete (the
 * meter of an installation). 0, or -1 with err. */
int demo_app_stage_work(db_t *db, const auth_user_t people[4], const char *id, const char *action, json_t *body,
    fg_err_t *err);

#endif

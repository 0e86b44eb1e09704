#ifndef FG_PEOPLE_H
#define FG_PEOPLE_H
#include "safety/interface/readiness.h"
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* People readiness (R2.2, R0.3): certificates with expiry, safety-rules exams, training. Nobody works without
 * a passed safety-rules exam that is still valid, or with an expired certificate. */

#define PEOPLE_EXAM_PASS 80        /* pass mark of the safety-rules exam ([U]: a common company rule) */
#define PEOPLE_EXAM_VALID_MONTHS 12 /* an exam is retaken yearly ([U]) */

/* in: kind certificate|safety_exam|training, name, number?, issued_on?, expires_on?, score?, issuer?.
 * A safety exam passes at PEOPLE_EXAM_PASS and, without an expiry, is valid PEOPLE_EXAM_VALID_MONTHS. */
int people_add(db_t *db, const char *actor_id, const char *user_id, json_t *in, json_t **out, fg_err_t *err);
json_t *people_list(db_t *db, const char *user_id);
/* Certificates and exams that expire within `days` (or have expired), for reminders. */
json_t *people_expiring(db_t *db, int days);

/* The people module's job "people.reminders" (hourly; deduplicated per item, expiry date and stage): certificates
 * and exams expiring within 60 days → the person and every manager. How many added, or -1. */
int people_reminders(db_t *db);

#endif

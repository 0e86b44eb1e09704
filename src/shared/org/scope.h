#ifndef FG_SCOPE_H
#define FG_SCOPE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/db/qb.h"
#include "core/auth/session.h"

/* Who may see and change field work (docs/api.md "Scope"). A plan belongs to its team (plans.team_id); its
 * ticket, survey, briefing, steps, findings and their attachments belong to the plan. A user sees a plan when
 *   - one of their roles is company-wide (SCOPE_COMPANY_ROLES), or
 *   - the plan's team lies within the user's org unit (the unit itself or below, org_within), or
 *   - they are one of the plan's people: its leader, a crew member or its on-site supervisor.
 * Out of scope reads answer 404 not_found, as if the entity did not exist; writes are refused the same way, so a
 * write does not reveal what a read would hide. A user without an org unit sees only their own plans. */

/* Roles whose work spans teams: admin and managers run the company, supervisors (安监) inspect every team,
 * dispatchers (指挥中心) staff every team's jobs, and issuers and permitters are named company-wide each year
 * (REFERENCE.md: the lists are approved by the chief engineer and published) and sign any team's tickets. */
#define SCOPE_COMPANY_ROLES (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER)

/* Roles that see everyone's phone number in full: coordinating people by phone is their work (dispatching,
 * managing, permitting by telephone — 许可方式 电话 —, supervising sites by call/video). */
#define SCOPE_PHONE_ROLES (ROLE_ADMIN | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_PERMITTER | ROLE_SUPERVISOR)

bool scope_company_wide(const auth_user_t *u);

/* Whether the user may see the plan (false when the plan does not exist). NULL user: internal caller, true. */
bool scope_plan_visible(db_t *db, const auth_user_t *u, const char *plan_id);
/* Whether the user is the plan's leader, crew member or on-site supervisor. */
bool scope_plan_member(db_t *db, const char *user_id, const char *plan_id);
/* The plan a ticket belongs to (copied into plan_id), or false when there is no such ticket. */
bool scope_ticket_plan(db_t *db, const char *ticket_id, char plan_id[64]);
/* 0 when the user may see the plan; else not_found naming `entity`/`id` (what the caller asked for). */
int scope_plan_check(db_t *db, const auth_user_t *u, const char *plan_id, const char *entity, const char *id,
    fg_err_t *err);
/* The same for a ticket (through its plan). */
int scope_ticket_check(db_t *db, const auth_user_t *u, const char *ticket_id, fg_err_t *err);

/* Appends " AND <col> IN (plans the user may see)" to a list query; nothing for company-wide roles or NULL u. */
void scope_plan_filter(qb_t *q, const auth_user_t *u, const char *plan_col);

/* Attachments take the scope of what they belong to: entity/entity_id, or for a file uploaded first and
 * referenced later, the step, ticket or risk that references it. The uploader always sees their own file. */
bool scope_attachment_visible(db_t *db, const auth_user_t *u, json_t *attachment);
/* Whether the user may attach a file to entity/entity_id (NULL entity: a file not yet attached to anything).
 * Refusals: not_found (the entity is out of the user's scope or does not exist), forbidden (in scope, but the
 * user may not write it). */
int scope_attach_check(db_t *db, const auth_user_t *u, const char *entity, const char *entity_id, fg_err_t *err);

/* Phone numbers: "13812345678" → "138****5678" (short numbers keep only their last two digits). */
void scope_mask_phone(const char *in, char *out, size_t n);
/* People's names: the first character, and the last one of names of three or more; the rest '*' ("王*英", "王*");
 * UTF-8 characters are never split. The customer registry and field work mask names the same way. */
void scope_mask_name(const char *in, char *out, size_t n);
/* Masks obj[key] in place unless the viewer may see it in full: SCOPE_PHONE_ROLES, the person themselves, or
 * (plan_id given) a viewer who is one of that plan's people. */
void scope_phone(db_t *db, const auth_user_t *u, json_t *obj, const char *key, const char *person_id,
    const char *plan_id);
/* The directory's people (each with "id" and "phone"): full for SCOPE_PHONE_ROLES, oneself, and the people who
 * share an unfinished plan with the viewer (leader, crew, on-site supervisor); masked for everyone else. */
void scope_directory_phones(db_t *db, const auth_user_t *u, json_t *people);
/* The same for a plan as plans_get shows it: leader, on-site supervisor and crew. */
void scope_plan_phones(db_t *db, const auth_user_t *u, json_t *plan);

#endif

#ifndef FG_TICKETS_H
#define FG_TICKETS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "core/auth/session.h"

/* Work tickets (工作票, R3.4, R3.5, R2.1): the permit without which no field work starts. Created from a plan,
 * pre-filled from the plan, its work orders and the knowledge base (risk points and their measures for the
 * plan's work kinds); signed by issuer, leader and permitter with verifiable Ed25519 signatures. Life:
 * data/flows/ticket.json. */

extern const flow_binding_t tickets_flow;

json_t *tickets_get(db_t *db, const char *id);
/* The plan's ticket that is not void, not executed or archived, or NULL. */
json_t *tickets_active_for_plan(db_t *db, const char *plan_id);
/* The ticket's signed content, canonical (sorted keys, compact): what every signature covers. Supplements,
 * ticks, confirmations and times after issue are records of the work, not the permit, and stay out. */
char *tickets_canonical(db_t *db, const char *id);

/* in: plan_id, kind? (default: the riskiest work kind's), planned_start?, planned_end?, outage_scope?, live_parts?. */
int tickets_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
/* Drafts only: place, content, outage_scope, live_parts, planned_start, planned_end (version required). */
int tickets_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* A safety measure added to the ticket: part of it while a draft, a supplement (who, when) afterwards. */
int tickets_add_measure(db_t *db, const auth_user_t *actor, const char *id, const char *text, json_t **out,
    fg_err_t *err);
/* Ticks a measure off on site (who, when; where: in's lat/lng/place). */
int tickets_confirm_measure(db_t *db, const auth_user_t *actor, const char *id, const char *measure_id, json_t *in,
    json_t **out, fg_err_t *err);
/* The leader confirms a risk point together with its measures on site before start (R3.8), once: in's
 * measure_ids must list every measure of the risk point (risk_measure_left_out), evidence_id is a photo (required
 * for a key risk of data/kb/risks.json: risk_photo_required), lat/lng/place where. Every listed measure not yet
 * ticked is ticked by it (same who, when, where). */
int tickets_confirm_risk(db_t *db, const auth_user_t *actor, const char *id, const char *risk_id, json_t *in,
    json_t **out, fg_err_t *err);
/* Where a confirmation was made, from a body: lat and lng (degrees, both or neither; written "%.6f", "" when not
 * given) and place (a written place, NULL when blank). invalid_field when only one, or out of range. */
int tickets_where(json_t *in, char lat[32], char lng[32], const char **place, fg_err_t *err);

typedef struct {
	const char *status, *plan_id, *leader_id, *cursor;
	int limit;
	const auth_user_t *viewer; /* lists only tickets of plans in this user's scope (auth/scope.h); NULL: all */
} tickets_filter_t;
int tickets_list(db_t *db, const tickets_filter_t *f, json_t **out, fg_err_t *err);

/* The printable ticket as a PDF (malloc'ed; caller frees). */
/* lang: "en" prints labels, the status and library text in English; anything else in Chinese. */
int tickets_pdf(db_t *db, const char *id, const char *lang, unsigned char **out, size_t *outlen, fg_err_t *err);

/* Offline verification (issue 9; formats in docs/api.md "Verifying a ticket's signatures").
 * The signatures checked against the content now (signing_verify) plus qr_payload: what GET /tickets/{id}/verify
 * answers. NULL when there is no such ticket. */
json_t *tickets_verification(db_t *db, const char *id);
/* The self-contained export: format, ticket (the signed content), canonical, content_hash, signatures (each with
 * signer, algorithm, public key, signature, signed bytes), record (the readable ticket), qr_payload. */
json_t *tickets_export(db_t *db, const char *id);
/* Checks an export with no database: 0 when every signature is valid over the content, else -1.
 * report: {valid, content_hash, problem?, signatures:[{index, role, signer_id, signer_name, key_id, valid, reason?}]}. */
int tickets_verify_export(json_t *exp, json_t **report);
/* The compact form the printed ticket's QR code carries (malloc'ed): FGT1|id|number|content hash|role,signer id,
 * signed_at,public key,signature|… */
char *tickets_qr_payload(const char *id, const char *number, json_t *verification);

/* Moves the plan's ticket with the job (plan effects): working, interrupted. */
int tickets_follow_plan(db_t *db, const char *actor_id, const char *plan_id, const char *from, const char *to);

/* This module's part of the person's queue (GET /api/v1/me/queue; tickets_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void tickets_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif

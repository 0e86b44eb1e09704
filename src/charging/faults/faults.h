#ifndef FG_FAULTS_H
#define FG_FAULTS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"
#include "core/events/events.h"

/* Alarms, fault work orders and the service desk (R4.2, R4.9, R4.11, R4.16).
 *   codes.c   the error-code dictionary (data/faults/error_codes.json + admins' audited edits) and the SLA settings
 *   alarms.c  detection: StatusNotification, connection life and the offline scan raise and clear alarms
 *   faults.c  the fault case: opened once per (charger, fault), its flow (data/flows/fault.json), SLA and escalation
 *   desk.c    service-desk reports and their classification
 *
 * Debounce rule: one alarm per (charger, connector, fault key) episode. While it is open or acknowledged, a repeat
 * report only counts (occurrences, last_at). When the connector reports itself healthy (Available, Preparing,
 * Charging, SuspendedEV/EVSE, Finishing or Reserved with no alarming error code) its alarms clear; if the same
 * fault comes back within the flap window (default 600 s) the cleared alarm reopens instead of a new one. A fault
 * case is never duplicated: an alarm joins the open case for the same charger and fault key. */

extern const flow_binding_t faults_flow;
extern const flow_guard_t fault_guards[];
extern const flow_effect_t fault_effects[];

/* ---- the dictionary and settings (codes.c) ---- */
/* The entry for (vendor, code), edits first (a new reference), or NULL. */
json_t *faults_code_find(db_t *db, const char *vendor, const char *code);
/* Every entry, edits applied, each with "edited": true|false. */
json_t *faults_codes(db_t *db, const char *vendor);
int faults_code_put(db_t *db, const char *actor_id, const char *vendor, const char *code, json_t *in, json_t **out,
    fg_err_t *err);
int faults_code_delete(db_t *db, const char *actor_id, const char *vendor, const char *code, fg_err_t *err);
/* The SLA settings in force (new reference): data/faults/sla.json with the admin's edit over it; env
 * FG_FAULT_OFFLINE_S and FG_FAULT_FLAP_S override offline_alarm_s and flap_window_s. */
json_t *faults_settings(db_t *db);
int faults_settings_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);

/* ---- alarms (alarms.c) ---- */
/* Subscribers (src/core/events/): "connector.status" (a StatusNotification just recorded) and "charger.link"
 * (connected | seen). 0, or -1 on a database error. */
int faults_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err);
int faults_on_link(db_t *db, const fg_event_t *ev, fg_err_t *err);
/* The offline scan: chargers not heard from for offline_alarm_s before `now` get an alarm. Returns how many
 * were raised, -1 on error. charger_id: only that one (NULL: all). */
int faults_offline_scan(db_t *db, int64_t now, const char *charger_id);
typedef struct {
	const char *state, *charger_id, *kind, *cursor;
	int limit;
} alarms_filter_t;
int alarms_list(db_t *db, const alarms_filter_t *f, json_t **out, fg_err_t *err);
json_t *alarms_get(db_t *db, const char *id);
int alarms_acknowledge(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* ---- fault cases (faults.c) ---- */
typedef struct {
	const char *charger_id, *station_id, *fault_key, *title, *description, *source, *severity, *urgency;
	const char *reporter_name, *reporter_contact;
	int64_t connector_id; /* -1: none */
	int64_t at;
} fault_open_t;
/* Opens the fault case (and its charger_repair work order), or joins the one still open for the same charger and
 * fault key (a note says so): *created tells which. out: the fault (may be NULL). Nests in a transaction. */
int faults_open(db_t *db, const char *actor_id, const fault_open_t *in, json_t **out, bool *created, fg_err_t *err);
json_t *faults_get(db_t *db, const char *id);
typedef struct {
	const char *status, *assignee_id, *charger_id, *cursor;
	bool open_only;
	int limit;
} faults_filter_t;
int faults_list(db_t *db, const faults_filter_t *f, json_t **out, fg_err_t *err);
/* A note on the fault (kind: recovery, remote_command, escalation, callback, note …), in the caller's tx. */
int faults_note(db_t *db, const char *fault_id, const char *kind, const char *text, const char *command_id,
    const char *actor_id, int64_t at);
/* The charger reported itself healthy: every open case of this charger (and fault key, NULL = any) is noted. */
int faults_recovered(db_t *db, const char *charger_id, const char *fault_key, const char *what, int64_t at);
/* Remote triage: sends an OCPP command (Reset, ChangeAvailability, UnlockConnector, TriggerMessage) to the fault's
 * charger through chargers_command_send, outside any transaction, and notes it on the fault. out: the command. */
int faults_remote_command(db_t *db, const char *actor_id, const char *id, const char *action, json_t *payload,
    json_t **out, fg_err_t *err);
/* SLA escalation as of `now`: every open case past its escalate_at moves up one level (engineer → technical
 * department → vendor) and the level's roles are notified. fault_id: only that one. Returns how many moved. */
int faults_escalate_due(db_t *db, int64_t now, const char *fault_id);

/* ---- service desk (desk.c) ---- */
int desk_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
json_t *desk_get(db_t *db, const char *id);
int desk_list(db_t *db, const char *status, const char *cursor, int limit, json_t **out, fg_err_t *err);
/* classification remote_fix | guide (with resolution) | dispatch (opens or joins a fault case, source
 * service_desk, the reporter kept for the callback). */
int desk_classify(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* This module's part of the person's queue (GET /api/v1/me/queue; faults_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void faults_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif

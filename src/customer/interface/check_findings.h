#ifndef FG_CHECK_FINDINGS_H
#define FG_CHECK_FINDINGS_H

/* What a finished safety check of a high-risk or important customer found (issue 13 item 2; src/customer/hrcust),
 * for the module that keeps hazards (src/customer/hazards) or any other that cares. The checks module states the
 * fact as a domain event (src/core/events) and calls nobody: the hazards module subscribes.
 *
 * The event CHECK_FINDINGS ("customer_check.finished", entity "customer_check", entity_id the check's id) is emitted
 * in the transaction that finishes a check (POST /api/v1/safety-checks/{id}/actions/finish), by the actor who
 * finished it, with data
 *   {"check_id", "number", "customer_id", "rule", "finished_at",
 *    "findings": [{"customer_id", "check_id", "item_code", "area", "description", "photo_ids": [attachment ids]}]}
 * one finding per checklist item recorded "hazard found" (description: the item's text and the checker's note,
 * "<text_zh>：<note>"). A check with no hazard emits the event too, with "findings": [].
 * The same list stays on the check (GET /api/v1/safety-checks/{id}, field "findings"): history, never rewritten. */
#define CHECK_FINDINGS "customer_check.finished"

#endif

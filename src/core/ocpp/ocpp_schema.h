#ifndef FG_OCPP_SCHEMA_H
#define FG_OCPP_SCHEMA_H
#include <stdbool.h>
#include <jansson.h>
#include "core/ocpp/ocpp_frame.h"

/* OCPP 1.6J payload validation against the OCA JSON schemas (data/ocpp/ocpp16.json, made by
 * tools/gen-ocpp-schema.py): the subset of JSON Schema they use — type, properties, required,
 * additionalProperties:false, enum, maxLength, format date-time, items, minItems. Pure once loaded.
 *
 * Faults, as the OCPP.md table maps them:
 *   missing required property         OccurenceConstraintViolation (the 1.6 spelling)
 *   wrong JSON type                   TypeConstraintViolation
 *   bad enum value, too long, bad time PropertyConstraintViolation
 *   a property the PDU does not have  FormationViolation (additionalProperties:false) */

/* Loads the schema set from JSON text (an object {"Action.req": schema, …}); 0 or -1. Call once before threads
 * (ocpp_start loads the embedded data/ocpp/ocpp16.json; the fuzz target and unit tests read the file). */
int ocpp_schema_load_text(const char *text, size_t len);
/* The schema for "Action.req" / "Action.conf", or NULL (unknown action). */
const json_t *ocpp_schema_get(const char *action, bool conf);
/* 0 when value conforms; else -1 and fault names the code and the path of the first violation. */
int ocpp_schema_check(const json_t *schema, const json_t *value, ocpp_fault_t *fault);

#endif

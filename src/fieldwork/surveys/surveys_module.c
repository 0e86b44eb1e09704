/* The surveys module (fieldwork): Site surveys. */
#include "core/module/module.h"

extern const route_t survey_routes[];

const fg_module_t surveys_module = {
	.name = "surveys",
	.context = "fieldwork",
	.routes = (const route_t *const[]){survey_routes, NULL},
};

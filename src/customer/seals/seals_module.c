/* The seals module (customer; issue 13 item 4, R2.11): equipment used in violation sealed with numbered seals, the
 * rectification accepted, the seal removed by an authorised person; power-on of sealed equipment refused, here and
 * in the application's power_on (the guard application_not_sealed; customer/interface/seals.h for any other). */
#include "core/module/module.h"
#include "customer/seals/seals.h"

extern const route_t seals_routes[];

static const errcat_t seals_errors[] = {
	{"seal_number_in_use", 409, "该封印编号正在使用中", "A seal with this number is in use"},
	{"seal_already_accepted", 409, "该封印的整改已验收", "The rectification of this sealing is already accepted"},
	{"seal_already_removed", 409, "该封印已拆除", "The seal is already removed"},
	{"seal_not_rectified", 409, "整改尚未验收，不能拆除封印", "The rectification is not accepted yet; the seal stays on"},
	{"equipment_sealed", 409, "设备已加封，整改验收并拆封前不能送电", "The equipment is sealed: no power-on until the rectification is accepted and the seal removed"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t seals_module = {
	.name = "seals",
	.context = "customer",
	.routes = (const route_t *const[]){seals_routes, NULL},
	.guards = seals_guards,
	.errors = seals_errors,
};

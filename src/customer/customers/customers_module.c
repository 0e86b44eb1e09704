/* The customers module (customer context, issue 11 item 1): customers, contacts, accounts (户号), premises and
 * metering points, with R2.16's masking and the audited read of a whole ID number. */
#include "core/module/module.h"

extern const route_t customer_routes[];

/* The refusals only this module answers (docs/api.md "Customers"). */
static const errcat_t customer_errors[] = {
	{"id_card_invalid", 400, "身份证号码无效（长度、字符、出生日期或校验码有误）",
	    "The resident ID number is invalid (length, characters, birth date or check digit)"},
	{"credit_code_invalid", 400, "统一社会信用代码无效（长度、字符或校验码有误）",
	    "The unified social credit code is invalid (length, characters or check character)"},
	{"customer_id_number_taken", 409, "该证件号码已登记为其他客户", "Another customer is registered with this ID number"},
	{"account_number_taken", 409, "该户号已存在", "That account number already exists"},
	{"metering_point_number_taken", 409, "该计量点编号已存在", "That metering point number already exists"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t customers_module = {
	.name = "customers",
	.context = "customer",
	.routes = (const route_t *const[]){customer_routes, NULL},
	.errors = customer_errors,
};

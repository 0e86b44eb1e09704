/* Identity numbers and masks of the customers module (src/customer/customers/customers_check.c): the check
 * characters against published examples of the standards, each way a number can be wrong, and the masks of R2.16. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "customer/customers/customers.h"

static void
id_card_examples(void **state)
{
	(void)state;
	char out[19];
	const char *why = NULL;
	/* the example of GB 11643-1999's annex, and its lower-case x */
	assert_int_equal(customers_check_id_card("11010519491231002X", out, &why), 0);
	assert_int_equal(customers_check_id_card("11010519491231002x", out, &why), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(customers_check_id_card("110105194912310021", out, &why), -1);
	assert_string_equal(why, "check_digit");
	assert_int_equal(customers_check_id_card("11010519491231002", out, &why), -1);
	assert_string_equal(why, "length");
	assert_int_equal(customers_check_id_card("1101051949123100X2", out, &why), -1);
	assert_string_equal(why, "characters");
	/* 1900-02-29 did not exist (1900 is no leap year); 2000-02-29 did */
	assert_int_equal(customers_check_id_card("110105190002290011", out, &why), -1);
	assert_string_equal(why, "birth_date");
	assert_int_equal(customers_check_id_card("110105200002290011", out, &why), -1);
	assert_string_equal(why, "check_digit"); /* the date passed; the check character is what is wrong */
	assert_int_equal(customers_check_id_card(NULL, out, &why), -1);
}

static void
credit_code_examples(void **state)
{
	(void)state;
	char out[19];
	const char *why = NULL;
	/* the worked example of GB 32100-2015 */
	assert_int_equal(customers_check_credit_code("91350100M000100Y43", out, &why), 0);
	assert_int_equal(customers_check_credit_code("91350100m000100y43", out, &why), 0);
	assert_string_equal(out, "91350100M000100Y43");
	assert_int_equal(customers_check_credit_code("91350100M000100Y44", out, &why), -1);
	assert_string_equal(why, "check_digit");
	/* I, O, S, V and Z are not in the set */
	assert_int_equal(customers_check_credit_code("91350100I000100Y43", out, &why), -1);
	assert_string_equal(why, "characters");
	assert_int_equal(customers_check_credit_code("91350100M000100Y4", out, &why), -1);
	assert_string_equal(why, "length");
	/* a check value of 31 is written 0 */
	assert_int_equal(customers_check_credit_code("91330100MA00000160", out, &why), 0);
}

static void
masks(void **state)
{
	(void)state;
	char m[64];
	customers_mask_name("张三明", m, sizeof m);
	assert_string_equal(m, "张*明");
	customers_mask_name("李四", m, sizeof m);
	assert_string_equal(m, "李*");
	customers_mask_name("欧阳娜娜", m, sizeof m);
	assert_string_equal(m, "欧**娜");
	customers_mask_name("Li", m, sizeof m);
	assert_string_equal(m, "L*");
	customers_mask_name("张三明", m, 5); /* too small for the whole mask: cut at a character, never inside one */
	assert_string_equal(m, "张*");
	customers_mask_id("11010519491231002X", m, sizeof m);
	assert_string_equal(m, "110***********002X");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id_card_examples),
		cmocka_unit_test(credit_code_examples),
		cmocka_unit_test(masks),
	};
	return cmocka_run_group_tests_name("customers: identity numbers and masks", tests, NULL, NULL);
}

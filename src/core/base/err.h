#ifndef FG_ERR_H
#define FG_ERR_H
#include <jansson.h>

/* A refusal or failure a domain function reports to its caller: a stable code from the catalog
 * (src/core/base/errcat.c) plus details that name what to fix. Domain code never speaks HTTP; the HTTP layer maps
 * the code to a status and a message in the caller's language. */
typedef struct {
	const char *code; /* NULL: no error */
	json_t *details;  /* owned; NULL or an object */
} fg_err_t;

#define FG_ERR_INIT {NULL, NULL}

/* Each returns -1 so callers can `return fg_err(e, "not_found");`. */
int fg_err(fg_err_t *e, const char *code);
int fg_err_field(fg_err_t *e, const char *code, const char *field, const char *reason);
void fg_err_detail_str(fg_err_t *e, const char *key, const char *val);
void fg_err_detail_int(fg_err_t *e, const char *key, long long val);
void fg_err_detail(fg_err_t *e, const char *key, json_t *val); /* steals val */
void fg_err_clear(fg_err_t *e);
/* not_found naming the entity kind and id. */
int fg_err_not_found(fg_err_t *e, const char *entity, const char *id);

typedef struct {
	const char *code;
	int status;
	const char *zh;
	const char *en;
} errcat_t;

/* The catalog entry for a code: the core catalog (errcat.c), then the codes modules declare with their other parts
 * (fg_module_t.errors); an unknown code maps to the "internal" entry. */
const errcat_t *errcat_find(const char *code);
/* The modules' codes (core/module/module.c). Weak: programs built without the module table (the fuzz targets) have
 * only the core catalog. */
__attribute__((weak)) const errcat_t *module_errcat_find(const char *code);

#endif

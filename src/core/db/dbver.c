/* Data versions: the tables each statement names and a write generation per table (see dbver.h for why). */
#include <ctype.h>
#include <stdatomic.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/db/dbver.h"

#define NAME_MAX_LEN 63
#define SLOTS 1024 /* open addressing over at most DBVER_MAX names: never more than a quarter full */

typedef struct {
	char name[NAME_MAX_LEN + 1];
	dbver_set_t set;   /* a table: its own bit; a view: the tables behind it */
	bool write_all;    /* a write to it may change other tables (a trigger, a cascading foreign key) */
} name_t;

static name_t names[DBVER_MAX];
static int nnames = 1; /* bit 0 is "everything" */
static uint16_t slots[SLOTS];
static bool ready;
static _Atomic uint64_t gens[DBVER_MAX];
static _Atomic uint64_t bumps;

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static name_t *
find(const char *s, size_t n)
{
	if (n > NAME_MAX_LEN)
		return NULL;
	for (uint32_t i = hash(s, n) % SLOTS;; i = (i + 1) % SLOTS) {
		if (!slots[i])
			return NULL;
		name_t *e = &names[slots[i] - 1];
		if (strlen(e->name) == n && memcmp(e->name, s, n) == 0)
			return e;
	}
}

static name_t *
add(const char *name)
{
	char low[NAME_MAX_LEN + 1];
	size_t n = strlen(name);
	if (n > NAME_MAX_LEN || nnames >= DBVER_MAX)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	name_t *e = find(low, n);
	if (e)
		return e;
	e = &names[nnames];
	memcpy(e->name, low, n + 1);
	uint32_t i = hash(low, n) % SLOTS;
	while (slots[i])
		i = (i + 1) % SLOTS;
	slots[i] = (uint16_t)(nnames + 1);
	e->set.w[nnames / 64] |= 1ULL << (nnames % 64);
	nnames++;
	return e;
}

static void
set_all(dbver_set_t *s)
{
	memset(s, 0, sizeof *s);
	s->w[0] = 1; /* bit 0: everything */
}

static bool
word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

/* A small SQL scanner: skips string literals and comments, lowercases identifiers (quoted ones too), and looks
 * each up in the names. Placeholders ($1) and numbers are skipped. */
static void
scan(const char *sql, dbver_set_t *tables, bool *writes)
{
	memset(tables, 0, sizeof *tables);
	*writes = false;
	char prev[8] = "";  /* the previous word, for FOR UPDATE / FOR NO KEY UPDATE */
	bool first = true;  /* the statement's first word (after ; too) */
	bool write_all = false;
	for (const char *p = sql; *p;) {
		unsigned char c = (unsigned char)*p;
		if (c == '\'') {
			for (p++; *p; p++)
				if (*p == '\'' && *++p != '\'')
					break;
			continue;
		}
		if (c == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (c == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		if (c == ';') {
			first = true;
			p++;
			continue;
		}
		if (c == '$' || isdigit(c)) {
			for (p++; isalnum((unsigned char)*p) || *p == '_' || *p == '.'; p++) {}
			continue;
		}
		if (!(isalpha(c) || c == '_' || c == '"')) {
			p++;
			continue;
		}
		const char *w = p;
		size_t n;
		if (c == '"') {
			w = p + 1;
			n = strcspn(w, "\"");
			p = w + n + (w[n] == '"');
		} else {
			for (p++; isalnum((unsigned char)*p) || *p == '_'; p++) {}
			n = (size_t)(p - w);
		}
		char low[NAME_MAX_LEN + 1];
		if (n <= NAME_MAX_LEN) {
			for (size_t i = 0; i < n; i++)
				low[i] = (char)tolower((unsigned char)w[i]);
			low[n] = 0;
			if (word_is(low, n, "insert") || word_is(low, n, "delete") ||
			    (word_is(low, n, "update") && strcmp(prev, "for") != 0 && strcmp(prev, "key") != 0))
				*writes = true;
			else if (first && (word_is(low, n, "replace") || word_is(low, n, "create") || word_is(low, n, "drop") ||
					      word_is(low, n, "alter") || word_is(low, n, "truncate"))) {
				*writes = true;
				write_all = true; /* DDL, or a statement the scanner does not follow */
			}
			name_t *e = find(low, n);
			if (e) {
				dbver_or(tables, &e->set);
				write_all |= e->write_all;
			}
			fg_fmt(prev, sizeof prev, "%s", n < sizeof prev ? low : "");
		}
		first = false;
	}
	if (*writes && write_all)
		tables->w[0] |= 1;
}

void
dbver_classify(const char *sql, dbver_set_t *tables, bool *writes)
{
	if (!ready) { /* nothing known: a write is to everything, a read of everything */
		set_all(tables);
		*writes = true;
		return;
	}
	scan(sql, tables, writes);
}

void
dbver_bump(const dbver_set_t *written)
{
	bool any = false;
	for (int i = 0; i < DBVER_MAX / 64; i++)
		for (uint64_t w = written->w[i]; w; w &= w - 1) {
			atomic_fetch_add(&gens[i * 64 + __builtin_ctzll(w)], 1);
			any = true;
		}
	if (any)
		atomic_fetch_add(&bumps, 1);
}

uint64_t
dbver_sum(const dbver_set_t *set)
{
	uint64_t s = atomic_load(&gens[0]);
	for (int i = 0; i < DBVER_MAX / 64; i++)
		for (uint64_t w = set->w[i] & (i == 0 ? ~1ULL : ~0ULL); w; w &= w - 1)
			s += atomic_load(&gens[i * 64 + __builtin_ctzll(w)]);
	return s;
}

uint64_t
dbver_bumps(void)
{
	return atomic_load(&bumps);
}

bool
dbver_ready(void)
{
	return ready;
}

/* Names from one query's first column, registered; views get their tables from their SQL (second column). */
static int
load(db_t *db, const char *sql, int kind)
{
	db_stmt_t *st = db_prepare(db, sql);
	if (!st)
		return -1;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		if (!name)
			continue;
		if (kind == 0 && !add(name)) {
			db_finalize(st);
			return -1;
		}
		if (kind == 1) { /* a view: the tables its definition names (classified now that the tables are known) */
			name_t *e = add(name);
			if (!e) {
				db_finalize(st);
				return -1;
			}
			const char *def = db_col_text(st, 1);
			dbver_set_t t;
			bool w;
			scan(def ? def : "", &t, &w);
			dbver_or(&e->set, &t);
		}
		if (kind == 2) { /* writes to it change more than itself */
			char low[NAME_MAX_LEN + 1];
			fg_fmt(low, sizeof low, "%s", name);
			for (char *q = low; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			name_t *e = find(low, strlen(low));
			if (e)
				e->write_all = true;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

int
dbver_init(db_t *db)
{
	if (ready)
		return 0;
	bool pg = db_kind(db) == DB_PG;
	int rc = pg ? load(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
			       "AND table_type = 'BASE TABLE'", 0)
		    : load(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", 0);
	if (rc == 0)
		rc = pg ? load(db, "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()", 1)
			: load(db, "SELECT name, sql FROM sqlite_master WHERE type = 'view'", 1);
	if (rc == 0)
		rc = pg ? load(db, "SELECT DISTINCT event_object_table FROM information_schema.triggers "
				   "WHERE trigger_schema = current_schema()", 2)
			: load(db, "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'", 2);
	if (rc == 0) /* the parent of a foreign key whose delete or update cascades (or sets null/default) */
		rc = pg ? load(db, "SELECT DISTINCT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.confrelid "
				   "WHERE k.contype = 'f' AND (k.confdeltype NOT IN ('a', 'r') OR k.confupdtype NOT IN ('a', 'r'))", 2)
			: load(db, "SELECT DISTINCT f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
				   "WHERE m.type = 'table' AND (f.on_delete NOT IN ('NO ACTION', 'RESTRICT') "
				   "OR f.on_update NOT IN ('NO ACTION', 'RESTRICT'))", 2);
	if (rc != 0) {
		log_error("data versions: cannot read the schema (%s) or it has more than %d tables; responses are not cached",
		    db_errmsg(db), DBVER_MAX - 1);
		return -1;
	}
	ready = true;
	return 0;
}

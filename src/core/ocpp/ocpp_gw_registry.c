/* Which OCPP connections exist (part of the gateway loop, ocpp_gw_internal.h).
 *
 * Two views, kept here so every change to either goes through one place: the cpid table (cpid → the current
 * connection, what replies and commands are routed by; the loop is its only writer, and HTTP threads read it
 * under reg_mu through ocpp_connected), and the loop's own list of every connection, replaced and closing ones
 * too, which the timers walk. Chargers between their 101 and the loop's adopt are on the adopting list, so the API
 * counts them as connected already. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_gw_internal.h"

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static gw_conn_t *table[GW_BUCKETS];
gw_conn_t *gw_all;

static size_t
bucket(const char *cpid)
{
	return fg_fnv1a(cpid, strlen(cpid)) % GW_BUCKETS;
}

gw_conn_t *
gw_lookup(const char *cpid)
{
	for (gw_conn_t *c = table[bucket(cpid)]; c; c = c->hnext)
		if (strcmp(c->cpid, cpid) == 0)
			return c;
	return NULL;
}

void
gw_table_add(gw_conn_t *c)
{
	size_t b = bucket(c->cpid);
	pthread_mutex_lock(&reg_mu);
	c->hnext = table[b];
	table[b] = c;
	c->in_table = true;
	pthread_mutex_unlock(&reg_mu);
}

void
gw_table_del(gw_conn_t *c)
{
	if (!c->in_table)
		return;
	size_t b = bucket(c->cpid);
	pthread_mutex_lock(&reg_mu);
	for (gw_conn_t **pp = &table[b]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	c->in_table = false;
	pthread_mutex_unlock(&reg_mu);
}

/* Chargers between their 101 and the loop's adopt: connected for the API already (under reg_mu). */
typedef struct adopting {
	struct adopting *next;
	char cpid[65];
} adopting_t;
static adopting_t *adopting;

void
gw_adopting_add(const char *cpid)
{
	adopting_t *a = fg_calloc(1, sizeof *a);
	fg_fmt(a->cpid, sizeof a->cpid, "%s", cpid);
	pthread_mutex_lock(&reg_mu);
	a->next = adopting;
	adopting = a;
	pthread_mutex_unlock(&reg_mu);
}

void
gw_adopting_del(const char *cpid)
{
	pthread_mutex_lock(&reg_mu);
	for (adopting_t **pp = &adopting; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->cpid, cpid) == 0) {
			adopting_t *a = *pp;
			*pp = a->next;
			free(a);
			break;
		}
	}
	pthread_mutex_unlock(&reg_mu);
}

bool
ocpp_connected(const char *cpid)
{
	pthread_mutex_lock(&reg_mu);
	bool yes = false;
	for (adopting_t *a = adopting; a && !yes; a = a->next)
		yes = strcmp(a->cpid, cpid) == 0;
	for (gw_conn_t *c = table[bucket(cpid)]; c; c = c->hnext)
		if (strcmp(c->cpid, cpid) == 0 && !c->closing)
			yes = true;
	pthread_mutex_unlock(&reg_mu);
	return yes;
}

void
gw_list_add(gw_conn_t *c)
{
	c->all_next = gw_all;
	if (gw_all)
		gw_all->all_prev = c;
	gw_all = c;
}

void
gw_list_del(gw_conn_t *c)
{
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		gw_all = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
}

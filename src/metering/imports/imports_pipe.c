/* The meter import's batches between its reader and its database thread (imports_pipe.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "metering/imports/imports_pipe.h"

/* Three: one being filled, one being loaded, and one filled and waiting, so neither thread waits for the other
 * while both keep pace. */
#define NBATCH 3

struct mimp_pipe {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	mimp_batch_t batch[NBATCH];
	mimp_batch_t *free_[NBATCH], *full[NBATCH]; /* stacks of the free; a ring of the full, in order */
	int nfree, nfull, head;
	bool closed, abandoned;
};

mimp_pipe_t *
mimp_pipe_new(int ncols)
{
	mimp_pipe_t *p = fg_calloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->changed, NULL);
	for (int i = 0; i < NBATCH; i++) {
		p->batch[i].vals = fg_malloc(sizeof(char *) * MIMP_BATCH_ROWS * (size_t)ncols);
		p->batch[i].arena = fg_malloc(MIMP_BATCH_BYTES);
		p->batch[i].ncols = ncols;
		p->free_[p->nfree++] = &p->batch[i];
	}
	return p;
}

void
mimp_pipe_free(mimp_pipe_t *p)
{
	if (!p)
		return;
	for (int i = 0; i < NBATCH; i++) {
		free(p->batch[i].vals);
		free(p->batch[i].arena);
	}
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

mimp_batch_t *
mimp_pipe_empty(mimp_pipe_t *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->abandoned && p->nfree == 0)
		pthread_cond_wait(&p->changed, &p->mu);
	mimp_batch_t *b = p->abandoned ? NULL : p->free_[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	if (b) {
		b->rows = 0;
		b->used = 0;
	}
	return b;
}

void
mimp_pipe_put(mimp_pipe_t *p, mimp_batch_t *b)
{
	pthread_mutex_lock(&p->mu);
	p->full[(p->head + p->nfull++) % NBATCH] = b;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

void
mimp_pipe_close(mimp_pipe_t *p)
{
	pthread_mutex_lock(&p->mu);
	p->closed = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

mimp_batch_t *
mimp_pipe_full(mimp_pipe_t *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->closed && p->nfull == 0)
		pthread_cond_wait(&p->changed, &p->mu);
	mimp_batch_t *b = NULL;
	if (p->nfull) {
		b = p->full[p->head];
		p->head = (p->head + 1) % NBATCH;
		p->nfull--;
	}
	pthread_mutex_unlock(&p->mu);
	return b;
}

void
mimp_pipe_done(mimp_pipe_t *p, mimp_batch_t *b)
{
	pthread_mutex_lock(&p->mu);
	p->free_[p->nfree++] = b;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

void
mimp_pipe_abandon(mimp_pipe_t *p)
{
	pthread_mutex_lock(&p->mu);
	p->abandoned = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

const char *
mimp_batch_add(mimp_batch_t *b, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = b->arena + b->used;
	memcpy(d, s, n);
	b->used += n;
	return d;
}

bool
mimp_batch_room(const mimp_batch_t *b, size_t row_bytes)
{
	return b->rows < MIMP_BATCH_ROWS && b->used + row_bytes <= MIMP_BATCH_BYTES;
}

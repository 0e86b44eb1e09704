/* Notifications of PostgreSQL's LISTEN/NOTIFY on one connection (db.h db_wait_notify): what the nodes of a cluster
 * tell each other — a command for the charger one of them holds, a cache to drop (core/cluster). NOTIFY is sent by
 * the transaction that made its reason visible and delivered when it commits, so a listener never hears of a row
 * it cannot read yet. */
#include <errno.h>
#include <poll.h>
#include "core/base/util.h"
#include "core/db/db_impl.h"

static int
drain(db_t *db, db_notify_fn fn, void *arg)
{
	int n = 0;
	PGnotify *nt;
	while ((nt = PQnotifies(db->pg)) != NULL) {
		fn(nt->relname, nt->extra ? nt->extra : "", arg);
		PQfreemem(nt);
		n++;
	}
	return n;
}

int
db_wait_notify(db_t *db, int timeout_ms, db_notify_fn fn, void *arg)
{
	if (db->kind != DB_PG)
		return 0;
	/* some may have arrived with the results of the last statement */
	int n = drain(db, fn, arg);
	if (n)
		return n;
	int sock = PQsocket(db->pg);
	if (sock < 0 || PQstatus(db->pg) != CONNECTION_OK) {
		fg_fmt(db->err, sizeof db->err, "the listening connection is closed");
		return -1;
	}
	struct pollfd p = {.fd = sock, .events = POLLIN};
	int rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc == 0)
		return 0;
	if (!PQconsumeInput(db->pg) || PQstatus(db->pg) != CONNECTION_OK) {
		fg_fmt(db->err, sizeof db->err, "%s", PQerrorMessage(db->pg));
		return -1;
	}
	return drain(db, fn, arg);
}

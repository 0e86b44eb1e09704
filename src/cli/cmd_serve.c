#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/http/http.h"
#include "core/ocpp/ocpp.h"
#include "core/flow/flow.h"
#include "shared/attach/attach.h"
#include "core/module/module.h"
#include "core/cluster/cluster.h"
#include "core/jobs/scheduler.h"
#include "cli/cli.h"

/* web/ next to the binary's build directory (a checkout), else the installed share dir. */
static const char *
default_web(char *buf, size_t n)
{
	char exe[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	struct stat st;
	if (k > 0) {
		exe[k] = 0;
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			if (fg_fmt(buf, n, "%s/web/index.html", exe) && stat(buf, &st) == 0) {
				fg_fmt(buf, n, "%s/web", exe);
				return buf;
			}
		}
	}
	return "/usr/share/fieldgrid/web";
}

int
cmd_serve(int argc, char **argv)
{
	cli_opts_t o;
	char webbuf[PATH_MAX];
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	db_t *db = cli_open(&o); /* migrations run once here, before any thread serves */
	if (!db)
		return 1;
	const char *kind = db_kind_name(db);
	db_close(db);
	db_thread_setup(o.url);
	/* reports and KPIs may read a standby (docs/operations.md "Database failover") */
	db_thread_setup_standby(getenv("FIELDGRID_READ_DB"));
	if (db_checkpointer_start(o.url) != 0)
		return 1;
	attach_set_root(o.data);
	flow_init(); /* a flow naming a missing guard stops the server here, not on a crew's first tap */

	/* Block the stop signals before threads start so every thread inherits the mask and only sigwait below
	 * sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	http_config_t cfg = {
		.listen = o.listen,
		.web_root = o.web ? o.web : (getenv("FIELDGRID_WEB") ? getenv("FIELDGRID_WEB") : default_web(webbuf, sizeof webbuf)),
		.threads = o.threads,
		.connection_limit = 16000,
		.data_dir = o.data,
		/* behind TLS (docs/operations.md): the session cookie gets Secure; a trusted proxy's X-Forwarded-* count */
		.cookie_secure = getenv("FIELDGRID_COOKIE_SECURE") && strcmp(getenv("FIELDGRID_COOKIE_SECURE"), "1") == 0,
		.trusted_proxy = getenv("FIELDGRID_TRUSTED_PROXY") && strcmp(getenv("FIELDGRID_TRUSTED_PROXY"), "1") == 0,
	};
	/* the modules first: their subscriptions, the gateway's host (chargers), their workers (tool imports) — so the
	 * first request or charger finds them all in place */
	if (module_start_all() != 0)
		return 1;
	/* the node in the cluster (core/cluster): registered, its lease renewed, the other nodes' messages heard —
	 * before a charger can connect or a request come (the modules' start registered their hooks) */
	if (cluster_start(o.url, o.listen) != 0) {
		module_stop_all();
		return 1;
	}
	if (ocpp_start() != 0) { /* the charger gateway's loop and writer, before the first charger can connect */
		cluster_stop();
		module_stop_all();
		return 1;
	}
	if (http_start(&cfg) != 0) {
		ocpp_stop();
		cluster_stop();
		module_stop_all();
		return 1;
	}
	scheduler_start(o.url);
	log_info("fieldgrid serving http://%s/ (database: %s, web: %s, threads: %d)", o.listen, kind, cfg.web_root,
	    cfg.threads);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d: stopping (finishing requests in flight)", sig);
	scheduler_stop();
	/* the stop's grace: 5 s by default, inside systemd's TimeoutStopSec (docs/operations.md); FG_STOP_GRACE_S
	 * lengthens it where slow requests are expected (a loaded test machine's burst of argon2id logins) */
	const char *g = getenv("FG_STOP_GRACE_S");
	int grace_s = g ? atoi(g) : 5;
	http_stop((grace_s >= 1 && grace_s <= 600 ? grace_s : 5) * 1000);
	cluster_stop(); /* after the chargers' disconnections were written: the node's leave, what it held settled */
	module_stop_all(); /* after the server: no request can queue work a module would not do */
	db_checkpointer_stop();
	log_info("stopped");
	return 0;
}

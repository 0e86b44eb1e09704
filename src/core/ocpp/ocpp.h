#ifndef FG_OCPP_H
#define FG_OCPP_H
#include <stdbool.h>
#include <stdint.h>
#include <microhttpd.h>
#include <jansson.h>
#include "core/ocpp/ocpp_host.h"

/* The OCPP 1.6J gateway (DESIGN.md §10, docs/architecture.md "OCPP gateway"):
 *   ocpp_http.c    the WebSocket handshake on libmicrohttpd's worker thread (charger lookup, Basic auth,
 *                  subprotocol, Sec-WebSocket-Accept), then the socket goes to the gateway
 *   ocpp_gw*.c     one thread, one epoll loop, one wslay context per charger; never touches the database
 *                  (one concern a file: see ocpp_gw_internal.h)
 *   ocpp_writer.c  one thread with its own database connection; batches what chargers send into one
 *                  transaction and answers through the loop
 *   ocpp_frame.c, ocpp_schema.c   pure parsing and validation */

/* Starts the writer and the loop (the server calls it before accepting connections). 0 or -1. */
int ocpp_start(void);
/* Stops the loop (every charger socket closed through MHD_upgrade_action CLOSE), then the writer after it has
 * written what was queued. Call before MHD_stop_daemon (ENGINEERING.md §1 pitfall 8). Safe to call twice. */
void ocpp_stop(void);

/* server.c hands every request for /ocpp/… here on its first call. */
enum MHD_Result ocpp_http_handshake(struct MHD_Connection *conn, const char *url, const char *method, void **con_cls);
/* The request context ocpp_http_handshake leaves in *con_cls (server.c must not free it). */
extern char ocpp_http_marker;

/* Closes every charger's connection (a Close frame 1001 with reason, then the socket), from any thread: the
 * chargers connect again, wherever they are sent. For a node the cluster took for lost (core/cluster). reason: a
 * string that lives as long as the program (a literal), at most 123 bytes. */
void ocpp_close_all(const char *reason);

/* Whether a charger is connected to this server now (any thread). */
bool ocpp_connected(const char *charge_point_id);
/* Queues an operator command (a CALL with message id cmd_id) for the charger; the result is written to the
 * command's row by the writer. payload is copied. 0, or -1 when the charger is not connected. */
int ocpp_send_command(const char *charge_point_id, const char *cmd_id, const char *action, json_t *payload, int timeout_s);

#endif

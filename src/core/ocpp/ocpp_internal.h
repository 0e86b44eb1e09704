#ifndef FG_OCPP_INTERNAL_H
#define FG_OCPP_INTERNAL_H
#include <stdint.h>
#include <microhttpd.h>
#include <jansson.h>

/* Shared by the gateway's files only. */

/* Work for the writer. The loop fills it and never looks at it again. */
enum job_kind { JOB_CALL, JOB_LINK, JOB_CMD_DONE };
typedef struct job {
	struct job *next;
	enum job_kind kind;
	uint64_t serial;          /* the connection that asked (JOB_CALL) */
	char cpid[65];
	char charger_id[37];
	char msg_id[37];          /* JOB_CALL: the CALL's id; JOB_CMD_DONE: the command id */
	char action[65];          /* JOB_CALL: the action; JOB_LINK: connected|disconnected|seen; JOB_CMD_DONE: status */
	json_t *payload;          /* JOB_CALL payload; JOB_CMD_DONE result (owned) */
	char error_code[48];
	char error_desc[256];
	int64_t at;
} job_t;

/* ocpp_writer.c */
int writer_start(void);
void writer_stop(void);
void writer_push(job_t *j);       /* takes ownership */
size_t writer_backlog(void);

/* ocpp_gw.c */
int gw_start(void);
void gw_stop(void);
/* The handshake's hand-over (on an MHD thread): the gateway owns sock/urh from here. */
typedef struct {
	char cpid[65];
	char charger_id[37];
	int heartbeat_interval;
	int proto_ok; /* the charger offered ocpp1.6 */
} gw_hello_t;
void gw_adopt(const gw_hello_t *h, const char *extra_in, size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh);
/* The writer's answer to a CALL: a ready frame for the connection `serial` of cpid (frame is taken). */
void gw_reply(const char *cpid, uint64_t serial, const char *msg_id, char *frame);

#endif

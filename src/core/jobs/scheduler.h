#ifndef FG_SCHEDULER_H
#define FG_SCHEDULER_H

/* Periodic jobs of the server (reminders). url stays valid while the thread runs. */
void scheduler_start(const char *url);
void scheduler_stop(void);

#endif

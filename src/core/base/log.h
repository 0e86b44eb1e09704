#ifndef FG_LOG_H
#define FG_LOG_H

/* One line per event on stderr: "2026-11-21T12:00:00.123Z LEVEL message". Never pass secrets. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

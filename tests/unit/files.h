/* files.h - what the unit tests read back from an fd and write to a file. */
#ifndef RR_UNIT_FILES_H
#define RR_UNIT_FILES_H

/* Everything written to fd so far, NUL-terminated (caller frees). */
char *fd_contents(int fd);

/* dir/name holds text; its path, in a buffer the next call reuses. */
const char *file_in(const char *dir, const char *name, const char *text);

#endif

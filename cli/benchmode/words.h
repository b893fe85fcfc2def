/*
 * A command line split into words as a POSIX shell splits it, without
 * running one: --shell=none's argv, and --shell's own words.
 */
#ifndef CLI_WORDS_H
#define CLI_WORDS_H

/*
 * Blanks separate words; '...' keeps everything, "..." keeps all but
 * \\ \" \$ \` (escaped), \ outside quotes escapes the next character.
 * Returns the NULL-terminated words (one free() frees them all), or NULL
 * with *why set: an unterminated quote, or no word.
 */
char **words_split(const char *s, const char **why);

#endif

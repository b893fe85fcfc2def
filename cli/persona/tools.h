/* The personalities' tables, one file each. */
#ifndef CLI_PERSONA_TOOLS_H
#define CLI_PERSONA_TOOLS_H

#include "persona/persona.h"

extern const struct persona persona_pdsh;  /* pdsh.c */
extern const struct persona persona_clush; /* clush.c */
extern const struct persona persona_pssh;  /* pssh.c */

#define PERSONA_N(opts) (sizeof(opts) / sizeof((opts)[0]))

#endif

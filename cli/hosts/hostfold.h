/*
 * Host lists written back compressed, in the grammar -w reads:
 * web01,web02,web03,web07,db1 -> "web[01-03,07],db1".
 */
#ifndef CLI_HOSTFOLD_H
#define CLI_HOSTFOLD_H

#include <stddef.h>

/*
 * Fold host names into ranges.  Names are grouped by the text around their
 * last run of digits (after the last ']', so "[::1]:22" folds on its port),
 * groups in order of first appearance; within a group the numbers are
 * sorted, duplicates dropped and consecutive ones merged into a-b, zero
 * padding kept exactly (web01 and web1 stay two hosts).  A group of one
 * prints without brackets; names without digits stay as they are.  The
 * terms that makes are folded again on the number before the last (the
 * host's own, never an address's), and so on leftwards, so that a product
 * comes back as written: "rack[1-2]-n[01-08]", as nodeset -f prints it.
 * Returns a malloc'd string ("" for n == 0).
 */
char *hostfold(const char *const *names, size_t n);

#endif

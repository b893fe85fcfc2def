/* The order ClusterShell's NodeSet lists nodes in (clush -L, clush -b). */
#ifndef CLI_NODEORDER_H
#define CLI_NODEORDER_H

/*
 * <0, 0, >0 as a comes before b in a NodeSet: by pattern (the name with
 * each run of digits read as "%s", compared as bytes), then the runs of
 * digits left to right, each as RangeSet sorts its items: the shorter
 * first, then as text ("h9" < "h01" < "h10" < "h001").  Of a pattern of
 * several numbers NodeSet lists its folded blocks the larger first; here
 * they are taken left to right, which is the same for a full product.
 */
int nodeorder_cmp(const char *a, const char *b);

#endif

/*
 * op.h - the record every in-flight submission points to.
 *
 * Each SQE's user_data is a struct rr_op embedded in its owner (a reader, a
 * process, a stdin feed, the loop's timer), so a completion is dispatched with
 * one indirect call and no lookup.  user_data 0 marks fire-and-forget
 * submissions (ring closes, cancels, timer updates) whose completions carry
 * nothing the loop needs.
 */
#ifndef RR_OP_H
#define RR_OP_H

struct io_uring_cqe;

struct rr_op {
	void (*complete)(struct rr_op *op, const struct io_uring_cqe *cqe);
};

#endif

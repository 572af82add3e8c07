/* sched.c - how time moves in the lab. Every node shares one clock. A
 * round steps every stack until all are idle (no timer due, no NAPI or
 * transmit work: frames a pipe put on a peer's ring are work for the
 * peer), then polls the jobs; then the clock jumps to the earliest next
 * timer of any node or job (virtual time), or the lab sleeps until then
 * (--realtime). Stacks are stepped with ns_stack_run_once(stack, 0): one
 * step plus a zero-timeout poll of the stack's fd watches, which is how
 * the services of src/apps (serve, curl) get their socket events; their
 * eventfds are signalled synchronously by the stack, so this stays
 * deterministic. Nothing depends on wall time in virtual mode, so a run is
 * reproducible from its seed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab/lab.h"

#define LAB_SETTLE_ROUNDS (1u << 22)	/* bound on rounds without the clock moving */
#define LAB_JOB_LIMIT_NS (3600ULL * 1000000000ULL)	/* a job may take an hour of lab time */

static uint64_t now_ns(struct ns_lab *lab)
{
	return lab->clock->now_ns(lab->clock);
}

static void job_free(struct ns_lab *lab, unsigned int i)
{
	struct lab_job *job = lab->jobs[i];

	memmove(&lab->jobs[i], &lab->jobs[i + 1], (lab->njobs - i - 1) * sizeof(lab->jobs[0]));
	lab->njobs--;
	job->ops->destroy(job);
}

static unsigned int job_index(struct ns_lab *lab, struct lab_job *job)
{
	for (unsigned int i = 0; i < lab->njobs; i++)
		if (lab->jobs[i] == job)
			return i;
	return lab->njobs;
}

int lab_job_add(struct ns_lab *lab, struct lab_job *job)
{
	if (lab->njobs >= LAB_MAX_JOBS) {
		job->ops->destroy(job);
		return lab_err(lab, -ENOSPC, "too many jobs (limit %d)", LAB_MAX_JOBS);
	}
	job->lab = lab;
	job->rc = -EINPROGRESS;
	lab->jobs[lab->njobs++] = job;
	return 0;
}

/* Poll every running job once; reap finished background ones. */
static void poll_jobs(struct ns_lab *lab)
{
	for (unsigned int i = 0; i < lab->njobs;) {
		struct lab_job *job = lab->jobs[i];

		if (job->rc == -EINPROGRESS)
			job->rc = job->ops->poll(job);
		if (job->rc != -EINPROGRESS && !job->waited) {
			job_free(lab, i);
			continue;
		}
		i++;
	}
}

/* No node has work now: nothing queued, no timer due. */
static bool all_idle(struct ns_lab *lab)
{
	uint64_t now = now_ns(lab);

	for (unsigned int i = 0; i < lab->nnodes; i++)
		if (ns_stack_busy(lab->nodes[i].stack) ||
		    ns_stack_next_timer(lab->nodes[i].stack) <= now)
			return false;
	return true;
}

void lab_settle(struct ns_lab *lab)
{
	for (unsigned int round = 0; round < LAB_SETTLE_ROUNDS; round++) {
		int work = 0;

		for (unsigned int i = 0; i < lab->nnodes; i++) {
			int rc = ns_stack_run_once(lab->nodes[i].stack, 0);

			work += rc > 0 ? rc : 0;
		}
		if (work || !all_idle(lab))
			continue;
		lab_plot_sample(lab);
		poll_jobs(lab);
		/* a job may have sent something: then step again */
		if (all_idle(lab))
			return;
	}
}

/* The earliest time anything needs to run, at most limit. */
static uint64_t next_event(struct ns_lab *lab, uint64_t limit)
{
	uint64_t next = limit;

	for (unsigned int i = 0; i < lab->nnodes; i++) {
		uint64_t t = ns_stack_next_timer(lab->nodes[i].stack);

		if (t < next)
			next = t;
	}
	for (unsigned int i = 0; i < lab->njobs; i++) {
		uint64_t t = lab->jobs[i]->rc == -EINPROGRESS ? lab->jobs[i]->ops->deadline(lab->jobs[i])
							      : UINT64_MAX;

		if (t < next)
			next = t;
	}
	if (lab->plot) {
		uint64_t t = lab_plot_deadline(lab);

		if (t < next)
			next = t;
	}
	return next;
}

/* Move the clock to the next event (at most limit). */
static void move_time(struct ns_lab *lab, uint64_t limit)
{
	uint64_t now = now_ns(lab), next = next_event(lab, limit);

	if (next <= now)	/* the timer wheel answers a lower bound */
		next = now + 1000;
	if (next > limit)
		next = limit;
	if (!lab->cfg.realtime) {
		lab->vclock.now = next;
		return;
	}
	if (next - now > 10000000)
		next = now + 10000000;	/* look at the world every 10 ms */
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(next - now) };

	nanosleep(&ts, NULL);
}

int ns_lab_advance(struct ns_lab *lab, uint64_t ns)
{
	uint64_t end = now_ns(lab) + ns;

	lab_settle(lab);
	while (now_ns(lab) < end) {
		move_time(lab, end);
		lab_settle(lab);
	}
	return 0;
}

int lab_job_wait(struct ns_lab *lab, struct lab_job *job)
{
	uint64_t limit = now_ns(lab) + LAB_JOB_LIMIT_NS;
	unsigned int i;
	int rc;

	job->waited = true;
	lab_settle(lab);
	while (job->rc == -EINPROGRESS && now_ns(lab) < limit) {
		move_time(lab, limit);
		lab_settle(lab);
	}
	i = job_index(lab, job);
	if (job->rc == -EINPROGRESS) {
		rc = lab_err(lab, -ETIME, "%s: still running after an hour of lab time", job->what);
	} else {
		rc = job->rc;
	}
	job_free(lab, i);
	return rc;
}

int lab_wait_all(struct ns_lab *lab)
{
	for (;;) {
		struct lab_job *job = NULL;

		for (unsigned int i = 0; i < lab->njobs && !job; i++)
			if (!lab->jobs[i]->daemon)
				job = lab->jobs[i];
		if (!job)
			return 0;
		if (lab_job_wait(lab, job) == -ETIME)
			return -ETIME;
	}
}

void lab_jobs_cancel(struct ns_lab *lab)
{
	while (lab->njobs)
		job_free(lab, lab->njobs - 1);
}

int lab_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "", 1000000000ULL }, { "s", 1000000000ULL }, { "sec", 1000000000ULL },
		      { "ms", 1000000ULL }, { "msec", 1000000ULL }, { "us", 1000ULL },
		      { "usec", 1000ULL }, { "ns", 1 }, { "m", 60000000000ULL },
		      { "min", 60000000000ULL } };
	char *end;
	double v;

	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	v = strtod(s, &end);
	if (end == s || v < 0 || v > 86400.0 * 365)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			*ns = (uint64_t)(v * (double)units[i].mult + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

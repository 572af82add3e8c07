/* lab.c - the lab's script interpreter: `node`, `link`, `sleep`, `wait`,
 * `echo`, `section`, `summary`, and `NODE COMMAND...` which goes to that
 * node's ns_exec (traceroute, which the engine lacks, is the lab's own). Errors name the file and line. Read include/nstack/lab.h
 * for the language, sched.c for how time moves. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "nstack/netdev.h"

/* ---- messages ---- */
void lab_printf(struct ns_lab *lab, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(lab->out, fmt, ap);
	va_end(ap);
}

int lab_err(struct ns_lab *lab, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lab->err, sizeof(lab->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *ns_lab_error(const struct ns_lab *lab)
{
	return lab->err;
}

/* ---- lifecycle ---- */
struct ns_lab *ns_lab_create(const struct ns_lab_config *cfg)
{
	struct ns_lab *lab = calloc(1, sizeof(*lab));

	if (!lab)
		return NULL;
	if (cfg)
		lab->cfg = *cfg;
	if (!lab->cfg.seed)
		lab->cfg.seed = 1;
	if (!lab->cfg.plot_interval_ms)
		lab->cfg.plot_interval_ms = 10;
	lab->out = lab->cfg.out ? lab->cfg.out : stdout;
	ns_vclock_init(&lab->vclock, 1000000000ULL);
	lab->clock = lab->cfg.realtime ? ns_clock_monotonic() : &lab->vclock.clock;
	if (lab->cfg.plot_dir && lab_plot_init(lab)) {
		free(lab);
		errno = ENOMEM;
		return NULL;
	}
	return lab;
}

static void rm_tmpdir(struct ns_lab *lab)
{
	static const char *const files[] = { "index.html", "big.bin" };
	char path[128];

	if (!lab->tmpdir[0])
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", lab->tmpdir, files[i]);
		remove(path);
	}
	remove(lab->tmpdir);
	lab->tmpdir[0] = 0;
}

void ns_lab_destroy(struct ns_lab *lab)
{
	if (!lab)
		return;
	lab_jobs_cancel(lab);
	if (lab->plot) {
		lab_plot_write(lab);
		lab_plot_free(lab);
	}
	for (unsigned int i = 0; i < lab->nlinks; i++)
		if (lab->links[i].pcap[0])
			ns_pcap_stop(lab->links[i].a);
	for (unsigned int i = 0; i < lab->nnodes; i++)
		ns_stack_destroy(lab->nodes[i].stack);
	rm_tmpdir(lab);
	fflush(lab->out);
	free(lab);
}

int ns_lab_write_plots(struct ns_lab *lab)
{
	return lab->plot ? lab_plot_write(lab) : 0;
}

uint64_t ns_lab_now(struct ns_lab *lab)
{
	return lab->clock->now_ns(lab->clock);
}

struct lab_node *lab_node_find(struct ns_lab *lab, const char *name)
{
	for (unsigned int i = 0; i < lab->nnodes; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return &lab->nodes[i];
	return NULL;
}

struct ns_stack *ns_lab_node(struct ns_lab *lab, const char *name)
{
	struct lab_node *n = lab_node_find(lab, name);

	return n ? n->stack : NULL;
}

/* ---- node and link ---- */
static bool valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* splitmix64: a different, reproducible seed per node */
static uint64_t node_seed(uint64_t seed, unsigned int idx)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (idx + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

static int cmd_node(struct ns_lab *lab, int argc, char **argv)
{
	struct lab_node *n;

	if (argc != 2)
		return lab_err(lab, -EINVAL, "usage: node NAME");
	if (!valid_name(argv[1], LAB_NAME_MAX) || !strcmp(argv[1], "node") ||
	    !strcmp(argv[1], "link"))
		return lab_err(lab, -EINVAL, "bad node name \"%s\"", argv[1]);
	if (lab_node_find(lab, argv[1]))
		return lab_err(lab, -EEXIST, "node \"%s\" exists", argv[1]);
	if (lab->nnodes >= LAB_MAX_NODES)
		return lab_err(lab, -ENOSPC, "too many nodes (limit %d)", LAB_MAX_NODES);
	n = &lab->nodes[lab->nnodes];
	snprintf(n->name, sizeof(n->name), "%s", argv[1]);
	n->stack = ns_stack_create(&(struct ns_stack_config){
		.name = n->name, .clock = lab->clock, .seed = node_seed(lab->cfg.seed, lab->nnodes),
		.single_thread = true });	/* the lab is one thread on one clock */
	if (!n->stack)
		return lab_err(lab, -ENOMEM, "node %s: cannot create the stack", argv[1]);
	lab->nnodes++;
	return 0;
}

/* "a:eth0" -> node, device name */
static int parse_end(struct ns_lab *lab, const char *spec, struct lab_node **n, char *dev,
		     size_t len)
{
	const char *colon = strchr(spec, ':');
	char name[LAB_NAME_MAX];

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(name))
		return lab_err(lab, -EINVAL, "bad link spec \"%s\": want NODE:DEVICE", spec);
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = 0;
	*n = lab_node_find(lab, name);
	if (!*n)
		return lab_err(lab, -ENOENT, "bad link spec \"%s\": unknown node \"%s\"", spec, name);
	if (!valid_name(colon + 1, len) || strlen(colon + 1) >= 16)
		return lab_err(lab, -EINVAL, "bad link spec \"%s\": bad device name", spec);
	if (ns_dev_get((*n)->stack, colon + 1))
		return lab_err(lab, -EEXIST, "bad link spec \"%s\": %s already has %s", spec, name,
			       colon + 1);
	snprintf(dev, len, "%s", colon + 1);
	return 0;
}

/* netem on one end: `tc qdisc add dev DEV root netem WORDS` */
static int link_netem(struct ns_lab *lab, struct lab_node *n, const char *dev, int argc,
		      char **argv)
{
	char line[CMD_MAX_LINE];
	struct ns_out out;
	size_t off;
	int rc;

	off = (size_t)snprintf(line, sizeof(line), "tc qdisc add dev %s root netem", dev);
	for (int i = 0; i < argc && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", argv[i]);
	if (off >= sizeof(line))
		return lab_err(lab, -E2BIG, "bad link spec: too long");
	ns_out_init(&out);
	rc = ns_exec(n->stack, line, &out);
	if (rc)
		lab_err(lab, rc, "bad link spec: %s", out.err);
	ns_out_free(&out);
	return rc;
}

void lab_mkdirs(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static int link_pcap(struct ns_lab *lab, struct lab_link *l, const char *na, const char *da,
		     const char *nb, const char *db)
{
	int rc;

	if (!lab->cfg.pcap_dir)
		return 0;
	lab_mkdirs(lab->cfg.pcap_dir);
	snprintf(l->pcap, sizeof(l->pcap), "%s/%s-%s--%s-%s.pcap", lab->cfg.pcap_dir, na, da, nb,
		 db);
	rc = ns_pcap_start(l->a, l->pcap);
	if (rc) {
		lab_err(lab, rc, "cannot capture to %s: %s", l->pcap, strerror(-rc));
		l->pcap[0] = 0;
	}
	return rc;
}

static int cmd_link(struct ns_lab *lab, int argc, char **argv)
{
	struct lab_node *na, *nb;
	char da[16], db[16];
	struct lab_link *l;
	int rc;

	if (argc < 3)
		return lab_err(lab, -EINVAL, "bad link spec: usage: link A:DEV B:DEV [netem words]");
	if (lab->nlinks >= LAB_MAX_LINKS)
		return lab_err(lab, -ENOSPC, "too many links (limit %d)", LAB_MAX_LINKS);
	rc = parse_end(lab, argv[1], &na, da, sizeof(da));
	if (!rc)
		rc = parse_end(lab, argv[2], &nb, db, sizeof(db));
	if (rc)
		return rc;
	if (na == nb && !strcmp(da, db))
		return lab_err(lab, -EINVAL, "bad link spec: both ends are %s", argv[1]);
	l = &lab->links[lab->nlinks];
	rc = ns_pipe_create(na->stack, da, nb->stack, db, 0, &l->a, &l->b);
	if (rc)
		return lab_err(lab, rc, "link %s %s: %s", argv[1], argv[2], strerror(-rc));
	if (argc > 3) {
		rc = link_netem(lab, na, da, argc - 3, argv + 3);
		if (!rc)
			rc = link_netem(lab, nb, db, argc - 3, argv + 3);
	}
	if (!rc)
		rc = link_pcap(lab, l, na->name, da, nb->name, db);
	if (rc) {
		ns_dev_destroy(l->b);
		ns_dev_destroy(l->a);
		return rc;
	}
	ns_dev_set_up(l->a, true);
	ns_dev_set_up(l->b, true);
	lab->nlinks++;
	return 0;
}

/* ---- node commands ---- */
/* Print text, keeping only the lines that contain grep (when not NULL). */
static void print_filtered(struct ns_lab *lab, const char *text, const char *grep)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) + 1 : strlen(text);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		if (!grep || strstr(line, grep))
			lab_printf(lab, "%s%s", line, nl ? "" : "\n");
		text += len;
	}
}

/* A command of the engine that takes time (ns_exec answered -EINPROGRESS
 * with out->job): polled like the lab's own jobs. */
struct exec_job {
	struct lab_job job;
	struct ns_cmd_job *cj;
	char grep[64];
	bool has_grep;
};

static int exec_job_poll(struct lab_job *job)
{
	struct exec_job *ej = (struct exec_job *)job;
	struct ns_out out;
	int rc;

	ns_out_init(&out);
	rc = ns_exec_job_poll(ej->cj, &out);
	print_filtered(job->lab, ns_out_text(&out), ej->has_grep ? ej->grep : NULL);
	if (rc != -EINPROGRESS) {
		ej->cj = NULL;
		if (rc && out.err[0])
			lab_printf(job->lab, "%s\n", out.err);
	}
	ns_out_free(&out);
	return rc;
}

static uint64_t exec_job_deadline(struct lab_job *job)
{
	(void)job;
	return UINT64_MAX;	/* the job's own timers are stack timers */
}

static void exec_job_destroy(struct lab_job *job)
{
	struct exec_job *ej = (struct exec_job *)job;

	if (ej->cj)
		ns_exec_job_cancel(ej->cj);
	free(ej);
}

static const struct lab_job_ops exec_job_ops = {
	.poll = exec_job_poll, .deadline = exec_job_deadline, .destroy = exec_job_destroy
};

static int exec_job_add(struct ns_lab *lab, struct lab_node *n, struct ns_cmd_job *cj,
			const char *grep, struct lab_job **job)
{
	struct exec_job *ej = calloc(1, sizeof(*ej));

	if (!ej) {
		ns_exec_job_cancel(cj);
		return lab_err(lab, -ENOMEM, "%s: out of memory", n->name);
	}
	ej->cj = cj;
	if (grep) {
		snprintf(ej->grep, sizeof(ej->grep), "%s", grep);
		ej->has_grep = true;
	}
	ej->job.ops = &exec_job_ops;
	ej->job.node = n;
	snprintf(ej->job.what, sizeof(ej->job.what), "%s: command", n->name);
	*job = &ej->job;
	return lab_job_add(lab, &ej->job);
}

static int node_exec(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		     const char *grep, struct lab_job **job)
{
	struct ns_out out;
	int rc;

	rc = lab_cmd_traceroute(lab, n, argc, argv, job);
	if (rc != -ENOENT)
		return rc;
	ns_out_init(&out);
	rc = ns_exec_argv(n->stack, argc, argv, &out);
	print_filtered(lab, ns_out_text(&out), grep);
	if (rc == -EINPROGRESS && out.job) {
		rc = exec_job_add(lab, n, out.job, grep, job);
		ns_out_free(&out);
		return rc;
	}
	if (rc)
		lab_err(lab, rc, "%s: %s", n->name, out.err);
	ns_out_free(&out);
	return rc;
}

int lab_exec(struct ns_lab *lab, struct lab_node *n, const char *line)
{
	struct ns_out out;
	int rc;

	ns_out_init(&out);
	rc = ns_exec(n->stack, line, &out);
	lab_printf(lab, "%s", ns_out_text(&out));
	if (rc)
		lab_err(lab, rc, "%s: %s", n->name, out.err);
	ns_out_free(&out);
	return rc;
}

static void echo_command(struct ns_lab *lab, int argc, char **argv)
{
	lab_printf(lab, "[%s]#", argv[0]);
	for (int i = 1; i < argc; i++)
		lab_printf(lab, " %s", argv[i]);
	lab_printf(lab, "\n");
}

/* NODE COMMAND... [| grep WORD] [&] */
static int cmd_in_node(struct ns_lab *lab, struct lab_node *n, int argc, char **argv, bool quiet)
{
	struct lab_job *job = NULL;
	const char *grep = NULL;
	bool bg = false;
	int rc;

	if (!quiet)
		echo_command(lab, argc, argv);
	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		bg = true;
		argc--;
	}
	if (argc > 3 && !strcmp(argv[argc - 3], "|") && !strcmp(argv[argc - 2], "grep")) {
		grep = argv[argc - 1];
		argc -= 3;
	}
	if (argc < 2)
		return lab_err(lab, -EINVAL, "%s: no command", n->name);
	rc = node_exec(lab, n, argc - 1, argv + 1, grep, &job);
	if (rc || !job)
		return rc;
	if (bg || job->daemon)
		return 0;
	/* a network failure (timeout, refusal) is a result, not a script error */
	if (lab_job_wait(lab, job) == -ETIME)
		return -ETIME;
	return 0;
}

/* ---- the interpreter ---- */
static int cmd_sleep(struct ns_lab *lab, int argc, char **argv)
{
	uint64_t ns;

	if (argc != 2 || lab_parse_duration(argv[1], &ns))
		return lab_err(lab, -EINVAL, "usage: sleep DURATION (2s, 150ms)");
	return ns_lab_advance(lab, ns);
}

static void print_words(struct ns_lab *lab, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		lab_printf(lab, "%s%s", argv[i], i + 1 < argc ? " " : "");
	lab_printf(lab, "\n");
}

static int run_words(struct ns_lab *lab, int argc, char **argv)
{
	bool quiet = argv[0][0] == '@';
	const char *w = quiet ? argv[0] + 1 : argv[0];
	struct lab_node *n;

	if (!strcmp(w, "node"))
		return cmd_node(lab, argc, argv);
	if (!strcmp(w, "link"))
		return cmd_link(lab, argc, argv);
	if (!strcmp(w, "sleep"))
		return cmd_sleep(lab, argc, argv);
	if (!strcmp(w, "wait"))
		return lab_wait_all(lab);
	if (!strcmp(w, "echo")) {
		print_words(lab, argc, argv);
		return 0;
	}
	if (!strcmp(w, "section")) {
		lab_printf(lab, "\n=== ");
		print_words(lab, argc, argv);
		return 0;
	}
	if (!strcmp(w, "summary")) {
		lab_summary(lab);
		return 0;
	}
	n = lab_node_find(lab, w);
	if (n) {
		argv[0] = n->name;
		return cmd_in_node(lab, n, argc, argv, quiet);
	}
	if (ns_cmd_known(w))
		return lab_err(lab, -ENOENT, "unknown node \"%s\" (write NODE %s ...)", w, w);
	return lab_err(lab, -ENOENT, "unknown node or command \"%s\"", w);
}

static int run_line(struct ns_lab *lab, const char *name, unsigned int lineno, const char *line)
{
	char *argv[LAB_MAX_WORDS + 1];
	const char *why = NULL;
	char *buf = malloc(strlen(line) + 1);
	char msg[sizeof(lab->err)];
	int argc, rc;

	if (!buf)
		return lab_err(lab, -ENOMEM, "%s:%u: out of memory", name, lineno);
	lab->err[0] = 0;
	rc = cmd_split(line, buf, argv, LAB_MAX_WORDS, &argc, &why);
	if (rc)
		lab_err(lab, rc, "%s", why);
	else if (argc > 0)
		rc = run_words(lab, argc, argv);
	free(buf);
	fflush(lab->out);
	if (rc) {
		memcpy(msg, lab->err, sizeof(msg));
		snprintf(lab->err, sizeof(lab->err), "%s:%u: %.500s", name, lineno, msg);
	}
	return rc;
}

int ns_lab_run_string(struct ns_lab *lab, const char *name, const char *script)
{
	unsigned int lineno = 0;
	const char *p = script;
	int rc = 0;

	while (*p && !rc) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = malloc(len + 1);
		unsigned int start = ++lineno;
		size_t off = 0;

		if (!line)
			return lab_err(lab, -ENOMEM, "%s:%u: out of memory", name, lineno);
		/* backslash-newline continues the line */
		for (;;) {
			memcpy(line + off, p, len);
			off += len;
			p += len + (nl ? 1 : 0);
			if (!nl || off == 0 || line[off - 1] != '\\' || !*p)
				break;
			line[--off] = ' ';
			off++;
			nl = strchr(p, '\n');
			len = nl ? (size_t)(nl - p) : strlen(p);
			char *nb = realloc(line, off + len + 1);

			if (!nb) {
				free(line);
				return lab_err(lab, -ENOMEM, "%s:%u: out of memory", name, lineno);
			}
			line = nb;
			lineno++;
		}
		line[off] = 0;
		rc = run_line(lab, name, start, line);
		free(line);
	}
	if (!rc)
		rc = lab_wait_all(lab);
	return rc;
}

int ns_lab_run_file(struct ns_lab *lab, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!f)
		return lab_err(lab, -errno, "%s: %s", path, strerror(errno));
	FILE *m = open_memstream(&text, &len);

	if (!m) {
		fclose(f);
		return lab_err(lab, -ENOMEM, "%s: out of memory", path);
	}
	for (int ch; (ch = fgetc(f)) != EOF;)
		fputc(ch, m);
	fclose(f);
	fclose(m);
	rc = ns_lab_run_string(lab, path, text);
	free(text);
	return rc;
}

/* net_procfs.c - the data-link core's /proc files in Linux's formats:
 * /proc/net/dev, /proc/net/softnet_stat, the net.core sysctls, and nstack's
 * own /proc/net/nstack/{drops,skb}. */
#include <errno.h>

#include "core/netdevice.h"
#include "core/proc.h"

/* dev_seq_printf_stats in net/core/net-procfs.c */
static int dev_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct net_device *dev;

	(void)data;
	seq_puts(s, "Inter-|   Receive                                                |  Transmit\n"
		    " face |bytes    packets errs drop fifo frame compressed multicast|"
		    "bytes    packets errs drop fifo colls carrier compressed\n");
	for_each_netdev(stack, dev) {
		const struct net_device_stats *st = &dev->stats;

		seq_printf(s, "%6s:%8llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu "
			   "%8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
			   dev->name, (unsigned long long)st->rx_bytes,
			   (unsigned long long)st->rx_packets, (unsigned long long)st->rx_errors,
			   (unsigned long long)(st->rx_dropped + st->rx_missed_errors + st->rx_nohandler),
			   (unsigned long long)st->rx_fifo_errors,
			   (unsigned long long)(st->rx_length_errors + st->rx_over_errors +
						st->rx_crc_errors + st->rx_frame_errors),
			   (unsigned long long)st->rx_compressed, (unsigned long long)st->multicast,
			   (unsigned long long)st->tx_bytes, (unsigned long long)st->tx_packets,
			   (unsigned long long)st->tx_errors, (unsigned long long)st->tx_dropped,
			   (unsigned long long)st->tx_fifo_errors, (unsigned long long)st->collisions,
			   (unsigned long long)(st->tx_carrier_errors + st->tx_aborted_errors +
						st->tx_window_errors + st->tx_heartbeat_errors),
			   (unsigned long long)st->tx_compressed);
	}
	return 0;
}

/* softnet_seq_show: one line per CPU; a stack is one CPU */
static int softnet_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	const struct softnet_data *sd = &stack->softnet;

	(void)data;
	seq_printf(s, "%08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x\n",
		   sd->processed, sd->dropped, sd->time_squeeze, 0, 0, 0, 0, 0, 0,
		   sd->received_rps, sd->flow_limit_count, sd->input_pkt_queue.qlen, 0);
	return 0;
}

static int drops_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	for (int r = 0; r < SKB_DROP_REASON_MAX; r++)
		if (r != SKB_DROP_REASON_CONSUMED && stack->drop_reasons[r])
			seq_printf(s, "%-20s %llu\n", skb_drop_reason_name((enum skb_drop_reason)r),
				   (unsigned long long)stack->drop_reasons[r]);
	return 0;
}

static int skb_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	const struct skb_pool_stats *st = skb_pool_stats(stack->skb_pool);

	(void)data;
	seq_printf(s, "allocs %llu\nfrees %llu\nalloc_fails %llu\nclones %llu\ncopies %llu\n"
		      "push_fail %llu\nput_fail %llu\nbuffers_in_use %llu\nheads_in_use %llu\n"
		      "mem_bytes %llu\n",
		   (unsigned long long)st->allocs, (unsigned long long)st->frees,
		   (unsigned long long)st->alloc_fails, (unsigned long long)st->clones,
		   (unsigned long long)st->copies, (unsigned long long)st->push_fail,
		   (unsigned long long)st->put_fail, (unsigned long long)st->in_use,
		   (unsigned long long)st->heads_in_use, (unsigned long long)st->mem_bytes);
	return 0;
}

int net_procfs_init(struct ns_stack *stack)
{
	struct netns_core *c = &stack->core;
	int rc = 0;

	rc |= proc_create(stack, "/proc/net/dev", dev_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/softnet_stat", softnet_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/nstack/drops", drops_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/nstack/skb", skb_show, NULL, NULL);
	/* bounds as Linux's net/core/sysctl_net_core.c (SOCK_MIN_RCVBUF 2304...) */
	rc |= proc_create_int(stack, "/proc/sys/net/core/rmem_default", &c->rmem_default, 2304, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/wmem_default", &c->wmem_default, 4608, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/rmem_max", &c->rmem_max, 2304, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/wmem_max", &c->wmem_max, 4608, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/netdev_max_backlog", &c->netdev_max_backlog, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/netdev_budget", &c->netdev_budget, 1, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/netdev_budget_usecs", &c->netdev_budget_usecs, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/dev_weight", &c->dev_weight, 1, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/core/somaxconn", &c->somaxconn, 0, 0x7fffffff);
	return rc ? -ENOMEM : 0;
}

/* vlan.h - per-stack VLAN device state (net/8021q/vlan.h). */
#ifndef NSTACK_8021Q_VLAN_H
#define NSTACK_8021Q_VLAN_H

#include "8021q/if_vlan.h"

/* Hung on the real device's vlan_info: its VLAN devices by VID. */
struct vlan_info {
	struct net_device *real_dev;
	unsigned int count;
	struct net_device *devs[VLAN_N_VID];
};

struct netns_vlan {
	struct list_head devs;		/* every VLAN device of the stack */
	struct notifier_block nb;	/* real devices going away, carrier */
};

#endif

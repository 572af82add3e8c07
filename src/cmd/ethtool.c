/* ethtool.c - `ethtool -k DEV` (show offloads) and `ethtool -K DEV tx on|off
 * gro on|off` (transmit checksum offload, NETIF_F_HW_CSUM; generic receive
 * offload, NETIF_F_GRO), in ethtool's own words:
 * a feature the driver cannot change is "[fixed]", as Linux prints it.
 * Linux counterparts: ethtool's do_gfeatures/do_sfeatures, net/ethtool/
 * features.c. */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "nstack/netdev.h"

static const char *on_off(bool on)
{
	return on ? "on" : "off";
}

static int show_features(struct cmd_ctx *c, struct net_device *dev)
{
	bool tx = dev->features & NETIF_F_HW_CSUM;
	const char *fixed = (dev->hw_features & NETIF_F_HW_CSUM) ? "" : " [fixed]";

	ns_out_printf(c->out, "Features for %s:\n", dev->name);
	ns_out_printf(c->out, "rx-checksumming: off [fixed]\n");
	ns_out_printf(c->out, "tx-checksumming: %s%s\n", on_off(tx), fixed);
	ns_out_printf(c->out, "\ttx-checksum-ipv4: off [fixed]\n");
	ns_out_printf(c->out, "\ttx-checksum-ip-generic: %s%s\n", on_off(tx), fixed);
	ns_out_printf(c->out, "\ttx-checksum-ipv6: off [fixed]\n");
	ns_out_printf(c->out, "scatter-gather: off [fixed]\n");
	ns_out_printf(c->out, "tcp-segmentation-offload: off [fixed]\n");
	ns_out_printf(c->out, "generic-segmentation-offload: off [fixed]\n");
	ns_out_printf(c->out, "generic-receive-offload: %s%s\n", on_off(dev->features & NETIF_F_GRO),
		      (dev->hw_features & NETIF_F_GRO) ? "" : " [fixed]");
	return 0;
}

/* -K DEV NAME on|off ...: all validated before any is applied */
static int set_features(struct cmd_ctx *c, struct net_device *dev, int argc, char **argv)
{
	int tx = -1, gro = -1;

	if (argc == 0 || argc % 2)
		return cmd_err(c, -EINVAL, "-K %s: expected FEATURE on|off pairs", dev->name);
	for (int i = 0; i < argc; i += 2) {
		bool on = !strcmp(argv[i + 1], "on");
		bool is_gro = !strcmp(argv[i], "gro") || !strcmp(argv[i], "generic-receive-offload");

		if (!on && strcmp(argv[i + 1], "off"))
			return cmd_err(c, -EINVAL, "%s: expected on or off, not '%s'", argv[i], argv[i + 1]);
		if (!is_gro && strcmp(argv[i], "tx") && strcmp(argv[i], "tx-checksumming") &&
		    strcmp(argv[i], "tx-checksum-ip-generic"))
			return cmd_err(c, -EOPNOTSUPP, "feature '%s' cannot be changed on %s",
				       argv[i], dev->name);
		if (on && !(dev->hw_features & (is_gro ? NETIF_F_GRO : NETIF_F_HW_CSUM)))
			return cmd_err(c, -EOPNOTSUPP, "Could not change any device features: "
				       "%s's driver cannot %s", dev->name,
				       is_gro ? "merge received segments" : "offload checksums");
		if (is_gro)
			gro = on;
		else
			tx = on;
	}
	if (tx >= 0)
		ns_dev_set_tx_csum(dev, tx == 1);
	if (gro >= 0)
		ns_dev_set_gro(dev, gro == 1);
	return 0;
}

int cmd_ethtool(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev;

	if (argc < 2 || (strcmp(argv[0], "-k") && strcmp(argv[0], "--show-features") &&
			 strcmp(argv[0], "-K") && strcmp(argv[0], "--features")))
		return cmd_err(c, -EINVAL, "usage: ethtool -k DEV | ethtool -K DEV tx|gro on|off ...");
	dev = dev_get_by_name(c->stack, argv[1]);
	if (!dev)
		return cmd_err(c, -ENODEV, "Cannot get device features for %s: No such device", argv[1]);
	if (argv[0][1] == 'k' || !strcmp(argv[0], "--show-features")) {
		if (argc > 2)
			return cmd_err(c, -EINVAL, "-k takes one device");
		return show_features(c, dev);
	}
	return set_features(c, dev, argc - 2, argv + 2);
}

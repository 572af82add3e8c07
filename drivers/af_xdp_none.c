/* af_xdp_none.c - ns_xdp_open when nstack was built without libxdp and
 * libbpf (CMakeLists.txt compiles this file instead of af_xdp.c): it only
 * says so, with EOPNOTSUPP. Install libxdp-dev and libbpf-dev
 * (scripts/deps.sh) and reconfigure to get the AF_XDP driver. */
#include <errno.h>

#include "core/stack.h"
#include "nstack/netdev.h"

struct net_device *ns_xdp_open(struct ns_stack *stack, const char *ifname, const char *name,
			       const struct ns_xdp_config *cfg)
{
	(void)cfg;
	ns_log(stack, "%s: AF_XDP on %s: nstack was built without AF_XDP (libxdp, libbpf)",
	       name ? name : "eth%d", ifname ? ifname : "(none)");
	errno = EOPNOTSUPP;
	return NULL;
}

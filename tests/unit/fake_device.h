/* SPDX-License-Identifier: GPL-2.0 */
/* A scripted stand-in for the module, behind userspace/lib/device.h. */
#ifndef FAKE_DEVICE_H
#define FAKE_DEVICE_H

#include "lib/device.h"

struct fake_state {
	int open_err;		/* what opening /dev/forklab fails with (negative errno) */
	int set_err;		/* what SET_CONFIG fails with */
	bool privileged;	/* CAP_SYS_ADMIN: otherwise changes get -EPERM */
	unsigned int api_version;
	struct forklab_config config;
	struct forklab_stats stats[FORKLAB_MODE_COUNT];
	struct forklab_contpte_counters contpte[FORKLAB_CONTPTE_POLICY_COUNT][FORKLAB_CONTPTE_HELPER_COUNT];
	bool arm64;		/* the handshake says aarch64 with every contpte policy */
	int resets;
	bool loaded;		/* what /sys/module/forklab says */
	enum fl_ftrace_conflict ftrace_conflict;	/* what tracefs says after an EBUSY */
	char ftrace_holder[200];
	int load_err, unload_err;
	char load_path[256], load_params[128];
	int opens, closes;
	unsigned int scopes_set;	/* bit per scope kind ever set since fake_reset() */
	char last_cgroup_scope[FORKLAB_SCOPE_ARG_LEN];	/* the last cgroup scope set */
};

extern struct fake_state fake;
void fake_reset(void);

#endif

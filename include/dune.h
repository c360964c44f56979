/*
 * dune.h: source compatibility with programs written for earlier Dune systems
 * (dune_init, dune_enter). kdune has no kernel module to initialise and maps the whole
 * process always, so dune_init() only checks nothing and map_full is ignored.
 */
#ifndef KDUNE_DUNE_H
#define KDUNE_DUNE_H

#include <kdune.h>

static inline int dune_init(int map_full)
{
	(void)map_full;
	return 0;
}

/* 0 inside the VM; -1 with errno on failure (the process carries on natively). */
static inline int dune_enter(void)
{
	return kdune_enter();
}

static inline int dune_init_and_enter(void)
{
	return kdune_enter();
}

#endif

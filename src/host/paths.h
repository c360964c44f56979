/* paths.h: where kdune's installed pieces are, relative to each other. */
#pragma once
#include <stddef.h>

/*
 * The kdune program installed with the library at lib_path: "PREFIX/lib/libkdune.so.0"
 * gives "PREFIX/bin/kdune" (the layout `make install` makes). Written to out (len bytes).
 * Returns 0, or -1 when lib_path has no directory part or out is too short. Pure: no I/O.
 */
int kd_kdune_beside_lib(const char *lib_path, char *out, size_t len);

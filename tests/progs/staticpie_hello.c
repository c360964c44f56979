/* staticpie_hello: static_hello.c built as a static PIE (see the Makefile's staticpie_ rule). */
#include "static_hello.c"

/*
 * XS platform header for ganzhi's bare-metal Cortex-M4 image (QEMU mps2-an386) and for the host-side bytecode
 * compiler built from the same sources (emulator/xsbc). Passed to XS as
 *   -DINCLUDE_XSPLATFORM -DXSPLATFORM=\"ganzhi_xs.h\"
 *
 * Both builds must agree on everything that shapes bytecode and key IDs: 16-bit IDs (no mx32bitID), no CESU-8,
 * the same built-in set. The image checks at boot that the IDs the compiler assigned are the ones it gets.
 */
#ifndef __GANZHI_XS_PLATFORM__
#define __GANZHI_XS_PLATFORM__

#undef mxLittleEndian
#define mxLittleEndian 1

#if defined(__arm__) && !defined(__linux__)
	#define GANZHI_BARE_METAL 1
#else
	#define GANZHI_BARE_METAL 0
	#if defined(__linux__)
		#undef mxLinux
		#define mxLinux 1
		#include <pthread.h> /* XS's default C stack limit asks pthreads */
	#endif
#endif

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#define mxExport extern
#define mxImport extern
#define XS_FUNCTION_NORETURN __attribute__((noreturn))

/* One machine, one thread: no atomics wait, no workers. With a static block (the board's `creation.static`), XS's
 * chunks grow up from its bottom and its slots (and JS stack) down from its top (emulator/firmware/xs_glue.c). */
#define mxMachinePlatform \
	int promiseJobs; \
	int abortStatus; \
	void* host; \
	char* staticBottom; \
	char* staticChunks; \
	char* staticSlots; \
	char* staticTop;

#define mxUseDefaultMachinePlatform 1
#define mxUseDefaultBuildKeys 1
#if GANZHI_BARE_METAL
	/* Chunks and slots come from the board's static block when it has one, else from malloc (xs_glue.c). */
	#define mxUseDefaultChunkAllocation 0
	#define mxUseDefaultSlotAllocation 0
#else
	#define mxUseDefaultChunkAllocation 1
	#define mxUseDefaultSlotAllocation 1
#endif
#define mxUseDefaultSharedChunks 1
#ifdef mxParse
	/* With the parser: eval, Function and source programs work. Without it (-UmxParse, the bytecode image),
	 * emulator/firmware/xs_glue.c supplies an fxParseScript that throws, and the linker drops XS's parser. */
	#define mxUseDefaultParseScript 1
#endif
#define mxUseDefaultDebug 1

#if GANZHI_BARE_METAL
	/* The C stack limit, the abort policy and the promise queue are the image's own (emulator/firmware/xs_glue.c). */
	#define mxUseDefaultCStackLimit 0
	/* Modules come from the program's table in flash (emulator/firmware/modules.c). */
	#define C_PATH_MAX 128
	#define mxSeparator '/'
#else
	#define mxUseDefaultFindModule 1
	#define mxUseDefaultLoadModule 1
	#define mxUseDefaultAbort 1
	#define mxUseDefaultQueuePromiseJobs 1
#endif

#endif /* __GANZHI_XS_PLATFORM__ */

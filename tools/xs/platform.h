/*
 * ganzhi's XS platform header for the host runner (tools/xs/runner.c), passed to the XS sources as
 * -DINCLUDE_XSPLATFORM -DXSPLATFORM="platform.h". Linux / macOS, GCC or Clang, 64-bit or 32-bit.
 *
 * What the runner provides itself (runner.c): chunk and slot allocation with a byte limit (an out-of-memory bundle
 * aborts cleanly instead of taking the machine down), module lookup (the entry file, relative files, and bare
 * specifiers mapped to files on the command line), the promise job queue, and fxAbort (a fatal report on stdout).
 * Everything else is XS's default.
 *
 * Device fidelity: no mxCESU8 (strings are UTF-8 as on Moddable devices: length and indexing in code points), no
 * mxMinusZero (as Moddable device builds), no lockdown/harden (not in Moddable builds).
 */
#ifndef __GANZHI_XS_PLATFORM__
#define __GANZHI_XS_PLATFORM__

#if defined(__GNUC__) || defined(__clang__)
	#if defined(__i386__) || defined(__x86_64__) || defined(__arm__) || defined(__aarch64__)
		#undef mxLittleEndian
		#define mxLittleEndian 1
		#if defined(__linux__)
			#undef mxLinux
			#define mxLinux 1
		#else
			#undef mxMacOSX
			#define mxMacOSX 1
		#endif
		#define mxExport extern
		#define mxImport extern
		#define XS_FUNCTION_NORETURN __attribute__((noreturn))
	#else
		#error "ganzhi XS runner: unsupported CPU"
	#endif
#else
	#error "ganzhi XS runner: needs GCC or Clang"
#endif

#include <ctype.h>
#include <errno.h>
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
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#define mxUseGCCAtomics 1
#define mxUsePOSIXThreads 1

#define mxMachinePlatform \
	int promiseJobs; \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink;

#define mxUseDefaultBuildKeys 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1

#if INTPTR_MAX == INT64_MAX
	#define mx32bitID 1
#endif

#endif /* __GANZHI_XS_PLATFORM__ */

/*
 * Shared between runner.c (host functions, main) and platform.c (the XS platform layer).
 */
#ifndef __GANZHI_RUNNER__
#define __GANZHI_RUNNER__

#include <stdint.h>
#include <stdio.h>

typedef struct {
	/* Bytes of chunk and slot memory the machine may take from the C heap (0 = no limit). */
	uint64_t heapLimit;
	uint64_t heapAllocated;
	/* Metering, in XS's units (roughly one per byte code), folded into 64 bits. */
	uint64_t meterFolded;   /* raw units before the machine's current meterIndex */
	uint64_t meterLimit;    /* raw limit, 0 = none */
	uint64_t meterExcluded; /* units spent inside pause()/resume() brackets */
	uint64_t pauseStart;
	int pauseDepth;
	/* Context for a fatal report, set by the script with $xs.mark(phase, node, at). */
	double markPhase;
	double markNode;
	double markAt;
	/* Bare module specifier -> file, from -m spec=file. */
	int moduleCount;
	char** moduleSpecifiers;
	char** moduleFiles;
} gzRunner;

extern gzRunner gzState;
extern FILE* gzOut;

/* platform.c */
extern void gzBeginMetering(void* the, uint32_t interval);
extern uint64_t gzRawMeter(void* the);
extern uint64_t gzMeter(void* the);
extern void gzRunModule(void* the, const char* path);
extern void gzDrainJobs(void* the);
extern void gzFatal(const char* kind, const char* message, int status);
extern void gzHeap(void* the, int collect, double* out);
extern void gzResetPeak(void* the);
extern void gzWriteJSONString(FILE* f, const char* s);
extern const char* gzVersion(void);

#endif

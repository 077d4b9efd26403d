/*
 * ganzhi-xs: ganzhi's host runner for the XS engine (Moddable), built from the XS sources in @agoric/xsnap by
 * tools/xs/build.ts. It runs one ES module (a rollup bundle) and gives it a small host API, `$xs`:
 *
 *   $xs.send(string)       write one line to the protocol stream (the process's stdout)
 *   $xs.receive()          read one line from stdin (blocks; null at end of input); flushes what was sent first
 *   $xs.meter()            metered work so far (XS metering units), minus what ran inside pause()/resume()
 *   $xs.pause(), resume()  bracket work that must not count (the simulator's part models, the weather)
 *   $xs.budget(n)          abort with a fatal "meter" report after n more units (0: no limit)
 *   $xs.mark(p, n, t)      context (phase code, node index, virtual time) printed with any fatal report
 *   $xs.heap(i)            heap figure i: 0 chunk bytes in use, 1 slots in use, 2 peak chunk bytes, 3 peak slots,
 *                          4 reserved chunk bytes, 5 reserved slots, 6 bytes per slot
 *   $xs.gc()               collect garbage now
 *   $xs.resetPeak()        start a new peak measurement from the current use
 *   $xs.now()              monotonic wall-clock milliseconds (for wall-time figures only, never for behaviour)
 *   $xs.exit(code)         flush and exit
 *   print(...)             diagnostics to stderr
 *
 * Fatal conditions (memory full, metering limit, stack overflow, a module that fails to load) end the process with
 * one JSON line {"t":"fatal","kind",...} on the protocol stream. Anything XS itself prints goes to stderr, so the
 * protocol stream carries only what the script sends.
 *
 * Usage: ganzhi-xs [options] <module.js>
 *   -m <specifier>=<file>   resolve a bare import specifier to a file (repeatable)
 *   --heap-limit <bytes>    chunk + slot memory the machine may allocate (default 512 MiB)
 *   --budget <units>        metering limit for loading and evaluating the module (default none)
 *   --chunks <bytes>, --slots <count>, --stack <slots>   initial machine sizes
 *   --text                  install TextEncoder and TextDecoder (test harness only: devices have none)
 *   -v                      print the XS version
 */
#include "xs.h"
#include "runner.h"
#include "cipher_natives.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

FILE* gzOut = NULL;

extern void modInstallTextDecoder(xsMachine* the);
extern void modInstallTextEncoder(xsMachine* the);
extern void fxInitializeSharedCluster(void);
extern void fxTerminateSharedCluster(void);

static void gz_send(xsMachine* the)
{
	xsStringValue s = xsToString(xsArg(0));
	fputs(s, gzOut);
	fputc('\n', gzOut);
}

static char* gzLine = NULL;
static size_t gzLineSize = 0;

static void gz_receive(xsMachine* the)
{
	ssize_t n;
	fflush(gzOut);
	fflush(stderr);
	n = getline(&gzLine, &gzLineSize, stdin);
	if (n < 0) {
		xsResult = xsNull;
		return;
	}
	while ((n > 0) && ((gzLine[n - 1] == '\n') || (gzLine[n - 1] == '\r')))
		gzLine[--n] = 0;
	xsResult = xsString(gzLine);
}

static void gz_meter(xsMachine* the)
{
	xsResult = xsNumber((double)gzMeter(the));
}

static void gz_pause(xsMachine* the)
{
	if (gzState.pauseDepth++ == 0)
		gzState.pauseStart = gzRawMeter(the);
}

static void gz_resume(xsMachine* the)
{
	if (gzState.pauseDepth <= 0)
		xsUnknownError("$xs.resume without pause");
	if (--gzState.pauseDepth == 0)
		gzState.meterExcluded += gzRawMeter(the) - gzState.pauseStart;
}

static void gz_budget(xsMachine* the)
{
	double n = xsToNumber(xsArg(0));
	gzState.meterLimit = (n > 0) ? gzRawMeter(the) + (uint64_t)n : 0;
}

static void gz_mark(xsMachine* the)
{
	xsIntegerValue c = xsToInteger(xsArgc);
	gzState.markPhase = (c > 0) ? xsToNumber(xsArg(0)) : 0;
	gzState.markNode = (c > 1) ? xsToNumber(xsArg(1)) : 0;
	gzState.markAt = (c > 2) ? xsToNumber(xsArg(2)) : 0;
}

static void gz_heap(xsMachine* the)
{
	double values[7];
	xsIntegerValue i = xsToInteger(xsArg(0));
	if ((i < 0) || (i > 6))
		xsRangeError("$xs.heap: index 0..6");
	gzHeap(the, 0, values);
	xsResult = xsNumber(values[i]);
}

static void gz_gc(xsMachine* the)
{
	xsCollectGarbage();
}

static void gz_resetPeak(xsMachine* the)
{
	gzResetPeak(the);
}

static void gz_now(xsMachine* the)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	xsResult = xsNumber((double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6);
}

static void gz_exit(xsMachine* the)
{
	int code = (xsToInteger(xsArgc) > 0) ? xsToInteger(xsArg(0)) : 0;
	fflush(gzOut);
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

static void gz_print(xsMachine* the)
{
	xsIntegerValue c = xsToInteger(xsArgc), i;
	for (i = 0; i < c; i++) {
		if (i)
			fputc(' ', stderr);
		fputs(xsToString(xsArg(i)), stderr);
	}
	fputc('\n', stderr);
}

static void gzDefine(xsMachine* the, xsSlot* target, const char* name, xsCallback callback, int length)
{
	xsSlot fn = xsNewHostFunction(callback, length);
	xsDefine(*target, xsID(name), fn, xsDontEnum);
}

static void usage(void)
{
	fprintf(stderr, "usage: ganzhi-xs [-m specifier=file]... [--heap-limit bytes] [--budget units] [--chunks bytes] [--slots n] [--stack n] [--text] [-v] module.js\n");
}

static int parseSize(const char* s, double* out)
{
	char* end;
	double v = strtod(s, &end);
	if ((end == s) || *end || (v < 0))
		return 0;
	*out = v;
	return 1;
}

int main(int argc, char* argv[])
{
	int i;
	const char* entry = NULL;
	int text = 0;
	double heapLimit = 512.0 * 1024 * 1024;
	double budget = 0;
	double chunks = 4 * 1024 * 1024, slots = 256 * 1024, stack = 8192;
	char real[4096];
	xsMachine* machine;

	/* The protocol keeps the original stdout; anything else printed (XS reports) goes to stderr. */
	{
		int fd = dup(1);
		if (fd < 0 || !(gzOut = fdopen(fd, "w"))) {
			perror("ganzhi-xs: stdout");
			return 2;
		}
		dup2(2, 1);
		setvbuf(stdout, NULL, _IOLBF, 0);
	}

	memset(&gzState, 0, sizeof(gzState));
	gzState.moduleSpecifiers = calloc(argc, sizeof(char*));
	gzState.moduleFiles = calloc(argc, sizeof(char*));
	for (i = 1; i < argc; i++) {
		const char* a = argv[i];
		if (!strcmp(a, "-m") && (i + 1 < argc)) {
			char* spec = strdup(argv[++i]);
			char* eq = strchr(spec, '=');
			if (!eq || eq == spec) {
				fprintf(stderr, "ganzhi-xs: -m expects specifier=file, got %s\n", spec);
				return 2;
			}
			*eq = 0;
			gzState.moduleSpecifiers[gzState.moduleCount] = spec;
			gzState.moduleFiles[gzState.moduleCount] = eq + 1;
			gzState.moduleCount++;
		}
		else if (!strcmp(a, "--heap-limit") && (i + 1 < argc)) {
			if (!parseSize(argv[++i], &heapLimit)) { usage(); return 2; }
		}
		else if (!strcmp(a, "--budget") && (i + 1 < argc)) {
			if (!parseSize(argv[++i], &budget)) { usage(); return 2; }
		}
		else if (!strcmp(a, "--chunks") && (i + 1 < argc)) {
			if (!parseSize(argv[++i], &chunks)) { usage(); return 2; }
		}
		else if (!strcmp(a, "--slots") && (i + 1 < argc)) {
			if (!parseSize(argv[++i], &slots)) { usage(); return 2; }
		}
		else if (!strcmp(a, "--stack") && (i + 1 < argc)) {
			if (!parseSize(argv[++i], &stack)) { usage(); return 2; }
		}
		else if (!strcmp(a, "--text"))
			text = 1;
		else if (!strcmp(a, "-v")) {
			fprintf(gzOut, "XS %s\n", gzVersion());
			fflush(gzOut);
			return 0;
		}
		else if (a[0] == '-') {
			usage();
			return 2;
		}
		else if (!entry)
			entry = a;
		else {
			usage();
			return 2;
		}
	}
	if (!entry) {
		usage();
		return 2;
	}
	if (!realpath(entry, real)) {
		fprintf(stderr, "ganzhi-xs: cannot read %s\n", entry);
		return 2;
	}
	gzState.heapLimit = (uint64_t)heapLimit;

	{
		xsCreation creation = {
			(xsIntegerValue)chunks,     /* initialChunkSize */
			(xsIntegerValue)(chunks / 2), /* incrementalChunkSize */
			(xsIntegerValue)slots,      /* initialHeapCount */
			(xsIntegerValue)(slots / 2), /* incrementalHeapCount */
			(xsIntegerValue)stack,      /* stackCount */
			32000,                      /* initialKeyCount */
			8000,                       /* incrementalKeyCount */
			1993,                       /* nameModulo */
			127,                        /* symbolModulo */
			8 * 1024 * 1024,            /* parserBufferSize */
			1993,                       /* parserTableModulo */
			0,                          /* staticSize */
		};
		fxInitializeSharedCluster();
		machine = xsCreateMachine(&creation, "ganzhi-xs", NULL);
		if (!machine) {
			gzFatal("memory", "cannot create the XS machine", 71);
		}
	}
	gzBeginMetering(machine, 10000);
	gzState.meterLimit = (budget > 0) ? (uint64_t)budget : 0;

	xsBeginHost(machine);
	{
		xsVars(1);
		xsVar(0) = xsNewObject();
		gzDefine(the, &xsVar(0), "send", gz_send, 1);
		gzDefine(the, &xsVar(0), "receive", gz_receive, 0);
		gzDefine(the, &xsVar(0), "meter", gz_meter, 0);
		gzDefine(the, &xsVar(0), "pause", gz_pause, 0);
		gzDefine(the, &xsVar(0), "resume", gz_resume, 0);
		gzDefine(the, &xsVar(0), "budget", gz_budget, 1);
		gzDefine(the, &xsVar(0), "mark", gz_mark, 3);
		gzDefine(the, &xsVar(0), "heap", gz_heap, 1);
		gzDefine(the, &xsVar(0), "gc", gz_gc, 0);
		gzDefine(the, &xsVar(0), "resetPeak", gz_resetPeak, 0);
		gzDefine(the, &xsVar(0), "now", gz_now, 0);
		gzDefine(the, &xsVar(0), "exit", gz_exit, 1);
		cipher_natives_install(the, &xsVar(0));
		xsDefine(xsGlobal, xsID("$xs"), xsVar(0), xsDontEnum);
		gzDefine(the, &xsGlobal, "print", gz_print, 1);
		if (text) {
			modInstallTextDecoder(the);
			modInstallTextEncoder(the);
		}
	}
	xsEndHost(machine);

	gzRunModule(machine, real);

	fflush(gzOut);
	fflush(stderr);
	xsDeleteMachine(machine);
	fxTerminateSharedCluster();
	return 0;
}

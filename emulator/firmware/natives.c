/*
 * Host functions the in-image provider (emulator/image) calls, installed as the global `native`, plus
 * `print` for scripts. Time is in microseconds since reset as a double (25 MHz ticks / 25).
 */
#include "xs.h"
#include "platform.h"
#include "program.h"
#include "semihost.h"

extern size_t xs_chunks_peak(xsMachine* the);
extern size_t xs_slots_peak(xsMachine* the);

static uint64_t gBeginTicks;

static void x_print(xsMachine* the)
{
	xsIntegerValue c = xsToInteger(xsArgc), i;
	for (i = 0; i < c; i++) {
		if (i) console_puts(" ");
		console_puts(xsToString(xsArg(i)));
	}
	console_puts("\n");
}

/* native.write(text): raw console output (the provider frames its own lines). */
static void x_write(xsMachine* the)
{
	console_puts(xsToString(xsArg(0)));
}

static void x_flush(xsMachine* the)
{
	console_flush();
}

/* native.now(): µs since reset. */
static void x_now(xsMachine* the)
{
	uint64_t t = clock_ticks();
	xsResult = xsNumber((double)t / (CLOCK_HZ / 1000000u));
}

/* native.begin(): remember the start of a dispatched event. */
static void x_begin(xsMachine* the)
{
	gBeginTicks = clock_ticks();
}

/*
 * native.end(stream, dueUs): one event record on the console:
 *   E <stream> <due µs> <start ticks> <end ticks>
 * (ticks are 25 MHz since reset; the host turns them into lateness, busy time and instructions).
 */
static void x_end(xsMachine* the)
{
	uint64_t end = clock_ticks();
	long stream = (long)xsToInteger(xsArg(0));
	long long due = (long long)xsToNumber(xsArg(1));
	char line[96];
	int n = snprintf(line, sizeof(line), "E %ld %lld %llu %llu\n", stream, due, (unsigned long long)gBeginTicks, (unsigned long long)end);
	console_write(line, (size_t)n);
}

/* native.exit(code) */
static void x_exit(xsMachine* the)
{
	semihost_exit(xsToInteger(xsArg(0)));
}

/* native.memory(): [heap used, heap peak, heap size, stack peak, stack size, XS chunks peak, XS slots peak bytes] */
static void x_memory(xsMachine* the)
{
	double values[] = {
		(double)heap_used(), (double)heap_peak(), (double)heap_size(), (double)stack_peak(), (double)stack_size(),
		(double)xs_chunks_peak(the), (double)xs_slots_peak(the),
	};
	xsResult = xsNewArray(0);
	for (int i = 0; i < (int)(sizeof(values) / sizeof(values[0])); i++) xsSetAt(xsResult, xsInteger(i), xsNumber(values[i]));
}

/* native.gc(): a full collection (tests; device code never calls it). */
static void x_gc(xsMachine* the)
{
	xsCollectGarbage();
}

void natives_install(xsMachine* the)
{
	xsVars(1);
	xsDefine(xsGlobal, xsID("print"), xsNewHostFunction(x_print, 1), xsDontEnum);
	xsVar(0) = xsNewObject();
	xsDefine(xsVar(0), xsID("write"), xsNewHostFunction(x_write, 1), xsDontEnum);
	xsDefine(xsVar(0), xsID("flush"), xsNewHostFunction(x_flush, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("now"), xsNewHostFunction(x_now, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("begin"), xsNewHostFunction(x_begin, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("end"), xsNewHostFunction(x_end, 2), xsDontEnum);
	xsDefine(xsVar(0), xsID("exit"), xsNewHostFunction(x_exit, 1), xsDontEnum);
	xsDefine(xsVar(0), xsID("memory"), xsNewHostFunction(x_memory, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("gc"), xsNewHostFunction(x_gc, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("programBytes"), xsNumber((double)program_size()), xsDontEnum);
	xsDefine(xsVar(0), xsID("programKind"), xsString(program_kind()), xsDontEnum);
	xsDefine(xsGlobal, xsID("native"), xsVar(0), xsDontEnum);
}

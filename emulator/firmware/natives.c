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
extern size_t xs_stack_peak(xsMachine* the);
extern size_t xs_stack_size(xsMachine* the);

static uint64_t gBeginTicks;
static double gBeginGc;
static long gBeginCollections;
static long gBeginSlots;
static long gBeginChunks;

extern long xs_heap_count(xsMachine* the);
extern long xs_chunks_size(xsMachine* the);

/* XS's collector timings (xsMemory.c keeps them when built with mxNever, as the image's XS is). */
typedef struct {
	double time;
	double duration;
	long count;
	char* label;
} GcSample;
extern GcSample gxMarkTime, gxSweepChunkTime, gxSweepSlotTime, gxCompactChunkTime;

/* µs spent collecting since reset (mark, sweep, compact). */
double gc_us(void)
{
	return gxMarkTime.duration + gxSweepChunkTime.duration + gxSweepSlotTime.duration + gxCompactChunkTime.duration;
}

long gc_count(void)
{
	return gxMarkTime.count;
}

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
	gBeginGc = gc_us();
	gBeginCollections = gc_count();
	gBeginSlots = xs_heap_count(the);
	gBeginChunks = xs_chunks_size(the);
	gBeginTicks = clock_ticks();
}

/*
 * native.end(stream, dueUs): one event record on the console:
 *   E <stream> <due ticks> <start ticks> <end ticks> <µs of it collecting garbage> <slots allocated> <chunk bytes allocated>
 * all in hexadecimal (the allocations are "-" when a collection ran in the event, then live counts say nothing
 * about allocation; a "~" prefix is a negative count)
 * (ticks are 25 MHz since reset; the host turns them into lateness, busy time and instructions).
 */
static void x_end(xsMachine* the)
{
	uint64_t end = clock_ticks();
	int64_t stream = (int64_t)xsToInteger(xsArg(0));
	double dueUs = xsToNumber(xsArg(1));
	uint64_t due = dueUs > 0 ? (uint64_t)(dueUs * (CLOCK_HZ / 1000000u) + 0.5) : 0; /* in ticks, like start and end */
	/* Hexadecimal: formatting must cost next to nothing, it runs after every event. */
	char line[96];
	char* p = line;
	*p++ = 'E';
	*p++ = ' ';
	p = format_hex(p, (uint64_t)stream);
	*p++ = ' ';
	p = format_hex(p, due);
	*p++ = ' ';
	p = format_hex(p, gBeginTicks);
	*p++ = ' ';
	p = format_hex(p, end);
	*p++ = ' ';
	p = format_hex(p, (uint64_t)(gc_us() - gBeginGc));
	*p++ = ' ';
	int collected = gc_count() != gBeginCollections;
	if (collected) {
		*p++ = '-';
		*p++ = ' ';
		*p++ = '-';
	}
	else {
		long slots = xs_heap_count(the) - gBeginSlots;
		long chunks = xs_chunks_size(the) - gBeginChunks;
		if (slots < 0) *p++ = '~', slots = -slots;
		p = format_hex(p, (uint64_t)slots);
		*p++ = ' ';
		if (chunks < 0) *p++ = '~', chunks = -chunks;
		p = format_hex(p, (uint64_t)chunks);
	}
	*p++ = '\n';
	console_write(line, (size_t)(p - line));
}

/*
 * native.wire(kind, conn, atUs, bytes): one line of network traffic, `T conn at now hex` (kind "T", with the real
 * µs now) or `R conn at hex`, formatted here so that logging the uplink allocates nothing in the device's heap.
 */
static void x_wire(xsMachine* the)
{
	static const char digits[] = "0123456789abcdef";
	char head[64];
	char* p = head;
	const char* kind = xsToString(xsArg(0));
	*p++ = kind[0];
	*p++ = ' ';
	p = format_i64(p, (int64_t)xsToInteger(xsArg(1)));
	*p++ = ' ';
	p = format_i64(p, (int64_t)xsToNumber(xsArg(2)));
	*p++ = ' ';
	if (kind[0] == 'T') {
		uint64_t ticks = clock_ticks();
		p = format_u64(p, ticks / (CLOCK_HZ / 1000000u));
		*p++ = '.';
		*p++ = (char)('0' + (int)((ticks % 25u) * 4u / 10u));
		*p++ = (char)('0' + (int)((ticks % 25u) * 4u % 10u));
		*p++ = ' ';
	}
	console_write(head, (size_t)(p - head));
	xsIntegerValue length = 0;
	uint8_t* bytes = NULL;
	if (xsIsInstanceOf(xsArg(3), xsArrayBufferPrototype)) {
		length = xsGetArrayBufferLength(xsArg(3));
		bytes = (uint8_t*)xsToArrayBuffer(xsArg(3));
	}
	char pair[2];
	for (xsIntegerValue i = 0; i < length; i++) {
		pair[0] = digits[bytes[i] >> 4];
		pair[1] = digits[bytes[i] & 15];
		console_write(pair, 2);
	}
	console_write("\n", 1);
}

/* native.exit(code) */
static void x_exit(xsMachine* the)
{
	semihost_exit(xsToInteger(xsArg(0)));
}

/* native.memory(): [heap used, heap peak, heap size, C stack peak, C stack size, XS chunks peak, XS slots peak bytes,
 * JS stack peak slots, JS stack slots, collections, µs collecting] */
static void x_memory(xsMachine* the)
{
	double values[] = {
		(double)heap_used(), (double)heap_peak(), (double)heap_size(), (double)stack_peak(), (double)stack_size(),
		(double)xs_chunks_peak(the), (double)xs_slots_peak(the), (double)xs_stack_peak(the), (double)xs_stack_size(the),
		(double)gc_count(), gc_us(),
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
	xsDefine(xsVar(0), xsID("wire"), xsNewHostFunction(x_wire, 4), xsDontEnum);
	xsDefine(xsVar(0), xsID("memory"), xsNewHostFunction(x_memory, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("gc"), xsNewHostFunction(x_gc, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("programBytes"), xsNumber((double)program_size()), xsDontEnum);
	xsDefine(xsVar(0), xsID("programKind"), xsString(program_kind()), xsDontEnum);
	xsDefine(xsGlobal, xsID("native"), xsVar(0), xsDontEnum);
}

/*
 * Host functions the in-image provider (emulator/image) calls, installed as the global `native`, plus
 * `print` for scripts. Time is in microseconds since reset as a double (25 MHz ticks / 25).
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "program.h"
#include "semihost.h"
#include "cipher_natives.h"

extern size_t xs_chunks_peak(xsMachine* the);
extern size_t xs_slots_peak(xsMachine* the);
extern size_t xs_stack_peak(xsMachine* the);
extern size_t xs_stack_size(xsMachine* the);

static uint64_t gBeginTicks;
static uint64_t gBeginWork[3];
static double gBeginGc;
static long gBeginCollections;
static long gBeginSlots;
static long gBeginChunks;

extern long xs_heap_count(xsMachine* the);
extern void budget_sample(xsMachine* the);
extern void gc_share_flush(void);
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

/*
 * Whose code the CPU is running: the harness's (event loop, replay, console records), the device's (its callbacks),
 * or the host provider's on the device's behalf (the IO classes, timers and clock the device calls; on a board,
 * hal/moddable and Moddable's C). The image's JS switches at every boundary (emulator/image/modes.ts) and the ticks
 * of each are counted here. A switch is itself a host call, some hundreds of instructions: what an empty round trip
 * charges each side was measured at boot (native.calibrate) and is moved back to the harness at every switch.
 */
#define MODE_HARNESS 0
#define MODE_DEVICE 1
#define MODE_PROVIDER 2
static uint64_t gModeTicks[3];
static uint64_t gDebt[3];
static int gMode = MODE_HARNESS;
static uint64_t gModeSince;
/* gCost[from][to]: ticks an empty round trip starting with this switch charges to `from` and to `to`. */
static uint32_t gCostFrom[3][3];
static uint32_t gCostTo[3][3];

static void mode_charge(uint64_t now)
{
	uint64_t spent = now - gModeSince;
	if (gMode != MODE_HARNESS && gDebt[gMode]) {
		uint64_t back = gDebt[gMode] < spent ? gDebt[gMode] : spent;
		gDebt[gMode] -= back;
		spent -= back;
		gModeTicks[MODE_HARNESS] += back;
	}
	gModeTicks[gMode] += spent;
	gModeSince = now;
}

/* `part` of every `whole` of the ticks since `since` move from whoever runs to the harness; returns them. */
static uint64_t move_to_harness(uint64_t since, uint64_t part, uint64_t whole)
{
	uint64_t now = clock_busy_ticks();
	mode_charge(now);
	if (gMode == MODE_HARNESS || whole == 0 || now <= since) return 0;
	uint64_t move = (now - since) * part / whole;
	if (move > gModeTicks[gMode]) move = gModeTicks[gMode];
	gModeTicks[gMode] -= move;
	gModeTicks[MODE_HARNESS] += move;
	return move;
}

/* A collection phase that began at `since` and ends now: `part` of every `whole` of its ticks are the image's (its
 * slots among those in use, gc_share.c). */
static uint64_t gGcMoved = 0;
void mode_move_to_harness(uint64_t since, uint64_t part, uint64_t whole)
{
	gGcMoved += move_to_harness(since, part, whole);
}

/* The image's own measuring since `since` (gc_share.c's walk of the live chunks), whoever runs: the harness's. */
void mode_measured_since(uint64_t since)
{
	move_to_harness(since, 1, 1);
}

/* Ticks of collections moved to the harness so far. */
uint64_t gc_moved_ticks(void)
{
	return gGcMoved;
}

/* Ticks of each mode so far (device and provider net of the switches' own cost). */
void mode_ticks(uint64_t out[3])
{
	mode_charge(clock_busy_ticks());
	out[0] = gModeTicks[0];
	out[1] = gModeTicks[1];
	out[2] = gModeTicks[2];
}

/*
 * The JS stack the device gets is the board's creation.stack, counted from where its callback begins: the image's
 * own frames below it (the event loop, the engine, the node) are not a board's. XS has more stack than that
 * (budget.c), and while a callback runs its bottom is raised to creation.stack slots below the callback's entry, so
 * the device overflows where it would on the board. The provider's frames above the entry are charged to the device,
 * as hal/moddable's are on a board (the image's switches add one small frame per host call: on the side of failing).
 */
#define SAVED_BOTTOMS 8
static txSlot* gSavedBottom[SAVED_BOTTOMS];
static int gSaved = 0;
static long gShallowestEntry = -1;

static void device_stack_enter(xsMachine* the)
{
	txMachine* m = (txMachine*)the;
	if (gSaved >= SAVED_BOTTOMS) return;
	gSavedBottom[gSaved++] = m->stackBottom;
	txSlot* bottom = m->stack - XS_STACK_SLOTS;
	if (bottom > m->stackBottom) m->stackBottom = bottom;
	long entry = (long)(m->stackTop - m->stack);
	if (gShallowestEntry < 0 || entry < gShallowestEntry) gShallowestEntry = entry;
}

static void device_stack_leave(xsMachine* the)
{
	if (gSaved > 0) ((txMachine*)the)->stackBottom = gSavedBottom[--gSaved];
}

/* Depth of the shallowest device callback entry, slots from the top of XS's stack (-1: none yet). */
long device_stack_entry(void)
{
	return gShallowestEntry;
}

/* Markers for QEMU's execution trace (emulator/host/cycles.ts prices only the device's and provider's instructions):
 * each switch calls the one for the mode it enters, a block of its own in the trace. */
__attribute__((noinline, used)) void mode_now_harness(void) { __asm__ volatile("nop"); }
__attribute__((noinline, used)) void mode_now_device(void) { __asm__ volatile("nop; nop"); }
__attribute__((noinline, used)) void mode_now_provider(void) { __asm__ volatile("nop; nop; nop"); }

/* native.work(): device + provider ticks of the run so far. */
static void x_work(xsMachine* the)
{
	uint64_t t[3];
	mode_ticks(t);
	xsResult = xsNumber((double)(t[MODE_DEVICE] + t[MODE_PROVIDER]));
}

/* native.mode(m): run as `m` from now; returns the mode before. */
static void x_mode(xsMachine* the)
{
	int next = xsToInteger(xsArg(0));
	int prev = gMode;
	if (next != prev && next >= 0 && next <= 2) {
		mode_charge(clock_busy_ticks());
		gDebt[prev] += gCostFrom[prev][next];
		gDebt[next] += gCostTo[prev][next];
		gMode = next;
		if (prev == MODE_HARNESS && next == MODE_DEVICE) device_stack_enter(the);
		else if (prev == MODE_DEVICE && next == MODE_HARNESS) device_stack_leave(the);
		if (next == MODE_DEVICE) mode_now_device();
		else if (next == MODE_PROVIDER) mode_now_provider();
		else mode_now_harness();
	}
	xsResult = xsInteger(prev);
}

/* native.modeTicks(): [harness, device, provider] ticks so far. */
static void x_mode_ticks(xsMachine* the)
{
	uint64_t t[3];
	mode_ticks(t);
	xsResult = xsNewArray(0);
	for (int i = 0; i < 3; i++) xsSetAt(xsResult, xsInteger(i), xsNumber((double)t[i]));
}

/* native.calibrate(from, to, chargedFrom, chargedTo): what an empty round trip beginning with from→to costs each side. */
static void x_calibrate(xsMachine* the)
{
	int from = xsToInteger(xsArg(0)), to = xsToInteger(xsArg(1));
	if (from < 0 || from > 2 || to < 0 || to > 2) return;
	double a = xsToNumber(xsArg(2)), b = xsToNumber(xsArg(3));
	gCostFrom[from][to] = a > 0 ? (uint32_t)(a + 0.5) : 0;
	gCostTo[from][to] = b > 0 ? (uint32_t)(b + 0.5) : 0;
}

/* native.standIn(ticks) … native.standIn(-1): the provider's ticks in between are the image's stand-in for what a
 * board does in C (a GPIO write: emulator/image/modes.ts asHostCall): they go to the harness, and the provider is
 * charged `ticks` (one host call) in their place. The first call marks, the second settles; nested pairs stack. */
#define STAND_IN_DEPTH 8
static uint64_t gStandIn[STAND_IN_DEPTH];
static int gStandIns = 0;
static void x_stand_in(xsMachine* the)
{
	double t = xsToNumber(xsArg(0));
	mode_charge(clock_busy_ticks());
	if (t >= 0) {
		if (gStandIns < STAND_IN_DEPTH) gStandIn[gStandIns] = gModeTicks[MODE_PROVIDER];
		gStandIns++;
		return;
	}
	if (gStandIns <= 0) return;
	gStandIns--;
	if (gStandIns >= STAND_IN_DEPTH) return;
	uint64_t spent = gModeTicks[MODE_PROVIDER] - gStandIn[gStandIns];
	gModeTicks[MODE_PROVIDER] -= spent;
	gModeTicks[MODE_HARNESS] += spent;
	double charge = xsToNumber(xsArg(1));
	if (charge > 0) {
		uint64_t c = (uint64_t)(charge + 0.5);
		if (c > gModeTicks[MODE_HARNESS]) c = gModeTicks[MODE_HARNESS];
		gModeTicks[MODE_HARNESS] -= c;
		gModeTicks[MODE_PROVIDER] += c;
	}
}

/* native.begin(): remember the start of a dispatched event. */
static void x_begin(xsMachine* the)
{
	gBeginGc = gc_us();
	gBeginCollections = gc_count();
	gBeginSlots = xs_heap_count(the);
	gBeginChunks = xs_chunks_size(the);
	mode_ticks(gBeginWork);
	gBeginTicks = clock_ticks();
}

/*
 * native.end(stream, dueUs): one event record on the console:
 *   E <stream> <due ticks> <start ticks> <end ticks> <µs of it collecting garbage> <slots allocated> <chunk bytes allocated>
 *     <device ticks> <provider ticks> <device + provider ticks before the event> <arming dispatch> <arming ticks>
 * all in hexadecimal (the allocations are "-" when a collection ran in the event, then live counts say nothing
 * about allocation; a "~" prefix is a negative count)
 * (ticks are 25 MHz since reset; the host turns them into lateness, busy time and instructions).
 */
static void x_end(xsMachine* the)
{
	uint64_t end = clock_ticks();
	uint64_t work[3];
	mode_ticks(work);
	int64_t stream = (int64_t)xsToInteger(xsArg(0));
	double dueUs = xsToNumber(xsArg(1));
	double armedIn = xsToNumber(xsArg(2));
	double armedWork = xsToNumber(xsArg(3));
	uint64_t due = dueUs > 0 ? (uint64_t)(dueUs * (CLOCK_HZ / 1000000u) + 0.5) : 0; /* in ticks, like start and end */
	/* Hexadecimal: formatting must cost next to nothing, it runs after every event. */
	char line[160];
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
	/* What the event's collections kept (gc_share.c samples each as it sweeps; the last one is committed here). */
	if (collected) gc_share_flush();
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
	*p++ = ' ';
	p = format_hex(p, work[MODE_DEVICE] - gBeginWork[MODE_DEVICE]);
	*p++ = ' ';
	p = format_hex(p, work[MODE_PROVIDER] - gBeginWork[MODE_PROVIDER]);
	*p++ = ' ';
	p = format_hex(p, gBeginWork[MODE_DEVICE] + gBeginWork[MODE_PROVIDER]);
	*p++ = ' ';
	if (armedIn >= 0) {
		p = format_hex(p, (uint64_t)armedIn);
		*p++ = ' ';
		p = format_hex(p, (uint64_t)armedWork);
	}
	else {
		*p++ = '-';
		*p++ = ' ';
		*p++ = '-';
	}
	*p++ = '\n';
	console_write(line, (size_t)(p - line));
}

/*
 * native.wire(kind, conn, atUs, bytes): one line of network traffic, `T conn at now work hex` (kind "T", with the real
 * µs now and the device + provider ticks so far; kind "P" the same for an SPI transaction's MOSI, "U" for bytes the
 * device wrote to a serial port)
 * or `R conn at hex`, formatted here so that logging the uplink allocates nothing in the device's heap.
 */
static void x_wire(xsMachine* the)
{
	static const char digits[] = "0123456789abcdef";
	char head[128];
	char* p = head;
	const char* kind = xsToString(xsArg(0));
	*p++ = kind[0];
	*p++ = ' ';
	p = format_i64(p, (int64_t)xsToInteger(xsArg(1)));
	*p++ = ' ';
	p = format_i64(p, (int64_t)xsToNumber(xsArg(2)));
	*p++ = ' ';
	if (kind[0] == 'T' || kind[0] == 'P' || kind[0] == 'U') {
		uint64_t ticks = clock_ticks();
		p = format_u64(p, ticks / (CLOCK_HZ / 1000000u));
		*p++ = '.';
		*p++ = (char)('0' + (int)((ticks % 25u) * 4u / 10u));
		*p++ = (char)('0' + (int)((ticks % 25u) * 4u % 10u));
		*p++ = ' ';
		uint64_t work[3];
		mode_ticks(work);
		p = format_u64(p, work[MODE_DEVICE] + work[MODE_PROVIDER]);
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

/* native.baseline() and native.settle(): the harness is about to be built, and is built; its objects leave the
 * device's budget (budget.c). */
extern void budget_program_loaded(xsMachine* the);
extern void budget_settle(xsMachine* the);
static void x_baseline(xsMachine* the)
{
	budget_program_loaded(the);
}
static void x_settle(xsMachine* the)
{
	budget_settle(the);
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
	xsDefine(xsVar(0), xsID("end"), xsNewHostFunction(x_end, 4), xsDontEnum);
	xsDefine(xsVar(0), xsID("work"), xsNewHostFunction(x_work, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("exit"), xsNewHostFunction(x_exit, 1), xsDontEnum);
	xsDefine(xsVar(0), xsID("wire"), xsNewHostFunction(x_wire, 4), xsDontEnum);
	xsDefine(xsVar(0), xsID("memory"), xsNewHostFunction(x_memory, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("gc"), xsNewHostFunction(x_gc, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("baseline"), xsNewHostFunction(x_baseline, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("settle"), xsNewHostFunction(x_settle, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("mode"), xsNewHostFunction(x_mode, 1), xsDontEnum);
	xsDefine(xsVar(0), xsID("modeTicks"), xsNewHostFunction(x_mode_ticks, 0), xsDontEnum);
	xsDefine(xsVar(0), xsID("calibrate"), xsNewHostFunction(x_calibrate, 4), xsDontEnum);
	xsDefine(xsVar(0), xsID("standIn"), xsNewHostFunction(x_stand_in, 2), xsDontEnum);
	cipher_natives_install(the, &xsVar(0));
	xsDefine(xsVar(0), xsID("programBytes"), xsNumber((double)program_size()), xsDontEnum);
	xsDefine(xsVar(0), xsID("programKind"), xsString(program_kind()), xsDontEnum);
	xsDefine(xsGlobal, xsID("native"), xsVar(0), xsDontEnum);
}

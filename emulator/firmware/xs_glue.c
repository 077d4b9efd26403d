/*
 * What XS asks of its platform on the bare-metal image: the C stack limit, where its chunks and slots come from, the
 * abort policy, the promise queue.
 *
 * Memory is the board's `creation` exactly (emulator/host/creation.ts). With `creation.static` (the nRF52840-DK's
 * 128 KB), XS gets one block at boot and grows inside it as Moddable's platform does (xs/platforms/mc/xsHosts.c):
 * chunks up from the bottom, slots and the JS stack down from the top, and when slots meet chunks it compacts the
 * chunks once and takes back what they no longer use. Without one (`static: 0`), chunks and slots come from malloc,
 * in the increments the creation gives (0 on the ESP32: the heaps are fixed, and XS itself refuses to grow them).
 *
 * Out of memory is the end of the run, as on a board, where Moddable's fxAbort reports "XS abort" and resets: the
 * image prints which budget ran out (`#abort xs-memory-full from=fixed|static|malloc …`, after XS's own
 * "# Slot allocation: failed in fixed size heap" or "# Chunk allocation: …" line) and exits with
 * EXIT_OUT_OF_MEMORY. A stack overflow (C or JS stack) becomes `RangeError: stack overflow` once; a second one
 * inside that throw is fatal.
 */
#include "xsAll.h"
#include "platform.h"
#include "semihost.h"

static int gAborting = 0;

/* Which allocation failed last, for the abort report: XS refuses to grow a fixed heap without asking. */
enum { FAILED_NONE, FAILED_STATIC, FAILED_MALLOC };
static int gFailed = FAILED_NONE;
static unsigned long gFailedBytes = 0;
static size_t gStaticPeak = 0;
/* What chunks and slots may take of the static block together: the board's creation.static plus the harness's
 * share (budget.c); the block itself is a little larger. */
static size_t gStaticLimit = (size_t)-1;

char* fxCStackLimit(void)
{
	return stack_limit();
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

static void static_attach(txMachine* the)
{
	if (the->staticTop || !the->context) return;
	StaticBlock* block = (StaticBlock*)the->context;
	the->staticBottom = the->staticChunks = block->bottom;
	the->staticSlots = the->staticTop = block->top;
}

static void static_note_use(txMachine* the)
{
	size_t used = (size_t)(the->staticChunks - the->staticBottom) + (size_t)(the->staticTop - the->staticSlots);
	if (used > gStaticPeak) gStaticPeak = used;
}

void xs_static_limit(txMachine* the, size_t limit)
{
	(void)the;
	gStaticLimit = limit;
}

static int static_fits(txMachine* the, size_t bytes)
{
	size_t used = (size_t)(the->staticChunks - the->staticBottom) + (size_t)(the->staticTop - the->staticSlots);
	return (size_t)(the->staticSlots - the->staticChunks) >= bytes && used + bytes <= gStaticLimit;
}

size_t xs_static_used(txMachine* the)
{
	return the->staticTop ? (size_t)(the->staticChunks - the->staticBottom) + (size_t)(the->staticTop - the->staticSlots) : 0;
}

size_t xs_static_peak(void)
{
	return gStaticPeak;
}

size_t xs_static_limit_now(void)
{
	return gStaticLimit == (size_t)-1 ? 0 : gStaticLimit;
}

static void* failed(int how, txSize bytes)
{
	gFailed = how;
	gFailedBytes = (unsigned long)bytes;
	return NULL;
}

void* fxAllocateChunks(txMachine* the, txSize size)
{
	static_attach(the);
	if (!the->staticTop) {
		void* p = c_malloc(size);
		return p ? p : failed(FAILED_MALLOC, size);
	}
	/* Contiguous with the chunks below, so XS extends its block rather than starting another. */
	if (!static_fits(the, (size_t)size)) return failed(FAILED_STATIC, size);
	void* p = the->staticChunks;
	the->staticChunks += size;
	static_note_use(the);
	return p;
}

static txSlot* static_slots(txMachine* the, size_t bytes)
{
	if (!static_fits(the, bytes)) return NULL;
	the->staticSlots -= bytes;
	static_note_use(the);
	return (txSlot*)the->staticSlots;
}

txSlot* fxAllocateSlots(txMachine* the, txSize count)
{
	size_t bytes = (size_t)count * sizeof(txSlot);
	static_attach(the);
	if (!the->staticTop) {
		txSlot* p = (txSlot*)c_malloc(bytes);
		return p ? p : (txSlot*)failed(FAILED_MALLOC, (txSize)bytes);
	}
	txSlot* p = static_slots(the, bytes);
	/* Slots meet chunks: compact the chunks and give what they no longer use to the slots (a running machine only). */
	if (!p && the->firstHeap && the->firstBlock && (char*)the->firstBlock->limit == the->staticChunks) {
		fxCollect(the, XS_COMPACT_FLAG | XS_ORGANIC_FLAG);
		txBlock* block = the->firstBlock;
		if ((char*)block->limit == the->staticChunks) {
			the->maximumChunksSize -= (txSize)(block->limit - block->current);
			the->staticChunks = (char*)block->current;
			block->limit = block->current;
		}
		p = static_slots(the, bytes);
	}
	return p ? p : (txSlot*)failed(FAILED_STATIC, (txSize)bytes);
}

void fxFreeChunks(txMachine* the, void* chunks)
{
	if (!the->staticTop) c_free(chunks);
}

void fxFreeSlots(txMachine* the, void* slots)
{
	if (!the->staticTop) c_free(slots);
}

static void fatal(txMachine* the, int code, const char* why)
{
	console_flush();
	console_printf("\n#abort %s heap=%lu peak=%lu stack=%lu\n", why, (unsigned long)heap_used(), (unsigned long)heap_peak(),
		(unsigned long)stack_peak());
	semihost_exit(code);
}

/* What ran out, in the creation's terms, then the end of the run (a board resets here). */
extern long budget_device_slots(txMachine* the);
extern long budget_device_chunks(txMachine* the);

static void memory_full(txMachine* the)
{
	static const char* const from[] = { "fixed", "static", "malloc" };
	console_flush();
	console_printf("\n#abort xs-memory-full from=%s request=%lu chunks=%lu/%lu slots=%ld/%ld static=%lu/%lu heap=%lu peak=%lu device-slots=%ld device-chunks=%ld\n",
		from[gFailed], gFailedBytes, (unsigned long)the->currentChunksSize, (unsigned long)the->maximumChunksSize,
		(long)the->currentHeapCount, (long)the->maximumHeapCount, (unsigned long)xs_static_used(the), (unsigned long)xs_static_limit_now(),
		(unsigned long)heap_used(), (unsigned long)heap_peak(), budget_device_slots(the), budget_device_chunks(the));
	console_flush();
	semihost_exit(EXIT_OUT_OF_MEMORY);
}

void fxAbort(txMachine* the, int status)
{
	switch (status) {
	case XS_NOT_ENOUGH_MEMORY_EXIT:
		memory_full(the);
		break;
	case XS_STACK_OVERFLOW_EXIT:
		if (gAborting) fatal(the, EXIT_STACK_OVERFLOW, "stack-overflow");
		console_printf("\n#stack-overflow c=%lu\n", (unsigned long)stack_peak());
		the->abortStatus = status;
		gAborting = 1;
		{
			mxTry(the) {
				mxRangeError("stack overflow");
			}
			mxCatch(the) {
				gAborting = 0;
				fxJump(the);
			}
		}
		break;
	case XS_NO_MORE_KEYS_EXIT:
		fatal(the, EXIT_XS_ABORT, "no-more-keys");
		break;
	case XS_UNHANDLED_EXCEPTION_EXIT:
		console_puts("\n#warn unhandled exception in a promise job\n");
		break;
	case XS_UNHANDLED_REJECTION_EXIT:
		console_puts("\n#warn unhandled promise rejection\n");
		break;
	default:
		fatal(the, EXIT_XS_ABORT, "xs-abort");
		break;
	}
}

size_t xs_chunks_peak(txMachine* the)
{
	return (size_t)the->peakChunksSize;
}

size_t xs_slots_peak(txMachine* the)
{
	return (size_t)the->peakHeapCount * sizeof(txSlot);
}

#ifndef mxParse
/* No parser in this image: the program is bytecode; eval and new Function throw. */
txScript* fxParseScript(txMachine* the, void* stream, txGetter getter, txUnsigned flags)
{
	mxUnknownError("this image has no JS parser (bytecode only): eval and Function are unavailable");
	return C_NULL;
}
#endif

/* ---- XS's JS stack: painted below the live top at boot, so the deepest use can be read back */
#define JS_STACK_PAINT 0xA5

void xs_stack_paint(txMachine* the)
{
	c_memset(the->stackBottom, JS_STACK_PAINT, (size_t)((char*)the->stack - (char*)the->stackBottom));
}

/*
 * Slots of XS's JS stack ever used (of stackTop - stackBottom). The stack grows down from the top one slot after
 * another, so the used part is every slot from the top down to the first one still wholly painted. (XS's dtoa
 * borrows the free end at the bottom as scratch: scanning from the top is not fooled by it.)
 */
size_t xs_stack_peak(txMachine* the)
{
	txSlot* slot = the->stackTop;
	while (slot > the->stackBottom) {
		const uint8_t* p = (const uint8_t*)(slot - 1);
		size_t i = 0;
		while (i < sizeof(txSlot) && p[i] == JS_STACK_PAINT) i++;
		if (i == sizeof(txSlot)) break;
		slot--;
	}
	return (size_t)(the->stackTop - slot);
}

size_t xs_stack_size(txMachine* the)
{
	return (size_t)(the->stackTop - the->stackBottom);
}

/* Live slots and chunk bytes right now (between collections, their growth is what was allocated). */
long xs_heap_count(txMachine* the)
{
	return (long)the->currentHeapCount;
}

long xs_chunks_size(txMachine* the)
{
	return (long)the->currentChunksSize;
}

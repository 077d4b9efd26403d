/*
 * What XS asks of its platform on the bare-metal image: the C stack limit, the abort policy, the promise queue.
 *
 * Out of memory: when the heap cannot grow, the allocator's emergency reserve is released and the abort becomes a
 * JS `RangeError: heap overflow` thrown at the allocation, which device code can catch; the reserve is held back
 * again as soon as the error exists (and by the main loop), if what is left allows. An out-of-memory with less
 * than the reserve left, or inside the throw itself, ends the run with EXIT_OUT_OF_MEMORY. A stack overflow (C or JS stack) likewise becomes
 * `RangeError: stack overflow` once; a second one inside that throw is fatal.
 */
#include "xsAll.h"
#include "platform.h"
#include "semihost.h"

static int gAborting = 0;

char* fxCStackLimit(void)
{
	return stack_limit();
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

static void fatal(txMachine* the, int code, const char* why)
{
	console_flush();
	console_printf("\n#abort %s heap=%lu peak=%lu stack=%lu\n", why, (unsigned long)heap_used(), (unsigned long)heap_peak(),
		(unsigned long)stack_peak());
	semihost_exit(code);
}

void fxAbort(txMachine* the, int status)
{
	switch (status) {
	case XS_NOT_ENOUGH_MEMORY_EXIT:
		if (gAborting || !heap_reserve_release()) fatal(the, EXIT_OUT_OF_MEMORY, "out-of-memory");
		console_printf("\n#oom heap=%lu peak=%lu\n", (unsigned long)heap_used(), (unsigned long)heap_peak());
		the->abortStatus = status;
		gAborting = 1;
		{
			/* fxThrowMessage longjmps; clear the flag on the way through a local try. */
			mxTry(the) {
				mxRangeError("heap overflow");
			}
			mxCatch(the) {
				/* The RangeError exists: hold the reserve back again if what is left allows. */
				heap_reserve_rearm();
				gAborting = 0;
				fxJump(the);
			}
		}
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

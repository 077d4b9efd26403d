/*
 * The board's XS budget for the device, with the image's own JS outside it.
 *
 * On a board the XS heaps hold the machine and the device (its objects and its host provider's). In the image they
 * also hold the harness: the replay world, the event engine, the console records (emulator/image), about 1,500 slots
 * and 12 KB of chunks before the device boots, which a board does not have. So the image gives XS the board's
 * creation plus room for the harness, measures what the harness holds once it is built (`native.settle()`, just
 * before the device's main), and takes the room back:
 *
 * - fixed heaps (`incremental: 0`, static 0: the ESP32): the machine starts with HEADROOM more slots and chunk bytes;
 *   at settle, ballast the device can never free (a chain of objects and an ArrayBuffer, held from C) fills what the
 *   harness did not take, so the free slots and chunk bytes are exactly what a board has after its machine is made;
 * - a static block (nRF52): the block is allocated HEADROOM larger and its limit drops at settle to
 *   `creation.static` plus what the harness holds (xs_glue.c grows chunks and slots inside the limit).
 *
 * Harness garbage made during events still shares the device's free space (collections come a little sooner than on
 * a board), and objects the harness adds later (a new event stream's name) are charged to the device: both err on
 * the side of failing. The board's own provider (hal/moddable) is not in the image: its objects are not charged.
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "semihost.h"

#define HEADROOM_SLOTS 4096
#define HEADROOM_CHUNKS (64 * 1024)
#define HEADROOM_STATIC (48 * 1024)
/* JS stack slots for the image's own frames below the device's callbacks (natives.c raises the bottom for the device). */
#define HEADROOM_STACK 512

static long gBaseSlots;
static long gBaseChunks;
static long gBoardMaxSlots;
static long gBoardMaxChunks;
static long gHarnessSlots = -1;
static long gHarnessChunks = -1;
static xsSlot gBallast;
/* Slots and chunk bytes that are the harness's and the ballast's (-1 until settled). */
static long gOthersSlots = -1;
static long gOthersChunks = 0;
static long gDevicePeak = 0;

extern void xs_static_limit(txMachine* the, size_t limit);
extern void fxGrowSlots(txMachine* the, txSize theCount);

static int fixed_heaps(void)
{
	return XS_STATIC_SIZE == 0 && XS_HEAP_INCREMENT == 0 && XS_CHUNK_INCREMENT == 0;
}

void budget_creation(txCreation* creation)
{
	if (fixed_heaps()) {
		creation->initialHeapCount += HEADROOM_SLOTS;
		creation->initialChunkSize += HEADROOM_CHUNKS;
	}
	if (creation->staticSize) creation->staticSize += HEADROOM_STATIC + HEADROOM_STACK * sizeof(txSlot);
	creation->stackCount += HEADROOM_STACK;
}

/* Right after the machine exists: what a board's heaps would hold. */
void budget_baseline(txMachine* the)
{
	/* fxGrowSlots keeps one slot of a new block for itself; fxGrowChunks counts the block's usable bytes. */
	gBoardMaxSlots = fixed_heaps() ? (long)the->maximumHeapCount - HEADROOM_SLOTS : (long)the->maximumHeapCount;
	gBoardMaxChunks = fixed_heaps() ? (long)the->maximumChunksSize - HEADROOM_CHUNKS : (long)the->maximumChunksSize;
	if (XS_STATIC_SIZE) xs_static_limit(the, XS_STATIC_SIZE + HEADROOM_STATIC + HEADROOM_STACK * sizeof(txSlot));
}

/* native.baseline(): the program is loaded (its modules: in flash when preloaded, in RAM when not, as on a board) and
 * the harness is about to be built: what XS holds now is the board's machine and program. */
void budget_program_loaded(txMachine* the)
{
	xsCollectGarbage();
	gBaseSlots = (long)the->currentHeapCount;
	gBaseChunks = (long)the->currentChunksSize;
}

static long free_slots(txMachine* the)
{
	return (long)the->maximumHeapCount - (long)the->currentHeapCount;
}

static long free_chunks(txMachine* the)
{
	return (long)the->maximumChunksSize - (long)the->currentChunksSize;
}

/* native.settle(): the harness is built; what it holds goes outside the device's budget. Returns [harness slots,
 * harness chunk bytes]. */
extern int gCensus;
extern void gc_share_start(txMachine* the, long imageSlots);
extern void census_print(txMachine* the, const char* phase);

void budget_settle(txMachine* the)
{
	xsCollectGarbage();
	gHarnessSlots = (long)the->currentHeapCount - gBaseSlots;
	gHarnessChunks = (long)the->currentChunksSize - gBaseChunks;
	long ballastSlots = 0, ballastChunks = 0;
	if (XS_STATIC_SIZE) {
		xs_static_limit(the, (size_t)XS_STATIC_SIZE + (size_t)(gHarnessSlots + HEADROOM_STACK) * sizeof(txSlot) + (size_t)gHarnessChunks);
		/* The harness filled the slots XS had: give the device the free slots a board's machine starts with, from
		 * the board's share of the block, so that it does not begin by collecting and growing 64 slots at a time. */
		long missing = (gBoardMaxSlots - gBaseSlots) - free_slots(the);
		if (missing > 0) fxGrowSlots(the, (txSize)missing);
	}
	else if (fixed_heaps()) {
		if (gHarnessSlots > HEADROOM_SLOTS || gHarnessChunks > HEADROOM_CHUNKS) {
			console_printf("#abort harness larger than its headroom: slots=%ld chunks=%ld\n", gHarnessSlots, gHarnessChunks);
			console_flush();
			semihost_exit(EXIT_BAD_REPLAY);
		}
		long targetSlots = gBoardMaxSlots - gBaseSlots;
		long targetChunks = gBoardMaxChunks - gBaseChunks;
		xsVars(3);
		xsVar(0) = xsNewObject();
		/* Chunks first (an ArrayBuffer also takes slots), in buffers a little short of the rest, then exact. */
		for (int i = 0; i < 8 && free_chunks(the) - targetChunks > 64; i++) {
			long want = free_chunks(the) - targetChunks - 32;
			xsSetAt(xsVar(0), xsInteger(i), xsArrayBuffer(NULL, (xsIntegerValue)want));
			xsCollectGarbage();
		}
		/* Slots: a chain of two-slot objects (an instance and its one property), then a property for an odd one. */
		xsVar(1) = xsVar(0);
		while (free_slots(the) - targetSlots >= 2) {
			long pairs = (free_slots(the) - targetSlots) / 2;
			while (pairs-- > 0) {
				xsVar(2) = xsNewObject();
				xsSet(xsVar(2), xsID("n"), xsVar(1));
				xsVar(1) = xsVar(2);
			}
			xsCollectGarbage();
		}
		if (free_slots(the) - targetSlots == 1) xsSet(xsVar(1), xsID("m"), xsInteger(0));
		gBallast = xsVar(1);
		xsRemember(gBallast);
		xsCollectGarbage();
		ballastSlots = (long)the->currentHeapCount - gBaseSlots - gHarnessSlots;
		ballastChunks = (long)the->currentChunksSize - gBaseChunks - gHarnessChunks;
	}
	gOthersSlots = gHarnessSlots + ballastSlots;
	gOthersChunks = gHarnessChunks + ballastChunks;
	/* The harness and the ballast, whose objects the end's census has too (census.c). */
	if (gCensus) census_print(the, "settle");
	/* Collections from now on charge the device for its own slots, not the image's (gc_share.c). */
	gc_share_start(the, gOthersSlots);
	console_printf("#harness slots=%ld chunks=%ld ballast-slots=%ld ballast-chunks=%ld free-slots=%ld free-chunks=%ld board-free-slots=%ld board-free-chunks=%ld\n",
		gHarnessSlots, gHarnessChunks, ballastSlots, ballastChunks, free_slots(the), free_chunks(the), gBoardMaxSlots - gBaseSlots,
		gBoardMaxChunks - gBaseChunks);
}

/* XS memory the device (and the machine) holds once a collection has run: the slots it kept and the chunks they
 * point to (gc_share.c walks them when the collection did not compact, chunks.c), less the harness's and the
 * ballast's as they settled. Sampled as each collection finishes sweeping its slots, and at the end of the run. */

void budget_sample_counts(long slots, long chunks)
{
	if (gOthersSlots < 0) return;
	long bytes = (slots - gOthersSlots) * (long)sizeof(txSlot) + (chunks - gOthersChunks);
	if (bytes > gDevicePeak) gDevicePeak = bytes;
}

void budget_sample(txMachine* the)
{
	budget_sample_counts((long)the->currentHeapCount, (long)the->currentChunksSize);
}

long budget_device_peak(void)
{
	return gDevicePeak;
}

/* Slots and chunk bytes in use now that are not the harness's or the ballast's (-1 before the harness settled). */
long budget_device_slots(txMachine* the)
{
	return gOthersSlots < 0 ? -1 : (long)the->currentHeapCount - gOthersSlots;
}

long budget_device_chunks(txMachine* the)
{
	return gOthersSlots < 0 ? -1 : (long)the->currentChunksSize - gOthersChunks;
}

/* Live slots and chunk bytes that are the device's (and the machine's): XS's counts less the harness and ballast. */
long budget_harness_slots(void)
{
	return gHarnessSlots;
}

long budget_harness_chunks(void)
{
	return gHarnessChunks;
}

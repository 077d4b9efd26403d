/*
 * The image's share of each collection goes to the image.
 *
 * XS marks every live slot and sweeps every slot of its heap at each collection. On the image that includes the
 * harness's own objects (replay world, event engine, console records, the provider's wrappers: about 2,300 slots,
 * and the ballast that fixes a fixed heap's free space, budget.c), which a board does not have: measured on the
 * strain monitor, they were half of the slots marked, and collections 3-5 ms of the image's clock each. Charged
 * whole to the device, every collection held its samples back about twice as long as on the board.
 *
 * xsMemory.c is compiled with `-Dgettimeofday=gc_share_clock` (emulator/host/firmware.ts): its collector clock
 * (mxNever's startTime/stopTime, one pair per phase: mark, sweep slots, and sweep and compact chunks when compacting,
 * never nested) comes here. Each phase's ticks are split in proportion to the slots in use when it ends: the image's
 * slots / all of them, moved to the harness; the rest stays with whoever was running (the device or its provider).
 * In use when the mark ends still counts the garbage, so the image's share is then a little smaller than the slots it
 * marked: on the side of charging the device more. Chunks are not part of the split (the harness holds 2-3 KB of
 * them against the device's 25 KB and more).
 *
 * The same clock tells when a collection has swept its slots: XS's slots in use are then exactly what it kept, and
 * with the chunks its live slots point to they are what the device holds after the collection (budget.c), without
 * what the rest of the event allocates after it. XS's own count of chunk bytes in use is that only after a
 * compacting collection: one run for slots leaves the chunks that became garbage since the last compaction in the
 * count, so after it the live slots are walked (chunks.c; the phase after a mark is the slots' sweep unless the
 * collection compacts, when the walk is spare). The walk is the image's measuring, charged to the harness.
 */
#include <sys/time.h>
#include "xsAll.h"
#include "chunks.h"

extern int _gettimeofday(struct timeval* tv, void* tz);
extern void mode_move_to_harness(uint64_t since, uint64_t share_of, uint64_t share_in);
extern void mode_measured_since(uint64_t since);
extern uint64_t clock_busy_ticks(void);
extern void budget_sample_counts(long slots, long chunks);

typedef struct {
	double time;
	double duration;
	long count;
	char* label;
} GcPhase;
extern GcPhase gxSweepSlotTime;
extern GcPhase gxMarkTime;

/* What was in use when the last phase ended, kept until it is known whether that phase swept the slots (XS counts a
 * phase after its clock is read). */
static int gPending = 0;
static long gPendingSweeps = 0;
static long gPendingSlots = 0;
static long gPendingChunks = 0;

/* Commit what the last phase left if it was the slots' sweep: called at every clock edge and at the end of an event. */
void gc_share_flush(void)
{
	if (gPending && gxSweepSlotTime.count != gPendingSweeps) budget_sample_counts(gPendingSlots, gPendingChunks);
	gPending = 0;
}

static txMachine* gMachine = NULL;
static long gImageSlots = 0;
static int gOpen = 0;
static uint64_t gSince = 0;
/* Marks finished when the last phase began, and whether that phase is the one right after a mark. */
static long gMarks = 0;
static int gAfterMark = 0;

/* From here on (budget.c, once the harness is built and measured), collections are split. */
void gc_share_start(txMachine* the, long imageSlots)
{
	gMachine = the;
	gImageSlots = imageSlots;
	gOpen = 0;
}

int gc_share_clock(struct timeval* tv, void* tz)
{
	if (gMachine && gImageSlots > 0) {
		uint64_t now = clock_busy_ticks();
		gc_share_flush();
		if (!gOpen) {
			gOpen = 1;
			gSince = now;
			gAfterMark = gxMarkTime.count != gMarks;
			gMarks = gxMarkTime.count;
		}
		else {
			gOpen = 0;
			long inUse = (long)gMachine->currentHeapCount;
			if (inUse > gImageSlots) mode_move_to_harness(gSince, (uint64_t)gImageSlots, (uint64_t)inUse);
			gPending = 1;
			gPendingSweeps = gxSweepSlotTime.count;
			gPendingSlots = inUse;
			gPendingChunks = (long)gMachine->currentChunksSize;
			if (gAfterMark) {
				/* After the phase's clock reads its end, so that XS's collection time leaves the walk out too. */
				int r = _gettimeofday(tv, tz);
				uint64_t walk = clock_busy_ticks();
				gPendingChunks = chunk_live_bytes(gMachine);
				mode_measured_since(walk);
				return r;
			}
		}
	}
	return _gettimeofday(tv, tz);
}

/*
 * The image's boot: clock, XS machine, the JS program from flash (bytecode; source as a fallback), then the
 * event loop the program drives (see loop.c). Step 1 of the emulator: run a script and exit with its result.
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "program.h"
#include "semihost.h"

extern void natives_install(txMachine* the);
extern void replay_install(txMachine* the);
extern int loop_run(txMachine* the);
extern uint64_t gEpochMs;
extern void xs_stack_paint(txMachine* the);
extern size_t xs_stack_peak(txMachine* the);
extern size_t xs_stack_size(txMachine* the);

#ifndef XS_CHUNK_INITIAL
	#define XS_CHUNK_INITIAL (32 * 1024)
#endif
#ifndef XS_CHUNK_INCREMENT
	#define XS_CHUNK_INCREMENT (4 * 1024)
#endif
#ifndef XS_HEAP_INITIAL
	#define XS_HEAP_INITIAL 2048
#endif
#ifndef XS_HEAP_INCREMENT
	#define XS_HEAP_INCREMENT 128
#endif
#ifndef XS_STACK_SLOTS
	#define XS_STACK_SLOTS 512
#endif
#ifndef XS_KEYS_INITIAL
	#define XS_KEYS_INITIAL 1024
#endif
#ifndef XS_KEYS_INCREMENT
	#define XS_KEYS_INCREMENT 256
#endif

int main(void)
{
	stack_paint();
	clock_init();
	const char* cmdline = semihost_cmdline();
	(void)cmdline;

	txCreation creation = {
		XS_CHUNK_INITIAL,   /* initialChunkSize */
		XS_CHUNK_INCREMENT, /* incrementalChunkSize */
		XS_HEAP_INITIAL,    /* initialHeapCount */
		XS_HEAP_INCREMENT,  /* incrementalHeapCount */
		XS_STACK_SLOTS,     /* stackCount */
		XS_KEYS_INITIAL,    /* initialKeyCount */
		XS_KEYS_INCREMENT,  /* incrementalKeyCount */
		127,                /* nameModulo */
		127,                /* symbolModulo */
		4 * 1024,           /* parserBufferSize */
		127,                /* parserTableModulo */
		0,                  /* staticSize */
	};
	uint64_t t0 = clock_ticks();
	txMachine* the = xsCreateMachine(&creation, "ganzhi", NULL);
	if (!the) {
		console_puts("#abort cannot create the XS machine\n");
		return EXIT_OUT_OF_MEMORY;
	}
	uint64_t t1 = clock_ticks();
	console_printf("#boot machine ticks=%lu heap=%lu keys=%d\n", (unsigned long)(t1 - t0), (unsigned long)heap_used(), (int)the->keyIndex);
	xs_stack_paint(the);
	int code = program_prepare(the);
	if (code == EXIT_OK) {
		xsBeginHost(the);
		natives_install(the);
		xsEndHost(the);
		xsBeginHost(the);
		replay_install(the);
		xsEndHost(the);
		xsBeginHost(the);
		code = program_run(the);
		xsEndHost(the);
	}
	if (code == EXIT_OK) code = loop_run(the);
	char total[24], idle[24];
	*format_u64(total, clock_ticks()) = 0;
	*format_u64(idle, clock_idle_ticks()) = 0;
	{
		typedef struct { double time; double duration; long count; char* label; } Sample;
		extern Sample gxMarkTime, gxSweepChunkTime, gxSweepSlotTime, gxCompactChunkTime;
		console_printf("#gc mark=%lu/%ld sweep-chunk=%lu/%ld sweep-slot=%lu/%ld compact=%lu/%ld (us/count)\n",
			(unsigned long)gxMarkTime.duration, gxMarkTime.count, (unsigned long)gxSweepChunkTime.duration, gxSweepChunkTime.count,
			(unsigned long)gxSweepSlotTime.duration, gxSweepSlotTime.count, (unsigned long)gxCompactChunkTime.duration, gxCompactChunkTime.count);
	}
	console_printf("#end heap=%lu peak=%lu stack=%lu/%lu ticks=%s idle=%s skips=%lu js-stack=%lu/%lu\n", (unsigned long)heap_used(),
		(unsigned long)heap_peak(), (unsigned long)stack_peak(), (unsigned long)stack_size(), total, idle, (unsigned long)clock_wakeups(),
		(unsigned long)xs_stack_peak(the), (unsigned long)xs_stack_size(the));
	return code;
}

/*
 * The image's boot: clock, XS machine, the JS program from flash (bytecode; source as a fallback), then the
 * event loop the program drives (see loop.c). Step 1 of the emulator: run a script and exit with its result.
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "prepared.h"
#include "program.h"
#include "semihost.h"

extern void natives_install(txMachine* the);
extern void replay_install(txMachine* the);
extern void clocked_serial_install(txMachine* the);
extern int loop_run(txMachine* the);
extern uint64_t gEpochMs;
extern void xs_stack_paint(txMachine* the);
extern size_t xs_stack_peak(txMachine* the);
extern size_t xs_stack_size(txMachine* the);

/* The board's XS creation as mcconfig completes it (emulator/host/creation.ts), given by the host at compile time:
 * every field, so that nothing here can drift from what the board is built with. */
#if !defined(XS_CHUNK_INITIAL) || !defined(XS_CHUNK_INCREMENT) || !defined(XS_HEAP_INITIAL) || !defined(XS_HEAP_INCREMENT) || \
	!defined(XS_STACK_SLOTS) || !defined(XS_KEYS_INITIAL) || !defined(XS_KEYS_INCREMENT) || !defined(XS_NAME_MODULO) || \
	!defined(XS_SYMBOL_MODULO) || !defined(XS_PARSER_BUFFER) || !defined(XS_PARSER_TABLE) || !defined(XS_STATIC_SIZE)
	#error "the XS creation must come from the host (emulator/host/creation.ts)"
#endif

extern const uint8_t gPreparation[];
extern size_t xs_static_peak(void);
extern size_t xs_static_limit_now(void);
extern void budget_creation(txCreation* creation);
extern void budget_baseline(txMachine* the);
extern void mode_ticks(uint64_t out[3]);
extern long device_stack_entry(void);
extern void budget_sample(txMachine* the);
extern long budget_device_peak(void);
extern void census_print(txMachine* the, const char* phase);
extern int gCensus;

int main(void)
{
	stack_paint();
	/* newlib sets stdio up (FILE structures from malloc) on first use, and XS's reports use it: the first use used to
	 * be the "# Slot allocation: failed" report of an out-of-memory, when malloc fails, and newlib then wrote through
	 * a NULL FILE (into the vector table at 0xC, until flash became read-only). Set it up now, unbuffered. */
	setvbuf(stdout, NULL, _IONBF, 0);
	clock_init();
	const char* cmdline = semihost_cmdline();
	/* The preparation pass (emulator/firmware/prepare.c), run by the build on this very firmware. QEMU's command
	 * line is the kernel's path, then what -append gave. */
	const char* args = strchr(cmdline, ' ');
	if (args && !strncmp(args + 1, "prepare ", 8)) return prepare_main(args + 9);
	/* Test bench: flash is read-only (startup.c), so this must end in a fault report. */
	if (args && !strcmp(args + 1, "write-flash")) *(volatile uint32_t*)0x100 = 0;
	/* `ganzhi emulate --census`: who holds the live slots at the end (census.c). */
	gCensus = args && !strcmp(args + 1, "census");
	const PreparedInfo* prepared = prepared_info();

	txCreation creation = {
		XS_CHUNK_INITIAL,   /* initialChunkSize */
		XS_CHUNK_INCREMENT, /* incrementalChunkSize */
		XS_HEAP_INITIAL,    /* initialHeapCount */
		XS_HEAP_INCREMENT,  /* incrementalHeapCount */
		XS_STACK_SLOTS,     /* stackCount */
		XS_KEYS_INITIAL,    /* initialKeyCount: with a preparation, the keys the run may add beyond the prepared ones */
		XS_KEYS_INCREMENT,  /* incrementalKeyCount */
		XS_NAME_MODULO,     /* nameModulo */
		XS_SYMBOL_MODULO,   /* symbolModulo */
		XS_PARSER_BUFFER,   /* parserBufferSize */
		XS_PARSER_TABLE,    /* parserTableModulo */
		XS_STATIC_SIZE,     /* staticSize */
	};
	/* A board's machine takes its first chunks, its JS stack and its first slots from the static block before any JS
	 * runs (xsMemory.c fxAllocate, with each block's header): a block too small for them fails there. */
	if (XS_STATIC_SIZE > 0) {
		unsigned long first = (unsigned long)XS_CHUNK_INITIAL + sizeof(txBlock) + (unsigned long)(XS_STACK_SLOTS + XS_HEAP_INITIAL) * sizeof(txSlot);
		if (first > (unsigned long)XS_STATIC_SIZE) {
			console_printf("#abort xs-memory-full from=creation request=%lu chunks=0/%lu slots=0/%lu static=0/%lu\n", first,
				(unsigned long)XS_CHUNK_INITIAL, (unsigned long)XS_HEAP_INITIAL, (unsigned long)XS_STATIC_SIZE);
			return EXIT_OUT_OF_MEMORY;
		}
	}
	/* Room for the image's own JS beside the board's budget, taken back once it is measured (budget.c). */
	budget_creation(&creation);
	/* The static block, as Moddable's modCloneMachine allocates it before the machine (xs_glue.c grows XS in it). */
	static StaticBlock block;
	void* context = NULL;
	if (creation.staticSize > 0) {
		block.bottom = malloc(creation.staticSize);
		if (!block.bottom) {
			console_printf("#abort xs-memory-full from=malloc request=%lu\n", (unsigned long)creation.staticSize);
			return EXIT_OUT_OF_MEMORY;
		}
		block.top = block.bottom + creation.staticSize;
		context = &block;
	}
	uint64_t t0 = clock_ticks();
	txMachine* the;
	if (prepared) {
		/* Built-ins and every module are in flash: clone them. Only what is written gets a copy in RAM. */
		const PreparedHeader* p = (const PreparedHeader*)prepared;
		if (prepared->base != (uint32_t)(uintptr_t)gPreparation || p->preparation.nameModulo != creation.nameModulo ||
			p->preparation.symbolModulo != creation.symbolModulo) {
			console_puts("#abort the preparation in flash was made for another image\n");
			return EXIT_BAD_PROGRAM;
		}
		the = fxPrepareMachine(&creation, (txPreparation*)&p->preparation, "ganzhi", context, NULL);
	}
	else
		the = xsCreateMachine(&creation, "ganzhi", context);
	if (!the) {
		console_puts("#abort cannot create the XS machine\n");
		return EXIT_OUT_OF_MEMORY;
	}
	uint64_t t1 = clock_ticks();
	console_printf("#boot machine ticks=%lu heap=%lu keys=%d prepared=%lu aliases=%lu slots=%ld chunks=%ld\n", (unsigned long)(t1 - t0),
		(unsigned long)heap_used(), (int)the->keyIndex, (unsigned long)(prepared ? prepared->size : 0),
		(unsigned long)(prepared ? prepared->aliases : 0), (long)the->currentHeapCount, (long)the->currentChunksSize);
	xs_stack_paint(the);
	int code = program_prepare(the);
	if (code == EXIT_OK) {
		xsBeginHost(the);
		budget_baseline(the);
		xsEndHost(the);
		xsBeginHost(the);
		natives_install(the);
		xsEndHost(the);
		xsBeginHost(the);
		replay_install(the);
		xsEndHost(the);
		xsBeginHost(the);
		clocked_serial_install(the);
		xsEndHost(the);
		xsBeginHost(the);
		code = program_run(the);
		xsEndHost(the);
	}
	if (code == EXIT_OK) code = loop_run(the);
	/* What the device holds at the end, after a full collection (budget.c). */
	xsBeginHost(the);
	xsCollectGarbage();
	budget_sample(the);
	if (gCensus) census_print(the, "end");
	xsEndHost(the);
	char total[24], idle[24];
	*format_u64(total, clock_ticks()) = 0;
	*format_u64(idle, clock_idle_ticks()) = 0;
	{
		typedef struct { double time; double duration; long count; char* label; } Sample;
		extern Sample gxMarkTime, gxSweepChunkTime, gxSweepSlotTime, gxCompactChunkTime;
		extern uint64_t gc_moved_ticks(void);
		char moved[24];
		*format_u64(moved, gc_moved_ticks()) = 0;
		console_printf("#gc mark=%lu/%ld sweep-chunk=%lu/%ld sweep-slot=%lu/%ld compact=%lu/%ld (us/count) image-share-ticks=%s\n",
			(unsigned long)gxMarkTime.duration, gxMarkTime.count, (unsigned long)gxSweepChunkTime.duration, gxSweepChunkTime.count,
			(unsigned long)gxSweepSlotTime.duration, gxSweepSlotTime.count, (unsigned long)gxCompactChunkTime.duration, gxCompactChunkTime.count, moved);
	}
	{
		/* Whose code the CPU ran (natives.c): the harness's, the device's, the provider's on the device's behalf. */
		uint64_t modes[3];
		mode_ticks(modes);
		char h[24], d[24], v[24];
		*format_u64(h, modes[0]) = 0;
		*format_u64(d, modes[1]) = 0;
		*format_u64(v, modes[2]) = 0;
		console_printf("#modes harness=%s device=%s provider=%s\n", h, d, v);
	}
	/* Preloaded objects and bindings the run wrote, and so copied to RAM (XS aliasing), of those that could be. */
	unsigned long aliased = 0;
	for (txID i = 0; i < the->aliasCount; i++)
		if (the->aliasArray[i]) aliased++;
	console_printf("#end heap=%lu peak=%lu stack=%lu/%lu ticks=%s idle=%s skips=%lu js-stack=%lu/%lu aliased=%lu/%lu static=%lu/%lu device-entry=%ld device-xs=%ld\n", (unsigned long)heap_used(),
		(unsigned long)heap_peak(), (unsigned long)stack_peak(), (unsigned long)stack_size(), total, idle, (unsigned long)clock_wakeups(),
		(unsigned long)xs_stack_peak(the), (unsigned long)xs_stack_size(the), aliased, (unsigned long)the->aliasCount,
		(unsigned long)xs_static_peak(), (unsigned long)xs_static_limit_now(), device_stack_entry(), budget_device_peak());
	return code;
}

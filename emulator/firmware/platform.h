/* ganzhi bare-metal platform layer: clock, sleep, heap accounting, exit codes. */
#ifndef GANZHI_PLATFORM_H
#define GANZHI_PLATFORM_H
#include <stdint.h>
#include <stddef.h>

/* Exit codes the host runner understands (emulator/run/qemu.ts). */
#define EXIT_OK 0
#define EXIT_JS_ERROR 1
#define EXIT_USAGE 2
#define EXIT_OUT_OF_MEMORY 3
#define EXIT_STACK_OVERFLOW 4
#define EXIT_BAD_PROGRAM 5
#define EXIT_BAD_REPLAY 6
#define EXIT_XS_ABORT 7
#define EXIT_FAULT 70

/* ---- clock: 25 MHz ticks since reset, from a free-running CMSDK timer (never rewritten, so it cannot drift) */
#define CLOCK_HZ 25000000u
void clock_init(void);
uint64_t clock_ticks(void);
/* Ticks of instructions executed since clock_init (idle skipped left out). */
uint64_t clock_busy_ticks(void);
/* Sleep (WFI) until clock_ticks() >= deadline; SysTick is the wake-up source. Returns at once if it is past. */
void clock_sleep_until(uint64_t deadline);
/* Ticks spent asleep since reset (the complement is the busy time). */
uint64_t clock_idle_ticks(void);
uint32_t clock_wakeups(void);

/* ---- heap (newlib malloc over _sbrk) */
size_t heap_size(void);     /* bytes between the heap start and the end of RAM */
size_t heap_used(void);     /* current break above the heap start */
size_t heap_peak(void);     /* highest break seen */
void heap_mark_phase(void); /* start of the run phase: heap_phase_peak() counts from here */
size_t heap_phase_base(void);
/* Move the end of the heap up to `end` (the preparation pass uses all of QEMU's RAM, not the profile's). */
void heap_extend(char* end);
/* The end of the machine's RAM (mps2-an386: 4 MB at 0x20000000), whatever the profile. */
#define MACHINE_RAM_END ((char*)0x20400000)

/* ---- XS's static block (the board's creation.static): handed to XS as its machine context (xs_glue.c) */
typedef struct {
	char* bottom;
	char* top;
} StaticBlock;

/* ---- C stack */
char* stack_limit(void);   /* lowest usable address, with the margin XS needs to unwind */
size_t stack_size(void);
size_t stack_peak(void);   /* deepest use seen, from the watermark painted at boot */
void stack_paint(void);
#endif

/*
 * Time on SysTick, and idle as a jump in time.
 *
 * SysTick runs free at the 25 MHz core clock with the largest reload (2^24 ticks, 671 ms); its interrupt counts
 * wraps, and a reading combines the wrap count with the down-counter (checking the pending bit, so a wrap that
 * happened with interrupts masked is not lost). Under `-icount shift=4` that hardware time advances only as
 * instructions execute (16 ns each), so busy time is exact and the same in every run.
 *
 * Idle: when the event loop has nothing due before a deadline, the image does not WFI. Measured on QEMU 7.2 with
 * `-icount shift=4,sleep=off`, a WFI woken by SysTick (periodic or one-shot) or by a CMSDK timer lands late by up
 * to the whole programmed delay, and not by the same amount in two runs, so neither time nor the figures would
 * be reproducible. Instead `clock_sleep_until` adds the rest of the wait to a software offset: guest time jumps
 * to the deadline at once, exactly as an ideal `sleep=off` would make it, and idle costs no host time at all.
 * The clock is therefore (SysTick time of the instructions executed) + (idle time skipped).
 */
#include "platform.h"

#define SYST_CSR (*(volatile uint32_t*)0xE000E010)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018)
#define SCB_ICSR (*(volatile uint32_t*)0xE000ED04)
#define SYST_ENABLE 1u
#define SYST_TICKINT 2u
#define SYST_CLKSOURCE 4u
#define ICSR_PENDSTSET (1u << 26)
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t gWraps;
static uint64_t gSkipped;
static uint32_t gSkips;

void clock_init(void)
{
	SYST_CSR = 0;
	SYST_RVR = SYST_RELOAD;
	SYST_CVR = 0;
	gWraps = 0;
	gSkipped = 0;
	/* Writing CVR makes it reload on the next tick: time 0 is now. */
	SYST_CSR = SYST_ENABLE | SYST_TICKINT | SYST_CLKSOURCE;
}

void SysTick_Handler(void)
{
	gWraps++;
}

/* Hardware ticks since clock_init (busy time only). */
static uint64_t hardware_ticks(void)
{
	uint32_t primask;
	__asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask));
	uint32_t value = SYST_CVR;
	uint32_t wraps = gWraps;
	if (SCB_ICSR & ICSR_PENDSTSET) {
		/* Wrapped, handler not run yet: count the wrap and read the counter again, after it. */
		value = SYST_CVR;
		wraps++;
	}
	__asm__ volatile("msr primask, %0" : : "r"(primask));
	return ((uint64_t)wraps << 24) + (uint64_t)(SYST_RELOAD - value);
}

uint64_t clock_ticks(void)
{
	return hardware_ticks() + gSkipped;
}

uint64_t clock_busy_ticks(void)
{
	return hardware_ticks();
}

void clock_sleep_until(uint64_t deadline)
{
	uint64_t now = clock_ticks();
	if (deadline > now) {
		gSkipped += deadline - now;
		gSkips++;
	}
}

uint64_t clock_idle_ticks(void)
{
	return gSkipped;
}

uint32_t clock_wakeups(void)
{
	return gSkips;
}

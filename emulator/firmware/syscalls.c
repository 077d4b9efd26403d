/*
 * newlib system calls for the image: the heap break (with a high-water mark), console output, exit, and a wall
 * clock for XS's Date (ticks since reset, from the epoch the host passes in).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "platform.h"
#include "semihost.h"

extern char _heap_start[], _heap_end[], _stack_limit[], _stack_top[];

static char* gBreak = _heap_start;
static char* gPeak = _heap_start;
static char* gPhaseBase = _heap_start;
/* The end of the heap: the profile's RAM, or all of the machine's RAM for the preparation pass (heap_extend). */
static char* gHeapEnd = _heap_end;

void heap_extend(char* end)
{
	if (end > gHeapEnd) gHeapEnd = end;
}

void* _sbrk(ptrdiff_t increment)
{
	char* previous = gBreak;
	if (increment < 0 ? (gBreak + increment < _heap_start) : (increment > gHeapEnd - gBreak)) {
		errno = ENOMEM;
		return (void*)-1;
	}
	gBreak += increment;
	if (gBreak > gPeak) gPeak = gBreak;
	return previous;
}

size_t heap_size(void) { return (size_t)(gHeapEnd - _heap_start); }
size_t heap_used(void) { return (size_t)(gBreak - _heap_start); }
size_t heap_peak(void) { return (size_t)(gPeak - _heap_start); }
void heap_mark_phase(void) { gPhaseBase = gBreak; }
size_t heap_phase_base(void) { return (size_t)(gPhaseBase - _heap_start); }

/* ---- C stack: painted at boot, so the deepest use can be read back */
#define STACK_MARGIN 2048
#define STACK_PAINT 0x5AA5A55Au

char* stack_limit(void) { return _stack_limit + STACK_MARGIN; }
size_t stack_size(void) { return (size_t)(_stack_top - _stack_limit); }

void stack_paint(void)
{
	uintptr_t sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	uint32_t* p = (uint32_t*)_stack_limit;
	uint32_t* end = (uint32_t*)((sp - 256) & ~(uintptr_t)3);
	while (p < end) *p++ = STACK_PAINT;
}

size_t stack_peak(void)
{
	uint32_t* p = (uint32_t*)_stack_limit;
	uint32_t* top = (uint32_t*)_stack_top;
	while (p < top && *p == STACK_PAINT) p++;
	return (size_t)((char*)top - (char*)p);
}

/* ---- files: only the console */
int _write(int fd, const char* buffer, int length)
{
	(void)fd;
	console_write(buffer, (size_t)length);
	return length;
}

int _read(int fd, char* buffer, int length) { (void)fd; (void)buffer; (void)length; return 0; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int offset, int whence) { (void)fd; (void)offset; (void)whence; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _fstat(int fd, struct stat* st) { (void)fd; memset(st, 0, sizeof(*st)); st->st_mode = S_IFCHR; return 0; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }

void _exit(int code)
{
	semihost_exit(code);
}

/* Wall time for XS's Date: the host's epoch plus time since reset. Device code does not use Date (guarded). */
uint64_t gEpochMs = 0;

int _gettimeofday(struct timeval* tv, void* tz)
{
	(void)tz;
	uint64_t us = clock_ticks() / (CLOCK_HZ / 1000000u);
	uint64_t total = gEpochMs * 1000u + us;
	tv->tv_sec = (time_t)(total / 1000000u);
	tv->tv_usec = (suseconds_t)(total % 1000000u);
	return 0;
}

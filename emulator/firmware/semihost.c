/*
 * Arm semihosting over BKPT 0xAB. Output goes through SYS_WRITE0 (QEMU routes it to its own stderr, synchronously:
 * the guest sees no backpressure, so the console never perturbs guest time under -icount).
 */
#include "semihost.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

static inline uintptr_t semihost_call(uintptr_t op, const void* arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register const void* r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

/* Lines are gathered and written in batches: one semihosting trap per ~4 KB instead of one per line. */
static char gBuffer[4096];
static size_t gLength = 0;

void console_flush(void)
{
	if (gLength == 0) return;
	gBuffer[gLength] = 0;
	semihost_call(SYS_WRITE0, gBuffer);
	gLength = 0;
}

void console_write(const char* text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (c == 0) continue; /* SYS_WRITE0 would stop at it */
		gBuffer[gLength++] = c;
		if (gLength == sizeof(gBuffer) - 1 || (c == '\n' && gLength > sizeof(gBuffer) - 256)) console_flush();
	}
}

void console_puts(const char* text)
{
	console_write(text, strlen(text));
}

void console_printf(const char* format, ...)
{
	char line[256];
	va_list args;
	va_start(args, format);
	int n = vsnprintf(line, sizeof(line), format, args);
	va_end(args);
	if (n < 0) return;
	if ((size_t)n >= sizeof(line)) n = sizeof(line) - 1;
	console_write(line, (size_t)n);
}

char* format_u64(char* out, uint64_t value)
{
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + (int)(value % 10u));
		value /= 10u;
	} while (value);
	while (n) *out++ = digits[--n];
	return out;
}

char* format_i64(char* out, int64_t value)
{
	if (value < 0) {
		*out++ = '-';
		return format_u64(out, (uint64_t)(-(value + 1)) + 1u);
	}
	return format_u64(out, (uint64_t)value);
}

char* format_hex(char* out, uint64_t value)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 60;
	while (shift > 0 && ((value >> shift) & 15u) == 0) shift -= 4;
	for (; shift >= 0; shift -= 4) *out++ = digits[(value >> shift) & 15u];
	return out;
}

void semihost_exit(int code)
{
	console_flush();
	uint32_t block[2] = { ADP_Stopped_ApplicationExit, (uint32_t)code };
	semihost_call(SYS_EXIT_EXTENDED, block);
	for (;;) __asm__ volatile("wfi");
}

int semihost_write_file(const char* path, const void* data, size_t size)
{
	struct { const char* name; uint32_t mode; uint32_t length; } open = { path, 5 /* "wb" */, (uint32_t)strlen(path) };
	intptr_t handle = (intptr_t)semihost_call(SYS_OPEN, &open);
	if (handle == -1) return -1;
	int status = 0;
	const uint8_t* p = data;
	while (size) {
		uint32_t n = size > 65536 ? 65536 : (uint32_t)size;
		struct { uint32_t handle; const void* data; uint32_t length; } write = { (uint32_t)handle, p, n };
		if (semihost_call(SYS_WRITE, &write) != 0) {
			status = -1;
			break;
		}
		p += n;
		size -= n;
	}
	struct { uint32_t handle; } close = { (uint32_t)handle };
	if (semihost_call(SYS_CLOSE, &close) != 0) status = -1;
	return status;
}

const char* semihost_cmdline(void)
{
	static char line[256];
	struct { char* buffer; uint32_t length; } block = { line, sizeof(line) - 1 };
	if (semihost_call(SYS_GET_CMDLINE, &block) != 0) return "";
	line[block.length < sizeof(line) ? block.length : sizeof(line) - 1] = 0;
	return line;
}

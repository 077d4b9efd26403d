/* Arm semihosting (QEMU `-semihosting-config enable=on,target=native`): console, exit code, command line. */
#ifndef GANZHI_SEMIHOST_H
#define GANZHI_SEMIHOST_H
#include <stdint.h>
#include <stddef.h>

/* Console: text is buffered and written with SYS_WRITE0 (QEMU prints it on its stderr) a line at a time. */
void console_write(const char* text, size_t length);
void console_puts(const char* text);
void console_flush(void);
/* printf-style formatting into the console (integers, strings, hex; no floating point). */
void console_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* Decimal 64-bit integers (newlib-nano's printf has no %llu); return the end of what was written, no NUL. */
char* format_u64(char* out, uint64_t value);
char* format_i64(char* out, int64_t value);
/* Lower-case hexadecimal, no prefix: cheap (no division), for the high-volume event records. */
char* format_hex(char* out, uint64_t value);

/* End the emulation with an exit code QEMU returns to the host (SYS_EXIT_EXTENDED). Flushes the console. */
void semihost_exit(int code) __attribute__((noreturn));

/* Write a whole file on the host (SYS_OPEN "wb", SYS_WRITE, SYS_CLOSE): the preparation pass's output. 0 when done. */
int semihost_write_file(const char* path, const void* data, size_t size);

/* The `-append` string, or "" (SYS_GET_CMDLINE). */
const char* semihost_cmdline(void);
#endif

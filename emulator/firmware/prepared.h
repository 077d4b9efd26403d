/*
 * The preparation in flash (section .preparation, the last thing in flash): a machine prepared ahead of time with
 * XS's built-ins and every module of the program loaded, laid out as read-only data for fxPrepareMachine, the way
 * Moddable's xsl links a preload into a device image. Written by emulator/firmware/prepare.c (the `prepare` pass of
 * the same firmware, run in QEMU with the whole 4 MB of RAM), linked by emulator/host/prepare.ts.
 *
 * Every pointer in it is already the final address: the firmware it runs in is the firmware that wrote it, linked
 * again with only this section filled (the host checks that every other section is byte for byte the same), so
 * the addresses of host functions, of XS's constant tables and of the program's bytecode and strings in flash do
 * not move, and the section itself starts where the prepare pass saw its empty placeholder start.
 *
 * Layout (offsets from the start, all 16-byte aligned):
 *   PreparedHeader (magic, size, the base address it was written for, the program it holds, figures, and the
 *                   txPreparation fxPrepareMachine reads)
 *   heap     heapCount slots (slot 0 a block header, as XS's heap blocks have), every one marked (XS's collector
 *            never visits them) and instances flagged XS_DONT_MARSHALL_FLAG ("in flash")
 *   stack    the machine's stack at rest: intrinsics, prototypes, the global object
 *   keys     the key array; names and symbols tables
 *   data     what the slots pointed to in chunks: strings (as XS_STRING_X / XS_KEY_X), function bytecode (as
 *            XS_CODE_X), array items and tables with an 8-byte chunk header in front
 * An instance that is not frozen, and a `let` binding, has an alias ID: the first write makes a copy in RAM
 * (XS's aliasing), so mutable module-level state keeps working; what is frozen is used in place.
 */
#ifndef GANZHI_PREPARED_H
#define GANZHI_PREPARED_H
#include <stdint.h>

#define PREPARED_MAGIC 0x31585A47u /* "GZX1" */
#define PREPARED_PLACEHOLDER 0x30585A47u /* "GZX0": no preparation in this image */

typedef struct {
	uint32_t magic;
	uint32_t size;
	/* Address of the section in the image that wrote it (&_preparation_start). */
	uint32_t base;
	/* The program blob it was prepared from (address, size and FNV-1a hash of its bytes). */
	uint32_t programAddress;
	uint32_t programSize;
	uint32_t programHash;
	/* Figures. */
	uint32_t slots;
	uint32_t instances;
	uint32_t aliases;
	uint32_t frozen;
	uint32_t dataBytes;
	uint32_t keys;
	uint32_t modules;
	uint32_t reserved[3];
} PreparedInfo;

#ifdef __XSALL__
typedef struct {
	PreparedInfo info;
	txPreparation preparation;
} PreparedHeader;
#endif

/* The preparation linked into this image, or NULL (a placeholder: the program is loaded at boot). */
const PreparedInfo* prepared_info(void);
/* The `prepare` pass: build the machine, load every module, write the preparation to `path` on the host. */
int prepare_main(const char* path);
#endif

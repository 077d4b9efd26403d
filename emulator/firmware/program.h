/*
 * The JS program in flash (section .program), written by emulator/build/image.ts:
 *
 *   u32 magic 'GZP1', u32 kind (1 bytecode, 2 source), u32 total size, u32 reserved
 *   bytecode: u32 keysAfterCreation, u32 symbolCount, u32 symbolsOffset, u32 idsOffset, u32 codeOffset, u32 codeSize
 *   source:   u32 sourceOffset, u32 sourceSize
 *   modules:  u32 keysAfterCreation, u32 symbolCount, u32 symbolsOffset, u32 idsOffset, u32 moduleCount, u32 modulesOffset
 *   module sources: u32 moduleCount, u32 modulesOffset
 *
 * Bytecode comes from emulator/xsbc on the host: symbol IDs already remapped to the IDs this machine gives them
 * (registered in order at boot, strings left in flash), function and string opcodes turned into their in-place
 * ("archive") forms so neither code nor string literals are copied into RAM.
 */
#ifndef GANZHI_PROGRAM_H
#define GANZHI_PROGRAM_H
#include <stdint.h>

#define PROGRAM_MAGIC 0x31505A47u /* "GZP1" */
#define PROGRAM_BYTECODE 1u       /* one script, compiled */
#define PROGRAM_SOURCE 2u         /* one script, parsed at boot */
#define PROGRAM_MODULES 3u        /* ES modules, compiled; the first is the entry */
#define PROGRAM_MODULE_SOURCES 4u /* ES modules, each parsed when first imported */

/* Module table entry (16 bytes). Bytecode: path, code offset, code size, source size; sources: path, source
 * offset, source size, 0. Offsets are from the start of the blob. */
typedef struct {
	uint32_t path;
	uint32_t offset;
	uint32_t size;
	uint32_t extra;
} ProgramModule;

typedef struct {
	uint32_t magic;
	uint32_t kind;
	uint32_t size;
	uint32_t reserved;
	union {
		struct {
			uint32_t keysAfterCreation;
			uint32_t symbolCount;
			uint32_t symbolsOffset;
			uint32_t idsOffset;
			uint32_t codeOffset;
			uint32_t codeSize;
		} bytecode;
		struct {
			uint32_t offset;
			uint32_t size;
		} source;
		struct {
			uint32_t keysAfterCreation;
			uint32_t symbolCount;
			uint32_t symbolsOffset;
			uint32_t idsOffset;
			uint32_t moduleCount;
			uint32_t modulesOffset;
		} modules;
		struct {
			uint32_t moduleCount;
			uint32_t modulesOffset;
		} sources;
	} u;
} ProgramHeader;

struct sxMachine;
/* Register the bytecode's symbols (first thing after machine creation). Returns an EXIT_* code. */
int program_prepare(struct sxMachine* the);
/* Run the program's top level. Returns an EXIT_* code. */
int program_run(struct sxMachine* the);
/* ES modules: import the entry (every module loads and runs its body); call its default export if `start`. */
int program_load(struct sxMachine* the, int start);
/* Bytes of the program in flash, and how it was loaded ("bytecode", "source", "modules", "module-sources"). */
uint32_t program_size(void);
const char* program_kind(void);
/* The module table (NULL and 0 for a single-script program). */
const ProgramModule* program_modules(uint32_t* count);
const uint8_t* program_base(void);
#endif

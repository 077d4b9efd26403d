/*
 * xsbc: compile a JS program to XS bytecode on the host, for ganzhi's bare-metal image (emulator/firmware).
 *
 *   xsbc <program.js> <program.bin>                         one script (a program)
 *   xsbc --modules <program.bin> <path>=<file.js> …           ES modules; the first is the entry
 * Either prints one JSON line of figures on stdout.
 *
 * Built with the host C compiler from the same XS sources and platform header as the image, so the bytecode and
 * the key IDs match (XS bytecode does not depend on the CPU: Moddable's xsc runs on desktops for 32-bit MCUs).
 * What it does:
 *   1. creates an XS machine exactly as the image does, and notes how many keys the built-ins made;
 *   2. parses the program (XS's own parser: hoist, bind, code), as the image would with its parser;
 *   3. registers the program's symbols in order, as the image will at boot, and remaps the code to those key IDs
 *      (the image checks every ID at boot and refuses the program if the engines disagree);
 *   4. turns function and string opcodes into their in-place ("archive") forms, so the image runs the code and
 *      reads string literals straight from flash instead of copying them into RAM;
 *   5. writes the blob described in emulator/firmware/program.h.
 * A parse error is printed with its line and exits 1.
 */
#include "xsAll.h"
#include "xs.h"

/* Same creation as emulator/firmware/main.c (only the key assignment has to match). */
static txCreation gCreation = {
	32 * 1024, 4 * 1024, 2048, 128, 512, 1024, 256, 127, 127, 256 * 1024, 127, 0,
};

extern void fxRemapIDs(txMachine* the, txByte* codeBuffer, txSize codeSize, txID* theIDs);

#define PROGRAM_MAGIC 0x31505A47u
#define PROGRAM_BYTECODE 1u
#define PROGRAM_MODULES 3u

static void put32(uint8_t* p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static char* read_file(const char* path, size_t* size)
{
	FILE* f = fopen(path, "rb");
	if (!f) return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char* buffer = malloc((size_t)n + 1);
	if (!buffer || fread(buffer, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buffer[n] = 0;
	*size = (size_t)n;
	return buffer;
}

/* Rewrite opcodes that copy into RAM at run time into the forms that use the bytes in place. */
static void archive_codes(txByte* code, txSize size, int* functions, int* strings)
{
	const txS1* sizes = gxCodeSizes;
	txByte* p = code;
	txByte* q = code + size;
	while (p < q) {
		txU1 op = *(txU1*)p;
		txS1 offset = sizes[op];
		switch (op) {
		case XS_CODE_CODE_1: *p = XS_CODE_CODE_ARCHIVE_1; (*functions)++; break;
		case XS_CODE_CODE_2: *p = XS_CODE_CODE_ARCHIVE_2; (*functions)++; break;
		case XS_CODE_CODE_4: *p = XS_CODE_CODE_ARCHIVE_4; (*functions)++; break;
		case XS_CODE_STRING_1: *p = XS_CODE_STRING_ARCHIVE_1; (*strings)++; break;
		case XS_CODE_STRING_2: *p = XS_CODE_STRING_ARCHIVE_2; (*strings)++; break;
		case XS_CODE_STRING_4: *p = XS_CODE_STRING_ARCHIVE_4; (*strings)++; break;
		default: break;
		}
		if (0 < offset)
			p += offset;
		else if (0 == offset)
			p += 1 + sizeof(txID);
		else if (-1 == offset) {
			txU1 index = *(txU1*)(p + 1);
			p += 2 + index;
		}
		else if (-2 == offset) {
			txU2 index;
			txByte* r = p + 1;
			mxDecode2(r, index);
			p += 3 + index;
		}
		else if (-4 == offset) {
			txS4 index;
			txByte* r = p + 1;
			mxDecode4(r, index);
			p += 5 + index;
		}
	}
}


typedef struct {
	const char* path;
	txScript* script;
	size_t sourceSize;
} Module;

/* The symbols of every module, first seen first, registered in that order (as the image will at boot). */
typedef struct {
	const char** names;
	txID* ids;
	uint32_t count;
	uint32_t capacity;
	size_t bytes;
} SymbolTable;

static void symbols_add(txMachine* the, SymbolTable* t, const char* name, txID id)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->ids[i] == id) return;
	if (t->count == t->capacity) {
		t->capacity = t->capacity ? 2 * t->capacity : 256;
		t->names = realloc(t->names, t->capacity * sizeof(char*));
		t->ids = realloc(t->ids, t->capacity * sizeof(txID));
	}
	t->names[t->count] = name;
	t->ids[t->count] = id;
	t->count++;
	t->bytes += strlen(name) + 1;
}

static int modules_main(int argc, char** argv)
{
	const char* out = argv[2];
	int count = argc - 3;
	Module* modules = calloc((size_t)count, sizeof(Module));
	txMachine* machine = xsCreateMachine(&gCreation, "xsbc", NULL);
	/* A second, untouched machine assigns the key IDs: parsing may make keys of its own in the first. */
	txMachine* keys = xsCreateMachine(&gCreation, "xsbc-keys", NULL);
	if (!machine || !keys) {
		fprintf(stderr, "xsbc: cannot create an XS machine\n");
		return 2;
	}
	int status = 0;
	xsBeginHost(machine);
	{
		txMachine* the = machine;
		txID keysAfterCreation = keys->keyIndex;
		SymbolTable table = { 0 };
		size_t sourceBytes = 0, codeBytes = 0, pathBytes = 0;
		int functions = 0, strings = 0;
		for (int m = 0; m < count && !status; m++) {
			char* arg = argv[3 + m];
			char* eq = strchr(arg, '=');
			if (!eq) {
				fprintf(stderr, "xsbc: expected <path>=<file>, got %s\n", arg);
				status = 2;
				break;
			}
			*eq = 0;
			modules[m].path = arg;
			pathBytes += strlen(arg) + 1;
			size_t size = 0;
			char* source = read_file(eq + 1, &size);
			if (!source) {
				fprintf(stderr, "xsbc: cannot read %s\n", eq + 1);
				status = 2;
				break;
			}
			modules[m].sourceSize = size;
			sourceBytes += size;
			txStringCStream stream = { source, 0, (txSize)size };
			txScript* script = fxParseScript(the, &stream, fxStringCGetter, 0);
			if (!script || !script->codeBuffer) {
				fprintf(stderr, "xsbc: module %s (%s) does not parse\n", arg, eq + 1);
				status = 1;
				break;
			}
			/* This module's symbols get the machine's IDs, in order; the code is remapped to them. */
			txByte* p = (txByte*)script->symbolsBuffer;
			txID c, i;
			mxDecodeID(p, c);
			txID* ids = c_malloc(c * sizeof(txID));
			ids[0] = XS_NO_ID;
			for (i = 1; i < c; i++) {
				ids[i] = fxNewNameC(keys, (txString)p);
				symbols_add(keys, &table, strdup((const char*)p), ids[i]);
				p += strlen((const char*)p) + 1;
			}
			fxRemapIDs(the, (txByte*)script->codeBuffer, script->codeSize, ids);
			archive_codes((txByte*)script->codeBuffer, script->codeSize, &functions, &strings);
			codeBytes += (size_t)script->codeSize;
			modules[m].script = script;
		}
		if (!status) {
			uint32_t header = 16 + 24;
			uint32_t symbolsOffset = header;
			uint32_t idsOffset = (symbolsOffset + (uint32_t)table.bytes + 1) & ~1u;
			uint32_t modulesOffset = (idsOffset + 2 * table.count + 3) & ~3u;
			uint32_t pathsOffset = modulesOffset + 16 * (uint32_t)count;
			uint32_t codeOffset = (pathsOffset + (uint32_t)pathBytes + 3) & ~3u;
			uint32_t total = codeOffset;
			for (int m = 0; m < count; m++) total = (total + (uint32_t)modules[m].script->codeSize + 3) & ~3u;
			uint8_t* blob = calloc(1, total);
			put32(blob + 0, PROGRAM_MAGIC);
			put32(blob + 4, PROGRAM_MODULES);
			put32(blob + 8, total);
			put32(blob + 12, 0);
			put32(blob + 16, (uint32_t)keysAfterCreation);
			put32(blob + 20, table.count);
			put32(blob + 24, symbolsOffset);
			put32(blob + 28, idsOffset);
			put32(blob + 32, (uint32_t)count);
			put32(blob + 36, modulesOffset);
			uint8_t* s = blob + symbolsOffset;
			for (uint32_t i = 0; i < table.count; i++) {
				size_t n = strlen(table.names[i]) + 1;
				memcpy(s, table.names[i], n);
				s += n;
				blob[idsOffset + 2 * i] = (uint8_t)table.ids[i];
				blob[idsOffset + 2 * i + 1] = (uint8_t)((uint16_t)table.ids[i] >> 8);
			}
			uint32_t pathAt = pathsOffset;
			uint32_t codeAt = codeOffset;
			for (int m = 0; m < count; m++) {
				uint8_t* e = blob + modulesOffset + 16 * (uint32_t)m;
				size_t n = strlen(modules[m].path) + 1;
				memcpy(blob + pathAt, modules[m].path, n);
				put32(e + 0, pathAt);
				put32(e + 4, codeAt);
				put32(e + 8, (uint32_t)modules[m].script->codeSize);
				put32(e + 12, (uint32_t)modules[m].sourceSize);
				memcpy(blob + codeAt, modules[m].script->codeBuffer, (size_t)modules[m].script->codeSize);
				pathAt += (uint32_t)n;
				codeAt = (codeAt + (uint32_t)modules[m].script->codeSize + 3) & ~3u;
			}
			FILE* f = fopen(out, "wb");
			if (!f || fwrite(blob, 1, total, f) != total) {
				fprintf(stderr, "xsbc: cannot write %s\n", out);
				status = 2;
			}
			if (f) fclose(f);
			printf("{\"modules\":%d,\"sourceBytes\":%lu,\"bytecodeBytes\":%lu,\"codeBytes\":%lu,\"symbols\":%lu,\"symbolBytes\":%lu,\"keysAfterCreation\":%d,\"functions\":%d,\"strings\":%d}\n",
				count, (unsigned long)sourceBytes, (unsigned long)total, (unsigned long)codeBytes, (unsigned long)table.count,
				(unsigned long)table.bytes, (int)keysAfterCreation, functions, strings);
		}
	}
	xsEndHost(machine);
	xsDeleteMachine(machine);
	xsDeleteMachine(keys);
	return status;
}

int main(int argc, char** argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--modules")) return modules_main(argc, argv);
	if (argc != 3) {
		fprintf(stderr, "usage: xsbc <program.js> <program.bin> | xsbc --modules <program.bin> <path>=<file.js>…\n");
		return 2;
	}
	size_t sourceSize = 0;
	char* source = read_file(argv[1], &sourceSize);
	if (!source) {
		fprintf(stderr, "xsbc: cannot read %s\n", argv[1]);
		return 2;
	}
	txMachine* machine = xsCreateMachine(&gCreation, "xsbc", NULL);
	if (!machine) {
		fprintf(stderr, "xsbc: cannot create an XS machine\n");
		return 2;
	}
	int status = 0;
	xsBeginHost(machine);
	{
		txMachine* the = machine;
		txID keysAfterCreation = the->keyIndex;
		txStringCStream stream = { source, 0, (txSize)sourceSize };
		txScript* script = fxParseScript(the, &stream, fxStringCGetter, mxProgramFlag);
		if (!script || !script->codeBuffer) {
			fprintf(stderr, "xsbc: %s does not parse\n", argv[1]);
			status = 1;
		}
		else {
			txByte* p = (txByte*)script->symbolsBuffer;
			txID count, i;
			mxDecodeID(p, count);
			txID* ids = c_malloc(count * sizeof(txID));
			const char** names = c_malloc(count * sizeof(char*));
			size_t namesBytes = 0;
			ids[0] = XS_NO_ID;
			for (i = 1; i < count; i++) {
				names[i] = (const char*)p;
				ids[i] = fxNewNameC(the, (txString)p);
				namesBytes += strlen((const char*)p) + 1;
				p += strlen((const char*)p) + 1;
			}
			fxRemapIDs(the, (txByte*)script->codeBuffer, script->codeSize, ids);
			int functions = 0, strings = 0;
			archive_codes((txByte*)script->codeBuffer, script->codeSize, &functions, &strings);

			uint32_t symbolCount = (uint32_t)(count - 1);
			uint32_t header = 16 + 24;
			uint32_t symbolsOffset = header;
			uint32_t idsOffset = (symbolsOffset + (uint32_t)namesBytes + 1) & ~1u;
			uint32_t codeOffset = (idsOffset + 2 * symbolCount + 3) & ~3u;
			uint32_t total = (codeOffset + (uint32_t)script->codeSize + 3) & ~3u;
			uint8_t* blob = calloc(1, total);
			put32(blob + 0, PROGRAM_MAGIC);
			put32(blob + 4, PROGRAM_BYTECODE);
			put32(blob + 8, total);
			put32(blob + 12, 0);
			put32(blob + 16, (uint32_t)keysAfterCreation);
			put32(blob + 20, symbolCount);
			put32(blob + 24, symbolsOffset);
			put32(blob + 28, idsOffset);
			put32(blob + 32, codeOffset);
			put32(blob + 36, (uint32_t)script->codeSize);
			uint8_t* s = blob + symbolsOffset;
			for (i = 1; i < count; i++) {
				size_t n = strlen(names[i]) + 1;
				memcpy(s, names[i], n);
				s += n;
			}
			for (i = 1; i < count; i++) {
				uint16_t id = (uint16_t)ids[i];
				blob[idsOffset + 2 * (i - 1)] = (uint8_t)id;
				blob[idsOffset + 2 * (i - 1) + 1] = (uint8_t)(id >> 8);
			}
			memcpy(blob + codeOffset, script->codeBuffer, (size_t)script->codeSize);
			FILE* f = fopen(argv[2], "wb");
			if (!f || fwrite(blob, 1, total, f) != total) {
				fprintf(stderr, "xsbc: cannot write %s\n", argv[2]);
				status = 2;
			}
			if (f) fclose(f);
			printf("{\"sourceBytes\":%lu,\"bytecodeBytes\":%lu,\"codeBytes\":%ld,\"symbols\":%lu,\"symbolBytes\":%lu,\"keysAfterCreation\":%d,\"functions\":%d,\"strings\":%d}\n",
				(unsigned long)sourceSize, (unsigned long)total, (long)script->codeSize, (unsigned long)symbolCount,
				(unsigned long)namesBytes, (int)keysAfterCreation, functions, strings);
			fxDeleteScript(script);
		}
	}
	xsEndHost(machine);
	xsDeleteMachine(machine);
	return status;
}

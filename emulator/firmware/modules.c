/*
 * ES modules from the program's module table in flash: XS asks fxFindModule to resolve a specifier against the
 * importing module's path, and fxLoadModule for the module's code: host-compiled bytecode used in place, or
 * source parsed now (the fallback).
 */
#include "xsAll.h"
#include "program.h"
#include "semihost.h"

static const ProgramModule* find(const char* path)
{
	uint32_t count;
	const ProgramModule* modules = program_modules(&count);
	const uint8_t* base = program_base();
	for (uint32_t i = 0; i < count; i++)
		if (!c_strcmp((const char*)(base + modules[i].path), path)) return &modules[i];
	return NULL;
}

/* "a/b/c.js" + "../d.js" → "a/d.js"; "./x.js" → "a/b/x.js"; a bare name stays as it is. */
static int resolve(const char* importer, const char* specifier, char* out, size_t size)
{
	char buffer[C_PATH_MAX];
	if (specifier[0] != '.') {
		if (c_strlen(specifier) >= size) return 0;
		c_strcpy(out, specifier);
		return 1;
	}
	buffer[0] = 0;
	if (importer) {
		const char* slash = c_strrchr(importer, '/');
		size_t n = slash ? (size_t)(slash - importer) + 1 : 0;
		if (n >= sizeof(buffer)) return 0;
		c_memcpy(buffer, importer, n);
		buffer[n] = 0;
	}
	if (c_strlen(buffer) + c_strlen(specifier) >= sizeof(buffer)) return 0;
	c_strcat(buffer, specifier);
	/* Normalise segment by segment. */
	char* segments[32];
	int depth = 0;
	char* p = buffer;
	while (*p) {
		char* segment = p;
		while (*p && *p != '/') p++;
		if (*p) *p++ = 0;
		if (!c_strcmp(segment, ".") || !segment[0]) continue;
		if (!c_strcmp(segment, "..")) {
			if (depth == 0) return 0;
			depth--;
			continue;
		}
		if (depth == 32) return 0;
		segments[depth++] = segment;
	}
	size_t at = 0;
	for (int i = 0; i < depth; i++) {
		size_t n = c_strlen(segments[i]);
		if (at + n + 2 > size) return 0;
		if (i) out[at++] = '/';
		c_memcpy(out + at, segments[i], n);
		at += n;
	}
	out[at] = 0;
	return 1;
}

txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	char specifier[C_PATH_MAX];
	char path[C_PATH_MAX];
	fxToStringBuffer(the, slot, specifier, sizeof(specifier));
	const char* importer = moduleID == XS_NO_ID ? NULL : fxGetKeyName(the, moduleID);
	if (!resolve(importer, specifier, path, sizeof(path))) return XS_NO_ID;
	const ProgramModule* m = find(path);
	if (!m) return XS_NO_ID;
	return fxNewNameX(the, (txString)(program_base() + m->path));
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
	const char* path = fxGetKeyName(the, moduleID);
	const ProgramModule* m = find(path);
	if (!m) return;
	const ProgramHeader* h = (const ProgramHeader*)program_base();
	if (h->kind == PROGRAM_MODULES) {
		txScript script;
		script.callback = NULL;
		script.symbolsBuffer = NULL;
		script.symbolsSize = 0;
		script.codeBuffer = (txS1*)(program_base() + m->offset);
		script.codeSize = (txSize)m->size;
		script.hostsBuffer = NULL;
		script.hostsSize = 0;
		script.path = (txString)path;
		script.version[0] = XS_MAJOR_VERSION;
		script.version[1] = XS_MINOR_VERSION;
		script.version[2] = XS_PATCH_VERSION;
		script.version[3] = 0;
		fxResolveModule(the, module, moduleID, &script, C_NULL, C_NULL);
		return;
	}
#ifdef mxParse
	txStringCStream stream;
	stream.buffer = (txString)(program_base() + m->offset);
	stream.offset = 0;
	stream.size = (txSize)m->size;
	txScript* script = fxParseScript(the, &stream, fxStringCGetter, 0);
	if (script) fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
#endif
}

/* Loads the JS program from flash: XS bytecode in place, or source parsed on the device (fallback). */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "prepared.h"
#include "program.h"
#include "semihost.h"

extern const uint8_t gProgram[];

uint32_t program_size(void)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	return h->magic == PROGRAM_MAGIC ? h->size : 0;
}

const char* program_kind(void)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	switch (h->kind) {
	case PROGRAM_BYTECODE: return "bytecode";
	case PROGRAM_SOURCE: return "source";
	case PROGRAM_MODULES: return "modules";
	case PROGRAM_MODULE_SOURCES: return "module-sources";
	default: return "unknown";
	}
}

const uint8_t* program_base(void)
{
	return gProgram;
}

const ProgramModule* program_modules(uint32_t* count)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	if (h->kind == PROGRAM_MODULES) {
		*count = h->u.modules.moduleCount;
		return (const ProgramModule*)(gProgram + h->u.modules.modulesOffset);
	}
	if (h->kind == PROGRAM_MODULE_SOURCES) {
		*count = h->u.sources.moduleCount;
		return (const ProgramModule*)(gProgram + h->u.sources.modulesOffset);
	}
	*count = 0;
	return NULL;
}

static void report_exception(txMachine* the, const char* phase)
{
	console_printf("\n#error %s: ", phase);
	txSlot* exception = &mxException;
	mxPushSlot(exception);
	mxPushSlot(exception);
	const char* text = fxToString(the, the->stack);
	console_puts(text);
	console_puts("\n");
	mxPop();
	mxPop();
}

static int run_script(txMachine* the, txScript* script)
{
	int code = EXIT_OK;
	mxTry(the) {
		txSlot* realm = mxProgram.value.reference->next->value.module.realm;
		fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
		mxPop();
		if (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
	}
	mxCatch(the) {
		report_exception(the, "program");
		code = EXIT_JS_ERROR;
	}
	return code;
}

static int gPrepared = 0;

/* Bytecode: register the program's symbols, in order, before anything else makes a key; check their IDs. A machine
 * prepared ahead of time (prepared.h) has them already: it must have been prepared from this very program. */
int program_prepare(txMachine* the)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	if (h->magic != PROGRAM_MAGIC) {
		console_puts("#abort no program in flash\n");
		return EXIT_BAD_PROGRAM;
	}
	if (h->kind != PROGRAM_BYTECODE && h->kind != PROGRAM_MODULES) return EXIT_OK;
	const PreparedInfo* prepared = prepared_info();
	if (prepared && !the->sharedMachine) prepared = NULL; /* the preparation pass itself */
	if (prepared) {
		if (prepared->programAddress != (uint32_t)(uintptr_t)gProgram || prepared->programSize != h->size) {
			console_puts("#abort the preparation in flash was made from another program\n");
			return EXIT_BAD_PROGRAM;
		}
		gPrepared = 1;
		return EXIT_OK;
	}
	/* The module layout starts like the script's: keys, symbol count, symbols, IDs. */
	if ((uint32_t)the->keyIndex != h->u.bytecode.keysAfterCreation) {
		console_printf("#abort bytecode was compiled for %lu built-in keys, this engine has %d\n",
			(unsigned long)h->u.bytecode.keysAfterCreation, (int)the->keyIndex);
		return EXIT_BAD_PROGRAM;
	}
	const char* p = (const char*)(gProgram + h->u.bytecode.symbolsOffset);
	const uint16_t* ids = (const uint16_t*)(gProgram + h->u.bytecode.idsOffset);
	for (uint32_t i = 0; i < h->u.bytecode.symbolCount; i++) {
		txID id = fxNewNameX(the, (txString)p);
		if ((uint16_t)id != ids[i]) {
			console_printf("#abort symbol %lu \"%s\": compiled as key %u, the engine gave %d\n", (unsigned long)i, p, ids[i], (int)id);
			return EXIT_BAD_PROGRAM;
		}
		p += strlen(p) + 1;
	}
	gPrepared = 1;
	return EXIT_OK;
}

/*
 * ES modules: import the entry synchronously, as Moddable's main does, which loads, links and runs the body of
 * every module of the program; then, if `start`, call the entry's default export (the entry only exports a
 * function, so that loading it starts nothing: the preparation pass loads without starting). With a machine
 * prepared ahead of time, every module is there already, evaluated, and the import only finds it.
 */
int program_load(txMachine* the, int start)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	if (h->kind == PROGRAM_MODULES && !gPrepared) return EXIT_BAD_PROGRAM;
	uint32_t count;
	const ProgramModule* modules = program_modules(&count);
	if (count == 0) return EXIT_BAD_PROGRAM;
	int code = EXIT_OK;
	mxTry(the) {
		mxPushStringX((txString)(gProgram + modules[0].path));
		fxAwaitImport(the, start ? XS_IMPORT_DEFAULT : XS_IMPORT_NAMESPACE);
		if (start) {
			txSlot* entry = the->stack;
			if (!mxIsReference(entry) || !mxIsFunction(entry->value.reference)) mxTypeError("the entry module has no default function");
			mxPushUndefined();
			mxPushSlot(entry);
			mxCall();
			mxRunCount(0);
			mxPop();
		}
		mxPop();
		while (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
	}
	mxCatch(the) {
		report_exception(the, start ? "module" : "preload");
		code = EXIT_JS_ERROR;
	}
	return code;
}

int program_run(txMachine* the)
{
	const ProgramHeader* h = (const ProgramHeader*)gProgram;
	if (h->kind == PROGRAM_SOURCE) {
#ifdef mxParse
		txStringCStream stream;
		stream.buffer = (txString)(gProgram + h->u.source.offset);
		stream.offset = 0;
		stream.size = (txSize)h->u.source.size;
		txScript* script = fxParseScript(the, &stream, fxStringCGetter, mxProgramFlag);
		if (!script) {
			console_puts("#error program: syntax error\n");
			return EXIT_BAD_PROGRAM;
		}
		return run_script(the, script);
#else
		console_puts("#abort this image has no parser; build it with bytecode\n");
		return EXIT_BAD_PROGRAM;
#endif
	}
	if (h->kind == PROGRAM_MODULES || h->kind == PROGRAM_MODULE_SOURCES) return program_load(the, 1);
	if (h->kind != PROGRAM_BYTECODE || !gPrepared) return EXIT_BAD_PROGRAM;
	static txScript script;
	script.callback = NULL;
	script.symbolsBuffer = NULL;
	script.symbolsSize = 0;
	script.codeBuffer = (txS1*)(gProgram + h->u.bytecode.codeOffset);
	script.codeSize = (txSize)h->u.bytecode.codeSize;
	script.hostsBuffer = NULL;
	script.hostsSize = 0;
	script.path = "program";
	script.version[0] = XS_MAJOR_VERSION;
	script.version[1] = XS_MINOR_VERSION;
	script.version[2] = XS_PATCH_VERSION;
	script.version[3] = 0;
	return run_script(the, &script);
}

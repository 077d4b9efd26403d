/*
 * The XS platform layer of ganzhi's host runner: memory with a limit, module loading from files, the promise job
 * queue, metering folded into 64 bits, and fxAbort as a one-line fatal report. Written for ganzhi against the XS
 * sources shipped in @agoric/xsnap (XS 13.x); see README.md.
 */
#include "xsAll.h"
#include "xsScript.h"
#include "runner.h"

#include <limits.h>

gzRunner gzState;

const char* gzVersion(void)
{
	static char buffer[32];
	snprintf(buffer, sizeof(buffer), "%d.%d.%d", XS_MAJOR_VERSION, XS_MINOR_VERSION, XS_PATCH_VERSION);
	return buffer;
}

/* ------------------------------------------------------------------------------------------------ fatal */

void gzWriteJSONString(FILE* f, const char* s)
{
	const unsigned char* p = (const unsigned char*)(s ? s : "");
	fputc('"', f);
	for (; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
		else if (c == '\n') fputs("\\n", f);
		else if (c == '\r') fputs("\\r", f);
		else if (c == '\t') fputs("\\t", f);
		else if (c < 0x20) fprintf(f, "\\u%04x", c);
		else fputc(c, f);
	}
	fputc('"', f);
}

/* One JSON line on the protocol stream, then exit: the Node side reports it with device and phase. */
void gzFatal(const char* kind, const char* message, int status)
{
	FILE* f = gzOut ? gzOut : stdout;
	fprintf(f, "{\"t\":\"fatal\",\"kind\":");
	gzWriteJSONString(f, kind);
	fprintf(f, ",\"message\":");
	gzWriteJSONString(f, message);
	fprintf(f, ",\"phase\":%.17g,\"node\":%.17g,\"at\":%.17g}\n", gzState.markPhase, gzState.markNode, gzState.markAt);
	fflush(f);
	fflush(stdout); /* XS's own reports (printf), which go to stderr */
	fflush(stderr);
	_exit(status);
}

/* The pending exception as a string, or `fallback` when converting it throws. */
static txString exceptionText(txMachine* the, txString fallback)
{
	txString message = fallback;
	mxTry(the) {
		message = fxToString(the, &mxException);
	}
	mxCatch(the) {
	}
	return message;
}

void fxAbort(txMachine* the, int status)
{
	char buffer[1024];
	switch (status) {
	case XS_STACK_OVERFLOW_EXIT:
		gzFatal("stack", "stack overflow", 73);
		break;
	case XS_NOT_ENOUGH_MEMORY_EXIT:
		snprintf(buffer, sizeof(buffer), "memory full (%llu bytes of chunks and slots allocated, limit %llu)",
			(unsigned long long)gzState.heapAllocated, (unsigned long long)gzState.heapLimit);
		gzFatal("memory", buffer, 71);
		break;
	case XS_NO_MORE_KEYS_EXIT:
		gzFatal("keys", "not enough keys", 74);
		break;
	case XS_TOO_MUCH_COMPUTATION_EXIT:
		snprintf(buffer, sizeof(buffer), "too much computation (metering limit %llu reached)", (unsigned long long)gzState.meterLimit);
		gzFatal("meter", buffer, 72);
		break;
	case XS_UNHANDLED_EXCEPTION_EXIT:
		gzFatal("exception", exceptionText(the, "unhandled exception"), 75);
		break;
	case XS_UNHANDLED_REJECTION_EXIT: {
		/* A rejected promise nobody handled: report and go on, as XS hosts do. */
		fprintf(stderr, "ganzhi-xs: unhandled rejection: %s\n", exceptionText(the, "unhandled rejection"));
		mxException = mxUndefined;
		break;
	}
	default:
		snprintf(buffer, sizeof(buffer), "fxAbort(%d)", status);
		gzFatal("abort", buffer, 76);
		break;
	}
}

/* ------------------------------------------------------------------------------------------------ memory */

static int gzCharge(size_t size)
{
	if (gzState.heapLimit && (gzState.heapAllocated + size > gzState.heapLimit))
		return 0;
	gzState.heapAllocated += size;
	return 1;
}

/* Each block starts with its size so freeing gives the bytes back to the budget. */
void* fxAllocateChunks(txMachine* the, txSize size)
{
	size_t total = (size_t)size + 16;
	uint8_t* block;
	if (!gzCharge(total))
		return NULL;
	block = malloc(total);
	if (!block) {
		gzState.heapAllocated -= total;
		return NULL;
	}
	*(size_t*)block = total;
	return block + 16;
}

void fxFreeChunks(txMachine* the, void* chunks)
{
	if (chunks) {
		uint8_t* block = (uint8_t*)chunks - 16;
		gzState.heapAllocated -= *(size_t*)block;
		free(block);
	}
}

txSlot* fxAllocateSlots(txMachine* the, txSize count)
{
	size_t total = (size_t)count * sizeof(txSlot) + 16;
	uint8_t* block;
	if (!gzCharge(total))
		return NULL;
	block = malloc(total);
	if (!block) {
		gzState.heapAllocated -= total;
		return NULL;
	}
	*(size_t*)block = total;
	return (txSlot*)(block + 16);
}

void fxFreeSlots(txMachine* the, void* slots)
{
	if (slots) {
		uint8_t* block = (uint8_t*)slots - 16;
		gzState.heapAllocated -= *(size_t*)block;
		free(block);
	}
}

void gzHeap(void* it, int collect, double* out)
{
	txMachine* the = it;
	if (collect)
		fxCollectGarbage(the);
	out[0] = (double)the->currentChunksSize;
	out[1] = (double)the->currentHeapCount;
	out[2] = (double)the->peakChunksSize;
	out[3] = (double)the->peakHeapCount;
	out[4] = (double)the->maximumChunksSize;
	out[5] = (double)the->maximumHeapCount;
	out[6] = (double)sizeof(txSlot);
}

void gzResetPeak(void* it)
{
	txMachine* the = it;
	the->peakChunksSize = the->currentChunksSize;
	the->peakHeapCount = the->currentHeapCount;
}

/* ------------------------------------------------------------------------------------------------ machine */

void fxCreateMachinePlatform(txMachine* the)
{
	the->promiseJobs = 0;
	the->waiterCondition = NULL;
	the->waiterData = NULL;
	the->waiterLink = NULL;
}

void fxDeleteMachinePlatform(txMachine* the)
{
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

void gzDrainJobs(void* it)
{
	txMachine* the = it;
	for (;;) {
		while (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
		fxEndJob(the);
		if (!the->promiseJobs)
			break;
	}
}

/* ------------------------------------------------------------------------------------------------ metering */

static txBoolean gzMeterCallback(txMachine* the, txU4 index)
{
	gzState.meterFolded += index;
	the->meterIndex = 0;
	if (gzState.meterLimit && (gzState.meterFolded > gzState.meterLimit))
		return 0;
	return 1;
}

void gzBeginMetering(void* it, uint32_t interval)
{
	txMachine* the = it;
	fxBeginMetering(the, gzMeterCallback, interval);
}

uint64_t gzRawMeter(void* it)
{
	txMachine* the = it;
	return gzState.meterFolded + the->meterIndex;
}

uint64_t gzMeter(void* it)
{
	return gzRawMeter(it) - gzState.meterExcluded;
}

/* ------------------------------------------------------------------------------------------------ modules */

static void gzModuleFulfilled(txMachine* the)
{
}

/* The error's stack when it has one (XS lists the functions it went through), else the error as a string. */
static txString gzErrorText(txMachine* the, txSlot* error)
{
	txString message = "module failed";
	mxTry(the) {
		message = fxToString(the, error);
		if (mxIsReference(error)) {
			mxPushSlot(error);
			mxGetID(mxID(_stack));
			if (the->stack->kind == XS_STRING_KIND || the->stack->kind == XS_STRING_X_KIND)
				message = the->stack->value.string;
			mxPop();
		}
	}
	mxCatch(the) {
	}
	return message;
}

static char gzFirstParseError[1024];

static void gzModuleRejected(txMachine* the)
{
	gzFatal("load", gzFirstParseError[0] ? gzFirstParseError : gzErrorText(the, mxArgv(0)), 77);
}

void gzRunModule(void* it, const char* path)
{
	txMachine* the = it;
	fxBeginHost(the);
	{
		txSlot* realm = mxProgram.value.reference->next->value.module.realm;
		mxTry(the) {
			mxPushStringC((txString)path);
			fxRunImport(the, realm, XS_NO_ID);
			mxDub();
			fxGetID(the, mxID(_then));
			mxCall();
			fxNewHostFunction(the, gzModuleFulfilled, 1, XS_NO_ID, XS_NO_ID);
			fxNewHostFunction(the, gzModuleRejected, 1, XS_NO_ID, XS_NO_ID);
			mxRunCount(2);
			mxPop();
		}
		mxCatch(the) {
			gzFatal("load", gzFirstParseError[0] ? gzFirstParseError : gzErrorText(the, &mxException), 77);
		}
	}
	fxEndHost(the);
	gzDrainJobs(the);
}

static txBoolean gzIsFile(const char* path)
{
	FILE* f = fopen(path, "r");
	if (f) {
		fclose(f);
		return 1;
	}
	return 0;
}

txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	char name[PATH_MAX];
	char path[PATH_MAX];
	char real[PATH_MAX];
	int i;
	fxToStringBuffer(the, slot, name, sizeof(name));
	for (i = 0; i < gzState.moduleCount; i++) {
		if (!c_strcmp(name, gzState.moduleSpecifiers[i])) {
			if (!realpath(gzState.moduleFiles[i], real))
				mxReferenceError("module %s: cannot read %s", name, gzState.moduleFiles[i]);
			return fxNewNameC(the, real);
		}
	}
	if (name[0] == '/') {
		c_strcpy(path, name);
	}
	else if ((name[0] == '.') && ((name[1] == '/') || ((name[1] == '.') && (name[2] == '/')))) {
		char* slash;
		if (moduleID == XS_NO_ID)
			return XS_NO_ID;
		c_strncpy(path, fxGetKeyName(the, moduleID), sizeof(path) - 1);
		path[sizeof(path) - 1] = 0;
		slash = c_strrchr(path, '/');
		if (!slash)
			return XS_NO_ID;
		*slash = 0;
		{
			char* rest = name;
			for (;;) {
				if ((rest[0] == '.') && (rest[1] == '/'))
					rest += 2;
				else if ((rest[0] == '.') && (rest[1] == '.') && (rest[2] == '/')) {
					slash = c_strrchr(path, '/');
					if (!slash)
						return XS_NO_ID;
					*slash = 0;
					rest += 3;
				}
				else
					break;
			}
			if (c_strlen(path) + 1 + c_strlen(rest) >= sizeof(path))
				mxRangeError("path too long");
			c_strcat(path, "/");
			c_strcat(path, rest);
		}
	}
	else
		return XS_NO_ID; /* a bare specifier nobody mapped: XS reports it as not found */
	if (!gzIsFile(path) || !realpath(path, real))
		return XS_NO_ID;
	return fxNewNameC(the, real);
}

/* The parser's first error, "file:line: message", for the SyntaxError the import then fails with. */
static char gzParseError[1024];
/* gzFirstParseError (declared above): a module that imports a module that did not parse reports this. */

static void gzReportParserError(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
	char message[768];
	c_vsnprintf(message, sizeof(message), format, arguments);
	fprintf(stderr, "%s:%d: error: %s\n", path ? path : "?", (int)line, message);
	if (!gzParseError[0])
		snprintf(gzParseError, sizeof(gzParseError), "%s:%d: %s", path ? path : "?", (int)line, message);
	if (!gzFirstParseError[0])
		snprintf(gzFirstParseError, sizeof(gzFirstParseError), "SyntaxError: %s:%d: %s", path ? path : "?", (int)line, message);
}

static void gzReportParserWarning(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
	txString path = fxGetKeyName(the, moduleID);
	txParser _parser;
	txParser* parser = &_parser;
	txParserJump jump;
	FILE* file = NULL;
	txScript* script = NULL;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->reportError = gzReportParserError;
	parser->reportWarning = gzReportParserWarning;
	gzParseError[0] = 0;
	parser->firstJump = &jump;
	file = fopen(path, "r");
	if (c_setjmp(jump.jmp_buf) == 0) {
		mxParserThrowElse(file);
		parser->path = fxNewParserSymbol(parser, path);
		fxParserTree(parser, file, (txGetter)fgetc, 0, NULL);
		fclose(file);
		file = NULL;
		fxParserHoist(parser);
		fxParserBind(parser);
		script = fxParserCode(parser);
	}
	if (file)
		fclose(file);
	if ((parser->errorCount > 0) && gzParseError[0]) {
		fxTerminateParser(parser);
		mxSyntaxError("%s", gzParseError);
	}
	fxTerminateParser(parser);
	if (script)
		fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
}

/*
 * Preparation: the project's own equivalent of Moddable's xsl preload, made by the firmware itself.
 *
 * `prepare <file>` on the command line (emulator/host/prepare.ts runs it in QEMU) makes this pass: the image
 * extends its heap to all of the machine's RAM, creates the XS machine as it does at boot, registers the
 * program's symbols in the same order, and imports the entry module, which loads and runs the body of every
 * module of the program (the entry only exports a function: nothing of the device or its provider starts). Then,
 * as fxShareMachine does, it detaches the modules from their realm, collects garbage, gives every instance that is
 * not frozen and every `let` binding an alias ID, and writes the live heap, the keys, the names and symbols tables
 * and the stack to the host as one blob laid out for the address the linker gives the .preparation section
 * (emulator/firmware/prepared.h): pointers into the heap become pointers into the blob, what slots held in chunks
 * (strings, bytecode, array items, tables) is copied after it, and everything already in flash (host functions,
 * XS's constant tables, the program's bytecode and string literals) keeps its address, because the final image is
 * this very firmware linked again with the blob (the host checks it).
 *
 * Anything that cannot live in flash is an error, named with its kind and the slot it hangs from: a pointer into
 * RAM outside XS's heap (a host object with data, say) or a generator. Maps, sets, weak collections, array buffers
 * and regular expressions created by a module body cannot be aliased by XS (their storage is a chunk XS would
 * write in place, or mark): they are frozen, as xsl freezes them, and counted in the figures. A frozen regular
 * expression still matches (XS gives each match a buffer of its own), but a global or sticky one cannot update its
 * lastIndex (xsl refuses regular expressions altogether).
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "program.h"
#include "prepared.h"
#include "semihost.h"

#define mxChunkFlag 0x80000000

extern const uint8_t gPreparation[];
extern const uint8_t _preparation_start[];

const PreparedInfo* prepared_info(void)
{
	const PreparedInfo* info = (const PreparedInfo*)gPreparation;
	return info->magic == PREPARED_MAGIC ? info : NULL;
}

uint32_t prepared_hash(const uint8_t* p, uint32_t size)
{
	uint32_t h = 2166136261u;
	while (size--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/* ---- the writer */

#define MAX_BLOCKS 32

typedef struct {
	txSlot* first;
	txSlot* limit;
	uint32_t* index; /* 1-based position in the output heap, 0 for a free slot */
} HeapBlock;

typedef struct {
	txMachine* the;
	uint8_t* out;
	uint32_t size;
	uint32_t base;
	uint32_t heapOffset;
	uint32_t dataAt;
	HeapBlock blocks[MAX_BLOCKS];
	int blockCount;
	int errors;
	uint32_t instances;
	uint32_t aliases;
	uint32_t frozen;
	uint32_t petrified;
} Writer;

static Writer gWriter;

static void fail(Writer* w, const char* what, txSlot* slot)
{
	if (w->errors < 20)
		console_printf("#prepare error: %s (slot %08lx kind %d id %d)\n", what, (unsigned long)(uintptr_t)slot, slot ? (int)slot->kind : -1,
			slot ? (int)slot->ID : 0);
	w->errors++;
}

static int in_flash(const void* p)
{
	return (uintptr_t)p < (uintptr_t)_preparation_start;
}

static uint32_t heap_index(Writer* w, const txSlot* p)
{
	for (int i = 0; i < w->blockCount; i++) {
		HeapBlock* b = &w->blocks[i];
		if (p >= b->first && p < b->limit) {
			if (((uintptr_t)p - (uintptr_t)b->first) % sizeof(txSlot)) return 0;
			return b->index[p - b->first];
		}
	}
	return 0;
}

/* A pointer to a slot: into the output heap. */
static void* rel_slot(Writer* w, txSlot* p, txSlot* from)
{
	if (!p) return NULL;
	uint32_t index = heap_index(w, p);
	if (!index) {
		fail(w, in_flash(p) ? "pointer to a slot in flash" : "pointer to a slot that is not live in the heap", from);
		return NULL;
	}
	return (void*)(uintptr_t)(w->base + w->heapOffset + index * sizeof(txSlot));
}

/* A pointer that must already be in flash (code, constant tables, the program's bytes). */
static void* rel_flash(Writer* w, void* p, txSlot* from)
{
	if (p && !in_flash(p)) fail(w, "pointer into RAM that is not a slot or a chunk", from);
	return p;
}

static int in_chunks(Writer* w, const void* p)
{
	txBlock* block = w->the->firstBlock;
	while (block) {
		if ((const txByte*)p > (const txByte*)(block + 1) && (const txByte*)p < block->current) return 1;
		block = block->nextBlock;
	}
	return 0;
}

static uint32_t data_alloc(Writer* w, uint32_t size, uint32_t align)
{
	uint32_t at = (w->dataAt + align - 1) & ~(align - 1);
	if (at + size > w->size) {
		fail(w, "preparation buffer too small", NULL);
		return 0;
	}
	w->dataAt = at + size;
	return at;
}

static txChunk* chunk_of(const void* p)
{
	return (txChunk*)((txByte*)p - sizeof(txChunk));
}

/* Copied already? Chunks are deduplicated (strings are shared between slots): the first copy's address is kept in
 * the chunk's header, which this pass is free to use (the machine is not used again). */
static void* copied(const void* p)
{
	txChunk* chunk = chunk_of(p);
	return (chunk->size & mxChunkFlag) ? (void*)chunk->temporary : NULL;
}

static void* remember(const void* p, uint32_t address)
{
	txChunk* chunk = chunk_of(p);
	chunk->size |= mxChunkFlag;
	chunk->temporary = (txByte*)(uintptr_t)address;
	return (void*)(uintptr_t)address;
}

static txSize chunk_size(const void* p)
{
	return chunk_of(p)->size & ~mxChunkFlag;
}

/* A C string in a chunk → a string in the blob (no header: slots that point to it are XS_*_X kinds). */
static txString copy_string(Writer* w, txString s, txSlot* from)
{
	if (!in_chunks(w, s)) {
		fail(w, "string outside XS's chunks", from);
		return s;
	}
	void* done = copied(s);
	if (done) return done;
	uint32_t n = (uint32_t)c_strlen(s) + 1;
	uint32_t at = data_alloc(w, n, 4);
	c_memcpy(w->out + at, s, n);
	return remember(s, w->base + at);
}

/* Raw bytes of a chunk, without its header (code, bigint digits). */
static void* copy_bytes(Writer* w, void* p, txSlot* from)
{
	if (!in_chunks(w, p)) {
		fail(w, "data outside XS's chunks", from);
		return p;
	}
	void* done = copied(p);
	if (done) return done;
	uint32_t n = (uint32_t)chunk_size(p);
	uint32_t at = data_alloc(w, n, 4);
	c_memcpy(w->out + at, p, n);
	return remember(p, w->base + at);
}

/* A chunk with a header in front (XS reads the size of arrays and tables from it). Returns the output offset of
 * the data; the caller relocates what is inside. */
static uint32_t copy_with_header(Writer* w, void* p, txSlot* from)
{
	if (!in_chunks(w, p)) {
		fail(w, "data outside XS's chunks", from);
		return 0;
	}
	uint32_t n = (uint32_t)chunk_size(p);
	uint32_t at = data_alloc(w, sizeof(txChunk) + n, 8);
	txChunk* header = (txChunk*)(w->out + at);
	header->size = (txSize)n;
	header->temporary = NULL;
	c_memcpy(w->out + at + sizeof(txChunk), p, n);
	remember(p, w->base + at + sizeof(txChunk));
	return at + sizeof(txChunk);
}

static void write_value(Writer* w, txSlot* in, txSlot* o);

static void* copy_items(Writer* w, txSlot* address, txSlot* from)
{
	if (!address) return NULL;
	if (copied(address)) {
		fail(w, "array items shared by two slots", from);
		return NULL;
	}
	txIndex count = (txIndex)(chunk_size(address) / sizeof(txSlot));
	uint32_t at = copy_with_header(w, address, from);
	txSlot* items = (txSlot*)(w->out + at);
	for (txIndex i = 0; i < count; i++) {
		write_value(w, &address[i], &items[i]);
		*((txIndex*)&items[i]) = *((txIndex*)&address[i]); /* an item's first word is its index */
		items[i].flag |= XS_MARK_FLAG;
	}
	return (void*)(uintptr_t)(w->base + at);
}

static txSlot** copy_table(Writer* w, txSlot** table, txSize length, txSlot* from)
{
	if (!table) return NULL;
	uint32_t at = copy_with_header(w, table, from);
	txSlot** entries = (txSlot**)(w->out + at);
	for (txSize i = 0; i < length; i++) entries[i] = rel_slot(w, table[i], from);
	return (txSlot**)(uintptr_t)(w->base + at);
}

static void write_value(Writer* w, txSlot* in, txSlot* o)
{
	o->next = NULL;
	o->ID = in->ID;
	o->flag = in->flag;
	o->kind = in->kind;
	o->value = in->value;
	switch (in->kind) {
	case XS_UNINITIALIZED_KIND:
	case XS_UNDEFINED_KIND:
	case XS_NULL_KIND:
	case XS_BOOLEAN_KIND:
	case XS_INTEGER_KIND:
	case XS_NUMBER_KIND:
	case XS_SYMBOL_KIND:
	case XS_DATE_KIND:
	case XS_DATA_VIEW_KIND:
	case XS_BUFFER_INFO_KIND:
	case XS_AT_KIND:
	case XS_PROMISE_KIND:
		break;
	case XS_STRING_KIND:
		o->kind = XS_STRING_X_KIND;
		o->value.string = copy_string(w, in->value.string, in);
		break;
	case XS_STRING_X_KIND:
		o->value.string = rel_flash(w, in->value.string, in);
		break;
	case XS_BIGINT_KIND:
		o->kind = XS_BIGINT_X_KIND;
		o->value.bigint.data = copy_bytes(w, in->value.bigint.data, in);
		break;
	case XS_BIGINT_X_KIND:
		o->value.bigint.data = rel_flash(w, in->value.bigint.data, in);
		break;
	case XS_REFERENCE_KIND:
		o->value.reference = rel_slot(w, in->value.reference, in);
		break;
	case XS_CLOSURE_KIND:
		o->value.closure = rel_slot(w, in->value.closure, in);
		break;
	case XS_INSTANCE_KIND:
		o->value.instance.garbage = NULL;
		o->value.instance.prototype = rel_slot(w, in->value.instance.prototype, in);
		break;
	case XS_ARGUMENTS_SLOPPY_KIND:
	case XS_ARGUMENTS_STRICT_KIND:
	case XS_ARRAY_KIND:
		o->value.array.address = copy_items(w, in->value.array.address, in);
		break;
	case XS_ARRAY_BUFFER_KIND:
		if (in->value.arrayBuffer.detachKey) fail(w, "array buffer with a detach key", in);
		if (in->value.arrayBuffer.address)
			o->value.arrayBuffer.address = (txByte*)(uintptr_t)(w->base + copy_with_header(w, in->value.arrayBuffer.address, in));
		o->flag |= XS_DONT_SET_FLAG; /* read-only: XS throws "read-only buffer" instead of writing flash */
		break;
	case XS_CALLBACK_KIND:
	case XS_CALLBACK_X_KIND:
		o->value.callback.address = (txCallback)rel_flash(w, (void*)in->value.callback.address, in);
		o->value.callback.closures = rel_slot(w, in->value.callback.closures, in);
		break;
	case XS_CODE_KIND:
		o->kind = XS_CODE_X_KIND;
		o->value.code.address = copy_bytes(w, in->value.code.address, in);
		o->value.code.closures = rel_slot(w, in->value.code.closures, in);
		break;
	case XS_CODE_X_KIND:
		o->value.code.address = rel_flash(w, in->value.code.address, in);
		o->value.code.closures = rel_slot(w, in->value.code.closures, in);
		break;
	case XS_GLOBAL_KIND:
		o->value.table.address = copy_table(w, in->value.table.address, in->value.table.length, in);
		break;
	case XS_MAP_KIND:
	case XS_SET_KIND:
		o->value.table.address = copy_table(w, in->value.table.address, in->value.table.length, in);
		o->flag |= XS_DONT_SET_FLAG; /* read-only: XS throws instead of writing flash */
		break;
	case XS_HOST_KIND:
		if (in->value.host.data) fail(w, "host object with data (created by a module body?)", in);
		o->value.host.variant.destructor = (txDestructor)rel_flash(w, (void*)in->value.host.variant.destructor, in);
		break;
	case XS_MODULE_KIND:
	case XS_PROGRAM_KIND:
		o->value.module.realm = rel_slot(w, in->value.module.realm, in);
		break;
	case XS_PROXY_KIND:
		o->value.proxy.handler = rel_slot(w, in->value.proxy.handler, in);
		o->value.proxy.target = rel_slot(w, in->value.proxy.target, in);
		break;
	case XS_TYPED_ARRAY_KIND:
		o->value.typedArray.dispatch = rel_flash(w, (void*)in->value.typedArray.dispatch, in);
		o->value.typedArray.atomics = rel_flash(w, (void*)in->value.typedArray.atomics, in);
		break;
	case XS_WEAK_MAP_KIND:
	case XS_WEAK_SET_KIND:
		o->value.weakList.first = rel_slot(w, in->value.weakList.first, in);
		o->value.weakList.link = NULL;
		o->flag |= XS_DONT_SET_FLAG;
		break;
	case XS_WEAK_REF_KIND:
		o->value.weakRef.target = rel_slot(w, in->value.weakRef.target, in);
		o->value.weakRef.link = NULL;
		break;
	case XS_ACCESSOR_KIND:
		o->value.accessor.getter = rel_slot(w, in->value.accessor.getter, in);
		o->value.accessor.setter = rel_slot(w, in->value.accessor.setter, in);
		break;
	case XS_ENTRY_KIND:
		o->value.entry.slot = rel_slot(w, in->value.entry.slot, in);
		break;
	case XS_ERROR_KIND:
		o->value.error.info = rel_slot(w, in->value.error.info, in);
		break;
	case XS_HOME_KIND:
		o->value.home.object = rel_slot(w, in->value.home.object, in);
		o->value.home.module = rel_slot(w, in->value.home.module, in);
		break;
	case XS_KEY_KIND:
		o->kind = XS_KEY_X_KIND;
		if (in->value.key.string) o->value.key.string = copy_string(w, in->value.key.string, in);
		break;
	case XS_KEY_X_KIND:
		o->value.key.string = rel_flash(w, in->value.key.string, in);
		break;
	case XS_LIST_KIND:
		o->value.list.first = rel_slot(w, in->value.list.first, in);
		o->value.list.last = rel_slot(w, in->value.list.last, in);
		break;
	case XS_PRIVATE_KIND:
		o->value.private.check = rel_slot(w, in->value.private.check, in);
		o->value.private.first = rel_slot(w, in->value.private.first, in);
		break;
	case XS_EXPORT_KIND:
		o->value.export.closure = rel_slot(w, in->value.export.closure, in);
		o->value.export.module = rel_slot(w, in->value.export.module, in);
		break;
	case XS_WEAK_ENTRY_KIND:
		o->value.weakEntry.check = rel_slot(w, in->value.weakEntry.check, in);
		o->value.weakEntry.value = rel_slot(w, in->value.weakEntry.value, in);
		break;
	case XS_REGEXP_KIND:
		/* The compiled pattern goes to flash; the match buffer does not (XS then allocates one per match). */
		if (in->value.regexp.code) o->value.regexp.code = (txInteger*)(uintptr_t)(w->base + copy_with_header(w, in->value.regexp.code, in));
		o->value.regexp.data = NULL;
		break;
	case XS_STACK_KIND:
		fail(w, "a generator cannot be preloaded", in);
		break;
	default:
		fail(w, "a slot of this kind cannot be preloaded", in);
		break;
	}
}

/* ---- what may live in flash as it is */

static int is_frozen(txMachine* the, txSlot* instance)
{
	if (!(instance->flag & XS_DONT_PATCH_FLAG)) return 0;
	for (txSlot* property = instance->next; property; property = property->next) {
		if (property->kind == XS_ARRAY_KIND) {
			txSlot* item = property->value.array.address;
			txIndex length = fxGetIndexSize(the, property);
			for (txIndex i = 0; i < length; i++, item++) {
				if (item->kind != XS_ACCESSOR_KIND && !(item->flag & XS_DONT_SET_FLAG)) return 0;
				if (!(item->flag & XS_DONT_DELETE_FLAG)) return 0;
			}
		}
		else {
			if (property->kind != XS_ACCESSOR_KIND && !(property->flag & XS_DONT_SET_FLAG)) return 0;
			if (!(property->flag & XS_DONT_DELETE_FLAG)) return 0;
		}
	}
	return 1;
}

/* Instances whose storage XS cannot alias (a chunk it would write in place): made read-only and frozen. */
static int must_freeze(txSlot* instance)
{
	txSlot* internal = instance->next;
	if (!internal || !(internal->flag & XS_INTERNAL_FLAG)) return 0;
	switch (internal->kind) {
	case XS_ARRAY_BUFFER_KIND:
	case XS_MAP_KIND:
	case XS_SET_KIND:
	case XS_WEAK_MAP_KIND:
	case XS_WEAK_SET_KIND:
	case XS_WEAK_REF_KIND:
	case XS_REGEXP_KIND: /* a copy in RAM would share the compiled pattern in flash, and XS's collector marks it */
		return 1;
	default:
		return 0;
	}
}

static void freeze(txSlot* instance)
{
	for (txSlot* property = instance->next; property; property = property->next) {
		if (property->kind != XS_ACCESSOR_KIND) property->flag |= XS_DONT_SET_FLAG;
		property->flag |= XS_DONT_DELETE_FLAG;
	}
	instance->flag |= XS_DONT_PATCH_FLAG;
}

/* ---- the pass */

/* As fxShareMachine: the modules leave their realm (the machine prepared from this gives them its own), the
 * realm's closures and the module table stay on the stack where fxCloneMachine looks for them, the job queues go. */
static int detach_modules(txMachine* the)
{
	int count = 0;
	txSlot* realm = mxModuleInstanceInternal(mxProgram.value.reference)->value.module.realm;
	txSlot* modules = mxOwnModules(realm)->value.reference;
	for (txSlot* module = modules->next; module; module = module->next) {
		mxModuleInstanceInternal(module->value.reference)->value.module.realm = NULL;
		count++;
	}
	mxModuleInstanceInternal(mxProgram.value.reference)->value.module.realm = NULL;
	mxException.kind = XS_REFERENCE_KIND;
	mxException.value.reference = mxRealmClosures(realm)->value.reference;
	mxProgram.value.reference = modules;
	{
		txSlot* target = fxNewInstance(the);
		for (txSlot* module = modules->next; module; module = module->next) {
			target = target->next = fxNewSlot(the);
			target->value.symbol = mxModuleInstanceInternal(module->value.reference)->value.module.id;
			target->kind = XS_SYMBOL_KIND;
			target->ID = mxModuleInstanceInternal(module->value.reference)->value.module.id;
		}
		mxPull(mxHosts);
	}
	mxModuleQueue = mxUndefined;
	mxDuringJobs = mxUndefined;
	mxFinalizationRegistries = mxUndefined;
	mxPendingJobs = mxUndefined;
	mxRunningJobs = mxUndefined;
	mxBreakpoints = mxUndefined;
	mxHostInspectors = mxUndefined;
	mxInstanceInspectors = mxUndefined;
	return count;
}

static int writer_blocks(Writer* w)
{
	txMachine* the = w->the;
	for (txSlot* heap = the->firstHeap; heap; heap = heap->next) {
		if (w->blockCount == MAX_BLOCKS) return -1;
		HeapBlock* b = &w->blocks[w->blockCount++];
		b->first = heap;
		b->limit = heap->value.reference;
		b->index = c_calloc((size_t)(b->limit - b->first), sizeof(uint32_t));
		if (!b->index) return -1;
	}
	return 0;
}

#define FOR_LIVE(W, SLOT) \
	for (int _b = 0; _b < (W)->blockCount; _b++) \
		for (txSlot* SLOT = (W)->blocks[_b].first + 1; SLOT < (W)->blocks[_b].limit; SLOT++) \
			if (!(SLOT->flag & XS_MARK_FLAG))

static uint32_t align16(uint32_t n)
{
	return (n + 15u) & ~15u;
}

int prepare_main(const char* path)
{
	heap_extend(MACHINE_RAM_END);
	/* Big heaps, so the collector hardly runs; the name and symbol tables' moduli are the image's (fxCloneMachine
	 * copies them with the image's creation). */
	txCreation creation = {
		1024 * 1024, /* initialChunkSize */
		128 * 1024,  /* incrementalChunkSize */
		32768,       /* initialHeapCount */
		4096,        /* incrementalHeapCount */
		4096,        /* stackCount */
		4096,        /* initialKeyCount */
		1024,        /* incrementalKeyCount */
		XS_NAME_MODULO,   /* nameModulo: the board's (emulator/host/creation.ts) */
		XS_SYMBOL_MODULO, /* symbolModulo */
		4 * 1024,    /* parserBufferSize */
		127,         /* parserTableModulo */
		0,           /* staticSize */
	};
	txMachine* the = xsCreateMachine(&creation, "ganzhi-prepare", NULL);
	if (!the) {
		console_puts("#abort cannot create the XS machine\n");
		return EXIT_OUT_OF_MEMORY;
	}
	int code = program_prepare(the);
	if (code != EXIT_OK) return code;
	xsBeginHost(the);
	code = program_load(the, 0);
	xsEndHost(the);
	if (code != EXIT_OK) return code;

	Writer* w = &gWriter;
	c_memset(w, 0, sizeof(*w));
	w->the = the;
	/* The global object's table of intrinsics is a cache XS fills on first lookup (fxGlobalGetProperty): filled
	 * now, so that the global in flash is only ever read. */
	{
		txSlot* global = mxGlobal.value.reference;
		txSlot* table = global->next;
		if (table && table->kind == XS_GLOBAL_KIND) {
			for (txID id = XS_SYMBOL_ID_COUNT; id < XS_INTRINSICS_COUNT && id < (txID)table->value.table.length; id++) {
				mxBehaviorGetProperty(the, global, id, 0, XS_ANY);
				if (!table->value.table.address[id]) fail(w, "the global object's table has a hole", global);
			}
		}
	}
	int modules = detach_modules(the);
	fxCollectGarbage(the);
	if (writer_blocks(w)) {
		console_puts("#abort preparation: too many heap blocks\n");
		return EXIT_OUT_OF_MEMORY;
	}
	/* Free slots are marked (live ones are not, after a collection), as xsl does, so the rest can be walked. */
	for (txSlot* slot = the->freeHeap; slot; slot = slot->next) slot->flag |= XS_MARK_FLAG;
	uint32_t count = 0;
	FOR_LIVE(w, slot) w->blocks[_b].index[slot - w->blocks[_b].first] = ++count;

	/* Alias IDs (1-based, 0 means none): instances that are not frozen, then `let` bindings. */
	uint32_t alias = 1;
	FOR_LIVE(w, slot) {
		if (slot->kind != XS_INSTANCE_KIND) continue;
		w->instances++;
		if (slot->ID != XS_NO_ID) fail(w, "instance with an ID already", slot);
		if (must_freeze(slot)) {
			freeze(slot);
			w->petrified++;
		}
		/* The global object is only ever read (the machine prepared from this has its own): never aliased. */
		if (is_frozen(the, slot) || (slot->next && slot->next->kind == XS_GLOBAL_KIND)) {
			slot->ID = XS_NO_ID;
			w->frozen++;
		}
		else
			slot->ID = (txID)alias++;
	}
	FOR_LIVE(w, slot) {
		if (slot->kind != XS_CLOSURE_KIND || !slot->value.closure) continue;
		txSlot* closure = slot->value.closure;
		if (closure->flag & XS_DONT_SET_FLAG) continue;
		if (closure->ID == XS_NO_ID) closure->ID = (txID)alias++;
	}
	if (alias > 0x7FFF) {
		console_printf("#abort preparation: %lu aliases, more than XS's IDs allow\n", (unsigned long)alias);
		return EXIT_OUT_OF_MEMORY;
	}
	w->aliases = alias;

	/* The layout, then the blob. */
	uint32_t stackCount = (uint32_t)(the->stackTop - the->stack);
	uint32_t heapCount = count + 1;
	uint32_t keyCount = (uint32_t)the->keyIndex;
	uint32_t at = align16(sizeof(PreparedHeader));
	w->heapOffset = at;
	at = align16(at + heapCount * sizeof(txSlot));
	uint32_t stackOffset = at;
	at = align16(at + stackCount * sizeof(txSlot));
	uint32_t keysOffset = at;
	at = align16(at + keyCount * sizeof(txSlot*));
	uint32_t namesOffset = at;
	at = align16(at + (uint32_t)the->nameModulo * sizeof(txSlot*));
	uint32_t symbolsOffset = at;
	at = align16(at + (uint32_t)the->symbolModulo * sizeof(txSlot*));
	w->dataAt = at;
	w->size = at + (uint32_t)the->currentChunksSize + 4096;
	w->out = c_calloc(1, w->size);
	if (!w->out) {
		console_puts("#abort preparation: no room for the blob\n");
		return EXIT_OUT_OF_MEMORY;
	}
	w->base = (uint32_t)(uintptr_t)_preparation_start;

	txSlot* heap = (txSlot*)(w->out + w->heapOffset);
	heap[0].next = NULL;
	heap[0].kind = XS_REFERENCE_KIND;
	heap[0].flag = XS_MARK_FLAG;
	heap[0].value.reference = (txSlot*)(uintptr_t)(w->base + w->heapOffset + heapCount * sizeof(txSlot));
	FOR_LIVE(w, slot) {
		txSlot* o = &heap[w->blocks[_b].index[slot - w->blocks[_b].first]];
		write_value(w, slot, o);
		o->next = rel_slot(w, slot->next, slot);
		o->flag |= XS_MARK_FLAG;
		if (slot->kind == XS_INSTANCE_KIND) o->flag |= XS_DONT_MARSHALL_FLAG;
	}
	txSlot* stack = (txSlot*)(w->out + stackOffset);
	for (uint32_t i = 0; i < stackCount; i++) {
		write_value(w, &the->stack[i], &stack[i]);
		stack[i].flag &= ~XS_MARK_FLAG;
	}
	txSlot** keys = (txSlot**)(w->out + keysOffset);
	for (uint32_t i = 0; i < keyCount; i++) keys[i] = rel_slot(w, the->keyArray[i], NULL);
	txSlot** names = (txSlot**)(w->out + namesOffset);
	for (txSize i = 0; i < the->nameModulo; i++) names[i] = rel_slot(w, the->nameTable[i], NULL);
	txSlot** symbols = (txSlot**)(w->out + symbolsOffset);
	for (txSize i = 0; i < the->symbolModulo; i++) symbols[i] = rel_slot(w, the->symbolTable[i], NULL);

	uint32_t size = align16(w->dataAt);
	PreparedHeader* h = (PreparedHeader*)w->out;
	h->info.magic = PREPARED_MAGIC;
	h->info.size = size;
	h->info.base = w->base;
	h->info.programAddress = (uint32_t)(uintptr_t)program_base();
	h->info.programSize = program_size();
	h->info.programHash = prepared_hash(program_base(), program_size());
	h->info.slots = count;
	h->info.instances = w->instances;
	h->info.aliases = w->aliases;
	h->info.frozen = w->frozen;
	h->info.dataBytes = size - at;
	h->info.keys = keyCount;
	h->info.modules = (uint32_t)modules;
	txPreparation* p = &h->preparation;
	p->version[0] = XS_MAJOR_VERSION;
	p->version[1] = XS_MINOR_VERSION;
	p->version[2] = XS_PATCH_VERSION;
	p->version[3] = 0;
	p->aliasCount = (txSize)w->aliases;
	p->heapCount = (txSize)heapCount;
	p->heap = (txSlot*)(uintptr_t)(w->base + w->heapOffset);
	p->stackCount = (txSize)stackCount;
	p->stack = (txSlot*)(uintptr_t)(w->base + stackOffset);
	p->colors = NULL;
	p->keyCount = (txSize)keyCount;
	p->keys = (txSlot**)(uintptr_t)(w->base + keysOffset);
	p->nameModulo = the->nameModulo;
	p->names = (txSlot**)(uintptr_t)(w->base + namesOffset);
	p->symbolModulo = the->symbolModulo;
	p->symbols = (txSlot**)(uintptr_t)(w->base + symbolsOffset);
	p->scriptCount = 0;
	p->scripts = NULL;
	p->profileID = the->profileID;
	p->creation = creation;
	p->main = NULL;

	console_printf("#prepared slots=%lu instances=%lu aliases=%lu frozen=%lu petrified=%lu keys=%lu modules=%d stack=%lu data=%lu bytes=%lu errors=%d\n",
		(unsigned long)count, (unsigned long)w->instances, (unsigned long)w->aliases, (unsigned long)w->frozen, (unsigned long)w->petrified,
		(unsigned long)keyCount, modules, (unsigned long)stackCount, (unsigned long)(size - at), (unsigned long)size, w->errors);
	if (w->errors) return EXIT_BAD_PROGRAM;
	if (semihost_write_file(path, w->out, size)) {
		console_printf("#abort preparation: cannot write %s on the host\n", path);
		return EXIT_BAD_PROGRAM;
	}
	return EXIT_OK;
}

/*
 * A census of XS's live slots (`ganzhi emulate --census`): after the run's last full collection, every slot still in
 * use, grouped by what owns it, so a device near its creation's slot count can see where the slots go.
 *
 * An instance owns its own slot and the chain of property and internal slots behind it (`next`); it is named by its
 * constructor (`new Foo`), its function name (`fn foo`, a function or closure), or its internal kind (`Array`,
 * `Map`…). Slots that no instance chain holds (closure variables, map and set entries, module bindings, strings
 * boxed on their own) are counted by their kind. The harness's own objects (replay world, engine, console) are in
 * the census too, under their own names: a board does not have them.
 *
 * Printed as `#census <phase>` lines, the largest owners first, once when the harness is built (`settle`, budget.c)
 * and once at the end: what the device made is the difference. Slots are 16 bytes on this 32-bit machine.
 */
#include "xsAll.h"
#include "platform.h"
#include "semihost.h"
#include "chunks.h"

typedef struct {
	int tag;       /* 0 constructor, 1 function, 2 internal kind, 3 loose slot kind, 4 no prototype, 5 stack and roots */
	txID id;       /* constructor's or function's name, or the kind */
	long instances;
	long slots;
	long chunkBytes; /* chunks its slots point to (chunks.c), each counted once, for the first owner met */
} CensusRow;

enum { ROWS = 512 };
static CensusRow gRows[ROWS];
static int gRowCount;

static CensusRow* row(int tag, txID id)
{
	for (int i = 0; i < gRowCount; i++)
		if (gRows[i].tag == tag && gRows[i].id == id) return &gRows[i];
	if (gRowCount == ROWS) return &gRows[ROWS - 1]; /* the last row takes the overflow */
	CensusRow* r = &gRows[gRowCount++];
	r->tag = tag;
	r->id = id;
	r->instances = 0;
	r->slots = 0;
	r->chunkBytes = 0;
	return r;
}

static txSlot* own(txSlot* instance, txID id)
{
	for (txSlot* p = instance ? instance->next : C_NULL; p; p = p->next)
		if (p->ID == id) return p;
	return C_NULL;
}

static int isCode(txSlot* s)
{
	return s->kind == XS_CODE_KIND || s->kind == XS_CODE_X_KIND || s->kind == XS_CALLBACK_KIND || s->kind == XS_CALLBACK_X_KIND;
}

static CensusRow* owner(txMachine* the, txSlot* instance)
{
	txSlot* first = instance->next;
	int internal = first && (first->flag & XS_INTERNAL_FLAG) ? first->kind : -1;
	if (internal >= 0 && isCode(first)) return row(1, first->ID);
	/* Exotic objects (arrays, buffers, maps…) by their kind; the rest, class instances among them, by constructor. */
	if (internal >= 0 && internal != XS_UNDEFINED_KIND && internal != XS_PRIVATE_KIND && internal != XS_HOME_KIND) return row(2, (txID)internal);
	txSlot* prototype = instance->value.instance.prototype;
	if (!prototype) return row(4, first ? first->kind : 0);
	txSlot* constructor = own(prototype, mxID(_constructor));
	if (constructor && constructor->kind == XS_REFERENCE_KIND) {
		txSlot* code = constructor->value.reference->next;
		if (code && isCode(code)) return row(0, code->ID);
	}
	return row(0, XS_NO_ID);
}

static const char* kindName(int kind)
{
	switch (kind) {
	case XS_UNDEFINED_KIND: return "undefined";
	case XS_NULL_KIND: return "null";
	case XS_BOOLEAN_KIND: return "boolean";
	case XS_INTEGER_KIND: return "integer";
	case XS_NUMBER_KIND: return "number";
	case XS_STRING_KIND: return "string";
	case XS_STRING_X_KIND: return "string in flash";
	case XS_REFERENCE_KIND: return "reference";
	case XS_CLOSURE_KIND: return "closure";
	case XS_ARRAY_KIND: return "Array";
	case XS_ARRAY_BUFFER_KIND: return "ArrayBuffer";
	case XS_DATA_VIEW_KIND: return "DataView";
	case XS_TYPED_ARRAY_KIND: return "TypedArray";
	case XS_MAP_KIND: return "Map";
	case XS_SET_KIND: return "Set";
	case XS_PROMISE_KIND: return "Promise";
	case XS_HOST_KIND: return "host object";
	case XS_MODULE_KIND: return "module";
	case XS_ERROR_KIND: return "Error";
	case XS_DATE_KIND: return "Date";
	case XS_WEAK_MAP_KIND: return "WeakMap";
	case XS_LIST_KIND: return "list";
	case XS_ENTRY_KIND: return "entry";
	case XS_ACCESSOR_KIND: return "accessor";
	case XS_PRIVATE_KIND: return "private";
	case XS_EXPORT_KIND: return "export";
	case XS_HOME_KIND: return "home";
	case XS_KEY_KIND: return "key";
	case XS_BUFFER_INFO_KIND: return "buffer info";
	default: return C_NULL;
	}
}

static void label(txMachine* the, CensusRow* r, char* out, size_t size)
{
	const char* name = C_NULL;
	switch (r->tag) {
	case 0:
		name = r->id == XS_NO_ID ? C_NULL : fxGetKeyName(the, r->id);
		snprintf(out, size, "new %s", name ? name : "(anonymous class)");
		return;
	case 1:
		name = r->id == XS_NO_ID ? C_NULL : fxGetKeyName(the, r->id);
		snprintf(out, size, "fn %s", name ? name : "(anonymous)");
		return;
	case 2:
		name = kindName(r->id);
		if (name) snprintf(out, size, "%s", name);
		else snprintf(out, size, "internal kind %d", (int)r->id);
		return;
	case 3:
		name = kindName(r->id);
		if (name) snprintf(out, size, "loose %s", name);
		else snprintf(out, size, "loose kind %d", (int)r->id);
		return;
	case 5:
		snprintf(out, size, "JS stack and C roots");
		return;
	default:
		name = kindName(r->id);
		if (r->id == XS_CLOSURE_KIND) snprintf(out, size, "environment (closures)");
		else if (name) snprintf(out, size, "no prototype, first slot %s", name);
		else snprintf(out, size, "no prototype, first slot kind %d", (int)r->id);
	}
}

/* Call right after a full collection: the free slots are exactly the list XS keeps. */
int gCensus = 0;

void census_print(txMachine* the, const char* phase)
{
	gRowCount = 0;
	for (txSlot* s = the->freeHeap; s; s = s->next) s->flag |= XS_MARK_FLAG;
	long live = 0, owned = 0, freeSlots = 0;
	long looseByKind[64] = { 0 };
	long looseChunks[64] = { 0 };
	long chunks = 0;
	/* Every live slot by kind, and every instance with its chain. */
	for (txSlot* block = the->firstHeap; block; block = block->next) {
		for (txSlot* s = block + 1; s < block->value.reference; s++) {
			if (s->flag & XS_MARK_FLAG) {
				freeSlots++;
				continue;
			}
			live++;
			if (s->kind < 64) looseByKind[s->kind]++;
			if (s->kind != XS_INSTANCE_KIND) continue;
			CensusRow* r = owner(the, s);
			long n = 1;
			for (txSlot* p = s->next; p; p = p->next) {
				n++;
				if (p->kind < 64) looseByKind[p->kind]--;
				long c = chunk_count(p);
				r->chunkBytes += c;
				chunks += c;
			}
			looseByKind[XS_INSTANCE_KIND]--;
			r->instances++;
			r->slots += n;
			owned += n;
		}
	}
	/* Chunks of the slots no instance chain holds (closure variables, private fields, entries), after the owned ones. */
	for (txSlot* block = the->firstHeap; block; block = block->next)
		for (txSlot* s = block + 1; s < block->value.reference; s++)
			if (!(s->flag & XS_MARK_FLAG) && s->kind < 64) {
				long c = chunk_count(s);
				looseChunks[s->kind] += c;
				chunks += c;
			}
	/* And those of the JS stack's slots and the C roots (the host call the census runs in, its caller's frames). */
	long roots = chunk_count_roots(the);
	chunks += roots;
	chunks_uncount(the);
	if (roots) row(5, 0)->chunkBytes = roots;
	for (txSlot* s = the->freeHeap; s; s = s->next) s->flag &= ~XS_MARK_FLAG;
	for (int k = 0; k < 64; k++)
		if (looseByKind[k] > 0 || looseChunks[k] > 0) {
			CensusRow* r = row(3, (txID)k);
			r->slots = looseByKind[k] > 0 ? looseByKind[k] : 0;
			r->chunkBytes = looseChunks[k];
		}
	/* chunks-in-use is XS's own count (after a compacting collection, the live chunks): the difference is what XS
	 * reaches other than through a slot (about 100 B of the harness's strings, the same at settle and at the end). */
	console_printf("#census %s live=%ld free=%ld owned-by-instances=%ld loose=%ld in-use=%ld chunks=%ld chunks-in-use=%ld\n", phase, live,
		freeSlots, owned, live - owned, (long)the->currentHeapCount, chunks, (long)the->currentChunksSize);
	/* Largest first: a selection sort over a few hundred rows. */
	for (int i = 0; i < gRowCount; i++) {
		int best = i;
		for (int j = i + 1; j < gRowCount; j++)
			if (gRows[j].slots > gRows[best].slots) best = j;
		CensusRow t = gRows[i];
		gRows[i] = gRows[best];
		gRows[best] = t;
		char name[96];
		label(the, &gRows[i], name, sizeof(name));
		console_printf("#census %s slots=%ld instances=%ld chunks=%ld %s\n", phase, gRows[i].slots, gRows[i].instances, gRows[i].chunkBytes, name);
	}
}

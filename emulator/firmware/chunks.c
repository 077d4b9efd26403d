/*
 * The chunks XS's live slots point to: strings, buffers' data, array items, map and set tables, host data.
 *
 * XS reclaims chunks only when it compacts them (a collection run because chunks ran out); a collection run because
 * slots ran out sweeps slots only, and XS's count of chunk bytes in use (`currentChunksSize`) then still counts every
 * chunk that became garbage since the last compaction. What the device holds after such a collection is what its
 * live slots point to: counted here by walking them (gc_share.c, as a collection ends its slots' sweep) and per
 * owner (census.c).
 *
 * A chunk is counted once however many slots point to it: its size word's high bit (mxChunkFlag, which only a
 * compacting mark sets, and clears before it returns) marks it counted until chunks_uncount().
 */
#include "xsAll.h"
#include "chunks.h"

#define COUNTED 0x80000000

txByte* chunk_data(txSlot* s)
{
	switch (s->kind) {
	case XS_STRING_KIND: return (txByte*)s->value.string;
	case XS_BIGINT_KIND: return (txByte*)s->value.bigint.data;
	case XS_ARGUMENTS_SLOPPY_KIND:
	case XS_ARGUMENTS_STRICT_KIND:
	case XS_ARRAY_KIND:
	case XS_STACK_KIND: return (txByte*)s->value.array.address;
	case XS_ARRAY_BUFFER_KIND: return (txByte*)s->value.arrayBuffer.address;
	case XS_CODE_KIND: return (txByte*)s->value.code.address;
	case XS_GLOBAL_KIND:
	case XS_MAP_KIND:
	case XS_SET_KIND: return (txByte*)s->value.table.address;
	case XS_HOST_KIND: return (s->flag & XS_HOST_CHUNK_FLAG) ? (txByte*)s->value.host.data : C_NULL;
	case XS_IDS_KIND: return (txByte*)s->value.IDs;
	case XS_KEY_KIND: return (txByte*)s->value.key.string;
	case XS_REGEXP_KIND: return (txByte*)s->value.regexp.code; /* and its data: second_chunk */
	default: return C_NULL;
	}
}

static txByte* second_chunk(txSlot* s)
{
	return s->kind == XS_REGEXP_KIND ? (txByte*)s->value.regexp.data : C_NULL;
}

/* Its size word counts its header and padding (and, once compacted, any room it had to grow). */
static long count(txByte* data)
{
	if (!data) return 0;
	txChunk* chunk = (txChunk*)(data - sizeof(txChunk));
	if (chunk->size & COUNTED) return 0;
	chunk->size |= COUNTED;
	return (long)(chunk->size & ~COUNTED);
}

long chunk_count(txSlot* s)
{
	return count(chunk_data(s)) + count(second_chunk(s));
}

static void uncount(txSlot* s)
{
	txByte* data = chunk_data(s);
	if (data) ((txChunk*)(data - sizeof(txChunk)))->size &= ~COUNTED;
	data = second_chunk(s);
	if (data) ((txChunk*)(data - sizeof(txChunk)))->size &= ~COUNTED;
}

/* The slots a collection starts from besides the heaps': the JS stack and the C roots. */
long chunk_count_roots(txMachine* the)
{
	long n = 0;
	for (txSlot* s = the->stack; s < the->stackTop; s++) n += chunk_count(s);
	for (txSlot* s = the->cRoot; s; s = s->next) n += chunk_count(s);
	return n;
}

void chunks_uncount(txMachine* the)
{
	for (txSlot* block = the->firstHeap; block; block = block->next)
		for (txSlot* s = block + 1; s < block->value.reference; s++) uncount(s);
	for (txSlot* s = the->stack; s < the->stackTop; s++) uncount(s);
	for (txSlot* s = the->cRoot; s; s = s->next) uncount(s);
}

/* Outside a collection's mark: the free slots are undefined (the sweep made them so) and point to nothing. */
long chunk_live_bytes(txMachine* the)
{
	long n = chunk_count_roots(the);
	for (txSlot* block = the->firstHeap; block; block = block->next)
		for (txSlot* s = block + 1; s < block->value.reference; s++) n += chunk_count(s);
	chunks_uncount(the);
	return n;
}

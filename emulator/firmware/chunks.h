/* The chunks XS's live slots point to (chunks.c). */
#ifndef GANZHI_CHUNKS_H
#define GANZHI_CHUNKS_H
#include "xsAll.h"

txByte* chunk_data(txSlot* s);
/* The chunk's bytes the first time it is met, 0 after, until chunks_uncount. */
long chunk_count(txSlot* s);
long chunk_count_roots(txMachine* the);
void chunks_uncount(txMachine* the);
/* Chunk bytes the live slots, the stack and the C roots point to, each chunk once. */
long chunk_live_bytes(txMachine* the);
#endif

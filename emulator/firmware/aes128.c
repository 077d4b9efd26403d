/*
 * AES-128 encryption from FIPS-197 (§5.1 Cipher, §5.2 KeyExpansion), word-oriented: SubBytes, ShiftRows and
 * MixColumns of a round are one table lookup per byte (the column 2·S(x), S(x), S(x), 3·S(x), rotated per row) and
 * XORs. The S-box and the table are derived from the field arithmetic of §4 and the affine map of §5.1.1 the first
 * time a key is expanded, so no typed-in constant can hide a transcription error (1.25 KB of RAM, built once).
 */
#include "aes128.h"
#include <string.h>

static uint8_t gSbox[256];
static uint32_t gTe[256];
static int gReady = 0;

/* b · x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (§4.2.1 xtime). */
static uint8_t xtime(uint8_t b)
{
	return (uint8_t)((b << 1) ^ ((b & 0x80) ? 0x1b : 0));
}

static uint8_t rotl8(uint8_t x, int n)
{
	return (uint8_t)((x << n) | (x >> (8 - n)));
}

static uint32_t ror32(uint32_t w, int n)
{
	return (w >> n) | (w << (32 - n));
}

static void build_tables(void)
{
	/* Walk the multiplicative group with generator 3: p ← p·3 and q ← q·3⁻¹, so q = p⁻¹ throughout; S(p) is the
	 * affine transform of §5.1.1 applied to q. */
	uint8_t p = 1, q = 1;
	do {
		p = (uint8_t)(p ^ xtime(p));
		q ^= (uint8_t)(q << 1);
		q ^= (uint8_t)(q << 2);
		q ^= (uint8_t)(q << 4);
		if (q & 0x80) q ^= 0x09;
		gSbox[p] = (uint8_t)(q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63);
	} while (p != 1);
	gSbox[0] = 0x63;
	for (int i = 0; i < 256; i++) {
		uint32_t s = gSbox[i], s2 = xtime((uint8_t)s);
		gTe[i] = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
	}
	gReady = 1;
}

/* Big-endian words, the state's columns (byte r + 4c is row r of column c). */
static uint32_t load_be(const uint8_t* b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void store_be(uint8_t* b, uint32_t w)
{
	b[0] = (uint8_t)(w >> 24);
	b[1] = (uint8_t)(w >> 16);
	b[2] = (uint8_t)(w >> 8);
	b[3] = (uint8_t)w;
}

/* The schedule is kept in the machine's word order; memcpy lets the caller's buffer have any alignment. */
static uint32_t load_word(const uint8_t* schedule, int i)
{
	uint32_t w;
	memcpy(&w, schedule + 4 * i, 4);
	return w;
}

void aes128_expand(const uint8_t* key, uint8_t* schedule)
{
	uint32_t w[AES128_SCHEDULE_WORDS];
	uint8_t rcon = 1;
	if (!gReady) build_tables();
	for (int i = 0; i < 4; i++) w[i] = load_be(key + 4 * i);
	for (int i = 4; i < AES128_SCHEDULE_WORDS; i++) {
		uint32_t t = w[i - 1];
		if (i % 4 == 0) {
			/* RotWord, SubWord, then Rcon[i/4] = x^(i/4 − 1) in the first byte. */
			t = ((uint32_t)(gSbox[(t >> 16) & 0xff] ^ rcon) << 24) | ((uint32_t)gSbox[(t >> 8) & 0xff] << 16) | ((uint32_t)gSbox[t & 0xff] << 8) | gSbox[t >> 24];
			rcon = xtime(rcon);
		}
		w[i] = w[i - 4] ^ t;
	}
	memcpy(schedule, w, sizeof(w));
}

void aes128_encrypt(const uint8_t* schedule, const uint8_t* in, uint8_t* out)
{
	const uint8_t* S = gSbox;
	const uint32_t* T = gTe;
	uint32_t s0 = load_be(in) ^ load_word(schedule, 0);
	uint32_t s1 = load_be(in + 4) ^ load_word(schedule, 1);
	uint32_t s2 = load_be(in + 8) ^ load_word(schedule, 2);
	uint32_t s3 = load_be(in + 12) ^ load_word(schedule, 3);
	for (int k = 4; k < 40; k += 4) {
		/* Row r of column c comes from column c + r (ShiftRows); its table word is rotated right by 8r bits. */
		uint32_t a = T[s0 >> 24] ^ ror32(T[(s1 >> 16) & 0xff], 8) ^ ror32(T[(s2 >> 8) & 0xff], 16) ^ ror32(T[s3 & 0xff], 24) ^ load_word(schedule, k);
		uint32_t b = T[s1 >> 24] ^ ror32(T[(s2 >> 16) & 0xff], 8) ^ ror32(T[(s3 >> 8) & 0xff], 16) ^ ror32(T[s0 & 0xff], 24) ^ load_word(schedule, k + 1);
		uint32_t c = T[s2 >> 24] ^ ror32(T[(s3 >> 16) & 0xff], 8) ^ ror32(T[(s0 >> 8) & 0xff], 16) ^ ror32(T[s1 & 0xff], 24) ^ load_word(schedule, k + 2);
		uint32_t d = T[s3 >> 24] ^ ror32(T[(s0 >> 16) & 0xff], 8) ^ ror32(T[(s1 >> 8) & 0xff], 16) ^ ror32(T[s2 & 0xff], 24) ^ load_word(schedule, k + 3);
		s0 = a;
		s1 = b;
		s2 = c;
		s3 = d;
	}
	/* The last round has no MixColumns (§5.1). */
	uint32_t a = (((uint32_t)S[s0 >> 24] << 24) | ((uint32_t)S[(s1 >> 16) & 0xff] << 16) | ((uint32_t)S[(s2 >> 8) & 0xff] << 8) | S[s3 & 0xff]) ^ load_word(schedule, 40);
	uint32_t b = (((uint32_t)S[s1 >> 24] << 24) | ((uint32_t)S[(s2 >> 16) & 0xff] << 16) | ((uint32_t)S[(s3 >> 8) & 0xff] << 8) | S[s0 & 0xff]) ^ load_word(schedule, 41);
	uint32_t c = (((uint32_t)S[s2 >> 24] << 24) | ((uint32_t)S[(s3 >> 16) & 0xff] << 16) | ((uint32_t)S[(s0 >> 8) & 0xff] << 8) | S[s1 & 0xff]) ^ load_word(schedule, 42);
	uint32_t d = (((uint32_t)S[s3 >> 24] << 24) | ((uint32_t)S[(s0 >> 16) & 0xff] << 16) | ((uint32_t)S[(s1 >> 8) & 0xff] << 8) | S[s2 & 0xff]) ^ load_word(schedule, 43);
	store_be(out, a);
	store_be(out + 4, b);
	store_be(out + 8, c);
	store_be(out + 12, d);
}

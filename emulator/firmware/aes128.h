/*
 * AES-128 forward cipher (FIPS-197), portable C, for the hosts that stand in for a board's AES hardware: the XS
 * runner on the build machine (tools/xs) and the emulated Cortex-M4 image (emulator/firmware), where QEMU counts
 * its instructions. No decryption: LoRaWAN 1.0.x uses only the forward cipher.
 */
#ifndef GANZHI_AES128_H
#define GANZHI_AES128_H

#include <stdint.h>

/* Round keys for Nr = 10 (FIPS-197 §5.2, Nk = 4): 44 words. */
#define AES128_SCHEDULE_WORDS 44
#define AES128_SCHEDULE_BYTES (4 * AES128_SCHEDULE_WORDS)

/* Expand `key` (16 bytes) into `schedule` (AES128_SCHEDULE_BYTES, any alignment). */
void aes128_expand(const uint8_t* key, uint8_t* schedule);

/* Encrypt the 16 bytes at `in` into `out` (may be the same bytes) under an expanded key. */
void aes128_encrypt(const uint8_t* schedule, const uint8_t* in, uint8_t* out);

#endif

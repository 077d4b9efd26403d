/*
 * The host provider's native AES-128 (hal/host.ts `Ciphers`), as host functions on `target`: the XS runner's `$xs`
 * (tools/xs/runner.c) and the image's `native` (natives.c) install the same two, and simulator/core/ciphers.ts
 * wraps them into `host.cipher`. The caller owns every buffer, so a block allocates nothing in XS:
 *   aesExpand(key, keyOffset, schedule)                      16 key bytes → AES128_SCHEDULE_BYTES of round keys
 *   aesEncrypt(schedule, src, srcOffset, dst, dstOffset)     one block, src and dst ArrayBuffers (may be the same)
 */
#include "xs.h"
#include "aes128.h"
#include "cipher_natives.h"

static uint8_t* buffer_at(xsMachine* the, int arg, xsIntegerValue offset, xsIntegerValue length, const char* what)
{
	if (!xsIsInstanceOf(xsArg(arg), xsArrayBufferPrototype)) xsTypeError("aes: %s is not an ArrayBuffer", what);
	xsIntegerValue size = xsGetArrayBufferLength(xsArg(arg));
	if (offset < 0 || offset > size - length) xsRangeError("aes: %s block at %d outside %d bytes", what, (int)offset, (int)size);
	return (uint8_t*)xsToArrayBuffer(xsArg(arg)) + offset;
}

static void x_aes_expand(xsMachine* the)
{
	const uint8_t* key = buffer_at(the, 0, xsToInteger(xsArg(1)), 16, "key");
	uint8_t* schedule = buffer_at(the, 2, 0, AES128_SCHEDULE_BYTES, "schedule");
	aes128_expand(key, schedule);
}

static void x_aes_encrypt(xsMachine* the)
{
	const uint8_t* schedule = buffer_at(the, 0, 0, AES128_SCHEDULE_BYTES, "schedule");
	const uint8_t* src = buffer_at(the, 1, xsToInteger(xsArg(2)), 16, "input");
	uint8_t* dst = buffer_at(the, 3, xsToInteger(xsArg(4)), 16, "output");
	aes128_encrypt(schedule, src, dst);
}

void cipher_natives_install(xsMachine* the, xsSlot* target)
{
	xsDefine(*target, xsID("aesExpand"), xsNewHostFunction(x_aes_expand, 3), xsDontEnum);
	xsDefine(*target, xsID("aesEncrypt"), xsNewHostFunction(x_aes_encrypt, 5), xsDontEnum);
	xsDefine(*target, xsID("aesScheduleBytes"), xsInteger(AES128_SCHEDULE_BYTES), xsDontEnum);
}

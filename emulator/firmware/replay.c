/*
 * The replay region: the simulator's recording of this device's inputs, which QEMU loads at REPLAY_ADDRESS
 * (mps2-an386 PSRAM, outside the profile's RAM and flash: it belongs to the test bench, not to the device).
 * JS reads it in place through a host buffer (`native.replay`) and decodes UTF-8 text with `native.string`.
 */
#include "xs.h"
#include <string.h>

#define REPLAY_ADDRESS ((const uint8_t*)0x21000000)
#define REPLAY_MAGIC 0x50525A47u
#define REPLAY_MAX (16u * 1024u * 1024u)

static uint32_t replay_size(void)
{
	const uint32_t* header = (const uint32_t*)REPLAY_ADDRESS;
	if (header[0] != REPLAY_MAGIC) return 0;
	uint32_t size = header[2];
	return size <= REPLAY_MAX ? size : 0;
}

/* native.string(offset, length): the bytes as a string (XS strings are UTF-8, so this is a copy). */
static void x_string(xsMachine* the)
{
	uint32_t size = replay_size();
	xsIntegerValue offset = xsToInteger(xsArg(0));
	xsIntegerValue length = xsToInteger(xsArg(1));
	if (offset < 0 || length < 0 || (uint32_t)offset + (uint32_t)length > size) xsRangeError("replay: string outside the region");
	xsResult = xsStringBuffer((char*)(REPLAY_ADDRESS + offset), length);
}

void replay_install(xsMachine* the)
{
	xsVars(2);
	xsVar(0) = xsGet(xsGlobal, xsID("native"));
	uint32_t size = replay_size();
	if (size) {
		xsVar(1) = xsNewHostObject(NULL);
		xsSetHostBuffer(xsVar(1), (void*)REPLAY_ADDRESS, (xsIntegerValue)size);
		xsDefine(xsVar(0), xsID("replay"), xsVar(1), xsDontEnum);
	}
	xsDefine(xsVar(0), xsID("string"), xsNewHostFunction(x_string, 2), xsDontEnum);
}

/*
 * native.clockedSerial: the emulated board's ClockedSerial read (hal/io.ts), in C as on a board: the pulse train of a
 * two-wire part (an HX711's 25–27 PD_SCK pulses) runs here, not in XS, so its cost is what this C costs on the
 * Cortex-M4 (QEMU counts the instructions; the image's JS calls it as the provider: emulator/image/clocked-serial.ts).
 *
 * There are no GPIO registers behind it: what the part answered is the replay's WriteAnswers stream, the data line's
 * changes keyed by the index of the device's write they happened in (a pulse is two writes, rising then falling, as
 * the simulator's ClockedSerial makes them: simulator/core/io/clocked-serial.ts). Each pulse consumes the entries for
 * its two writes, the rising edge's before the data line is sampled, exactly where the simulator's part model made
 * them, and reads the stream in place: nothing is allocated.
 *
 * Each phase lasts PHASE_US on the clock, as the board's native waits (hal/moddable/native/clockedserial.c): the wait
 * is busy time here as there, so the device is charged for it. The high phase is measured around the rising and the
 * falling edge from SysTick, as the board measures it from its cycle counter.
 */
#include "xs.h"
#include "platform.h"
#include <stdint.h>

#define REPLAY_ADDRESS ((const uint8_t*)0x21000000)
/* One WriteAnswers entry (emulator/image/format.ts WRITE_ANSWER_BYTES): u32 write index, u16 pin, u8 payload, pad. */
#define ENTRY_BYTES 8u
#define PHASE_US 1u
#define TICKS_PER_US (CLOCK_HZ / 1000000u)

typedef struct {
	uint32_t at;       /* byte offset of the next entry in the replay region */
	uint32_t end;      /* end of the stream */
	uint32_t pin;      /* the data line */
	int level;         /* its level now */
	uint32_t changes;  /* level changes made on it so far */
	uint32_t strays;   /* entries for another line inside the train (the device diverged from the recording) */
} Answers;

static uint32_t entry_write(uint32_t at)
{
	const uint8_t* e = REPLAY_ADDRESS + at;
	return (uint32_t)e[0] | ((uint32_t)e[1] << 8) | ((uint32_t)e[2] << 16) | ((uint32_t)e[3] << 24);
}

/* Apply what the part did inside write `write`. */
static void answer(Answers* a, uint32_t write)
{
	/* An entry for an earlier write was never applied: the device made other writes than the simulated one. */
	while (a->at + ENTRY_BYTES <= a->end && entry_write(a->at) < write) {
		a->at += ENTRY_BYTES;
		a->strays++;
	}
	while (a->at + ENTRY_BYTES <= a->end && entry_write(a->at) == write) {
		const uint8_t* e = REPLAY_ADDRESS + a->at;
		uint32_t pin = (uint32_t)e[4] | ((uint32_t)e[5] << 8);
		int level = e[6] & 1;
		a->at += ENTRY_BYTES;
		if (pin != a->pin) {
			a->strays++;
			continue;
		}
		if (level != a->level) {
			a->level = level;
			a->changes++;
		}
	}
}

static void wait_until(uint64_t deadline)
{
	while (clock_ticks() < deadline) __asm__ volatile("nop");
}

/*
 * native.clockedSerial(firstWrite, dataPin, level, bits, extraPulses, at, end, out): the value of the first `bits`
 * samples, MSB first. `out` (an ArrayBuffer of 4 u32) gets the stream offset after the train, the data line's level
 * changes (top bit set when entries for another line or an earlier write were skipped: JS reports the divergence),
 * its final level, and the longest high phase in ticks.
 */
static void x_clocked_serial(xsMachine* the)
{
	uint32_t first = (uint32_t)xsToNumber(xsArg(0));
	Answers a;
	a.pin = (uint32_t)xsToInteger(xsArg(1));
	a.level = xsToInteger(xsArg(2)) ? 1 : 0;
	int bits = xsToInteger(xsArg(3));
	int extra = xsToInteger(xsArg(4));
	a.at = (uint32_t)xsToInteger(xsArg(5));
	a.end = (uint32_t)xsToInteger(xsArg(6));
	a.changes = 0;
	a.strays = 0;
	if (bits < 1 || bits > 32 || extra < 0 || bits + extra > 40) xsRangeError("clockedSerial: bits 1…32, at most 40 pulses");
	if (!xsIsInstanceOf(xsArg(7), xsArrayBufferPrototype) || xsGetArrayBufferLength(xsArg(7)) < 16) xsTypeError("clockedSerial: out must be an ArrayBuffer of 16 bytes");
	uint32_t value = 0;
	uint32_t longest = 0;
	int pulses = bits + extra;
	for (int i = 0; i < pulses; i++) {
		uint64_t rise = clock_ticks();
		answer(&a, first + 2u * (uint32_t)i);
		wait_until(rise + PHASE_US * TICKS_PER_US);
		int bit = a.level;
		answer(&a, first + 2u * (uint32_t)i + 1u);
		uint64_t fall = clock_ticks();
		if (fall - rise > longest) longest = (uint32_t)(fall - rise);
		wait_until(fall + PHASE_US * TICKS_PER_US);
		if (i < bits) value = (value << 1) | (uint32_t)bit;
	}
	uint32_t* out = (uint32_t*)xsToArrayBuffer(xsArg(7));
	out[0] = a.at;
	out[1] = a.changes | (a.strays ? 0x80000000u : 0u);
	out[2] = (uint32_t)a.level;
	out[3] = longest;
	xsResult = xsNumber((double)value);
}

void clocked_serial_install(xsMachine* the)
{
	xsVars(1);
	xsVar(0) = xsGet(xsGlobal, xsID("native"));
	xsDefine(xsVar(0), xsID("clockedSerial"), xsNewHostFunction(x_clocked_serial, 8), xsDontEnum);
}

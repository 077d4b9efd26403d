/*
 * hal's ClockedSerial on a board (ESP32, nRF52840): the pulse train of a two-wire part such as the Avia HX711 in C,
 * interrupts held off, as one host call from the device's JavaScript (hal/io.ts, parts/hx711/driver.ts).
 *
 * Each pulse: clock high, wait PHASE_US, sample data, clock low, wait PHASE_US. The HX711 datasheet's limits: PD_SCK
 * high 0.2–50 µs (T3), low at least 0.2 µs (T4), DOUT valid 0.1 µs after the rising edge (T2); past 60 µs high the
 * chip powers down. Held in a critical section, a high phase lasts PHASE_US and a few instructions, so no interrupt
 * can stretch it; the class still measures each one (cycle counter on nRF52, esp_timer on ESP32: an upper bound,
 * read before the rising and after the falling edge) and reports the longest as `highUs`, which the driver checks.
 *
 * The waits spin (esp_rom_delay_us, nrf_delay_us): Moddable's modDelayMicroseconds is vTaskDelay on both platforms
 * (a 1 µs delay rounds to a 0-tick yield), which must not run inside a critical section.
 *
 * The clock pin is this class's output; the data pin is only read, so a Digital may keep it open for its ready edge
 * (an edge during the train is latched by the GPIO interrupt and delivered once the critical section ends).
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"

#if ESP32
	#include "driver/gpio.h"
	#include "esp_rom_sys.h"
	#include "esp_timer.h"
	#define clockedSetOutput(pin) do { gpio_reset_pin(pin); gpio_set_direction(pin, GPIO_MODE_OUTPUT); } while (0)
	#define clockedRelease(pin) gpio_reset_pin(pin)
	#define clockedWrite(pin, v) gpio_set_level(pin, v)
	#define clockedRead(pin) gpio_get_level(pin)
	#define clockedDelay(us) esp_rom_delay_us(us)
	typedef int64_t Stamp;
	static inline void clockedStampInit(void) {}
	static inline Stamp clockedStamp(void) { return esp_timer_get_time(); }
	static inline double clockedStampUs(Stamp d) { return (double)d; }
#elif defined(nrf52) || defined(NRF52840_XXAA)
	#include "nrf.h"
	#include "nrf_gpio.h"
	#include "nrf_delay.h"
	#define clockedSetOutput(pin) nrf_gpio_cfg_output(pin)
	#define clockedRelease(pin) nrf_gpio_cfg_default(pin)
	#define clockedWrite(pin, v) nrf_gpio_pin_write(pin, v)
	#define clockedRead(pin) nrf_gpio_pin_read(pin)
	#define clockedDelay(us) nrf_delay_us(us)
	typedef uint32_t Stamp;
	static inline void clockedStampInit(void)
	{
		CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
		DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
	}
	static inline Stamp clockedStamp(void) { return DWT->CYCCNT; }
	static inline double clockedStampUs(Stamp d) { return (double)d / (double)(SystemCoreClock / 1000000u); }
#else
	#error "ganzhi/clockedserial: ESP32 and nRF52 only"
#endif

#define PHASE_US 1
#define MAX_PULSES 40

typedef struct {
	int clock;
	int data;
	double highUs;
} ClockedSerialRecord, *ClockedSerial;

static ClockedSerial clockedOf(xsMachine* the)
{
	ClockedSerial cs = xsmcGetHostData(xsThis);
	if (!cs) xsUnknownError("ClockedSerial: closed");
	return cs;
}

void xs_clockedserial_destructor(void* data)
{
	ClockedSerial cs = data;
	if (!cs) return;
	clockedRelease(cs->clock);
	c_free(cs);
}

void xs_clockedserial(xsMachine* the)
{
	int clock, data;
	xsmcVars(1);
	if (!xsmcHas(xsArg(0), xsID_clock) || !xsmcHas(xsArg(0), xsID_data)) xsTypeError("ClockedSerial: clock and data pins required");
	xsmcGet(xsVar(0), xsArg(0), xsID_clock);
	clock = xsmcToInteger(xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_data);
	data = xsmcToInteger(xsVar(0));
	if (clock < 0 || data < 0 || clock == data) xsRangeError("ClockedSerial: invalid pins");
	ClockedSerial cs = c_calloc(1, sizeof(ClockedSerialRecord));
	if (!cs) xsUnknownError("ClockedSerial: no memory");
	cs->clock = clock;
	cs->data = data;
	clockedWrite(clock, 0);
	clockedSetOutput(clock);
	clockedWrite(clock, 0);
	clockedStampInit();
	xsmcSetHostData(xsThis, cs);
}

void xs_clockedserial_read(xsMachine* the)
{
	ClockedSerial cs = clockedOf(the);
	int bits = xsmcToInteger(xsArg(0));
	int extra = (xsmcArgc > 1) ? xsmcToInteger(xsArg(1)) : 0;
	if (bits < 1 || bits > 32 || extra < 0 || bits + extra > MAX_PULSES) xsRangeError("ClockedSerial: bits 1…32, at most 40 pulses");
	uint32_t value = 0;
	Stamp longest = 0;
	int pulses = bits + extra;
	modCriticalSectionDeclare;
	modCriticalSectionBegin();
	for (int i = 0; i < pulses; i++) {
		Stamp rise = clockedStamp();
		clockedWrite(cs->clock, 1);
		clockedDelay(PHASE_US);
		int bit = clockedRead(cs->data) ? 1 : 0;
		clockedWrite(cs->clock, 0);
		Stamp span = clockedStamp() - rise;
		if (span > longest) longest = span;
		clockedDelay(PHASE_US);
		if (i < bits) value = (value << 1) | (uint32_t)bit;
	}
	modCriticalSectionEnd();
	cs->highUs = clockedStampUs(longest);
	xsmcSetNumber(xsResult, (double)value);
}

void xs_clockedserial_write(xsMachine* the)
{
	ClockedSerial cs = clockedOf(the);
	clockedWrite(cs->clock, xsmcToInteger(xsArg(0)) ? 1 : 0);
}

void xs_clockedserial_get_highUs(xsMachine* the)
{
	ClockedSerial cs = clockedOf(the);
	xsmcSetNumber(xsResult, cs->highUs);
}

void xs_clockedserial_close(xsMachine* the)
{
	ClockedSerial cs = xsmcGetHostData(xsThis);
	if (!cs) return;
	xs_clockedserial_destructor(cs);
	xsmcSetHostData(xsThis, NULL);
}

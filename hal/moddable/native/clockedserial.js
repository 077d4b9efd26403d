/*
 * ganzhi/clockedserial: hal's ClockedSerial (hal/io.ts) on a board, the pulse train in C (clockedserial.c).
 * `ganzhi build` copies this module and its C into the Moddable project it writes (tools/build/native.ts).
 */
class ClockedSerial @ "xs_clockedserial_destructor" {
	constructor(options) @ "xs_clockedserial";
	read(bits, extraPulses) @ "xs_clockedserial_read";
	write(level) @ "xs_clockedserial_write";
	close() @ "xs_clockedserial_close";
	get highUs() @ "xs_clockedserial_get_highUs";
}
Object.freeze(ClockedSerial.prototype);

export default ClockedSerial;

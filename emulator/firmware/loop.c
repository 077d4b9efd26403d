/*
 * The event loop. The program's top level may install `globalThis.__ganzhi = { dispatch(nowUs) }`; the loop then
 * calls dispatch with the current time (µs since reset), runs queued promise jobs, and sleeps until the time
 * dispatch returns. A negative return ends the run. Without `__ganzhi`, the run ends after the top level.
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "semihost.h"

static void run_promise_jobs(txMachine* the)
{
	while (the->promiseJobs) {
		the->promiseJobs = 0;
		fxRunPromiseJobs(the);
	}
}

int loop_run(txMachine* the)
{
	int code = EXIT_OK;
	xsBeginHost(the);
	{
		xsVars(2);
		if (!xsHas(xsGlobal, xsID("__ganzhi"))) {
			code = EXIT_OK;
		}
		else {
			xsVar(0) = xsGet(xsGlobal, xsID("__ganzhi"));
			for (;;) {
				double now = (double)clock_ticks() / (CLOCK_HZ / 1000000u);
				double next = -1;
				xsTry {
					xsVar(1) = xsCall1(xsVar(0), xsID("dispatch"), xsNumber(now));
					next = xsToNumber(xsVar(1));
					run_promise_jobs(the);
				}
				xsCatch {
					console_printf("\n#error dispatch: %s\n", xsToString(xsException));
					code = EXIT_JS_ERROR;
					break;
				}
				if (!(next >= 0)) break;
				clock_sleep_until((uint64_t)(next * (CLOCK_HZ / 1000000u)));
			}
		}
	}
	xsEndHost(the);
	return code;
}

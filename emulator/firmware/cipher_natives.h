#ifndef GANZHI_CIPHER_NATIVES_H
#define GANZHI_CIPHER_NATIVES_H
#include "xs.h"
/* Define aesExpand, aesEncrypt and aesScheduleBytes on `target` (cipher_natives.c). */
void cipher_natives_install(xsMachine* the, xsSlot* target);
#endif

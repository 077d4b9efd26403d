/*
 * Reset and exception vectors for the Cortex-M4F in QEMU mps2-an386: FPU on, flash read-only (MPU), .data copied
 * from flash, .bss cleared, C stack limit recorded, then main(). A fault prints the stacked registers over semihosting and ends
 * the run with exit code 70 (the host runner reports it as a crash of the image).
 */
#include <stdint.h>
#include <string.h>
#include "semihost.h"
#include "platform.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _stack_top;
extern int main(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
extern void SysTick_Handler(void);

__attribute__((section(".vectors"), used)) void (*const gVectors[16 + 32])(void) = {
	(void (*)(void))&_stack_top,
	Reset_Handler,
	Default_Handler,   /* NMI */
	HardFault_Handler, /* HardFault */
	HardFault_Handler, /* MemManage */
	HardFault_Handler, /* BusFault */
	HardFault_Handler, /* UsageFault */
	0, 0, 0, 0,
	Default_Handler,   /* SVC */
	Default_Handler,   /* DebugMon */
	0,
	Default_Handler,   /* PendSV */
	SysTick_Handler,
	/* external interrupts: none enabled */
	Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
	Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
	Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
	Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
};

#define MPU_CTRL (*(volatile uint32_t*)0xE000ED94)
#define MPU_RNR (*(volatile uint32_t*)0xE000ED98)
#define MPU_RBAR (*(volatile uint32_t*)0xE000ED9C)
#define MPU_RASR (*(volatile uint32_t*)0xE000EDA0)
#define SCB_CPACR (*(volatile uint32_t*)0xE000ED88)
#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24)
#define SCB_CFSR (*(volatile uint32_t*)0xE000ED28)
#define SCB_HFSR (*(volatile uint32_t*)0xE000ED2C)
#define SCB_MMFAR (*(volatile uint32_t*)0xE000ED34)
#define SCB_BFAR (*(volatile uint32_t*)0xE000ED38)

/* -nostartfiles: no crti/crtn; newlib's __libc_init_array still calls these. */
void _init(void) {}
void _fini(void) {}

/*
 * Flash is read-only, as on a board: QEMU's mps2-an386 maps SSRAM1 at 0x0 and would let a write to "flash" pass
 * silently. MPU region 0 covers the 4 MB at 0x0, privileged and unprivileged read-only, executable; the default
 * map stays for everything else (PRIVDEFENA). A write into flash (a preloaded object written in place instead of
 * through its RAM alias, say) is a MemManage fault, reported like a HardFault.
 */
static void flash_read_only(void)
{
	MPU_RNR = 0;
	MPU_RBAR = 0x00000000u;
	MPU_RASR = (6u << 24) /* AP: read-only */ | (1u << 17) /* C */ | (21u << 1) /* 2^22 bytes */ | 1u /* enable */;
	MPU_CTRL = (1u << 2) /* PRIVDEFENA */ | 1u /* enable */;
	__asm__ volatile("dsb\n isb");
}

void Reset_Handler(void)
{
	/* CP10/CP11 full access: the M4F's single-precision FPU (doubles stay soft-float). */
	SCB_CPACR |= (0xFu << 20);
	__asm__ volatile("dsb\n isb");
	/* Separate MemManage, BusFault and UsageFault handlers (all report like a HardFault). */
	SCB_SHCSR |= (7u << 16);
	flash_read_only();
	memcpy(&_sdata, &_sidata, (size_t)((char*)&_edata - (char*)&_sdata));
	memset(&_sbss, 0, (size_t)((char*)&_ebss - (char*)&_sbss));
	__libc_init_array();
	int code = main();
	semihost_exit(code);
}

void Default_Handler(void)
{
	console_puts("\n#fault unexpected interrupt\n");
	semihost_exit(EXIT_FAULT);
}

/* Called with the stacked frame (r0-r3, r12, lr, pc, xpsr) of the faulting context. */
__attribute__((used)) void fault_report(uint32_t* frame)
{
	console_printf("\n#fault HardFault pc=%08lx lr=%08lx cfsr=%08lx hfsr=%08lx mmfar=%08lx bfar=%08lx sp=%08lx\n",
		(unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)SCB_CFSR, (unsigned long)SCB_HFSR,
		(unsigned long)SCB_MMFAR, (unsigned long)SCB_BFAR, (unsigned long)(uintptr_t)frame);
	semihost_exit(EXIT_FAULT);
}

__attribute__((naked)) void HardFault_Handler(void)
{
	__asm__ volatile(
		"tst lr, #4\n"
		"ite eq\n"
		"mrseq r0, msp\n"
		"mrsne r0, psp\n"
		"b fault_report\n");
}

/* The preparation blob (emulator/firmware/prepared.h), or a 16-byte placeholder. PREPARATION_FILE is passed by
 * the image build (-DPREPARATION_FILE=...). */
	.section .preparation, "a"
	.balign 16
	.global gPreparation
gPreparation:
	.incbin PREPARATION_FILE
	.balign 16

/* The JS program blob, placed in flash. PROGRAM_FILE is passed by the image build (-DPROGRAM_FILE=...). */
	.section .program, "a"
	.balign 4
	.global gProgram
gProgram:
	.incbin PROGRAM_FILE
	.balign 4

#ifndef ASM_TEST_FAULT_H
#define ASM_TEST_FAULT_H
/* Raise the fault that test_fault= asked for, if any. */
void test_fault_maybe(void);
#endif

/*
 * Debug keys: with the console's input focus on Keel (docs/console.md),
 * each typed key runs a handler that prints hypervisor state, as Xen's
 * keyhandlers do.  The handlers run in the console poll timer on CPU 0.
 */
#ifndef KEEL_KEYHANDLER_H
#define KEEL_KEYHANDLER_H

/* Run the handler for key c (unknown keys print a hint). */
void handle_keypress(char c);

#endif

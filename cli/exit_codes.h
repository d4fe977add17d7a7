/* Exit codes of the chipsim command (sysexits.h values, see DESIGN.md). */
#ifndef CLI_EXIT_CODES_H
#define CLI_EXIT_CODES_H

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 64,       /* bad command line */
    EXIT_DATAERR = 65,     /* bad scenario */
    EXIT_NOINPUT = 66,     /* input file missing */
    EXIT_SOFTWARE = 70,    /* internal error */
    EXIT_CANTCREAT = 73,   /* cannot create output */
    EXIT_IOERR = 74,       /* input/output error */
    EXIT_INTERRUPTED = 130 /* SIGINT */
};

#endif

/*
 * Status codes returned by every fallible function in the simulator's libraries.
 *
 * Library code returns a status and, where a person needs to know more, writes a
 * message into a buffer or context its caller owns. Only cli/ prints and chooses
 * an exit code. The list is an X-macro so names and texts never drift apart.
 */
#ifndef SIM_STATUS_H
#define SIM_STATUS_H

#define SIM_STATUS_LIST(X)                                                                         \
    X(SIM_OK, "ok")                                                                                \
    X(SIM_ENOMEM, "out of memory")                                                                 \
    X(SIM_EINVAL, "invalid value")                                                                 \
    X(SIM_ERANGE, "value out of range")                                                            \
    X(SIM_EIO, "input/output error")                                                               \
    X(SIM_ENOENT, "no such file")                                                                  \
    X(SIM_ECANTCREATE, "cannot create output")                                                     \
    X(SIM_EMODEL, "model error")                                                                   \
    X(SIM_EEXIST, "already present")

typedef enum sim_status {
#define SIM_STATUS_ENUM(name, text) name,
    SIM_STATUS_LIST(SIM_STATUS_ENUM)
#undef SIM_STATUS_ENUM
} sim_status;

/* A short lower-case description; never NULL. */
const char *sim_status_str(sim_status s);

#endif

#include "status.h"

const char *sim_status_str(sim_status s)
{
    switch (s) {
#define SIM_STATUS_CASE(name, text)                                                                \
    case name:                                                                                     \
        return text;
        SIM_STATUS_LIST(SIM_STATUS_CASE)
#undef SIM_STATUS_CASE
    }
    return "unknown status";
}

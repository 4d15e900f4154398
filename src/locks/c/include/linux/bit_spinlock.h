/* resolves to the zspage-stress kernel shim */
#include <zspage_kernel.h>

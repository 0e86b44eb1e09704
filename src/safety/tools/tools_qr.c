/* QR labels for tools (R3.6): the code holds "FGTOOL:<asset number>", which the phone's scanner reads to open the
 * tool (drawn by core/base/qr). */
#include "core/base/util.h"
#include "core/base/qr.h"
#include "safety/tools/tools.h"

char *
tools_qr_svg(const char *asset_no)
{
	char text[96];
	if (!fg_fmt(text, sizeof text, "FGTOOL:%s", asset_no))
		return NULL;
	return fg_qr_svg(text);
}

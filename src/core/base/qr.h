#ifndef FG_QR_H
#define FG_QR_H

/* A QR code of text as SVG (libqrencode makes the matrix; drawn as one path, crisp at any print size, with its
 * quiet zone), error correction M. malloc'ed; NULL when text cannot be encoded. Used for the tools' labels and the
 * large screen's display links. */
char *fg_qr_svg(const char *text);

#endif

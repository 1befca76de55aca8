# cmake -DIN=file -DOUT=file.cpp -DSYMBOL=name -DLABEL=text -P embed.cmake
# Embeds a file's bytes as `extern const unsigned char SYMBOL[]; extern const std::size_t SYMBOL_size;`
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
"// Generated from ${IN} by cmake/embed.cmake. Do not edit.\n#include <cstddef>\n"
"extern const unsigned char ${SYMBOL}[] = {\n${body}0x00};\n"
"extern const std::size_t ${SYMBOL}_size = ${size};\n"
"extern const char ${SYMBOL}_label[] = \"${LABEL}\";\n")
file(RENAME "${OUT}.tmp" "${OUT}")

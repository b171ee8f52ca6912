"""Code point ranges of the scripts that ``script_share`` knows (generated data).

In: nothing. Out: ``SCRIPTS`` (names, in table order) and ``RUNS``: sorted
``(first code point, script index)`` pairs; a letter belongs to the script of
the last run starting at or before it (-1: a script not listed here).

Only letters (``str.isalpha()`` under Python's Unicode database) were
classified, so a run may span non-letters. Made from the Unicode Script
property (the ``regex`` package's ``\\p{Script=...}``); letters whose script is
Common but that are used only by listed scripts (the Japanese prolonged sound
mark ー, the Arabic tatweel) take that script from Script_Extensions.
"""

SCRIPTS = ("Latin", "Greek", "Cyrillic", "Arabic", "Hebrew", "Devanagari", "Thai", "Hangul", "Han",
           "Hiragana", "Katakana")

RUNS = (
    (0x41, 0), (0xB5, -1), (0xBA, 0), (0x2B9, -1), (0x2BC, 0), (0x2BD, -1), (0x2C7, 0),
    (0x2C8, -1), (0x2C9, 0), (0x2CC, -1), (0x2CD, 0), (0x2CE, -1), (0x2E0, 0), (0x2EC, -1),
    (0x370, 1), (0x3E2, -1), (0x3F0, 1), (0x400, 2), (0x531, -1), (0x5D0, 4), (0x620, 3),
    (0x710, -1), (0x750, 3), (0x780, -1), (0x870, 3), (0x904, 5), (0x980, -1), (0xE01, 6),
    (0xE81, -1), (0x1100, 7), (0x1200, -1), (0x1C80, 2), (0x1C90, -1), (0x1CE9, 5), (0x1CFA, -1),
    (0x1D00, 0), (0x1D26, 1), (0x1D2B, 2), (0x1D2C, 0), (0x1D5D, 1), (0x1D62, 0), (0x1D66, 1),
    (0x1D6B, 0), (0x1D78, 2), (0x1D79, 0), (0x1DBF, 1), (0x1E00, 0), (0x1F00, 1), (0x2071, 0),
    (0x2102, -1), (0x2126, 1), (0x2128, -1), (0x212A, 0), (0x212C, -1), (0x2132, 0), (0x2133, -1),
    (0x214E, 0), (0x2C00, -1), (0x2C60, 0), (0x2C80, -1), (0x3005, 8), (0x3031, 10), (0x303B, 8),
    (0x303C, 10), (0x3041, 9), (0x30A1, 10), (0x3105, -1), (0x3131, 7), (0x31A0, -1), (0x31F0, 10),
    (0x3400, 8), (0xA000, -1), (0xA640, 2), (0xA6A0, -1), (0xA722, 0), (0xA788, -1), (0xA78B, 0),
    (0xA800, -1), (0xA8F2, 5), (0xA90A, -1), (0xA960, 7), (0xA984, -1), (0xAB30, 0), (0xAB65, 1),
    (0xAB66, 0), (0xAB70, -1), (0xAC00, 7), (0xF900, 8), (0xFB00, 0), (0xFB13, -1), (0xFB1D, 4),
    (0xFB50, 3), (0xFF21, 0), (0xFF66, 10), (0xFFA0, 7), (0x10000, -1), (0x10780, 0),
    (0x10800, -1), (0x16FE3, 8), (0x17000, -1), (0x1AFF0, 10), (0x1B001, 9), (0x1B120, 10),
    (0x1B150, 9), (0x1B164, 10), (0x1B170, -1), (0x1DF00, 0), (0x1E100, -1), (0x1EE00, 3),
    (0x20000, 8),
)

#!/usr/bin/python3
"""Writes tests/data/unicode_tokens_reference.json: scikit-learn 1.2.1's default word analyzer
(CountVectorizer().build_analyzer(): lowercase, token pattern (?u)\\b\\w\\w+\\b) on text in many
scripts, and Python's str.isalnum() / str.lower() for every code point that lowercases to another
and every 499th of the others, from Debian
bookworm's python3-sklearn on Python 3.11 (Unicode 14). Run: /usr/bin/python3 THIS_FILE."""
import json
import os
import sys
import unicodedata

import sklearn
from sklearn.feature_extraction.text import CountVectorizer

TEXTS = [
    "日本語のテキスト 東京 2023年",
    "中文分词 测试",
    "한국어 텍스트 분석",
    "مرحبا بالعالم ١٢٣",
    "שלום עולם",
    "हिन्दी पाठ विश्लेषण",
    "ภาษาไทย ทดสอบ",
    "İSTANBUL Straße ΟΔΟΣ ΣΑΣ ǅemal ǄEMAL",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３",
    "emoji 😀😀 ok 👍 x2",
    "Ⅻ ⅻ ① ②③ x₂y",
    "ᏣᎳᎩ ⴀⴁ Ꭰ",
    "naïve café — émigré's déjà-vu",
    "\u00ad soft\u00adhyphen zero\u200bwidth",
]


def main():
    analyze = CountVectorizer().build_analyzer()
    # Every code point with a lowercase mapping, and every 499th of the others.
    code_points = [cp for cp in range(0x80, 0x110000) if not 0xD800 <= cp <= 0xDFFF and
                   (chr(cp).lower() != chr(cp) or cp % 499 == 0)]
    out = {
        "provenance": f"scikit-learn {sklearn.__version__}, Python {sys.version.split()[0]}, "
                      f"Unicode {unicodedata.unidata_version}; tests/data/make_unicode_tokens_reference.py",
        "analyzer": [{"text": t, "tokens": analyze(t)} for t in TEXTS],
        "code_points": [[cp, chr(cp).isalnum(), [ord(c) for c in chr(cp).lower()]] for cp in code_points],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unicode_tokens_reference.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()

"""Make NotoSansSC-Regular/Bold.otf: Noto Sans CJK SC cut down to what certificates need.

    .venv/bin/python lms/catalog/fonts/make_cjk_subset.py /usr/share/fonts/opentype/noto

The full CJK font is about 20 MB per weight; the subset keeps the 3,755 common characters of
GB 2312 level 1, Latin letters, digits and punctuation, and every character of the Chinese course
titles and certificate wording, so a certificate in Chinese needs no system font.
(Debian package fonts-noto-cjk; SIL Open Font License, see OFL.txt.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def gb2312_level1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def project_chinese() -> str:
    """Every Chinese character of the courses and of the Chinese UI catalog."""
    text = []
    for path in list((ROOT / "courses").glob("*/course.yaml")) + [
        ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
    ]:
        if path.exists():
            text.append(path.read_text(encoding="utf-8"))
    return "".join(set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", "".join(text))))


def main(source_dir: str) -> None:
    wanted = set(gb2312_level1()) | set(project_chinese())
    wanted |= {chr(c) for c in range(0x20, 0x7F)} | set("，。、：；！？（）《》“”‘’—…·")
    unicodes = sorted(ord(c) for c in wanted)
    for weight in ("Regular", "Bold"):
        collection = TTCollection(str(Path(source_dir) / f"NotoSansCJK-{weight}.ttc"))
        font = collection.fonts[2]  # Noto Sans CJK SC
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        out = HERE / f"NotoSansSC-{weight}.otf"
        font.save(str(out))
        print(f"{out.name}: {out.stat().st_size // 1024} KB, {len(unicodes)} characters")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")

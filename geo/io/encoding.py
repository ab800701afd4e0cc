"""Shapefile text encoding: honour a ``.cpg`` file, otherwise sniff the ``.dbf`` bytes.

Chinese shapefiles often come without a ``.cpg``; GDAL then assumes ISO-8859-1 and GBK
names turn into mojibake. Valid UTF-8 bytes are read as UTF-8, anything else that decodes
as GBK (cp936) is read as GBK.
"""

from __future__ import annotations

import codecs
import struct
from pathlib import Path

__all__ = ["cpg_encoding", "cut_name", "shapefile_encoding", "sniff_dbf_encoding",
           "text_file_encoding"]

_SAMPLE_BYTES = 1 << 20  # records looked at when sniffing; enough for any real decision
_FALLBACK = "ISO-8859-1"  # decodes any byte, so a read never fails on text

# .cpg spellings seen in the wild mapped to codec names Python (and so pyogrio) accepts.
_CPG_ALIASES = {
    "UTF8": "UTF-8",
    "UTF-8": "UTF-8",
    "65001": "UTF-8",
    "GBK": "GBK",
    "936": "GBK",
    "CP936": "GBK",
    "ANSI936": "GBK",
    "GB2312": "GBK",  # GBK is a superset; reading GB2312 text as GBK is lossless
    "GB18030": "GB18030",
    "54936": "GB18030",
    "BIG5": "BIG5",
    "950": "BIG5",
    "LATIN1": _FALLBACK,
    "ISO-8859-1": _FALLBACK,
    "ISO88591": _FALLBACK,
    "88591": _FALLBACK,
}


def cpg_encoding(text: str) -> str | None:
    """Map the contents of a ``.cpg`` file to a codec name, or ``None`` if unusable.

    Parameters
    ----------
    text
        What the ``.cpg`` holds, e.g. ``"UTF-8"``, ``"936"`` or ``"ANSI 1252"``.
    """
    key = text.strip().upper().replace(" ", "").replace("_", "")
    if not key:
        return None
    if key in _CPG_ALIASES:
        return _CPG_ALIASES[key]
    candidate = f"CP{key.removeprefix('ANSI')}" if key.removeprefix("ANSI").isdigit() else key
    try:
        codecs.lookup(candidate)
    except LookupError:
        return None  # e.g. "System" or "OEM": says nothing usable
    return candidate


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def cut_name(raw: bytes, codec: str) -> str | None:
    """A field name decoded with ``codec``, a character cut by the format's 10-byte limit
    dropped (GDAL cuts a UTF-8 社区名称 to 社区名 and one byte of 称); ``None`` when the
    name does not decode with ``codec`` otherwise."""
    for end in range(len(raw), max(len(raw) - 4, 0), -1):  # a character has at most 4 bytes
        try:
            return raw[:end].decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _field_names(dbf: bytes, header_len: int) -> list[bytes]:
    """Raw field names from the 32-byte descriptors that end with a 0x0D byte."""
    names = []
    end = min(header_len, len(dbf))
    for offset in range(32, end - 31, 32):
        if dbf[offset] == 0x0D:
            break
        names.append(dbf[offset : offset + 11].split(b"\0", 1)[0])
    return names


def sniff_dbf_encoding(dbf: bytes) -> str:
    """Guess the text encoding of ``.dbf`` bytes (header plus at least some records).

    Field names and record bytes are checked: valid UTF-8 (including plain ASCII) gives
    ``"UTF-8"``; otherwise GBK, then GB18030; anything else ``"ISO-8859-1"``.

    Parameters
    ----------
    dbf
        The start of the ``.dbf`` file; whole records are used, a cut-off one is dropped.
    """
    if len(dbf) < 32:
        return "UTF-8"
    n_records, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    names = _field_names(dbf, header_len)
    records = dbf[header_len : header_len + n_records * record_len]
    if record_len:
        records = records[: len(records) // record_len * record_len]
    for codec, name in (("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")):
        if _decodes(records, codec) and all(cut_name(n, codec) is not None for n in names):
            return name
    return _FALLBACK


def text_file_encoding(path: Path) -> str:
    """The encoding of a text file such as a CSV table: UTF-8 (with or without a byte-order
    mark, or plain ASCII), else GBK, else GB18030, else ISO-8859-1, judged on its first MiB."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    for codec, name in (("utf-8-sig", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            decoder.decode(sample, final=len(sample) < _SAMPLE_BYTES)  # a cut-off last char
        except UnicodeDecodeError:
            continue
        return name
    return _FALLBACK


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def shapefile_encoding(shp: Path, *, use_cpg: bool = True) -> str:
    """Return the encoding to read the shapefile ``shp`` with: its ``.cpg``, else sniffed.

    Parameters
    ----------
    shp
        Path of the ``.shp``; the ``.cpg`` and ``.dbf`` next to it are looked at.
    use_cpg
        ``False`` sniffs the ``.dbf`` even when there is a ``.cpg``.
    """
    cpg = _sidecar(shp, ".cpg") if use_cpg else None
    if cpg is not None:
        declared = cpg_encoding(cpg.read_bytes().decode("ascii", errors="ignore"))
        if declared is not None:
            return declared
    dbf = _sidecar(shp, ".dbf")
    if dbf is None:
        return "UTF-8"
    with dbf.open("rb") as handle:
        head = handle.read(32)
        header_len = struct.unpack("<H", head[8:10])[0] if len(head) >= 10 else 0
        return sniff_dbf_encoding(head + handle.read(max(header_len - 32, 0) + _SAMPLE_BYTES))
